// `sluice publish FILE|- URL`: publishes an FLV file, or FLV on standard
// input (`ffmpeg ... -f flv - | sluice publish - URL`), paced in real time
// by its timestamps.
//
// Order of work: the input is opened and its first tag read before any
// connection (a missing or non-FLV file fails with exit 1 and nothing
// sent); then connect, createStream, publish; then each tag goes out when
// the pacer (client/pacer.hpp) says it is due, with the timestamp the pacer
// gives (continuous across --loop passes and discontinuities). The file's
// onMetaData goes out as `@setDataFrame` (client/flv_input.hpp), in file
// order, i.e. first in every file FFmpeg writes. At the end: FCUnpublish +
// deleteStream, a short wait for NetStream.Unpublish.Success (so the server
// has read everything before the socket closes), close.
//
// SIGINT/SIGTERM set a flag; the handler is installed without SA_RESTART
// so a read blocked on a silent pipe returns, and the loop stops cleanly
// (deleteStream + close) with exit 0.
//
// Exit codes: 0 the input ended and everything was sent (or SIGINT);
// 1 usage: bad flags or URL, missing, unreadable or non-FLV input;
// 2 network or protocol failure (refused, rejected, connection lost).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "client/blocking_client.hpp"
#include "client/flv_input.hpp"
#include "client/pacer.hpp"
#include "commands.hpp"
#include "connect_flags.hpp"
#include "rtmp/status.hpp"
#include "rtmp/url.hpp"

namespace sluice::app {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void on_stop_signal(int) {
    stop_requested = 1;
}

/// SIGINT and SIGTERM stop the publish; no SA_RESTART so a blocked read returns EINTR.
void install_stop_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

struct PublishOptions {
    std::string input;
    std::string url;
    bool no_pace = false;
    double speed = 1.0;
    bool loop = false;
    std::string mode = "live";
    ConnectFlags connect;
    double timeout_s = 10;
    bool quiet = false;
};

struct Stats {
    Clock::time_point started = Clock::now();
    std::uint64_t video = 0;
    std::uint64_t audio = 0;
    std::uint64_t data = 0;
    bool any_media = false;
    base::Timestamp first_ts = 0;
    base::Timestamp last_ts = 0;

    double media_seconds() const {
        return any_media ? static_cast<double>(base::serial_diff(first_ts, last_ts)) / 1000.0 : 0.0;
    }
};

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string progress_text(const Stats& stats, std::uint64_t bytes_sent, std::uint64_t dropped) {
    const double elapsed = seconds_since(stats.started);
    const double kbits = elapsed > 0 ? static_cast<double>(bytes_sent) * 8 / 1000 / elapsed : 0;
    char line[200];
    std::snprintf(line, sizeof line, "%7.1fs  media %7.2fs  %7.0f kbit/s  %llu frames  %llu dropped", elapsed,
                  stats.media_seconds(), kbits, static_cast<unsigned long long>(stats.video),
                  static_cast<unsigned long long>(dropped));
    return line;
}

rtmp::PublishMode parse_mode(const std::string& mode) {
    if (mode == "record") return rtmp::PublishMode::record;
    if (mode == "append") return rtmp::PublishMode::append;
    return rtmp::PublishMode::live;
}

/// Sleeps until `due`, waking often enough to notice a stop request.
void sleep_until(Clock::time_point due) {
    while (!stop_requested) {
        const auto now = Clock::now();
        if (now >= due) return;
        std::this_thread::sleep_for(std::min<Clock::duration>(due - now, 100ms));
    }
}

/// The next message of the input, or nullopt at its end or on a stop request.
std::optional<rtmp::Message> next_input(client::FlvInput& input) {
    for (;;) {
        if (stop_requested) return std::nullopt;
        try {
            return input.next();
        } catch (const client::FlvInput::Interrupted&) {
            // A signal interrupted the read: the loop head checks why.
        }
    }
}

/// After FCUnpublish + deleteStream: wait (bounded) for the server's
/// Unpublish.Success, which it sends once it has read everything before.
void wait_unpublished(client::BlockingClient& client, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    try {
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left <= 0ms) return;
            const client::Incoming in = client.next(left);
            if (in.kind == client::Incoming::Kind::closed) return;
            if (in.kind == client::Incoming::Kind::status && in.status &&
                in.status->code == rtmp::status_code(rtmp::Status::unpublish_success))
                return;
        }
    } catch (const client::ClientError&) {
        // No answer (nginx-rtmp may not send one): the wait was all we wanted.
    }
}

