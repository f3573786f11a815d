#pragma once
// Support for the hostile-client suite (serve_hostile_test.cpp): a raw
// socket client that writes any bytes at all, hand-made chunk and AMF bytes
// (so every field can lie), and probes of the server process (VmRSS, open
// files) and of its log. Test code only; every wait is bounded by a
// deadline. Not thread-safe: one owner per object.
//
//  - HostileClient: a loopback TCP connection. After a (simple) handshake,
//    everything the server sends goes through a client-role rtmp::Connection
//    so the test sees commands (_result, _error, onStatus) as Reply entries;
//    the Connection's own output (acknowledgements, ping responses) is never
//    written: the server must cope with a peer that does not answer.
//  - Bytes builders: chunk() splits one message into chunks with any chunk
//    stream id (1-, 2- and 3-byte basic headers) and any declared length;
//    the amf0_* helpers encode single AMF0 values.
//  - ServerProbe: finds the server's pid from its log file (its stdout) and
//    reads /proc/PID/status VmRSS and the /proc/PID/fd count.
//  - ServeHostile: the suite's gtest fixture (server + healthy publisher and
//    player, baselines, the end-of-test checks), with the per-case checks
//    expect_closed() (hang-up + close reason), expect_alive() and logged().
#include <gtest/gtest.h>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "interop/interop_support.hpp"
#include "interop/serve_fixture.hpp"
#include "interop/serve_test.hpp"
#include "rtmp/connection.hpp"

namespace sluice::test {

using Bytes = std::vector<std::uint8_t>;

/// One command the server sent (decoded), in arrival order.
struct Reply {
    std::string name;  ///< _result, _error, onStatus, onBWDone, ...
    double transaction_id = 0;
    std::uint32_t stream_id = 0;
    std::string code;  ///< info object's code ("" if none)
    std::string level;
    std::string description;  ///< info object's description
    double number = 0;        ///< first numeric argument (createStream's stream id)
};

class HostileClient {
public:
    HostileClient() = default;
    ~HostileClient();
    HostileClient(const HostileClient&) = delete;
    HostileClient& operator=(const HostileClient&) = delete;

    /// Makes open() set SO_RCVBUF and TCP_MAXSEG (each unless 0) before it
    /// connects: a client that never reads then fills its socket (and the
    /// server's, sized from the MSS) after a few KiB.
    void limit_socket(int receive_buffer, int max_segment) {
        receive_buffer_ = receive_buffer;
        max_segment_ = max_segment;
    }
    /// TCP connect to 127.0.0.1:port (no RTMP yet).
    bool open(std::uint16_t port);
    /// "127.0.0.1:<local port>": how the server names this peer in its log.
    const std::string& peer() const noexcept { return peer_; }

    /// Writes all of `bytes` (false when the server already closed).
    bool write(const Bytes& bytes, Clock::time_point deadline);
    /// Writes `bytes` while reading (and parsing) what the server sends, so
    /// a flood that makes the server answer never fills both directions.
    bool write_while_reading(const Bytes& bytes, Clock::time_point deadline);

    /// C0 (version 3) + a simple C1 (zero version field); with `c2`, also a
    /// C2 of zeros (the server must not judge C2) for pipelining.
    static Bytes c0c1(bool c2 = false);
    /// The whole handshake: C0C1, S0S1S2, C2 (an echo of S1). True when done.
    bool handshake(Clock::time_point deadline);
    /// Reads S0S1S2 (3073 bytes) after c0c1(true) was written pipelined;
    /// anything after it goes to the Connection.
    bool read_server_handshake(Clock::time_point deadline);
    /// The first byte the server sent (S0), once read.
    std::optional<std::uint8_t> s0() const noexcept { return s0_; }

    /// handshake() + connect("live") as raw bytes; true on _result.
    bool connect(std::uint16_t port, Clock::time_point deadline, const std::string& app = "live");
    /// Sends a createStream (raw bytes on chunk stream 3); the stream id of the _result.
    std::optional<std::uint32_t> create_stream(Clock::time_point deadline);

