// `sluice serve` under its [limits] (CTest label "interop"): each test starts
// the server with a small config file (docs/config.md) and checks, over real
// loopback sockets, that the limit is enforced as documented:
//  - handshake_timeout_ms: a client that sends nothing and one that trickles
//    C0C1 a byte every 200 ms are both closed shortly after the deadline,
//    counted from accept;
//  - connect_timeout_ms: a finished handshake without `connect` is closed;
//  - ping_interval_ms / idle_timeout_ms: a client that reads (its Connection
//    answers PingRequest) stays connected and sees pings; one that never
//    reads nor answers is closed as idle;
//  - player_queue_bytes / player_queue_duration_ms / player_disconnect_bytes:
//    a player that never reads is disconnected while the publisher and a
//    reading player lose nothing; a player that reads a second late keeps
//    every audio message and only loses video it could not decode anyway;
//  - max_connections_per_ip: the connection past the limit is closed on
//    accept and logged, the others keep working, and a closed one frees
//    its place;
//  - media_idle_timeout_ms: a publisher that sends nothing after
//    Publish.Start is closed and its player gets UnpublishNotify; one that
//    keeps sending stays;
//  - names: an invalid app, publish or play name gets exactly the answer
//    docs/protocol.md gives, logged escaped; valid names around it work.
// After each test the server must still be running and exit 0 on SIGTERM.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <fstream>
#include <map>
#include <thread>

#include "interop/serve_fixture.hpp"
#include "interop/serve_media_checks.hpp"
#include "interop/serve_raw_client.hpp"
#include "interop/serve_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

constexpr const char* overflow_reason = "player queue above its hard limit (the player reads too slowly)";

class ServeLimits : public ServeTest {
protected:
    /// Starts the server with `toml` as its config file.
    void start(const std::string& toml) {
        const std::string config = dir_.file("sluice.toml");
        std::ofstream(config) << toml;
        start_server({"--config", config});
    }

    /// Occurrences of `needle` in the server's log.
    std::size_t log_count(const std::string& needle) const {
        const std::string text = server_->full_log();
        std::size_t count = 0;
        for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
        return count;
    }

    /// Waits (the log is written by another process) until `needle` is in
    /// the log `count` times; returns the count seen last.
    std::size_t wait_log(const std::string& needle, std::size_t count, Clock::time_point deadline) const {
        std::size_t seen = log_count(needle);
        while (seen < count && Clock::now() < deadline) {
            std::this_thread::sleep_for(20ms);
            seen = log_count(needle);
        }
        return seen;
    }

    /// The server still takes connections and answers connect.
    void expect_serving() {
        RawClient client;
        const auto deadline = Clock::now() + 5s;
        ASSERT_TRUE(client.open(server_->port(), deadline)) << client.error();
        const Received* result = client.connect("live", deadline);
        ASSERT_NE(result, nullptr) << client.error();
        EXPECT_EQ(result->command->name, "_result");
    }
};

Millis since(Clock::time_point start) {
    return std::chrono::duration_cast<Millis>(Clock::now() - start);
}

