// net::RtmptTunnel against its contract (rtmpt_tunnel.hpp), on one
// io_context: the HTTP side's send()/idle() and the session's transport()
// run as coroutines. Covers client bytes reaching read_some() in order, an
// answer riding in the same /send reply, the settle bound, idle holds and
// early wake-ups, the polling byte (1, back-off 2..33, reset, 0 at the end),
// write back-pressure and its wake-up, replies split at max_reply_bytes,
// close from either side, the sequence window and the inbound bound.
#include "net/rtmpt_tunnel.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sluice::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;

Bytes bytes_of(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

/// The polling byte followed by `text`: a reply as the tunnel should write it.
Bytes reply_of(std::uint8_t polling, std::string_view text = {}) {
    Bytes out;
    out.reserve(1 + text.size());
    out.push_back(polling);
    for (char c : text) out.push_back(static_cast<std::uint8_t>(c));
    return out;
}

IoResult write_now(Transport& transport, const Bytes& bytes) {
    const std::array<asio::const_buffer, 1> buffers{asio::buffer(bytes)};
    return transport.write_now(buffers);
}

/// What a session read from the tunnel, and how its reading ended.
struct Received {
    Bytes bytes;
    boost::system::error_code end;
    bool ended = false;
};

/// A session that reads everything; when `answer` is set it answers each
/// read with "R:" + the bytes read, after `delay`.
asio::awaitable<void> session(Transport& transport, Received& received, bool answer = false,
                              std::chrono::milliseconds delay = 0ms) {
    std::array<std::uint8_t, 4096> buffer{};
    for (;;) {
        const IoResult r = co_await transport.read_some(asio::buffer(buffer));
        if (r.error) {
            received.end = r.error;
            received.ended = true;
            co_return;
        }
        received.bytes.insert(received.bytes.end(), buffer.begin(),
                              buffer.begin() + static_cast<long>(r.bytes));
        if (answer) {
            if (delay > 0ms) {
                asio::steady_timer timer(transport.get_executor(), delay);
                co_await timer.async_wait(asio::use_awaitable);
            }
            Bytes out = bytes_of("R:");
            out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<long>(r.bytes));
            EXPECT_EQ(write_now(transport, out).bytes, out.size());
        }
    }
}

/// Writes `bytes` with write_some (which waits while the tunnel is full),
/// then says so. Parameters, not lambda captures: the coroutine outlives a
/// temporary lambda.
asio::awaitable<void> write_waiting(Transport& transport, const Bytes& bytes, bool& woken,
                                    boost::system::error_code& error) {
    const std::array<asio::const_buffer, 1> buffers{asio::buffer(bytes)};
    const IoResult r = co_await transport.write_some(buffers);
    error = r.error;
    woken = true;
}

class RtmptTunnelTest : public ::testing::Test {
protected:
    void make(RtmptTunnelOptions options) {
        tunnel_ = std::make_shared<RtmptTunnel>(io_.get_executor(), "3F29A1", "127.0.0.1:50312", options);
        transport_ = tunnel_->transport();
    }

    void TearDown() override {
        // Close first and let pending reads end before the transport goes.
        if (transport_) transport_->close();
        run_for(5ms);
        transport_.reset();
    }

    /// Runs the io_context until done() or 5 s.
    template <class Done>
    void run_until(Done done) {
        const auto deadline = Clock::now() + 5s;
        while (!done() && Clock::now() < deadline) {
            if (io_.stopped()) io_.restart();
            io_.run_one_for(20ms);
        }
    }

    void run_for(std::chrono::milliseconds duration) {
        if (io_.stopped()) io_.restart();
        io_.run_for(duration);
    }

    /// Runs `task` to completion on the io_context (with whatever else is spawned).
    template <class T>
    T await(asio::awaitable<T> task) {
        std::optional<T> result;
        std::exception_ptr error;
        bool done = false;
        asio::co_spawn(io_, std::move(task), [&](std::exception_ptr e, T value) {
            error = e;
            if (!e) result = std::move(value);
            done = true;
        });
        run_until([&] { return done; });
        if (error) std::rethrow_exception(error);
        if (!done) throw std::runtime_error("the tunnel did not answer within 5 s");
        return std::move(*result);
    }