    /// Reads until `done` holds for a new reply (returned), or nullopt on
    /// close or at the deadline.
    std::optional<Reply> wait_reply(const std::function<bool(const Reply&)>& done,
                                    Clock::time_point deadline);
    /// Reads and discards until the server closes; true when it did.
    bool wait_closed(Clock::time_point deadline);
    /// Reads for `span`; true when the connection is still open after it.
    bool stays_open(std::chrono::milliseconds span);
    bool closed() const noexcept { return closed_; }
    /// Every reply so far, and how many acknowledgements and ping responses arrived.
    const std::vector<Reply>& replies() const noexcept { return replies_; }
    std::size_t acks() const noexcept { return acks_; }
    std::size_t pongs() const noexcept { return pongs_; }
    /// Closes the socket (the server sees end of stream).
    void close();
    int fd() const noexcept { return fd_; }

private:
    /// One non-blocking read; false when nothing came or the peer closed.
    bool read_once(int timeout_ms);
    void parse(const std::uint8_t* data, std::size_t size);

    int fd_ = -1;
    int receive_buffer_ = 0;
    int max_segment_ = 0;
    std::string peer_;
    bool closed_ = false;
    bool handshaken_ = false;
    bool parse_failed_ = false;
    std::optional<std::uint8_t> s0_;
    Bytes handshake_in_;  ///< S0S1S2 while it arrives
    rtmp::Connection connection_;
    std::vector<Reply> replies_;
    std::size_t seen_ = 0;  ///< replies_ already offered to wait_reply()
    std::size_t acks_ = 0;
    std::size_t pongs_ = 0;
    double next_transaction_ = 2;
};

// ---- bytes ----

/// A basic header: format `fmt`, chunk stream `csid` in its shortest form,
/// or in the 3-byte form when `long_form` (legal for any id >= 64).
Bytes basic_header(unsigned fmt, std::uint32_t csid, bool long_form = false);
/// One message as chunks: a format-0 header declaring `declared_length`
/// (the payload's size unless given), then format-3 continuations every
/// `chunk_size` bytes of `payload`. Timestamps >= 0xFFFFFF use the extended field.
Bytes chunk(std::uint32_t csid, std::uint8_t type, std::uint32_t stream_id, std::uint32_t timestamp,
            const Bytes& payload, std::uint32_t chunk_size = 128,
            std::optional<std::uint32_t> declared_length = std::nullopt);
/// A protocol control message (chunk stream 2, stream 0) with a raw payload.
Bytes control(std::uint8_t type, const Bytes& payload);
/// A user control message: event type + raw event data.
Bytes user_control(std::uint16_t event, const Bytes& data);
/// Big-endian 32-bit.
Bytes be32(std::uint32_t value);

Bytes amf0_number(double value);
Bytes amf0_string(std::string_view value);
Bytes amf0_null();
/// An object of string properties.
Bytes amf0_object(const std::vector<std::pair<std::string, std::string>>& properties);
/// A command payload: name, transaction id, null, then `arguments` (already encoded).
Bytes command_payload(std::string_view name, double transaction, const Bytes& arguments = {});
/// A command as chunks on chunk stream 3 (type 20) on `stream_id`.
Bytes command(std::string_view name, double transaction, const Bytes& arguments = {},
              std::uint32_t stream_id = 0);
/// connect(app) with the usual properties.
Bytes connect_command(std::string_view app, double transaction = 1);

Bytes operator+(Bytes a, const Bytes& b);

// ---- the server process ----

class ServerProbe {
public:
    /// Finds the process whose stdout is `log_path`; pid() is 0 when none is.
    explicit ServerProbe(const std::string& log_path);
    pid_t pid() const noexcept { return pid_; }
    /// VmRSS in KiB (0 when unreadable).
    std::size_t rss_kib() const;
    /// Entries of /proc/PID/fd.
    std::size_t fd_count() const;

private:
    pid_t pid_ = 0;
};

/// The lines of `log` that name `peer` as a whole token (the port not a
/// prefix of a longer one).
std::vector<std::string> lines_of(const std::string& log, const std::string& peer);
/// The session number the server gave `peer` ("#N accepted from PEER"), or "".
std::string session_tag(const std::string& log, const std::string& peer);

/// Appends `more` to `to`.
void append(Bytes& to, const Bytes& more);
/// `unit` repeated `times` times.
Bytes repeat(const Bytes& unit, std::size_t times);
/// An AMF3 U29 (variable-length integer, values below 2^29).
Bytes u29(std::uint32_t value);
/// True when this test binary (and so, normally, the server built with it)
/// was built with ASan or TSan.
bool built_with_sanitizer();

/// The suite's fixture (see serve_hostile_test.cpp): one server with
/// handshake_timeout_ms 1000 and connect_timeout_ms 1500, one healthy FFmpeg
/// publisher looping a 2 s clip at real time to live/healthy and one FFmpeg
/// player recording it; baselines of VmRSS and open files once both run.
/// TearDown judges memory, files and the player's frames, then ServeTest's
/// SIGTERM check.
class ServeHostile : public ServeTest {
public:
    static constexpr const char* healthy = "healthy";
    /// VmRSS may stay this far above the baseline (see the test file's comment).
    /// Not checked in a sanitizer build (see the test file's comment).
    static constexpr std::size_t rss_slack_kib = 16 * 1024;

protected:
    static void SetUpTestSuite() {
        clip_dir_ = new TempDir;
        std::string error;
        clip_ = new Clip(make_clip(clip_dir_->file("clip.flv"), 2, error));
        clip_error_ = new std::string(error);
    }
    static void TearDownTestSuite() {
        delete clip_;
        delete clip_error_;
        delete clip_dir_;
    }

