// `sluice play URL [-o FILE|-]`: plays a stream into an FLV file, or FLV on
// standard output for `sluice play URL -o - | ffplay -`.
//
// connect, createStream, play(name, start, duration, reset) on the client
// library (client::Client on an io_context run here), then every audio,
// video and metadata message is written by client::FlvOutput (timestamps
// rebased to start at 0) until the stream ends.
//
// The stream ended normally (exit 0) on: NetStream.Play.Stop,
// NetStream.Play.Complete, NetStream.Play.UnpublishNotify, User Control
// StreamEOF, --duration reached, the reader of stdout gone (EPIPE), or
// SIGINT/SIGTERM. Exit 3: NetStream.Play.StreamNotFound. Exit 2: anything
// else that stops it (connection refused or lost mid-stream, protocol
// error, no media within --timeout, an error-level status). Exit 1: usage.
//
// SIGINT/SIGTERM: the play loop is raced against an asio::signal_set with
// the `||` awaitable operator; the signal cancels the wait for the next
// message (never a write: writes are synchronous between waits, so the
// file always ends on a whole tag), and the client is closed.
//
// Default output: `<stream>.flv` in the current directory (the stream name
// with its query dropped and characters other than letters, digits, '.',
// '-' and '_' replaced by '_'), overwritten if it exists. A file created
// here that received nothing is removed when the play fails.
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "client/client.hpp"
#include "client/flv_output.hpp"
#include "commands.hpp"
#include "connect_flags.hpp"
#include "rtmp/status.hpp"
#include "rtmp/url.hpp"

namespace sluice::app {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct PlayOptions {
    std::string url;
    std::string output;
    double start = -2;
    double duration = -1;
    bool no_reset = false;
    ConnectFlags connect;
    double timeout_s = 10;
    bool quiet = false;
};

/// What the play loop ended with: the exit code and a sentence for the summary.
struct Outcome {
    int code = 2;
    std::string reason;
};

struct Stats {
    Clock::time_point started = Clock::now();
    std::uint64_t video = 0;
    std::uint64_t audio = 0;
    std::uint64_t data = 0;
};

/// `<stream>.flv` with the query dropped and unsafe characters replaced.
std::string default_output(const std::string& stream) {
    std::string name = stream.substr(0, stream.find('?'));
    for (char& c : name) {
        const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '.' || c == '-' || c == '_';
        if (!safe) c = '_';
    }
    if (name.empty() || name == "." || name == "..") name = "stream";
    return name + ".flv";
}

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string progress_text(const Stats& stats, const client::FlvOutput& out, std::uint64_t bytes_received) {
    const double elapsed = seconds_since(stats.started);
    const double kbits = elapsed > 0 ? static_cast<double>(bytes_received) * 8 / 1000 / elapsed : 0;
    char line[200];
    std::snprintf(line, sizeof line, "%7.1fs  media %7.2fs  %7.0f kbit/s  %llu frames  %llu audio", elapsed,
                  static_cast<double>(out.media_time()) / 1000.0, kbits,
                  static_cast<unsigned long long>(stats.video), static_cast<unsigned long long>(stats.audio));
    return line;
}

bool is_end_status(const std::string& code) {
    return code == rtmp::status_code(rtmp::Status::play_stop) ||
           code == rtmp::status_code(rtmp::Status::play_complete) ||
           code == rtmp::status_code(rtmp::Status::play_unpublish_notify);
}

/// play's start and duration travel in milliseconds (librtmp and FFmpeg
/// send them so; servers read them so); the flags take seconds. The
/// negative sentinels (-2, -1) keep their meaning.
double wire_milliseconds(double seconds) {
    return seconds < 0 ? seconds : seconds * 1000;
}

class PlaySession {
public:
    PlaySession(const PlayOptions& options, const rtmp::Url& url, client::Client& client,
                client::FlvOutput& out)
        : options_(options), url_(url), client_(client), out_(out) {}

    /// connect … play, then messages into the output until the stream ends.
    asio::awaitable<Outcome> run() {
        try {
            co_await client_.open_play(url_, wire_milliseconds(options_.start),
                                       wire_milliseconds(options_.duration), !options_.no_reset);
            if (!options_.quiet)
                std::fprintf(stderr, "sluice play: playing %s into %s\n", url_.to_string().c_str(),
                             out_.name().c_str());
            stats_.started = Clock::now();
            co_return co_await receive();
        } catch (const client::ClientError& e) {
            co_return failure(e);
        } catch (const client::FlvOutputError& e) {
            co_return Outcome{2, e.what()};
        }
    }

