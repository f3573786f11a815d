// The sluice binary: one program, one subcommand per job (ARCHITECTURE.md
// "The command line"). Exit codes: 0 ok, 1 usage or config error, 2 network
// or protocol failure, 3 stream not found.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <vector>

#include "commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{
        "Sluice: an RTMP media server, client and tools.\n"
        "\n"
        "  sluice serve     run the live RTMP server\n"
        "  sluice publish   publish an FLV file (or FLV on stdin) to a server\n"
        "  sluice play      play a stream into an FLV file (or stdout)\n"
        "  sluice probe     show what a stream and its server are made of\n"
        "  sluice bench     open many players on a stream and measure them\n"
        "  sluice so        print, edit and watch a remote shared object\n"
        "\n"
        "Run `sluice <command> --help` for each command's flags. Exit codes: 0 ok,\n"
        "1 usage or config error, 2 network or protocol failure, 3 stream not found.",
        "sluice"};
    app.set_version_flag("--version", std::string("sluice ") + SLUICE_VERSION);
    app.require_subcommand(0, 1);
    namespace cmd = sluice::app;
    std::vector<cmd::Run> commands{cmd::add_serve(app), cmd::add_publish(app), cmd::add_play(app),
                                   cmd::add_probe(app), cmd::add_bench(app),   cmd::add_so(app)};
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // Usage errors exit 1 as README.md documents; --help and --version exit 0.
        const int code = app.exit(e);
        return code == 0 ? 0 : 1;
    }
    for (const auto& run : commands) {
        const int code = run();
        if (code >= 0) return code;
    }
    std::fputs(app.help().c_str(), stdout);
    return 0;
}
