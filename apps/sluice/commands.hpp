#pragma once
// The sluice subcommands. Each registers its flags on the CLI11 app and
// returns the function that runs it (exit codes: README.md "Exit codes").
#include <CLI/CLI.hpp>

#include <functional>

namespace sluice::app {

using Run = std::function<int()>;

/// `sluice serve`: the live RTMP server.
Run add_serve(CLI::App& app);
/// `sluice publish FILE|- URL`: publish an FLV file or stdin, paced by timestamps.
Run add_publish(CLI::App& app);
/// `sluice play URL [-o FILE|-]`: play a stream into an FLV file or stdout.
Run add_play(CLI::App& app);
/// `sluice probe URL`: what a stream and its server are made of.
Run add_probe(CLI::App& app);
/// `sluice bench URL --players N`: the load generator.
Run add_bench(CLI::App& app);
/// `sluice so URL NAME`: use a remote shared object; print, edit and watch it.
Run add_so(CLI::App& app);

}  // namespace sluice::app
