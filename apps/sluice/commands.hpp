#pragma once
// The sluice subcommands. Each registers its flags on the CLI11 app and
// returns the function that runs it (exit codes: README.md "Exit codes").
#include <CLI/CLI.hpp>

#include <functional>

namespace sluice::app {

using Run = std::function<int()>;

/// `sluice serve`: the live RTMP server.
Run add_serve(CLI::App& app);

}  // namespace sluice::app
