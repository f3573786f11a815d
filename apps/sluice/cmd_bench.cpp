// `sluice bench URL --players N [--publish FILE]`: the load generator.
//
// One process, one thread, one io_context: an optional publisher (the FLV
// file read into memory by client::FlvInput, sent in a loop paced by its
// timestamps with client::Pacer on client::Client) and N players
// (Client::open_play, then a loop on next()). client::LoadStats keeps the
// figures; a line per second goes to stderr, the summary to stdout (JSON
// with --json).
//
// Timeline: the publisher connects first and the players start once it
// got NetStream.Publish.Start (all at once, or --ramp players a second);
// --seconds later (counted from the first player) the publisher stops
// sending, the bench waits up to 2 s for every player to receive the last
// frame sent, then prints the summary and exits (SIGINT/SIGTERM: the same,
// at once).
//
// Publish→play latency: the publisher records, for every video frame, the
// timestamp it sent it with and when (steady clock, just before the send);
// a player that receives a video frame looks its timestamp up in that log
// and takes arrival time minus send time. Chosen over a clock embedded in a
// data message because of what nginx-rtmp 1.2.2 (Debian 12) does, checked
// by hand with our client (and relied on by
// tests/interop/serve_client_probe_bench_test.cpp): it keeps the
// publisher's timestamps for its players, but it does not relay a custom
// data message such as `onSluiceClock` (plain or behind @setDataFrame: the
// latter only makes it resend its own onMetaData). `sluice serve` does
// both. The per-frame look-up also gives a sample per frame per player for
// the percentiles. Only frames sent after the player's Play.Start count:
// the GOP a server replays to a new player was sent earlier and measures
// the cache, not the latency.
// Without --publish the latency is reported as unavailable; so it is when
// no received frame matched a sent timestamp (a server that rewrites them).
//
// "Every frame": the log also gives each player's place in the published
// video sequence. After its first video frame (wherever the server starts
// it: a cached GOP or the next key frame), each frame must be the next one
// sent; a jump counts the frames skipped, and frames sent after the
// player's last one when the run ends count too (for a player that got no
// video at all: every frame from the first key frame sent after its
// Play.Start). LoadStats frames_missed, players_incomplete. Audio is
// counted, not checked.
//
// Cost: per message a player does one next(), a classification of the
// first bytes (classify_video/audio, no allocation), a few counters and,
// for video, an O(1) look-up in the log (the next entry; a binary search
// when it is not). No per-message logging. The log holds 16 bytes per
// video frame published (about 1.7 MB an hour at 30 fps).
//
// Exit codes: 0 the run completed (figures printed, whatever they are);
// 2 the publisher failed, or no player connected; 3 every player failed
// with NetStream.Play.StreamNotFound; 1 usage.
#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/client.hpp"
#include "client/flv_input.hpp"
#include "client/load_stats.hpp"
#include "client/pacer.hpp"
#include "commands.hpp"
#include "connect_flags.hpp"
#include "rtmp/url.hpp"

namespace sluice::app {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

struct BenchOptions {
    std::string url;
    std::size_t players = 1;
    std::string publish;
    double seconds = 10;
    bool json = false;
    double ramp = 0;
    ConnectFlags connect;
    double timeout_s = 10;
    bool quiet = false;
};

/// One video frame the publisher sent: the timestamp it went out with, and when.
struct SentFrame {
    base::Timestamp timestamp = 0;
    bool key = false;
    Clock::time_point at;
};

struct PlayerTrack {
    Clock::time_point play_start;
    std::optional<std::size_t> last_index;  ///< in Bench::sent_
    std::uint64_t unmatched = 0;            ///< video frames with no sent timestamp
    bool not_found = false;
};

std::chrono::milliseconds to_ms(double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

/// 1000 players need 1000 descriptors and more: raise the soft limit to the hard one.
void raise_descriptor_limit(std::size_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    if (limit.rlim_cur >= wanted + 64) return;
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < wanted + 64)
        std::fprintf(stderr,
                     "sluice bench: only %llu file descriptors allowed; raise `ulimit -n` for %zu players\n",
                     static_cast<unsigned long long>(limit.rlim_cur), wanted);
}

class Bench {
public:
    Bench(asio::io_context& io, const BenchOptions& options, rtmp::Url url, std::vector<rtmp::Message> clip)
        : io_(io), options_(options), url_(std::move(url)), clip_(std::move(clip)), timer_(io) {
        tracks_.resize(options_.players);
    }