int publish(const PublishOptions& options) {
    const auto url = parse_stream_url("publish", options.url);
    if (!url) return 1;
    if (options.loop && options.input == "-") {
        std::fprintf(stderr, "sluice publish: --loop needs a file (standard input cannot be read twice)\n");
        return 1;
    }
    install_stop_handlers();

    std::optional<client::FlvInput> input;
    std::optional<rtmp::Message> pending;
    try {
        input.emplace(client::FlvInput::open(options.input));
        // The first tag before connecting: a wrong input fails with nothing sent.
        pending = next_input(*input);
    } catch (const client::FlvInputError& e) {
        std::fprintf(stderr, "sluice publish: %s\n", e.what());
        return 1;
    }
    if (stop_requested) return 0;
    if (!pending) {
        std::fprintf(stderr, "sluice publish: %s has no audio, video or metadata tags (it %s)\n",
                     input->name().c_str(), input->describe_ending().c_str());
        return 1;
    }

    client::ClientOptions client_options;
    client_options.flash_ver = std::string(client::publisher_flash_ver);
    if (std::string error; !apply_connect_flags(options.connect, client_options, error)) {
        std::fprintf(stderr, "sluice publish: %s\n", error.c_str());
        return 1;
    }
    client_options.step_timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 1000));
    client::BlockingClient client(client_options);

    client::PacerOptions pacer_options;
    pacer_options.pace = !options.no_pace;
    pacer_options.speed = options.speed;
    client::Pacer pacer(pacer_options);

    const bool progress = !options.quiet && ::isatty(STDERR_FILENO) == 1;
    Stats stats;
    std::uint64_t passes = 1;
    std::uint64_t skipped_before = 0;  // tags skipped in earlier --loop passes
    rtmp::MessageStreamId id = 0;
    try {
        id = client.open_publish(*url, parse_mode(options.mode));
        if (!options.quiet)
            std::fprintf(stderr, "sluice publish: publishing %s to %s\n", input->name().c_str(),
                         url->to_string().c_str());
        stats.started = Clock::now();
        auto next_progress = stats.started + 500ms;
        std::uint64_t pass_messages = 0;
        while (!stop_requested) {
            if (!pending) {
                if (!options.loop || pass_messages == 0) break;
                // Next pass: same file from the start, timestamps continuing.
                skipped_before += input->skipped();
                input.reset();
                input.emplace(client::FlvInput::open(options.input));
                pacer.start_pass();
                ++passes;
                pass_messages = 0;
                pending = next_input(*input);
                continue;
            }
            rtmp::Message message = std::move(*pending);
            pending.reset();
            const auto decision = pacer.schedule(message.timestamp, Clock::now());
            sleep_until(decision.due);
            if (stop_requested) break;
            message.timestamp = decision.timestamp;
            message.stream_id = id;
            if (message.type == rtmp::MessageType::video)
                ++stats.video;
            else if (message.type == rtmp::MessageType::audio)
                ++stats.audio;
            else
                ++stats.data;
            if (message.type == rtmp::MessageType::video || message.type == rtmp::MessageType::audio) {
                if (!stats.any_media) {
                    stats.any_media = true;
                    stats.first_ts = stats.last_ts = message.timestamp;
                }
                if (base::serial_less(stats.last_ts, message.timestamp)) stats.last_ts = message.timestamp;
            }
            client.send(message);
            ++pass_messages;
            if (progress && Clock::now() >= next_progress) {
                next_progress = Clock::now() + 500ms;
                std::fprintf(
                    stderr, "\r%s\033[K",
                    progress_text(stats, client.client().bytes_sent(), skipped_before + input->skipped())
                        .c_str());
            }
            pending = next_input(*input);
        }
        client.delete_stream(id);
        wait_unpublished(client, std::min<std::chrono::milliseconds>(client_options.step_timeout, 2000ms));
        client.close();
    } catch (const client::ClientError& e) {
        if (progress) std::fputc('\n', stderr);
        std::fprintf(stderr, "sluice publish: %s\n", e.what());
        if (e.step() == client::Step::tcp_connect || e.step() == client::Step::resolve)
            std::fprintf(stderr, "sluice publish: is the server running at %s:%u?\n", url->host.c_str(),
                         static_cast<unsigned>(url->port));
        return 2;
    } catch (const client::FlvInputError& e) {
        // The input broke mid-way (corrupt tag, read error): stop the stream cleanly, report it.
        if (progress) std::fputc('\n', stderr);
        std::fprintf(stderr, "sluice publish: %s\n", e.what());
        try {
            client.close();
        } catch (const client::ClientError&) {
        }
        return 1;
    }
    if (progress) std::fputc('\n', stderr);
    if (!options.quiet) {
        const std::string resyncs =
            pacer.resyncs() ? ", " + std::to_string(pacer.resyncs()) + " timestamp jumps resynced" : "";
        const double elapsed = seconds_since(stats.started);
        const auto bytes = client.client().bytes_sent();
        std::fprintf(stderr,
                     "sluice publish: %s: sent %.2f s of media in %.2f s (%llu video, %llu audio, %llu data "
                     "messages, %llu tags dropped, %llu pass%s), %.0f kbit/s; input %s%s\n",
                     stop_requested ? "stopped" : "done", stats.media_seconds(), elapsed,
                     static_cast<unsigned long long>(stats.video),
                     static_cast<unsigned long long>(stats.audio),
                     static_cast<unsigned long long>(stats.data),
                     static_cast<unsigned long long>(skipped_before + input->skipped()),
                     static_cast<unsigned long long>(passes), passes == 1 ? "" : "es",
                     elapsed > 0 ? static_cast<double>(bytes) * 8 / 1000 / elapsed : 0.0,
                     stop_requested ? "not finished" : input->describe_ending().c_str(), resyncs.c_str());
    }
    return 0;
}

}  // namespace