    /// Set by the signal branch before the play loop is cancelled, so the
    /// cancellation is not reported as a failure.
    void interrupt() { interrupted_ = true; }
    const Stats& stats() const { return stats_; }

private:
    asio::awaitable<Outcome> receive() {
        const auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(options_.timeout_s * 1000));
        const bool progress = !options_.quiet && ::isatty(STDERR_FILENO) == 1;
        auto next_progress = Clock::now() + 500ms;
        const double duration_ms = options_.duration >= 0 ? options_.duration * 1000 : -1;
        for (;;) {
            // The same bound before the first media (a name nobody publishes)
            // and between messages (a stalled server).
            client::Incoming in;
            try {
                in = co_await client_.next(wait);
            } catch (const client::ClientError& e) {
                if (e.code() == client::Errc::timed_out && stats_.video + stats_.audio == 0) {
                    co_return Outcome{2, "no media arrived within " + seconds_text() +
                                             " s (is anything publishing '" + url_.stream +
                                             "'? raise --timeout to wait longer)"};
                }
                if (e.code() == client::Errc::timed_out)
                    co_return Outcome{2, "the stream stalled: nothing arrived for " + seconds_text() + " s"};
                throw;
            }
            using Kind = client::Incoming::Kind;
            switch (in.kind) {
                case Kind::audio:
                case Kind::video:
                case Kind::data: {
                    if (duration_ms >= 0 && in.kind != Kind::data && out_.base() &&
                        static_cast<double>(base::serial_diff(*out_.base(), in.message.timestamp)) >=
                            duration_ms) {
                        co_return Outcome{0, "--duration reached"};
                    }
                    const auto written = out_.write(in);
                    if (written == client::FlvOutput::WriteResult::reader_closed)
                        co_return Outcome{0, "the reader of " + out_.name() + " went away"};
                    if (in.kind == Kind::video) ++stats_.video;
                    if (in.kind == Kind::audio) ++stats_.audio;
                    if (in.kind == Kind::data && written == client::FlvOutput::WriteResult::written)
                        ++stats_.data;
                    break;
                }
                case Kind::status:
                    if (!in.status) break;
                    if (is_end_status(in.status->code))
                        co_return Outcome{0, "stream ended (" + in.status->code + ")"};
                    if (in.status->level == "error") {
                        const int code =
                            in.status->code == rtmp::status_code(rtmp::Status::play_stream_not_found) ? 3 : 2;
                        co_return Outcome{
                            code, "the server said " + in.status->code + ": " + in.status->description};
                    }
                    break;
                case Kind::user_control:
                    if (in.control.event == rtmp::UserControlEvent::stream_eof)
                        co_return Outcome{0, "stream ended (StreamEOF)"};
                    break;
                case Kind::closed:
                    co_return Outcome{2, "the server closed the connection mid-stream"};
                case Kind::command:
                case Kind::shared_object:
                case Kind::other:
                    break;
            }
            if (progress && Clock::now() >= next_progress) {
                next_progress = Clock::now() + 500ms;
                std::fprintf(stderr, "\r%s\033[K",
                             progress_text(stats_, out_, client_.bytes_received()).c_str());
            }
        }
    }

    std::string seconds_text() const {
        char text[32];
        std::snprintf(text, sizeof text, "%g", options_.timeout_s);
        return text;
    }

    Outcome failure(const client::ClientError& e) const {
        if (interrupted_) return Outcome{0, "interrupted"};
        std::string reason = e.what();
        if (e.step() == client::Step::tcp_connect || e.step() == client::Step::resolve)
            reason += " (is the server running at " + url_.host + ":" + std::to_string(url_.port) + "?)";
        // Only a refused application points at the URL; other refusals
        // (SWF verification, a plugin's check) say why themselves.
        if (e.step() == client::Step::connect && e.status() &&
            e.status()->description.find("does not exist") != std::string::npos)
            reason += " (check the app name '" + url_.app + "' in the URL)";
        return Outcome{e.code() == client::Errc::stream_not_found ? 3 : 2, reason};
    }

    const PlayOptions& options_;
    const rtmp::Url& url_;
    client::Client& client_;
    client::FlvOutput& out_;
    Stats stats_;
    bool interrupted_ = false;
};