    int exit_code() const noexcept { return exit_code_; }

    asio::awaitable<void> run() {
        if (!clip_.empty()) {
            asio::co_spawn(io_, publish(), asio::detached);
            // The players start once the stream is live (or the publisher failed).
            const auto deadline = Clock::now() + to_ms(options_.timeout_s * 4 + 1);
            while (!publishing_ && publish_error_.empty() && !interrupted_ && Clock::now() < deadline) {
                timer_.expires_after(10ms);
                co_await timer_.async_wait(nothrow);
            }
            if (interrupted_) {
                io_.stop();
                co_return;
            }
            if (!publishing_) {
                std::fprintf(
                    stderr, "sluice bench: the publisher failed: %s\n",
                    publish_error_.empty() ? "no NetStream.Publish.Start in time" : publish_error_.c_str());
                exit_code_ = 2;
                io_.stop();
                co_return;
            }
        }
        const Clock::time_point start = Clock::now();
        stats_.emplace(client::LoadStats::Options{}, start);
        asio::co_spawn(io_, launch(), asio::detached);

        const auto end = start + to_ms(options_.seconds);
        for (int second = 1; !interrupted_; ++second) {
            const auto at = std::min(end, start + std::chrono::seconds(second));
            timer_.expires_at(at);
            co_await timer_.async_wait(nothrow);
            if (interrupted_) break;
            const auto line = stats_->tick(Clock::now(), live(Clock::now()));
            if (!options_.quiet) std::fprintf(stderr, "%s\n", client::render_interval(line).c_str());
            if (at >= end) break;
        }
        stopping_ = true;
        if (!clip_.empty()) co_await drain();
        finish();
        io_.stop();
    }

    void interrupt() {
        interrupted_ = true;
        timer_.cancel();
    }

private:
    bool live(Clock::time_point now) const {
        if (clip_.empty()) return stats_->media_recent(now);
        return publishing_ && publish_error_.empty() && !stopping_;
    }