Run add_publish(CLI::App& app) {
    auto options = std::make_shared<PublishOptions>();
    CLI::App* cmd =
        app.add_subcommand("publish", "Publish an FLV file (or FLV on standard input) to an RTMP URL.");
    cmd->footer(
        "Examples:\n"
        "  sluice publish clip.flv rtmp://127.0.0.1/live/test\n"
        "  ffmpeg -re -i in.mp4 -c copy -f flv - | sluice publish - rtmp://127.0.0.1/live/test\n"
        "  sluice publish --loop --speed 2 clip.flv rtmp://host:1936/live/cam1\n"
        "Tags are sent when their timestamps say (real time by default). Ctrl-C stops\n"
        "cleanly (deleteStream, close) and exits 0. A progress line is shown when stderr is a\n"
        "terminal. Exit codes: 0 everything sent, 1 usage or input error, 2 network or\n"
        "protocol failure.");
    cmd->add_option("input", options->input, "FLV file to publish, or - for standard input")->required();
    cmd->add_option("url", options->url, "rtmp://host[:port]/app[/instance]/stream")->required();
    cmd->add_flag("--no-pace", options->no_pace,
                  "Send as fast as the connection takes it instead of in real time (timestamps unchanged)");
    cmd->add_option("--speed", options->speed,
                    "Pace at this multiple of real time (default 1; 2 = twice as fast)")
        ->check(CLI::Range(0.01, 1000.0));
    cmd->add_flag("--loop", options->loop,
                  "Publish the file again and again until Ctrl-C; timestamps keep increasing across passes");
    cmd->add_option("--mode", options->mode,
                    "publish type: live (default), record (server records, replacing) or append (server "
                    "records, appending)")
        ->check(CLI::IsMember({"live", "record", "append"}));
    add_connect_flags(*cmd, options->connect);
    cmd->add_option("--timeout", options->timeout_s,
                    "Seconds each step (connect, handshake, each command, each send) may take (default 10)")
        ->check(CLI::Range(0.1, 3600.0));
    cmd->add_flag("--quiet,-q", options->quiet, "No progress line and no summary; errors only");
    return [cmd, options]() -> int { return cmd->parsed() ? publish(*options) : -1; };
}

}  // namespace sluice::app