/// A plain TCP connection to the server: no RTMP at all.
class TcpClient {
public:
    explicit TcpClient(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(port);
        if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~TcpClient() {
        if (fd_ >= 0) ::close(fd_);
    }
    TcpClient(const TcpClient&) = delete;
    TcpClient& operator=(const TcpClient&) = delete;

    bool connected() const noexcept { return fd_ >= 0; }
    /// True once the server closed or reset the connection (no wait).
    bool hung_up() const {
        pollfd p{fd_, POLLRDHUP, 0};
        return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    }
    /// False when the connection is gone.
    bool send_byte(std::uint8_t byte) const { return ::send(fd_, &byte, 1, MSG_NOSIGNAL) == 1; }

private:
    int fd_ = -1;
};

// ---- media helpers ----

/// A 2 s clip like make_clip()'s (testsrc2 320x240@25, GOP 25, no
/// B-frames) but dense: video at 1.5 Mb/s and stereo noise as AAC at up to
/// 320 kb/s, so that audio - which the server never drops - fills a queue
/// within seconds of media.
Clip make_dense_clip(const std::string& path, std::string& error) {
    ClipSpec spec;
    spec.audio_source = "anoisesrc=sample_rate=44100:amplitude=0.5";
    spec.video_options = {"-b:v", "1500k"};
    spec.audio_options = {"-ac", "2", "-b:a", "320k"};
    return make_clip_file(path, spec, error);
}

std::size_t audio_bytes(const Clip& clip) {
    std::size_t bytes = 0;
    for (const ClipTag& tag : clip.media) {
        if (tag.type == rtmp::MessageType::audio) bytes += tag.payload.size();
    }
    return bytes;
}

base::Timestamp media_span(const Clip& clip) {
    base::Timestamp last = 0;
    for (const ClipTag& tag : clip.media) last = std::max(last, tag.timestamp);
    return last;
}

std::string config_with(const std::string& limits) {
    return "[limits]\n" + limits;
}

// ---- deadlines ----

const std::string deadline_limits = config_with(
    "handshake_timeout_ms = 1000\n"
    "connect_timeout_ms = 1500\n");

TEST_F(ServeLimits, HandshakeDeadlineClosesSilentAndTricklingClients) {
    start(deadline_limits);
    const auto start_time = Clock::now();
    TcpClient silent(server_->port());
    TcpClient trickle(server_->port());
    ASSERT_TRUE(silent.connected() && trickle.connected());
    // C0 (version 3) then C1 bytes, one every 200 ms: 1537 bytes would take
    // five minutes, so only the absolute deadline can end this.
    std::optional<Millis> silent_closed, trickle_closed;
    std::size_t sent = 0;
    auto next_byte = Clock::now();
    while ((!silent_closed || !trickle_closed) && since(start_time) < 6s) {
        if (!trickle_closed && Clock::now() >= next_byte) {
            if (!trickle.send_byte(sent == 0 ? 3 : static_cast<std::uint8_t>(sent)))
                trickle_closed = since(start_time);
            ++sent;
            next_byte += 200ms;
        }
        if (!silent_closed && silent.hung_up()) silent_closed = since(start_time);
        if (!trickle_closed && trickle.hung_up()) trickle_closed = since(start_time);
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(silent_closed) << "the silent client was not closed within 6 s";
    ASSERT_TRUE(trickle_closed) << "the trickling client was not closed within 6 s (" << sent
                                << " bytes sent)";
    // The deadline counts from accept, which follows our connect: never early.
    EXPECT_GE(silent_closed->count(), 950) << "closed before handshake_timeout_ms";
    EXPECT_GE(trickle_closed->count(), 950) << "closed before handshake_timeout_ms";
    EXPECT_LE(silent_closed->count(), 2500);
    EXPECT_LE(trickle_closed->count(), 2500) << "the trickle kept the connection open (" << sent << " bytes)";
    EXPECT_EQ(wait_log("reason=\"handshake not done within 1.0 s\"", 2, Clock::now() + 3s), 2u);
    expect_serving();
}

TEST_F(ServeLimits, ConnectDeadlineClosesAHandshakeWithoutConnect) {
    start(deadline_limits);
    RawClient client;
    ASSERT_TRUE(client.open(server_->port(), Clock::now() + 5s)) << client.error();
    const auto handshake_done = Clock::now();
    ASSERT_TRUE(client.wait_hangup(handshake_done + 6s)) << "not closed within 6 s of the handshake";
    const Millis closed = since(handshake_done);
    // 1.5 s after the handshake, not at the handshake deadline (1.0 s from accept).
    EXPECT_GE(closed.count(), 1400);
    EXPECT_LE(closed.count(), 3000);
    EXPECT_EQ(wait_log("reason=\"no connect within 1.5 s of the handshake\"", 1, Clock::now() + 3s), 1u);
    EXPECT_TRUE(client.drain_until_closed(Clock::now() + 2s));
    EXPECT_TRUE(signalling(client.log()).empty()) << "the server sent " << signalling(client.log())[0];
    expect_serving();
}

// ---- keepalive ----

TEST_F(ServeLimits, PingsKeepAReaderAndIdleClosesASilentClient) {
    start(config_with("ping_interval_ms = 300\nidle_timeout_ms = 1500\n"));
    const auto deadline = Clock::now() + 20s;

    RawClient silent;
    ASSERT_TRUE(silent.open(server_->port(), deadline)) << silent.error();
    ASSERT_NE(silent.connect("live", deadline), nullptr) << silent.error();
    // From here the silent client neither reads nor writes: no PingResponse.
    const auto silent_since = Clock::now();
    std::atomic<bool> silent_closed{false};
    std::atomic<long> silent_after{0};
    std::thread watcher([&] {
        silent_closed = silent.wait_hangup(silent_since + 6s);
        silent_after = since(silent_since).count();
    });

    RawClient reader;
    ASSERT_TRUE(reader.open(server_->port(), deadline)) << reader.error();
    ASSERT_NE(reader.connect("live", deadline), nullptr) << reader.error();
    const std::size_t mark = reader.log_size();
    reader.read_for(4000ms);
    watcher.join();

    EXPECT_FALSE(reader.closed()) << "a client that answers pings was closed: " << reader.error();
    std::size_t pings = 0;
    for (std::size_t i = mark; i < reader.log_size(); ++i)
        pings += reader.log()[i].label == "user:PingRequest";
    // Quiet for 300 ms -> a ping; in 4 s, several.
    EXPECT_GE(pings, 3u) << "PingRequests in 4 s with ping_interval_ms 300";
    // The connection still works after the pings.
    EXPECT_TRUE(reader.create_stream(Clock::now() + 3s)) << reader.error();

    EXPECT_TRUE(silent_closed) << "the silent client was not closed within 6 s";
    EXPECT_GE(silent_after.load(), 1300) << "closed before idle_timeout_ms";
    EXPECT_LE(silent_after.load(), 3000);
    EXPECT_EQ(wait_log("reason=\"idle: nothing received for", 1, Clock::now() + 3s), 1u);
    // What it never read: the pings it never answered.
    silent.drain_until_closed(Clock::now() + 2s);
    EXPECT_NE(std::find_if(silent.log().begin(), silent.log().end(),
                           [](const Received& r) { return r.label == "user:PingRequest"; }),
              silent.log().end())
        << "the silent client was never pinged";
}

// ---- slow players ----

const std::string queue_limits = config_with(
    "player_queue_bytes = 65536\n"
    "player_queue_duration_ms = 1000\n"
    "player_disconnect_bytes = 524288\n");

TEST_F(ServeLimits, PlayerThatNeverReadsIsDisconnectedAndNobodyElseLosesAnything) {
    start(queue_limits);
    const auto deadline = Clock::now() + 40s;
    std::string error;
    const Clip dense = make_dense_clip(dir_.file("dense.flv"), error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_FALSE(dense.media.empty());
    // Enough audio for the slow player's queue to pass player_disconnect_bytes
    // twice over, whatever its sockets absorbed first.
    const int loops = static_cast<int>(2 * 524288 / audio_bytes(dense)) + 3;
    const Clip source = loop_clip(dense, loops);
    constexpr double speed = 16;

    RawClient good;
    ASSERT_TRUE(good.start_player(server_->port(), "flood", deadline)) << good.error();
    const std::size_t good_mark = good.log_size();
    RawClient slow;
    slow.limit_socket(4096, 536);
    ASSERT_TRUE(slow.start_player(server_->port(), "flood", deadline)) << slow.error();
    const std::size_t slow_mark = slow.log_size();

    std::atomic<bool> good_done{false};
    std::thread good_thread([&] { good_done = good.wait_for(is_unpublish, deadline) != nullptr; });
    {
        RawClient publisher;
        const auto msid = publisher.start_publisher(server_->port(), "flood", deadline);
        EXPECT_TRUE(msid) << publisher.error();
        if (msid) {
            const auto began = Clock::now();
            EXPECT_TRUE(publisher.publish_clip(source, *msid, speed, deadline)) << publisher.error();
            const auto planned = Millis(static_cast<long>(media_span(source) / speed));
            EXPECT_LE(since(began), planned + 3s) << "the publisher was slowed down";
            EXPECT_FALSE(publisher.closed()) << "the publisher was closed: " << publisher.error();
        }
    }
    good_thread.join();

    EXPECT_TRUE(good_done) << "the reading player got no UnpublishNotify: " << good.error();
    expect_media(source.media, media_of(good.log(), good_mark), "reading player");

    // Its close is logged before it reads again: the overflow closed it.
    EXPECT_EQ(wait_log(overflow_reason, 1, Clock::now() + 3s), 1u)
        << "expected exactly one player closed for its queue";
    EXPECT_TRUE(slow.drain_until_closed(Clock::now() + 5s)) << "the slow player is still connected";
    EXPECT_LT(media_of(slow.log(), slow_mark).size(), source.media.size());

    // The server still serves the name: a new player gets a whole new publish.
    RawClient late;
    ASSERT_TRUE(late.start_player(server_->port(), "flood", deadline)) << late.error();
    const std::size_t late_mark = late.log_size();
    {
        RawClient publisher;
        const auto msid = publisher.start_publisher(server_->port(), "flood", deadline);
        ASSERT_TRUE(msid) << publisher.error();
        ASSERT_TRUE(publisher.publish_clip(dense, *msid, false, deadline)) << publisher.error();
    }
    ASSERT_NE(late.wait_for(is_unpublish, deadline), nullptr) << late.error();
    expect_media(dense.media, media_of(late.log(), late_mark), "new player");
}

TEST_F(ServeLimits, LateReaderKeepsEveryAudioMessageAndDecodableVideo) {
    start(queue_limits);
    const auto deadline = Clock::now() + 40s;
    std::string error;
    const Clip dense = make_dense_clip(dir_.file("dense.flv"), error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_FALSE(dense.media.empty());
    // 12 s of media at 4x: each 1 s pause of the reader leaves 4 s of media
    // (~700 KB of video, far more than its small sockets and 64 KiB
    // queue hold) but only ~110 KB of audio (far below player_disconnect_bytes).
    const Clip source = loop_clip(dense, 6);

    RawClient player;
    player.limit_socket(4096, 536);
    ASSERT_TRUE(player.start_player(server_->port(), "late", deadline)) << player.error();
    const std::size_t mark = player.log_size();
    RawClient publisher;
    const auto msid = publisher.start_publisher(server_->port(), "late", deadline);
    ASSERT_TRUE(msid) << publisher.error();
    std::atomic<bool> published{false};
    std::thread publish([&] { published = publisher.publish_clip(source, *msid, 4.0, deadline); });

    bool unpublished = false;
    bool publisher_left = false;
    while (!unpublished && !player.closed() && Clock::now() < deadline) {
        std::this_thread::sleep_for(1000ms);
        if (!publisher_left && published) {
            publisher.close();
            publisher_left = true;
        }
        const std::size_t before = player.log_size();
        player.read_for(150ms);
        for (std::size_t i = before; i < player.log_size(); ++i) unpublished |= is_unpublish(player.log()[i]);
    }
    publish.join();
    ASSERT_TRUE(published) << publisher.error();
    ASSERT_TRUE(unpublished) << "no UnpublishNotify: " << player.error();
    EXPECT_FALSE(player.closed()) << player.error();
    EXPECT_EQ(log_count(overflow_reason), 0u);

    std::vector<ClipTag> sent_audio;
    std::vector<const ClipTag*> sent_video;  // coded frames, in order
    std::map<base::Timestamp, std::size_t> video_index;
    for (const ClipTag& tag : source.media) {
        if (tag.type == rtmp::MessageType::audio) sent_audio.push_back(tag);
        if (tag.type == rtmp::MessageType::video && is_video_frame(tag.payload)) {
            video_index[tag.timestamp] = sent_video.size();
            sent_video.push_back(&tag);
        }
    }
    std::vector<const Received*> got_audio;
    std::vector<std::size_t> got_video;  // indexes into sent_video
    for (const Received* m : media_of(player.log(), mark)) {
        if (m->kind == Received::Kind::audio) got_audio.push_back(m);
        if (m->kind != Received::Kind::video || !is_video_frame(m->message.payload)) continue;
        const auto at = video_index.find(m->message.timestamp);
        ASSERT_NE(at, video_index.end()) << "a video frame @" << m->message.timestamp << " nobody sent";
        ASSERT_TRUE(same(*m, *sent_video[at->second])) << "video @" << m->message.timestamp << " altered";
        got_video.push_back(at->second);
    }
    // Audio is never dropped: every message, in order, byte for byte.
    expect_media(sent_audio, got_audio, "late reader's audio");
    // Video was dropped (the test would prove nothing otherwise) ...
    ASSERT_FALSE(got_video.empty());
    EXPECT_LT(got_video.size(), sent_video.size()) << "no video was dropped: the reader was not late enough";
    // ... but only so that what remains decodes: in order, starting with a
    // key frame, and every inter frame right after the frame it follows.
    EXPECT_TRUE(is_video_key(sent_video[got_video[0]]->payload)) << "the first video is not a key frame";
    std::size_t gaps = 0;
    for (std::size_t i = 1; i < got_video.size(); ++i) {
        ASSERT_GT(got_video[i], got_video[i - 1]) << "video out of order";
        if (got_video[i] == got_video[i - 1] + 1) continue;
        ++gaps;
        EXPECT_TRUE(is_video_key(sent_video[got_video[i]]->payload))
            << "after a gap the video resumes @" << sent_video[got_video[i]]->timestamp
            << " with an inter frame";
    }
    EXPECT_GT(gaps, 0u);
}

// ---- per-IP connection limit ----

TEST_F(ServeLimits, ConnectionsPastThePerIpLimitAreClosedOnAccept) {
    start(config_with("max_connections_per_ip = 2\n"));
    const auto deadline = Clock::now() + 20s;
    RawClient first;
    RawClient second;
    ASSERT_TRUE(first.open(server_->port(), deadline)) << first.error();
    ASSERT_NE(first.connect("live", deadline), nullptr) << first.error();
    ASSERT_TRUE(second.open(server_->port(), deadline)) << second.error();
    ASSERT_NE(second.connect("live", deadline), nullptr) << second.error();

    {
        // The third from 127.0.0.1: the server closes it before any
        // handshake byte, so open() (which waits for S0S1) fails.
        RawClient third;
        EXPECT_FALSE(third.open(server_->port(), deadline)) << "the third connection got a handshake";
    }
    EXPECT_EQ(wait_log("per-IP limit", 1, deadline), 1u);
    EXPECT_EQ(log_count("connection from 127.0.0.1 refused"), 1u);

    // The first two are untouched.
    EXPECT_TRUE(first.create_stream(deadline)) << first.error();
    EXPECT_TRUE(second.create_stream(deadline)) << second.error();

    // A closed connection gives its place back (its session ends on a
    // worker shortly after the close: retry until then).
    second.close();
    bool admitted = false;
    while (!admitted && Clock::now() < deadline) {
        RawClient again;
        admitted = again.open(server_->port(), deadline) && again.connect("live", deadline) != nullptr;
        if (!admitted) std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(admitted) << "no connection admitted after one of the two closed";
    EXPECT_TRUE(first.create_stream(deadline)) << first.error();
}

// ---- publisher media idle ----

TEST_F(ServeLimits, PublisherThatSendsNoMediaIsClosedAndItsPlayerNotified) {
    start(config_with("media_idle_timeout_ms = 1000\n"));
    const auto deadline = Clock::now() + 20s;
    RawClient player;
    ASSERT_TRUE(player.start_player(server_->port(), "quiet", deadline)) << player.error();
    RawClient publisher;
    const auto msid = publisher.start_publisher(server_->port(), "quiet", deadline);
    ASSERT_TRUE(msid) << publisher.error();
    ASSERT_NE(
        player.wait_for([](const Received& r) { return r.code == "NetStream.Play.PublishNotify"; }, deadline),
        nullptr)
        << player.error();

    // The publisher now sends nothing (it still answers nothing either, but
    // the idle timeout is a minute away).
    EXPECT_TRUE(publisher.wait_hangup(deadline)) << "the silent publisher was not closed";
    EXPECT_NE(player.wait_for(is_unpublish, deadline), nullptr) << player.error();
    EXPECT_FALSE(player.closed()) << "the player was closed too: " << player.error();
    EXPECT_EQ(wait_log("media idle", 2, deadline), 2u);  // the warn line and the close reason
    EXPECT_EQ(log_count("reason=\"media idle: nothing published on 'quiet'"), 1u);

    // The name is free again.
    RawClient next;
    EXPECT_TRUE(next.start_publisher(server_->port(), "quiet", deadline)) << next.error();
}

TEST_F(ServeLimits, PublisherThatKeepsSendingIsNotMediaIdle) {
    start(config_with("media_idle_timeout_ms = 1000\n"));
    const auto deadline = Clock::now() + 20s;
    RawClient publisher;
    const auto msid = publisher.start_publisher(server_->port(), "steady", deadline);
    ASSERT_TRUE(msid) << publisher.error();
    // An AAC frame every 200 ms for three times the timeout.
    const base::Payload aac = base::Payload::from(base::ByteVector{0xAF, 0x01, 0x21, 0x10, 0x04});
    const auto began = Clock::now();
    for (base::Timestamp t = 0; Clock::now() - began < 3s; t += 200) {
        ASSERT_TRUE(publisher.send(rtmp::Message{rtmp::MessageType::audio, t, *msid, aac}, rtmp::csid::audio,
                                   deadline))
            << publisher.error();
        publisher.read_for(200ms);
        ASSERT_FALSE(publisher.closed()) << "a publisher sending media was closed";
    }
    EXPECT_EQ(log_count("media idle"), 0u);
}

// ---- names ----

/// The description of a `_result`/`_error`/onStatus info object ("" if none).
std::string description_of(const Received& r) {
    if (!r.command) return "";
    for (const amf::Value& v : r.command->arguments) {
        if (const amf::Value* d = v.find("description"); d != nullptr && d->string() != nullptr)
            return *d->string();
    }
    return "";
}

TEST_F(ServeLimits, InvalidApplicationNamesAreRejectedAndClosed) {
    start(config_with("max_name_bytes = 16\n"));
    const auto deadline = Clock::now() + 30s;
    const std::vector<std::string> bad{"live/..",
                                       "../live",
                                       "li ve",
                                       std::string("live\0x", 6),
                                       "live/a\nb",
                                       ".live",
                                       "live/room//x",
                                       "live\xC0\xAF",
                                       std::string(17, 'a'),
                                       "live/" + std::string(17, 'r'),
                                       "live\\x",
                                       "live/\xED\xA0\x80"};
    for (const std::string& app : bad) {
        RawClient client;
        ASSERT_TRUE(client.open(server_->port(), deadline)) << client.error();
        const Received* answer = client.connect(app, deadline);
        ASSERT_NE(answer, nullptr) << "no answer to connect app=" << testing::PrintToString(app) << ": "
                                   << client.error();
        EXPECT_EQ(answer->command->name, "_error") << testing::PrintToString(app);
        EXPECT_EQ(answer->code, "NetConnection.Connect.Rejected") << testing::PrintToString(app);
        EXPECT_EQ(answer->level, "error");
        EXPECT_EQ(description_of(*answer).rfind("invalid application name", 0), 0u)
            << testing::PrintToString(app) << ": " << description_of(*answer);
        EXPECT_TRUE(client.drain_until_closed(deadline))
            << "still connected after a rejected app " << testing::PrintToString(app);
    }
    EXPECT_EQ(wait_log("rejected: invalid application name: ", bad.size(), deadline), bad.size());
    // Escaped in the log: the NUL and the newline as \xNN, never raw.
    EXPECT_EQ(log_count("app=\"live\\x00x\""), 1u);
    EXPECT_EQ(log_count("app=\"live/a\\x0Ab\""), 1u);
    EXPECT_EQ(log_count("app=\"live\\xC0\\xAF\""), 1u);
    EXPECT_EQ(server_->full_log().find(std::string("live\0x", 6)), std::string::npos);

    // Valid forms still connect: instance, query, non-ASCII UTF-8.
    for (const std::string app : {"live", "live/room1", "live?token=a/../b", "live/caf\xC3\xA9"}) {
        RawClient client;
        ASSERT_TRUE(client.open(server_->port(), deadline)) << client.error();
        const Received* answer = client.connect(app, deadline);
        ASSERT_NE(answer, nullptr) << client.error();
        EXPECT_EQ(answer->command->name, "_result") << app << ": " << description_of(*answer);
    }
}

TEST_F(ServeLimits, InvalidStreamNamesAreRefusedAndTheConnectionStays) {
    start(config_with("max_name_bytes = 16\n"));
    const auto deadline = Clock::now() + 30s;
    const std::vector<std::string> bad{"",
                                       "../x",
                                       "a/b",
                                       "a\\b",
                                       ".hidden",
                                       "..",
                                       "x\ny",
                                       "a b",
                                       "\xC0\xAF",
                                       "a\xF0\x9F\x8E",
                                       std::string(17, 's'),
                                       "%2e%2e",
                                       "?query",
                                       std::string("a\0b", 3)};

    RawClient publisher;
    ASSERT_TRUE(publisher.open(server_->port(), deadline)) << publisher.error();
    ASSERT_NE(publisher.connect("live", deadline), nullptr) << publisher.error();
    const auto pub_msid = publisher.create_stream(deadline);
    ASSERT_TRUE(pub_msid) << publisher.error();
    RawClient player;
    ASSERT_TRUE(player.open(server_->port(), deadline)) << player.error();
    ASSERT_NE(player.connect("live", deadline), nullptr) << player.error();
    const auto play_msid = player.create_stream(deadline);
    ASSERT_TRUE(play_msid) << player.error();

    for (const std::string& name : bad) {
        const Received* status = publisher.publish(*pub_msid, name, deadline);
        ASSERT_NE(status, nullptr) << "no answer to publish " << testing::PrintToString(name) << ": "
                                   << publisher.error();
        EXPECT_EQ(status->code, "NetStream.Publish.BadName") << testing::PrintToString(name);
        EXPECT_EQ(status->level, "error");
        EXPECT_EQ(description_of(*status).rfind("invalid stream name", 0), 0u)
            << testing::PrintToString(name) << ": " << description_of(*status);

        ASSERT_TRUE(player.play(*play_msid, name, -2, deadline)) << player.error();
        const Received* answer = player.wait_for(
            [&](const Received& r) {
                return r.command && r.command->name == "onStatus" && r.stream_id == *play_msid;
            },
            deadline);
        ASSERT_NE(answer, nullptr) << "no answer to play " << testing::PrintToString(name) << ": "
                                   << player.error();
        EXPECT_EQ(answer->code, "NetStream.Play.Failed") << testing::PrintToString(name);
        EXPECT_EQ(answer->level, "error");
        EXPECT_EQ(description_of(*answer).rfind("invalid stream name", 0), 0u)
            << testing::PrintToString(name) << ": " << description_of(*answer);
    }
    EXPECT_EQ(wait_log("invalid stream name", 2 * bad.size(), deadline), 2 * bad.size());
    EXPECT_EQ(log_count("stream=\"x\\x0Ay\""), 2u);  // escaped, in the publish and the play line

    // Both connections stay and a valid name (with a query that would be a
    // bad path) works on the same NetStreams.
    EXPECT_FALSE(publisher.closed()) << publisher.error();
    EXPECT_FALSE(player.closed()) << player.error();
    const Received* ok = publisher.publish(*pub_msid, "cam-1?key=../../x", deadline);
    ASSERT_NE(ok, nullptr) << publisher.error();
    EXPECT_EQ(ok->code, "NetStream.Publish.Start");
    ASSERT_TRUE(player.play(*play_msid, "cam-1", -2, deadline)) << player.error();
    EXPECT_NE(player.wait_for([](const Received& r) { return r.code == "NetStream.Play.Start"; }, deadline),
              nullptr)
        << player.error();
}

}  // namespace
}  // namespace sluice::test
