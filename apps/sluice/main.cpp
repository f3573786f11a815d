// The sluice binary. Subcommands arrive with their issues (serve, publish,
// play, probe, bench); until then it explains itself and exits.
#include <CLI/CLI.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    CLI::App app{
        "Sluice: an RTMP media server, client and tools.\n"
        "\n"
        "This build contains the protocol core (AMF0/AMF3, FLV, handshake, chunk\n"
        "stream, commands). The server and client subcommands (serve, publish,\n"
        "play, probe, bench) are not built yet; see README.md.",
        "sluice"};
    app.set_version_flag("--version", std::string("sluice ") + SLUICE_VERSION);
    app.require_subcommand(0);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // Usage errors exit 1 as README.md documents; --help and --version exit 0.
        const int code = app.exit(e);
        return code == 0 ? 0 : 1;
    }
    std::fputs(app.help().c_str(), stdout);
    return 0;
}