    asio::awaitable<void> launch() {
        for (std::size_t i = 0; i < options_.players && !stopping_; ++i) {
            const std::size_t index = stats_->add_player(Clock::now());
            asio::co_spawn(io_, play(index), asio::detached);
            if (options_.ramp > 0) {
                asio::steady_timer wait(io_);
                wait.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(1e6 / options_.ramp)));
                co_await wait.async_wait(nothrow);
            }
        }
    }

    client::ClientOptions client_options(bool publisher) const {
        client::ClientOptions o;
        if (publisher) o.flash_ver = std::string(client::publisher_flash_ver);
        std::string ignored;  // checked by bench() before the run
        apply_connect_flags(options_.connect, o, ignored);
        o.step_timeout = to_ms(options_.timeout_s);
        return o;
    }

    asio::awaitable<void> publish() {
        client::Client publisher(io_.get_executor(), client_options(true));
        try {
            const rtmp::MessageStreamId id = co_await publisher.open_publish(url_);
            publishing_ = true;
            client::Pacer pacer;
            asio::steady_timer wait(io_);
            publish_.emplace();
            for (bool first_pass = true; !stopping_; first_pass = false) {
                ++publish_->loops;
                for (const rtmp::Message& m : clip_) {
                    if (stopping_) break;
                    const bool video = m.type == rtmp::MessageType::video;
                    const bool audio = m.type == rtmp::MessageType::audio;
                    const client::MediaClass kind = video   ? client::classify_video(m.payload)
                                                    : audio ? client::classify_audio(m.payload)
                                                            : client::MediaClass::other;
                    const bool frame =
                        kind == client::MediaClass::frame || kind == client::MediaClass::key_frame;
                    // Metadata and sequence headers once: the server keeps them for later players.
                    if (!first_pass && !frame) continue;
                    const auto decision = pacer.schedule(m.timestamp, Clock::now());
                    if (decision.due > Clock::now()) {
                        wait.expires_at(decision.due);
                        co_await wait.async_wait(nothrow);
                        if (stopping_) break;
                    }
                    rtmp::Message out = m;
                    out.timestamp = decision.timestamp;
                    out.stream_id = id;
                    if (video && frame) {
                        sent_.push_back(
                            {decision.timestamp, kind == client::MediaClass::key_frame, Clock::now()});
                        ++publish_->video_frames;
                    }
                    if (audio && frame) ++publish_->audio_frames;
                    if (video || audio) publish_->bytes += m.payload.size();
                    co_await publisher.send(std::move(out));
                }
                pacer.start_pass();
            }
        } catch (const client::ClientError& e) {
            publish_error_ = e.what();
            if (publish_) publish_->error = publish_error_;
        }
        // Kept open until the process ends: closing would end the stream
        // for the players before the drain.
        while (!finished_) {
            asio::steady_timer idle(io_);
            idle.expires_after(1s);
            co_await idle.async_wait(nothrow);
        }
    }

    /// The index in sent_ of the frame with `timestamp`, trying the one after `hint` first.
    std::optional<std::size_t> find_sent(base::Timestamp timestamp, std::optional<std::size_t> hint) const {
        if (hint && *hint + 1 < sent_.size() && sent_[*hint + 1].timestamp == timestamp) return *hint + 1;
        const auto it =
            std::lower_bound(sent_.begin(), sent_.end(), timestamp,
                             [](const SentFrame& f, base::Timestamp t) { return f.timestamp < t; });
        if (it == sent_.end() || it->timestamp != timestamp) return std::nullopt;
        return static_cast<std::size_t>(it - sent_.begin());
    }

    void on_video_frame(std::size_t index, base::Timestamp timestamp, Clock::time_point now) {
        if (clip_.empty()) return;
        PlayerTrack& track = tracks_[index];
        const auto found = find_sent(timestamp, track.last_index);
        if (!found) {
            ++track.unmatched;
            return;
        }
        if (sent_[*found].at >= track.play_start)
            stats_->on_latency(std::chrono::duration_cast<std::chrono::microseconds>(now - sent_[*found].at));
        if (track.last_index && *found > *track.last_index + 1)
            stats_->on_missed(index, *found - *track.last_index - 1);
        if (!track.last_index || *found > *track.last_index) track.last_index = found;
    }

    asio::awaitable<void> play(std::size_t index) {
        client::Client player(io_.get_executor(), client_options(false));
        using Kind = client::Incoming::Kind;
        try {
            co_await player.open_play(url_);
            tracks_[index].play_start = Clock::now();
            stats_->on_play_start(index, tracks_[index].play_start);
            for (;;) {
                const client::Incoming in = co_await player.next();
                const Clock::time_point now = Clock::now();
                if (in.kind == Kind::video) {
                    const auto kind = client::classify_video(in.message.payload);
                    stats_->on_media(index, now, in.message.payload.size(), true, kind);
                    if (kind == client::MediaClass::frame || kind == client::MediaClass::key_frame)
                        on_video_frame(index, in.message.timestamp, now);
                } else if (in.kind == Kind::audio) {
                    stats_->on_media(index, now, in.message.payload.size(), false,
                                     client::classify_audio(in.message.payload));
                } else if (in.kind == Kind::closed) {
                    stats_->on_ended(index);
                    co_return;
                }
            }
        } catch (const client::ClientError& e) {
            tracks_[index].not_found = e.code() == client::Errc::stream_not_found;
            if (!stopping_) stats_->on_failed(index, e.what());
        } catch (const std::exception& e) {
            if (!stopping_) stats_->on_failed(index, e.what());
        }
    }

    /// Frames sent after the player's last one; for a player that got none,
    /// every frame from the first key frame sent after its Play.Start.
    std::uint64_t tail_missing(const PlayerTrack& track) const {
        if (track.last_index) return sent_.size() - 1 - *track.last_index;
        const auto first_key = std::find_if(sent_.begin(), sent_.end(), [&](const SentFrame& f) {
            return f.key && f.at >= track.play_start;
        });
        return static_cast<std::uint64_t>(sent_.end() - first_key);
    }

    /// Waits (up to 2 s) until every playing player has the last frame sent.
    asio::awaitable<void> drain() {
        const auto deadline = Clock::now() + 2s;
        while (Clock::now() < deadline && !interrupted_) {
            bool all = true;
            for (std::size_t i = 0; i < stats_->player_count() && all; ++i) {
                if (stats_->state(i) != client::LoadStats::PlayerState::playing) continue;
                const auto& last = tracks_[i].last_index;
                all = !sent_.empty() && last && *last + 1 >= sent_.size();
            }
            if (all) break;
            timer_.expires_after(20ms);
            co_await timer_.async_wait(nothrow);
        }
    }

    void finish() {
        finished_ = true;
        const auto now = Clock::now();
        std::uint64_t unmatched = 0;
        for (std::size_t i = 0; i < stats_->player_count(); ++i) {
            unmatched += tracks_[i].unmatched;
            if (clip_.empty() || stats_->state(i) == client::LoadStats::PlayerState::failed ||
                stats_->state(i) == client::LoadStats::PlayerState::connecting)
                continue;
            stats_->set_tail_missing(i, tail_missing(tracks_[i]));
        }
        client::LoadSummary summary = stats_->summary(now);
        summary.url = url_.to_string();
        summary.publish = publish_;
        if (clip_.empty())
            summary.latency_unavailable =
                "no --publish: latency is measured against the bench's own publisher";
        else if (summary.latency.count == 0 && unmatched > 0)
            summary.latency_unavailable =
                "no received frame carried a timestamp the publisher sent (the server "
                "rewrites timestamps)";
        else if (summary.latency.count == 0)
            summary.latency_unavailable = "no video frame sent after a player started was received";
        const std::string text =
            options_.json ? client::render_summary_json(summary) : client::render_summary_text(summary);
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);

        std::size_t not_found = 0;
        for (const auto& t : tracks_) not_found += t.not_found ? 1 : 0;
        if (!publish_error_.empty())
            exit_code_ = 2;
        else if (summary.requested > 0 && not_found == summary.requested)
            exit_code_ = 3;
        else if (summary.connected == 0)
            exit_code_ = 2;
        else
            exit_code_ = 0;
    }

    asio::io_context& io_;
    const BenchOptions& options_;
    rtmp::Url url_;
    std::vector<rtmp::Message> clip_;
    asio::steady_timer timer_;
    std::optional<client::LoadStats> stats_;
    std::vector<PlayerTrack> tracks_;
    std::vector<SentFrame> sent_;
    std::optional<client::PublishSummary> publish_;
    std::string publish_error_;
    bool publishing_ = false;
    bool stopping_ = false;
    bool interrupted_ = false;
    bool finished_ = false;
    int exit_code_ = 2;
};