    void spawn_session(Received& received, bool answer = false, std::chrono::milliseconds delay = 0ms) {
        asio::co_spawn(io_, session(*transport_, received, answer, delay), asio::detached);
    }

    Bytes send(std::string_view text) {
        auto reply = await(tunnel_->send(bytes_of(text)));
        if (!reply) throw std::runtime_error("send refused");
        return *reply;
    }
    Bytes idle() { return await(tunnel_->idle()); }

    // Before io_: the sessions spawned there write into it until io_ goes
    // (TearDown's close() wakes them after the test body has returned).
    Received received_;
    asio::io_context io_;
    std::shared_ptr<RtmptTunnel> tunnel_;
    std::unique_ptr<Transport> transport_;
};

TEST_F(RtmptTunnelTest, SentBytesReachTheSessionInOrder) {
    make({});
    Received& received = received_;
    spawn_session(received);
    EXPECT_EQ(send("C0C1"), reply_of(1));
    EXPECT_EQ(send("-second"), reply_of(1));
    EXPECT_EQ(send("-third"), reply_of(1));
    EXPECT_EQ(received.bytes, bytes_of("C0C1-second-third"));
    EXPECT_FALSE(received.ended);
}

TEST_F(RtmptTunnelTest, TheAnswerComesInTheSameReply) {
    RtmptTunnelOptions options;
    options.settle = 2s;
    make(options);
    Received& received = received_;
    spawn_session(received, true, 40ms);  // a session that takes its time to answer
    const auto start = Clock::now();
    EXPECT_EQ(send("connect"), reply_of(1, "R:connect"));
    EXPECT_LT(Clock::now() - start, 1s);
    EXPECT_EQ(send("play"), reply_of(1, "R:play"));
}

TEST_F(RtmptTunnelTest, SendWaitsAtMostSettle) {
    RtmptTunnelOptions options;
    options.settle = 100ms;
    make(options);  // no session reads
    const auto start = Clock::now();
    EXPECT_EQ(send("C0C1"), reply_of(1));
    const auto elapsed = Clock::now() - start;
    EXPECT_GE(elapsed, 90ms);
    EXPECT_LT(elapsed, 1s);
}

TEST_F(RtmptTunnelTest, EmptyIdleHoldsAboutIdleHold) {
    RtmptTunnelOptions options;
    options.idle_hold = 100ms;
    make(options);
    Received& received = received_;
    spawn_session(received);
    const auto start = Clock::now();
    EXPECT_EQ(idle(), reply_of(1));
    const auto elapsed = Clock::now() - start;
    EXPECT_GE(elapsed, 90ms);
    EXPECT_LT(elapsed, 1s);
}

TEST_F(RtmptTunnelTest, IdleAnswersAsSoonAsTheSessionWrites) {
    RtmptTunnelOptions options;
    options.idle_hold = 3s;
    make(options);
    asio::steady_timer timer(io_, 30ms);
    timer.async_wait([&](boost::system::error_code) { write_now(*transport_, bytes_of("late")); });
    const auto start = Clock::now();
    EXPECT_EQ(idle(), reply_of(1, "late"));
    EXPECT_LT(Clock::now() - start, 1s);
}

TEST_F(RtmptTunnelTest, IdleWithOutputWaitingAnswersAtOnce) {
    RtmptTunnelOptions options;
    options.idle_hold = 3s;
    make(options);
    ASSERT_EQ(write_now(*transport_, bytes_of("ready")).bytes, 5u);
    const auto start = Clock::now();
    EXPECT_EQ(idle(), reply_of(1, "ready"));
    EXPECT_LT(Clock::now() - start, 1s);
}