    void SetUp() override {
        ASSERT_TRUE(clip_error_->empty()) << *clip_error_;
        const std::string config = dir_.file("sluice.toml");
        std::ofstream(config) << "[limits]\nhandshake_timeout_ms = 1000\nconnect_timeout_ms = 1500\n";
        start_server({"--config", config});
        probe_ = std::make_unique<ServerProbe>(dir_.file("serve.log"));
        ASSERT_NE(probe_->pid(), 0) << "no process writes " << dir_.file("serve.log");
        port_ = server_->port();
        publisher_ = std::make_unique<Process>(
            std::vector<std::string>{"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-stream_loop",
                                     "-1", "-i", clip_->path, "-c", "copy", "-f", "flv",
                                     server_->url("live", healthy)},
            dir_.file("publisher.log"));
        ASSERT_TRUE(wait_log("publish #", 1, Clock::now() + std::chrono::seconds(15)))
            << "the healthy publisher did not start";
        player_out_ = dir_.file("player.flv");
        player_ = std::make_unique<Process>(
            std::vector<std::string>{"ffmpeg", "-hide_banner", "-loglevel", "warning", "-y", "-i",
                                     server_->url("live", healthy), "-c", "copy", "-f", "flv", player_out_},
            dir_.file("player.log"));
        ASSERT_TRUE(wait_log("play #", 1, Clock::now() + std::chrono::seconds(15)))
            << "the healthy player did not start";
        // Let both settle (GOP cache full, player's probe done) before the baseline.
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        baseline_fds_ = probe_->fd_count();
        baseline_rss_ = probe_->rss_kib();
        sanitized_ = built_with_sanitizer() ||
                     read_file("/proc/" + std::to_string(probe_->pid()) + "/maps").find("libasan") !=
                         std::string::npos;
    }

    void TearDown() override {
        if (!HasFatalFailure() && player_) finish_healthy();
        ServeTest::TearDown();
    }