/// The whole file as messages (onMetaData becomes @setDataFrame, see FlvInput).
std::vector<rtmp::Message> load_clip(const std::string& path) {
    std::vector<rtmp::Message> out;
    client::FlvInput input = client::FlvInput::open(path);
    for (;;) {
        try {
            auto m = input.next();
            if (!m) break;
            out.push_back(std::move(*m));
        } catch (const client::FlvInput::Interrupted&) {
            continue;
        }
    }
    if (!input.ending().complete())
        std::fprintf(stderr, "sluice bench: %s: %s; publishing what was read\n", path.c_str(),
                     input.describe_ending().c_str());
    return out;
}

int bench(const BenchOptions& options) {
    const auto url = parse_stream_url("bench", options.url);
    if (!url) return 1;
    std::string why;
    if (client::ClientOptions check; !apply_connect_flags(options.connect, check, why)) {
        std::fprintf(stderr, "sluice bench: %s\n", why.c_str());
        return 1;
    }
    std::vector<rtmp::Message> clip;
    if (!options.publish.empty()) {
        try {
            clip = load_clip(options.publish);
        } catch (const client::FlvInputError& e) {
            std::fprintf(stderr, "sluice bench: %s\n", e.what());
            return 1;
        }
        const bool has_media = std::any_of(clip.begin(), clip.end(), [](const rtmp::Message& m) {
            return m.type == rtmp::MessageType::video || m.type == rtmp::MessageType::audio;
        });
        if (!has_media) {
            std::fprintf(stderr, "sluice bench: %s holds no audio or video to publish\n",
                         options.publish.c_str());
            return 1;
        }
    }
    raise_descriptor_limit(options.players + 1);
    std::signal(SIGPIPE, SIG_IGN);

    asio::io_context io(1);
    auto runner = std::make_unique<Bench>(io, options, *url, std::move(clip));
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) runner->interrupt();
    });
    asio::co_spawn(io, runner->run(), asio::detached);
    io.run();
    // The players' coroutines (and their clients) are destroyed with the
    // io_context, after `runner` (whose timer needs the context alive); they
    // do not touch the Bench on the way out.
    return runner->exit_code();
}

}  // namespace

