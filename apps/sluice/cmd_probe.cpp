// `sluice probe URL`: what a stream and its server are made of.
//
// connect (timed: TCP, handshake, `_result`), createStream, play; then the
// messages that arrive are handed to client::StreamProbe until --seconds
// of media have arrived (by timestamps: a server's GOP cache makes the
// first second arrive at once), --seconds of wall time have passed, or the
// stream ended (NetStream.Play.Stop / UnpublishNotify, StreamEOF, the
// server closing). The report (render_probe_text, or render_probe_json
// with --json) goes to stdout; errors go to stderr.
//
// Exit codes: 0 the report was printed with some media in it; 3 the
// server answered NetStream.Play.StreamNotFound; 2 connect/play failed,
// or no media arrived within --seconds (the report is still printed, so
// a script sees what the server said); 1 usage.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "client/blocking_client.hpp"
#include "client/stream_probe.hpp"
#include "commands.hpp"
#include "connect_flags.hpp"
#include "rtmp/status.hpp"
#include "rtmp/url.hpp"

namespace sluice::app {

namespace {

using Clock = std::chrono::steady_clock;

struct ProbeOptions {
    std::string url;
    bool json = false;
    double seconds = 3;
    double timeout_s = 10;
    ConnectFlags connect;
};

bool ends_stream(const client::Incoming& in) {
    if (in.kind == client::Incoming::Kind::closed) return true;
    if (in.kind == client::Incoming::Kind::user_control)
        return in.control.event == rtmp::UserControlEvent::stream_eof;
    if (in.kind != client::Incoming::Kind::status || !in.status) return false;
    const std::string& code = in.status->code;
    return code == rtmp::status_code(rtmp::Status::play_stop) ||
           code == rtmp::status_code(rtmp::Status::play_complete) ||
           code == rtmp::status_code(rtmp::Status::play_unpublish_notify);
}

int fail(const client::ClientError& e) {
    const bool not_found = e.code() == client::Errc::stream_not_found;
    std::fprintf(stderr, "sluice probe: %s\n", e.what());
    if (not_found)
        std::fprintf(stderr,
                     "sluice probe: nothing is published under that name; check the stream name (the "
                     "last part of the URL) and that a publisher is live\n");
    else if (e.step() == client::Step::tcp_connect || e.step() == client::Step::resolve)
        std::fprintf(stderr, "sluice probe: is the server running on that host and port?\n");
    return not_found ? 3 : 2;
}

int probe(const ProbeOptions& options) {
    const auto url = parse_stream_url("probe", options.url);
    if (!url) return 1;
    client::ClientOptions client_options;
    if (std::string error; !apply_connect_flags(options.connect, client_options, error)) {
        std::fprintf(stderr, "sluice probe: %s\n", error.c_str());
        return 1;
    }
    client_options.step_timeout = std::chrono::milliseconds(static_cast<long>(options.timeout_s * 1000));
    client::BlockingClient player(client_options);

    const Clock::time_point start = Clock::now();
    client::StreamProbe stream_probe(start);
    client::ProbeServer server;
    try {
        const client::ConnectInfo info = player.connect(*url);
        server = client::ProbeServer::from(info);
        const rtmp::MessageStreamId id = player.create_stream();
        rtmp::PlayCommand command;
        command.stream_name = url->stream;
        player.play(id, command);
        server.play_start = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    } catch (const client::ClientError& e) {
        return fail(e);
    }

    const auto wall_limit =
        Clock::now() + std::chrono::milliseconds(static_cast<long>(options.seconds * 1000));
    const auto media_wanted = static_cast<std::int64_t>(options.seconds * 1000);
    for (;;) {
        const auto now = Clock::now();
        if (now >= wall_limit || stream_probe.media_span_ms() >= media_wanted) break;
        try {
            const client::Incoming in =
                player.next(std::chrono::duration_cast<std::chrono::milliseconds>(wall_limit - now) +
                            std::chrono::milliseconds(1));
            stream_probe.add(in, Clock::now());
            if (ends_stream(in)) break;
        } catch (const client::ClientError& e) {
            if (e.code() == client::Errc::timed_out) break;  // --seconds passed with nothing more
            std::fprintf(stderr, "sluice probe: %s (the report shows what arrived before)\n", e.what());
            break;
        }
    }
    try {
        player.close();
    } catch (const client::ClientError&) {
        // The report is what matters; a server that drops us first is fine.
    }

    const client::ProbeReport& report = stream_probe.report();
    const std::string text =
        options.json ? client::render_probe_json(server, report) : client::render_probe_text(server, report);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    if (report.video_track.frames == 0 && report.audio_track.frames == 0) {
        std::fprintf(stderr,
                     "sluice probe: no media arrived within %.1f s; is a publisher live on that stream?\n",
                     options.seconds);
        return 2;
    }
    return 0;
}

}  // namespace

Run add_probe(CLI::App& app) {
    auto options = std::make_shared<ProbeOptions>();
    CLI::App* cmd = app.add_subcommand(
        "probe", "Connect, play a stream briefly and print what the server and the stream are made of.");
    cmd->footer(
        "Prints the server's fmsVer and capabilities, the handshake it answered with, the time to connect,\n"
        "to NetStream.Play.Start, to the first frame and key frame, the metadata, the codecs from the\n"
        "sequence headers (profile, level, resolution; AAC profile, sample rate, channels), and frame rate\n"
        "and bitrate measured from the message timestamps.\n"
        "Example:  sluice probe rtmp://127.0.0.1/live/test --json | jq .video\n"
        "Exit codes: 0 report printed, 2 connection or protocol failure or no media, 3 stream not found.");
    cmd->add_option("url", options->url, "rtmp://host[:port]/app[/instance]/stream")->required();
    cmd->add_flag("--json", options->json,
                  "Print the report as one JSON object (for scripts) instead of text");
    cmd->add_option("--seconds", options->seconds,
                    "How long to play: stop once this much media (by timestamps) or wall time has passed "
                    "(default 3)")
        ->check(CLI::Range(0.1, 3600.0));
    cmd->add_option("--timeout", options->timeout_s,
                    "Deadline in seconds for each step: TCP connect, handshake, connect, createStream, play "
                    "(default 10)")
        ->check(CLI::Range(0.1, 3600.0));
    add_connect_flags(*cmd, options->connect);
    return [cmd, options]() -> int { return cmd->parsed() ? probe(*options) : -1; };
}

}  // namespace sluice::app