    bool wait_log(const std::string& needle, std::size_t count, Clock::time_point deadline) const {
        for (;;) {
            const std::string log = server_->full_log();
            std::size_t seen = 0;
            for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++seen;
            if (seen >= count) return true;
            if (Clock::now() >= deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    /// Waits (5 s) until `count` log lines of `peer`'s session contain
    /// `text`. A session's lines: those naming the peer and those naming its
    /// number ("#7 message of unknown type ...").
    ::testing::AssertionResult logged(const std::string& peer, const std::string& text,
                                      std::size_t count = 1) const {
        const auto deadline = Clock::now() + std::chrono::seconds(5);
        for (;;) {
            const std::string log = server_->full_log();
            const std::string tag = session_tag(log, peer) + " ";
            std::istringstream in(log);
            std::string line;
            std::string mine;
            std::size_t seen = 0;
            const std::vector<std::string> named = lines_of(log, peer);
            while (std::getline(in, line)) {
                const bool of_peer = std::find(named.begin(), named.end(), line) != named.end() ||
                                     (tag.size() > 1 && line.find(tag) != std::string::npos);
                if (!of_peer) continue;
                mine += "  " + line + "\n";
                if (line.find(text) != std::string::npos) ++seen;
            }
            if (seen >= count) return ::testing::AssertionSuccess();
            if (Clock::now() >= deadline) {
                return ::testing::AssertionFailure() << seen << " of " << count << " log lines for " << peer
                                                     << " contain \"" << text << "\"; its lines:\n"
                                                     << mine;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    /// The case closes only this connection: the server hangs up and its
    /// close line (reason="...") names the problem.
    void expect_closed(HostileClient& c, const std::string& reason) {
        EXPECT_TRUE(c.wait_closed(Clock::now() + std::chrono::seconds(5)))
            << "the server kept " << c.peer() << " open";
        EXPECT_TRUE(logged(c.peer(), "reason=\"" + reason)) << "expected close reason " << reason;
    }

    /// The connection is still served: an unknown call gets its `_error`.
    /// `patience`: how long the answer may take (a flood's backlog first).
    void expect_alive(HostileClient& c, std::chrono::seconds patience = std::chrono::seconds(5)) {
        // Far above any transaction id a case uses.
        const double txn = 1e9 + static_cast<double>(++probe_calls_);
        ASSERT_TRUE(c.write(command("hostileProbe", txn), Clock::now() + patience))
            << c.peer() << " was closed";
        const auto reply =
            c.wait_reply([txn](const Reply& r) { return r.transaction_id == txn; }, Clock::now() + patience);
        EXPECT_TRUE(reply && reply->name == "_error") << c.peer() << " no longer answers";
    }

    /// A fresh connection after handshake + connect("live").
    std::unique_ptr<HostileClient> connected() {
        auto c = std::make_unique<HostileClient>();
        EXPECT_TRUE(c->connect(port_, Clock::now() + std::chrono::seconds(5)))
            << "connect failed for " << c->peer();
        return c;
    }

    /// A fresh connection with the handshake done (no connect).
    std::unique_ptr<HostileClient> handshaken() {
        auto c = std::make_unique<HostileClient>();
        EXPECT_TRUE(c->open(port_) && c->handshake(Clock::now() + std::chrono::seconds(5)));
        return c;
    }

    /// A connection, createStream and publish(name): the stream id.
    std::uint32_t publishing(HostileClient& c, const std::string& name) {
        const auto id = c.create_stream(Clock::now() + std::chrono::seconds(5));
        EXPECT_TRUE(id.has_value());
        c.write(command("publish", 0, amf0_string(name) + amf0_string("live"), id.value_or(1)),
                Clock::now() + std::chrono::seconds(5));
        const auto status = c.wait_reply([](const Reply& r) { return r.name == "onStatus"; },
                                         Clock::now() + std::chrono::seconds(5));
        EXPECT_TRUE(status && status->code == "NetStream.Publish.Start") << "publish " << name;
        return id.value_or(1);
    }

    void finish_healthy();

    static TempDir* clip_dir_;
    static Clip* clip_;
    static std::string* clip_error_;
    std::unique_ptr<ServerProbe> probe_;
    std::uint16_t port_ = 0;
    std::unique_ptr<Process> publisher_;
    std::unique_ptr<Process> player_;
    std::string player_out_;
    std::size_t baseline_fds_ = 0;
    std::size_t baseline_rss_ = 0;
    bool sanitized_ = false;
    int probe_calls_ = 0;
};

}  // namespace sluice::test