Run add_bench(CLI::App& app) {
    auto options = std::make_shared<BenchOptions>();
    CLI::App* cmd = app.add_subcommand(
        "bench",
        "Load generator: N players on one stream (optionally publishing a file first), with figures.");
    cmd->footer(
        "Runs in one thread. Each second a line goes to stderr; at the end the summary goes to stdout:\n"
        "players connected, failed and stalled (no media for more than 2 s while the stream is live), bytes\n"
        "and frames received, time to Play.Start, to the first frame and key frame, and publish->play "
        "latency\n"
        "(median, p99: only with --publish, from the publisher's send time of each video frame).\n"
        "Example:  sluice bench rtmp://127.0.0.1/live/b --players 100 --publish clip.flv --seconds 20 "
        "--json\n"
        "Exit codes: 0 run completed, 2 publisher failed or no player connected, 3 stream not found.");
    cmd->add_option("url", options->url, "rtmp://host[:port]/app[/instance]/stream the players play")
        ->required();
    cmd->add_option("--players", options->players, "How many players to open (default 1)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
    cmd->add_option(
           "--publish", options->publish,
           "FLV file to publish to the URL first, looped and paced by its timestamps (enables latency and "
           "the every-frame check)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--seconds", options->seconds,
                    "How long the players play, from the first one (default 10)")
        ->check(CLI::Range(0.5, 86'400.0));
    cmd->add_flag("--json", options->json, "Print the summary as one JSON object instead of text");
    cmd->add_option("--ramp", options->ramp, "Players started per second (default 0: all at once)")
        ->check(CLI::Range(0.0, 1e6));
    add_connect_flags(*cmd, options->connect);
    cmd->add_option("--timeout", options->timeout_s,
                    "Deadline in seconds for each connection step of every client (default 10)")
        ->check(CLI::Range(0.1, 3600.0));
    cmd->add_flag("--quiet", options->quiet, "No per-second lines on stderr");
    return [cmd, options]() -> int { return cmd->parsed() ? bench(*options) : -1; };
}

}  // namespace sluice::app