int play(const PlayOptions& options) {
    const auto url = parse_stream_url("play", options.url);
    if (!url) return 1;
    const std::string path = options.output.empty() ? default_output(url->stream) : options.output;
    if (path == "-" && ::isatty(STDOUT_FILENO) == 1) {
        std::fprintf(
            stderr, "sluice play: not writing FLV to a terminal: pipe it (-o - | ffplay -) or use -o FILE\n");
        return 1;
    }
    std::optional<client::FlvOutput> out;
    try {
        out.emplace(client::FlvOutput::open(path));
    } catch (const client::FlvOutputError& e) {
        std::fprintf(stderr, "sluice play: %s\n", e.what());
        return 1;
    }
    // A closed pipe must come back as EPIPE, not kill us.
    std::signal(SIGPIPE, SIG_IGN);

    client::ClientOptions client_options;
    if (std::string error; !apply_connect_flags(options.connect, client_options, error)) {
        std::fprintf(stderr, "sluice play: %s\n", error.c_str());
        return 1;
    }
    client_options.step_timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 1000));
    asio::io_context context;
    client::Client client(context.get_executor(), client_options);
    asio::signal_set signals(context, SIGINT, SIGTERM);
    PlaySession session(options, *url, client, *out);
    Outcome outcome;

    auto wait_signal = [&]() -> asio::awaitable<Outcome> {
        co_await signals.async_wait(asio::use_awaitable);
        session.interrupt();
        co_return Outcome{0, "interrupted"};
    };
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
            using namespace asio::experimental::awaitable_operators;
            auto result = co_await (session.run() || wait_signal());
            outcome = std::visit([](Outcome o) { return o; }, std::move(result));
            try {
                co_await client.close();
            } catch (const client::ClientError&) {
                // Best effort: the server may be gone, or the interrupted step closed the socket.
            }
        },
        asio::detached);
    context.run();

    const Stats& stats = session.stats();
    if (!options.quiet && ::isatty(STDERR_FILENO) == 1 && stats.video + stats.audio > 0)
        std::fputc('\n', stderr);
    if (outcome.code != 0) {
        std::fprintf(stderr, "sluice play: %s\n", outcome.reason.c_str());
        if (out->tags_written() == 0 && path != "-") {
            out.reset();
            std::remove(path.c_str());
        }
        return outcome.code;
    }
    if (!options.quiet) {
        const double elapsed = seconds_since(stats.started);
        std::fprintf(
            stderr,
            "sluice play: %s: wrote %.2f s of media (%llu video, %llu audio, %llu data messages), %llu "
            "bytes to %s in %.2f s\n",
            outcome.reason.c_str(), static_cast<double>(out->media_time()) / 1000.0,
            static_cast<unsigned long long>(stats.video), static_cast<unsigned long long>(stats.audio),
            static_cast<unsigned long long>(stats.data),
            static_cast<unsigned long long>(out->bytes_written()), out->name().c_str(), elapsed);
    }
    return 0;
}

}  // namespace

Run add_play(CLI::App& app) {
    auto options = std::make_shared<PlayOptions>();
    CLI::App* cmd = app.add_subcommand("play", "Play an RTMP stream into an FLV file (or standard output).");
    cmd->footer(
        "Examples:\n"
        "  sluice play rtmp://127.0.0.1/live/test                 (writes test.flv)\n"
        "  sluice play rtmp://127.0.0.1/live/test -o - | ffplay -\n"
        "  sluice play rtmp://host/live/cam1 -o cam1.flv --duration 30\n"
        "Ends when the server says the stream ended (Play.Stop, Play.Complete,\n"
        "UnpublishNotify, StreamEOF), at --duration, or on Ctrl-C; the file is a valid FLV\n"
        "whose timestamps start at 0. Exit codes: 0 ended normally, 1 usage, 2 network or\n"
        "protocol failure (or no media within --timeout), 3 stream not found.");
    cmd->add_option("url", options->url, "rtmp://host[:port]/app[/instance]/stream")->required();
    cmd->add_option("-o,--output", options->output,
                    "FLV file to write (overwritten), or - for standard output; default: <stream>.flv");
    cmd->add_option("--start", options->start,
                    "play's start argument in seconds: -2 live, else recorded (default); -1 live only; "
                    "0 or more: recorded, from that position")
        ->check(CLI::Range(-2.0, 1e9));
    cmd->add_option("--duration", options->duration,
                    "Stop after this many seconds of media (also sent as play's duration; default: until the "
                    "stream ends)")
        ->check(CLI::Range(0.0, 1e9));
    cmd->add_flag("--no-reset", options->no_reset,
                  "Send play's reset flag as false (keep the server's playlist)");
    add_connect_flags(*cmd, options->connect);
    cmd->add_option("--timeout", options->timeout_s,
                    "Seconds each step may take, and the longest wait for media, first or next (default 10)")
        ->check(CLI::Range(0.1, 3600.0));
    cmd->add_flag("--quiet,-q", options->quiet, "No progress line and no summary; errors only");
    return [cmd, options]() -> int { return cmd->parsed() ? play(*options) : -1; };
}

}  // namespace sluice::app