TEST_F(RtmptTunnelTest, PollingByteBacksOffAfterTenEmptyRepliesAndResets) {
    RtmptTunnelOptions options;
    options.idle_hold = 1ms;
    make(options);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(idle(), reply_of(1)) << "empty reply " << i + 1;
    for (std::uint8_t expected : {std::uint8_t{2}, std::uint8_t{3}, std::uint8_t{5}, std::uint8_t{9},
                                  std::uint8_t{17}, std::uint8_t{33}, std::uint8_t{33}, std::uint8_t{33}})
        EXPECT_EQ(idle(), reply_of(expected));
    // Data flows again: the byte is 1 and the count of empty replies restarts.
    write_now(*transport_, bytes_of("x"));
    EXPECT_EQ(idle(), reply_of(1, "x"));
    for (int i = 0; i < 10; ++i) EXPECT_EQ(idle(), reply_of(1)) << "empty reply " << i + 1;
    EXPECT_EQ(idle(), reply_of(2));
    // A /send reply with data resets it too.
    Received& received = received_;
    spawn_session(received, true);
    EXPECT_EQ(send("y"), reply_of(1, "R:y"));
}

// DISABLED: crashes (SIGSEGV, bad `this` in Endpoint::wait_writable on its
// first resume, GCC 12 -O2); see the report. Run with
// --gtest_also_run_disabled_tests to reproduce.
TEST_F(RtmptTunnelTest, WritesBlockAtMaxOutboundUntilARepliesDrains) {
    RtmptTunnelOptions options;
    options.max_outbound_bytes = 10;
    options.idle_hold = 1ms;
    make(options);
    EXPECT_EQ(write_now(*transport_, bytes_of("0123456")).bytes, 7u);
    EXPECT_EQ(write_now(*transport_, bytes_of("789ABC")).bytes, 3u);  // only the room left
    const IoResult full = write_now(*transport_, bytes_of("D"));
    EXPECT_EQ(full.error, asio::error::would_block);
    EXPECT_EQ(full.bytes, 0u);

    bool woken = false;
    boost::system::error_code wake_error = asio::error::fault;
    const Bytes more = bytes_of("D");
    asio::co_spawn(io_, write_waiting(*transport_, more, woken, wake_error), asio::detached);
    run_for(30ms);
    EXPECT_FALSE(woken);

    EXPECT_EQ(idle(), reply_of(1, "0123456789"));
    run_until([&] { return woken; });
    EXPECT_TRUE(woken);
    EXPECT_FALSE(wake_error);
    EXPECT_EQ(idle(), reply_of(1, "D"));
}

TEST_F(RtmptTunnelTest, OutputIsSplitAtMaxReplyBytes) {
    RtmptTunnelOptions options;
    options.max_reply_bytes = 4;
    make(options);
    write_now(*transport_, bytes_of("0123456789"));
    EXPECT_EQ(idle(), reply_of(1, "0123"));
    EXPECT_EQ(idle(), reply_of(1, "4567"));
    write_now(*transport_, bytes_of("ab"));
    EXPECT_EQ(idle(), reply_of(1, "89ab"));
}

TEST_F(RtmptTunnelTest, CloseFromClientGivesEofAfterQueuedBytes) {
    RtmptTunnelOptions options;
    options.settle = 10ms;
    make(options);
    EXPECT_EQ(send("queued"), reply_of(1));  // nobody reads yet
    tunnel_->close_from_client();
    EXPECT_TRUE(tunnel_->finished());
    Received& received = received_;
    spawn_session(received);
    run_until([&] { return received.ended; });
    EXPECT_EQ(received.bytes, bytes_of("queued"));
    EXPECT_TRUE(received.ended);
    EXPECT_EQ(received.end, asio::error::eof);
}

TEST_F(RtmptTunnelTest, TransportCloseDeliversTheRestThenPollingByteZero) {
    RtmptTunnelOptions options;
    options.max_reply_bytes = 4;
    options.idle_hold = 3s;
    make(options);
    write_now(*transport_, bytes_of("0123456789"));
    transport_->close();
    EXPECT_FALSE(tunnel_->finished());
    Bytes delivered;
    std::uint8_t last = 1;
    const auto start = Clock::now();
    for (int i = 0; i < 10 && last != 0; ++i) {
        const Bytes reply = idle();
        ASSERT_FALSE(reply.empty());
        last = reply.front();
        if (last != 0) {
            EXPECT_FALSE(tunnel_->finished());
        }
        delivered.insert(delivered.end(), reply.begin() + 1, reply.end());
    }
    EXPECT_EQ(last, 0u);
    EXPECT_EQ(delivered, bytes_of("0123456789"));
    EXPECT_TRUE(tunnel_->finished());
    // A closed tunnel holds no poll and takes no bytes.
    EXPECT_EQ(idle(), reply_of(0));
    EXPECT_EQ(send("more"), reply_of(0));
    EXPECT_LT(Clock::now() - start, 1s);
}

TEST_F(RtmptTunnelTest, TransportCloseWithNothingPendingFinishesAtOnce) {
    make({});
    transport_->close();
    EXPECT_TRUE(tunnel_->finished());
    EXPECT_EQ(idle(), reply_of(0));
}

TEST_F(RtmptTunnelTest, SequenceWindow) {
    make({});
    EXPECT_TRUE(tunnel_->accept_sequence(0));
    EXPECT_FALSE(tunnel_->accept_sequence(0));  // a repeat
    EXPECT_TRUE(tunnel_->accept_sequence(5));   // a gap is fine
    EXPECT_TRUE(tunnel_->accept_sequence(3));   // reordered
    EXPECT_FALSE(tunnel_->accept_sequence(3));
    EXPECT_FALSE(tunnel_->accept_sequence(5));
    EXPECT_TRUE(tunnel_->accept_sequence(70));
    EXPECT_TRUE(tunnel_->accept_sequence(7));    // 63 below the highest: inside the window
    EXPECT_FALSE(tunnel_->accept_sequence(6));   // 64 below: older than the window
    EXPECT_FALSE(tunnel_->accept_sequence(0));   // seen, and outside the window anyway
    EXPECT_FALSE(tunnel_->accept_sequence(70));  // the highest again
    EXPECT_TRUE(tunnel_->accept_sequence(69));
    EXPECT_TRUE(tunnel_->accept_sequence(1000));
    EXPECT_FALSE(tunnel_->accept_sequence(70));  // fell out of the window on the jump
    EXPECT_TRUE(tunnel_->accept_sequence(999));
}

TEST_F(RtmptTunnelTest, SequenceMayStartAnywhere) {
    make({});
    EXPECT_TRUE(tunnel_->accept_sequence(999999999999999999u));
    EXPECT_FALSE(tunnel_->accept_sequence(999999999999999999u));
    EXPECT_TRUE(tunnel_->accept_sequence(999999999999999998u));
}

TEST_F(RtmptTunnelTest, SendOverMaxInboundIsRefusedAndQueuesNothing) {
    RtmptTunnelOptions options;
    options.max_inbound_bytes = 8;
    options.settle = 10ms;
    make(options);  // nobody reads yet
    EXPECT_TRUE(await(tunnel_->send(bytes_of("abcde"))));
    EXPECT_FALSE(await(tunnel_->send(bytes_of("WXYZ"))));  // 9 would wait
    EXPECT_TRUE(await(tunnel_->send(bytes_of("fgh"))));    // exactly 8
    Received& received = received_;
    spawn_session(received);
    run_until([&] { return received.bytes.size() >= 8; });
    run_for(10ms);
    EXPECT_EQ(received.bytes, bytes_of("abcdefgh"));
    // Once read, there is room again.
    EXPECT_TRUE(await(tunnel_->send(bytes_of("12345678"))));
}

TEST_F(RtmptTunnelTest, LastRequestTimeMoves) {
    RtmptTunnelOptions options;
    options.idle_hold = 1ms;
    make(options);
    const auto before = tunnel_->last_request_ms();
    std::this_thread::sleep_for(20ms);
    idle();
    EXPECT_GT(tunnel_->last_request_ms(), before);
}

TEST(RtmptSessionId, SixteenHexDigitsAndFresh) {
    const std::string a = new_rtmpt_session_id();
    const std::string b = new_rtmpt_session_id();
    EXPECT_EQ(a.size(), 16u);
    EXPECT_EQ(a.find_first_not_of("0123456789ABCDEF"), std::string::npos);
    EXPECT_NE(a, b);
}

}  // namespace
}  // namespace sluice::net
