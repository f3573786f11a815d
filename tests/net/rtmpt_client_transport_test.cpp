// net::RtmptClientTransport against a fake RTMPT server in this test: a
// coroutine on the other end of a loopback TCP pair (127.0.0.1 only) that
// reads each POST with Beast, records it and answers what the test's
// handler says. Covers /open/1 and the session id, /send bodies (exact
// bytes, order, size cap), <seq> from 0, /idle polling only while a reader
// waits and its back-off, server bytes reaching read_some(), polling byte 0
// as EOF, non-200 / garbage / closed answers as clear errors, the write
// limit, cancellation safety of read_some(), shutdown_send() and close()
// sending /close, and close() bounded when the server never answers.
#include "net/rtmpt_client_transport.hpp"

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/vector_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "net/tcp_transport.hpp"

namespace sluice::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Bytes = std::vector<std::uint8_t>;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

Bytes bytes_of(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

Bytes random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 random(seed);
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(random());
    return out;
}

/// One POST as the fake server read it.
struct Request {
    std::string target;
    http::request<http::vector_body<std::uint8_t>> message;
    const Bytes& body() const { return message.body(); }
    std::string header(http::field field) const { return std::string(message[field]); }
    /// "send", "idle", "close", "open"
    std::string kind() const { return target.substr(1, target.find('/', 1) - 1); }
    /// The <seq> of /send|idle|close/<id>/<seq>.
    std::uint64_t seq() const { return std::stoull(target.substr(target.rfind('/') + 1)); }
};

/// What the fake server does with a request.
struct Reply {
    unsigned status = 200;
    Bytes body;
    std::string raw;                     ///< sent as is instead of an HTTP response
    bool hang = false;                   ///< never answer again (keep reading)
    bool close_after = false;            ///< close the connection after this answer
    std::chrono::milliseconds delay{0};  ///< wait before answering
};

Reply polling(std::uint8_t byte, std::string_view data = {}) {
    Reply reply;
    reply.body.assign(1 + data.size(), byte);
    std::copy(data.begin(), data.end(), reply.body.begin() + 1);
    return reply;
}

Reply status(unsigned code, Bytes body) {
    Reply reply;
    reply.status = code;
    reply.body = std::move(body);
    return reply;
}

/// The io_context, the loopback pair and the fake server.
struct Tunnel {
    Tunnel() : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}), client_socket(io), server_socket(io) {
        client_socket.connect(acceptor.local_endpoint());
        server_socket = acceptor.accept();
    }

    /// Starts the server: `handler` answers every request after /open/1,
    /// which gets `open_reply`.
    void serve(std::function<Reply(const Request&)> h, Reply open_reply = status(200, bytes_of("3F29A1\n"))) {
        handler = std::move(h);
        open_answer = std::move(open_reply);
        asio::co_spawn(io, server_loop(), asio::detached);
    }

    asio::awaitable<void> server_loop() {
        boost::beast::flat_buffer buffer;
        bool hung = false;
        for (;;) {
            Request request;
            auto [ec, n] = co_await http::async_read(server_socket, buffer, request.message, use_nothrow);
            if (ec) {
                server_saw_end = true;
                co_return;
            }
            request.target = std::string(request.message.target());
            requests.push_back(request);
            if (hung) continue;
            Reply reply = requests.size() == 1 ? open_answer : handler(request);
            if (reply.hang) {
                hung = true;
                continue;
            }
            if (reply.delay.count() > 0) {
                asio::steady_timer wait(io, reply.delay);
                co_await wait.async_wait(use_nothrow);
            }
            if (!reply.raw.empty()) {
                co_await asio::async_write(server_socket, asio::buffer(reply.raw), use_nothrow);
            } else {
                http::response<http::vector_body<std::uint8_t>> response{
                    static_cast<http::status>(reply.status), 11};
                response.set(http::field::content_type, "application/x-fcs");
                response.body() = std::move(reply.body);
                response.prepare_payload();
                co_await http::async_write(server_socket, response, use_nothrow);
            }
            if (reply.close_after) {
                error_code ignored;
                server_socket.shutdown(tcp::socket::shutdown_both, ignored);
                server_socket.close(ignored);
                co_return;
            }
        }
    }

    /// Runs the io_context until `done()` or `limit` (a hang fails the test).
    void run_until(const std::function<bool()>& done, std::chrono::steady_clock::duration limit = 5s) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < end) {
            io.restart();
            io.run_for(2ms);
        }
    }
    void run_for(std::chrono::steady_clock::duration time) {
        run_until([] { return false; }, time);
    }

    /// Runs `task` to its end (or 5 s) and returns its value.
    template <class T>
    T run(asio::awaitable<T> task, std::chrono::steady_clock::duration limit = 5s) {
        auto out = std::make_shared<std::optional<T>>();
        asio::co_spawn(io, std::move(task), [out](std::exception_ptr e, T value) {
            if (e) std::rethrow_exception(e);
            *out = std::move(value);
        });
        run_until([&] { return out->has_value(); }, limit);
        EXPECT_TRUE(out->has_value()) << "the operation did not finish";
        return out->has_value() ? std::move(**out) : T{};
    }

    RtmptOpenResult open(std::string host = "127.0.0.1:1080") {
        return run(
            RtmptClientTransport::open(std::make_unique<TcpTransport>(std::move(client_socket)), host));
    }

    /// open() that must succeed; the transport lands in `client`.
    void connect() {
        RtmptOpenResult opened = open();
        ASSERT_TRUE(opened) << opened.message;
        client = std::move(opened.transport);
    }

    std::vector<Request> requests_of(std::string_view kind) const {
        std::vector<Request> out;
        for (const Request& r : requests)
            if (r.kind() == kind) out.push_back(r);
        return out;
    }

    asio::io_context io;
    tcp::acceptor acceptor;
    tcp::socket client_socket;
    tcp::socket server_socket;
    std::function<Reply(const Request&)> handler;
    Reply open_answer;
    std::vector<Request> requests;
    bool server_saw_end = false;
    std::unique_ptr<RtmptClientTransport> client;
};

/// Reads until `expected` bytes or an error.
asio::awaitable<IoResult> read_exactly(Transport& transport, Bytes& out, std::size_t expected) {
    Bytes buffer(7000);
    while (out.size() < expected) {
        const IoResult r = co_await transport.read_some(asio::buffer(buffer));
        if (r.error) co_return r;
        out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
    }
    co_return IoResult{{}, out.size()};
}

/// Reads until an error (eof expected), bytes in `out`.
asio::awaitable<error_code> read_to_end(Transport& transport, Bytes& out) {
    Bytes buffer(4096);
    while (true) {
        const IoResult r = co_await transport.read_some(asio::buffer(buffer));
        if (r.error) co_return r.error;
        out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
    }
}

// ---- open ----

TEST(RtmptClientTransport, OpenPostsOneZeroByteAndTrimsTheSessionId) {
    Tunnel t;
    t.serve([](const Request&) { return polling(1); }, status(200, bytes_of(" 3F29A1\r\n")));
    t.connect();
    ASSERT_TRUE(t.client);
    EXPECT_EQ(t.client->session_id(), "3F29A1");
    EXPECT_EQ(t.client->peer(), "127.0.0.1:" + std::to_string(t.acceptor.local_endpoint().port()));
    ASSERT_EQ(t.requests.size(), 1u);
    const Request& open = t.requests[0];
    EXPECT_EQ(open.message.method(), http::verb::post);
    EXPECT_EQ(open.target, "/open/1");
    EXPECT_EQ(open.message.version(), 11u);
    EXPECT_EQ(open.body(), Bytes{0});
    EXPECT_EQ(open.header(http::field::host), "127.0.0.1:1080");
    EXPECT_EQ(open.header(http::field::content_type), "application/x-fcs");
    EXPECT_EQ(open.header(http::field::content_length), "1");
    EXPECT_EQ(open.header(http::field::connection), "Keep-Alive");
    EXPECT_EQ(open.header(http::field::cache_control), "no-cache");
    EXPECT_EQ(open.header(http::field::user_agent), "Shockwave Flash");
    // Nobody reads and nothing is written: no polling.
    t.run_for(60ms);
    EXPECT_EQ(t.requests.size(), 1u);
    EXPECT_EQ(t.client->requests_sent(), 0u);
}

TEST(RtmptClientTransport, OpenAnsweredNon200FailsNamingTheStatus) {
    Tunnel t;
    t.serve([](const Request&) { return polling(1); }, status(404, bytes_of("not here")));
    const RtmptOpenResult opened = t.open();
    EXPECT_FALSE(opened);
    EXPECT_EQ(opened.error, make_error_code(RtmptErrc::http_status));
    EXPECT_NE(opened.message.find("404 Not Found"), std::string::npos) << opened.message;
    EXPECT_NE(opened.message.find("/open/1"), std::string::npos) << opened.message;
}

TEST(RtmptClientTransport, OpenAnsweredWithGarbageIsABadResponse) {
    Tunnel t;
    Reply garbage;
    garbage.raw = "RTMP? \x03\x01\x02 what\r\n\r\n";
    t.serve([](const Request&) { return polling(1); }, garbage);
    const RtmptOpenResult opened = t.open();
    EXPECT_FALSE(opened);
    EXPECT_EQ(opened.error, make_error_code(RtmptErrc::bad_response));
    EXPECT_NE(opened.message.find("not valid HTTP"), std::string::npos) << opened.message;
}

TEST(RtmptClientTransport, OpenRefusedOrWithoutAUsableIdFails) {
    {
        Tunnel t;  // Red5's "no more clients": a single 00 byte.
        t.serve([](const Request&) { return polling(1); }, status(200, Bytes{0}));
        const RtmptOpenResult opened = t.open();
        EXPECT_EQ(opened.error, make_error_code(RtmptErrc::session_refused)) << opened.message;
    }
    for (const Bytes& body :
         {bytes_of("a/b\n"), bytes_of("\r\n"), Bytes{}, bytes_of(std::string(200, 'x'))}) {
        Tunnel t;
        t.serve([](const Request&) { return polling(1); }, status(200, body));
        const RtmptOpenResult opened = t.open();
        EXPECT_FALSE(opened);
        EXPECT_EQ(opened.error, make_error_code(RtmptErrc::bad_session_id)) << opened.message;
    }
}

TEST(RtmptClientTransport, OpenFailsWhenTheServerClosesWithoutAnswering) {
    Tunnel t;
    Reply nothing;
    nothing.hang = true;
    t.serve([](const Request&) { return polling(1); }, nothing);
    // The server reads /open/1 and closes.
    asio::co_spawn(
        t.io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer wait(t.io);
            while (t.requests.empty()) {
                wait.expires_after(1ms);
                co_await wait.async_wait(use_nothrow);
            }
            t.server_socket.close();
        },
        asio::detached);
    const RtmptOpenResult opened = t.open();
    EXPECT_FALSE(opened);
    EXPECT_EQ(opened.error, asio::error::eof) << opened.message;
    EXPECT_NE(opened.message.find("closed the connection"), std::string::npos) << opened.message;
}

// ---- send ----

TEST(RtmptClientTransport, SendBodiesCarryTheWrittenBytesInOrderWithSeqFromZero) {
    Tunnel t;
    t.serve([](const Request&) { return polling(1); });
    t.connect();
    ASSERT_TRUE(t.client);
    const Bytes data = random_bytes(300 * 1000, 1);
    // Written in uneven pieces, as the client's gather writes come.
    auto writer = [&]() -> asio::awaitable<error_code> {
        std::mt19937 random(3);
        std::size_t offset = 0;
        while (offset < data.size()) {
            const std::size_t n = std::min<std::size_t>(data.size() - offset, 1 + random() % 40000);
            const IoResult r = co_await write_all(*t.client, asio::buffer(data.data() + offset, n));
            if (r.error) co_return r.error;
            offset += n;
        }
        co_return error_code{};
    };
    EXPECT_FALSE(t.run(writer()));
    t.run_until([&] {
        return t.client->queued_bytes() == 0 && t.requests.size() > 1 &&
               t.requests.back().seq() + 1 == t.client->requests_sent();
    });
    t.run_for(20ms);
    Bytes sent;
    for (const Request& r : t.requests_of("send")) {
        EXPECT_LE(r.body().size(), RtmptClientTransport::max_request_body);
        EXPECT_EQ(r.header(http::field::content_length), std::to_string(r.body().size()));
        EXPECT_EQ(r.target.rfind("/send/3F29A1/", 0), 0u) << r.target;
        sent.insert(sent.end(), r.body().begin(), r.body().end());
    }
    EXPECT_TRUE(sent == data) << sent.size() << " bytes sent of " << data.size();
    // Every request after /open/1 counts: 0, 1, 2, ...
    for (std::size_t i = 1; i < t.requests.size(); ++i) EXPECT_EQ(t.requests[i].seq(), i - 1);
    EXPECT_EQ(t.client->requests_sent(), t.requests.size() - 1);
}

TEST(RtmptClientTransport, WriteNowStopsAtTheLimitAndWaitWritableResumes) {
    Tunnel t;
    t.serve([](const Request&) { return polling(1); });
    t.connect();
    ASSERT_TRUE(t.client);
    const Bytes data = random_bytes(RtmptClientTransport::write_limit + 1000, 2);
    const asio::const_buffer one[] = {asio::buffer(data)};
    const IoResult first = t.client->write_now(one);
    EXPECT_FALSE(first.error);
    EXPECT_EQ(first.bytes, RtmptClientTransport::write_limit);
    EXPECT_EQ(t.client->write_now(one).error, asio::error::would_block);
    EXPECT_FALSE(t.run(t.client->wait_writable()));
    EXPECT_LT(t.client->queued_bytes(), RtmptClientTransport::write_limit);
    const asio::const_buffer none[] = {asio::const_buffer()};
    EXPECT_FALSE(t.client->write_now(none).error);
}

// ---- receive ----

TEST(RtmptClientTransport, IdlePollsOnlyWhileAReaderWaitsAndDeliversServerBytesInOrder) {
    Tunnel t;
    int idles = 0;
    // Two empty answers, then the data in three pieces with an empty one between.
    t.serve([&](const Request& r) {
        if (r.kind() != "idle") return polling(1);
        ++idles;
        switch (idles) {
            case 3:
                return polling(1, "abc");
            case 4:
                return polling(5);
            case 5:
                return polling(1, "def");
            case 6:
                return polling(1, "ghij");
            default:
                return polling(1);
        }
    });
    t.connect();
    ASSERT_TRUE(t.client);
    t.run_for(30ms);
    EXPECT_EQ(idles, 0) << "nobody reads yet";
    Bytes got;
    const IoResult r = t.run(read_exactly(*t.client, got, 10));
    EXPECT_FALSE(r.error) << r.error.message();
    EXPECT_EQ(got, bytes_of("abcdefghij"));
    EXPECT_EQ(idles, 6);
    for (const Request& idle : t.requests_of("idle")) {
        EXPECT_EQ(idle.body(), Bytes{0});
        EXPECT_EQ(idle.target.rfind("/idle/3F29A1/", 0), 0u) << idle.target;
    }
    // The reader is satisfied: polling stops.
    t.run_for(50ms);
    EXPECT_EQ(idles, 6);
}

TEST(RtmptClientTransport, SendAnswersCarryServerBytesToo) {
    Tunnel t;
    t.serve([](const Request& r) { return r.kind() == "send" ? polling(1, "S0S1S2") : polling(1); });
    t.connect();
    ASSERT_TRUE(t.client);
    EXPECT_FALSE(t.run(write_all(*t.client, asio::buffer(std::string_view("C0C1")))).error);
    t.run_until([&] { return t.requests.size() == 2; });
    t.run_for(10ms);
    Bytes got(64);
    const IoResult r = t.client->read_now(asio::buffer(got));
    ASSERT_FALSE(r.error) << r.error.message();
    got.resize(r.bytes);
    EXPECT_EQ(got, bytes_of("S0S1S2"));
    EXPECT_EQ(t.requests_of("idle").size(), 0u);
}

TEST(RtmptClientTransport, EmptyIdleAnswersBackOff) {
    Tunnel t;
    std::vector<std::chrono::steady_clock::time_point> at;
    t.serve([&](const Request& r) {
        if (r.kind() == "idle") at.push_back(std::chrono::steady_clock::now());
        return polling(1);
    });
    t.connect();
    ASSERT_TRUE(t.client);
    Bytes buffer(16);
    asio::co_spawn(t.io, t.client->read_some(asio::buffer(buffer)), asio::detached);
    t.run_for(400ms);
    // Waits of 0, 5, 10, 20, 40, 80, 100, 100 ms ...: about 8 polls in 400 ms, never hundreds.
    EXPECT_LE(at.size(), 12u);
    ASSERT_GE(at.size(), 7u);
    EXPECT_GE(at[5] - at[4], 75ms);  // after the 5th empty answer
    EXPECT_GE(at[6] - at[5], 95ms);  // the cap
    t.client->close();
}

TEST(RtmptClientTransport, PollingByteZeroEndsTheStreamAfterItsBytes) {
    Tunnel t;
    t.serve([](const Request& r) { return r.kind() == "idle" ? polling(0, "bye") : polling(1); });
    t.connect();
    ASSERT_TRUE(t.client);
    Bytes got;
    EXPECT_EQ(t.run(read_to_end(*t.client, got)), asio::error::eof);
    EXPECT_EQ(got, bytes_of("bye"));
    const std::size_t requests = t.requests.size();
    const asio::const_buffer one[] = {asio::buffer(std::string_view("x"))};
    EXPECT_EQ(t.client->write_now(one).error, asio::error::broken_pipe);
    t.run_for(30ms);
    EXPECT_EQ(t.requests.size(), requests) << "no request after the session ended";
    EXPECT_TRUE(t.server_saw_end) << "the HTTP connection is closed";
}

TEST(RtmptClientTransport, Non200MidSessionIsAStickyErrorNamingTheRequest) {
    Tunnel t;
    t.serve([](const Request& r) { return r.kind() == "idle" ? status(500, bytes_of("oops")) : polling(1); });
    t.connect();
    ASSERT_TRUE(t.client);
    Bytes buffer(16);
    const IoResult r = t.run(t.client->read_some(asio::buffer(buffer)));
    EXPECT_EQ(r.error, make_error_code(RtmptErrc::http_status));
    EXPECT_NE(t.client->error_detail().find("/idle/3F29A1/0"), std::string::npos) << t.client->error_detail();
    EXPECT_NE(t.client->error_detail().find("500"), std::string::npos) << t.client->error_detail();
    const asio::const_buffer one[] = {asio::buffer(std::string_view("x"))};
    EXPECT_EQ(t.client->write_now(one).error, make_error_code(RtmptErrc::http_status));
}

TEST(RtmptClientTransport, GarbageOrAClosedConnectionMidSessionFailsReads) {
    {
        Tunnel t;
        t.serve([](const Request&) {
            Reply garbage;
            garbage.raw = "HTTP/1.1 two hundred\r\n\r\n";
            return garbage;
        });
        t.connect();
        ASSERT_TRUE(t.client);
        Bytes buffer(16);
        EXPECT_EQ(t.run(t.client->read_some(asio::buffer(buffer))).error,
                  make_error_code(RtmptErrc::bad_response));
    }
    {
        Tunnel t;
        t.serve([](const Request&) {
            Reply reply = polling(1, "ab");
            reply.close_after = true;
            return reply;
        });
        t.connect();
        ASSERT_TRUE(t.client);
        Bytes got;
        // What came before the connection closed is still delivered.
        EXPECT_EQ(t.run(read_to_end(*t.client, got)), make_error_code(RtmptErrc::connection_closed));
        EXPECT_EQ(got, bytes_of("ab"));
    }
}

TEST(RtmptClientTransport, CancelledReadSomeLosesAndDuplicatesNothing) {
    Tunnel t;
    const Bytes data = random_bytes(200 * 1000, 4);
    std::size_t offset = 0;
    std::mt19937 random(9);
    t.serve([&](const Request&) {
        const std::size_t n = std::min<std::size_t>(data.size() - offset, random() % 4000);
        Reply reply = polling(1);
        reply.body.insert(reply.body.end(), data.begin() + static_cast<std::ptrdiff_t>(offset),
                          data.begin() + static_cast<std::ptrdiff_t>(offset + n));
        offset += n;
        reply.delay = std::chrono::milliseconds(random() % 3);
        return reply;
    });
    t.connect();
    ASSERT_TRUE(t.client);
    Bytes got;
    int timeouts = 0;
    auto reader = [&]() -> asio::awaitable<error_code> {
        Bytes buffer(1500);
        asio::steady_timer deadline(t.io);
        while (got.size() < data.size()) {
            deadline.expires_after(1ms);
            auto raced =
                co_await (t.client->read_some(asio::buffer(buffer)) || deadline.async_wait(use_nothrow));
            if (raced.index() == 1) {
                ++timeouts;
                continue;
            }
            const IoResult r = std::get<0>(raced);
            if (r.error) co_return r.error;
            got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
        }
        co_return error_code{};
    };
    EXPECT_FALSE(t.run(reader(), 30s));
    EXPECT_TRUE(got == data) << got.size() << " of " << data.size() << " bytes";
    EXPECT_GT(timeouts, 0);
}

// ---- shutdown and close ----

TEST(RtmptClientTransport, ShutdownSendFlushesThenClosesTheSession) {
    Tunnel t;
    t.serve([](const Request& r) { return r.kind() == "close" ? polling(0, "last") : polling(1); });
    t.connect();
    ASSERT_TRUE(t.client);
    const asio::const_buffer one[] = {asio::buffer(std::string_view("tail"))};
    EXPECT_EQ(t.client->write_now(one).bytes, 4u);
    t.client->shutdown_send();
    EXPECT_EQ(t.client->write_now(one).error, asio::error::shut_down);
    Bytes got;
    EXPECT_EQ(t.run(read_to_end(*t.client, got)), asio::error::eof);
    EXPECT_EQ(got, bytes_of("last"));
    ASSERT_EQ(t.requests.size(), 3u);
    EXPECT_EQ(t.requests[1].target, "/send/3F29A1/0");
    EXPECT_EQ(t.requests[1].body(), bytes_of("tail"));
    EXPECT_EQ(t.requests[2].target, "/close/3F29A1/1");
    EXPECT_EQ(t.requests[2].body(), Bytes{0});
}

TEST(RtmptClientTransport, CloseSendsTheQueueAndCloseInTheBackground) {
    Tunnel t;
    t.serve([](const Request&) { return polling(1); });
    t.connect();
    ASSERT_TRUE(t.client);
    Bytes buffer(16);
    auto pending_read = std::make_shared<std::optional<IoResult>>();
    asio::co_spawn(t.io, t.client->read_some(asio::buffer(buffer)),
                   [pending_read](std::exception_ptr, IoResult r) { *pending_read = r; });
    t.run_for(20ms);
    const asio::const_buffer one[] = {asio::buffer(std::string_view("bye"))};
    EXPECT_EQ(t.client->write_now(one).bytes, 3u);
    t.client->close();
    t.client->close();  // idempotent
    EXPECT_EQ(t.client->write_now(one).error, asio::error::bad_descriptor);
    t.client.reset();  // the pump, not the transport, finishes the job
    t.run_until([&] { return t.server_saw_end && pending_read->has_value(); });
    ASSERT_TRUE(pending_read->has_value());
    EXPECT_EQ((*pending_read)->error, asio::error::operation_aborted);
    ASSERT_GE(t.requests.size(), 3u);
    EXPECT_EQ(t.requests[t.requests.size() - 2].kind(), "send");
    EXPECT_EQ(t.requests[t.requests.size() - 2].body(), bytes_of("bye"));
    EXPECT_EQ(t.requests.back().kind(), "close");
    EXPECT_TRUE(t.server_saw_end);
}

TEST(RtmptClientTransport, CloseIsBoundedWhenTheServerStopsAnswering) {
    Tunnel t;
    t.serve([](const Request& r) {
        Reply reply;
        reply.hang = r.kind() == "close";
        reply.body = {1};
        return reply;
    });
    t.connect();
    ASSERT_TRUE(t.client);
    const auto start = std::chrono::steady_clock::now();
    t.client->close();
    t.client.reset();
    t.run_until([&] { return t.server_saw_end; });
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(t.server_saw_end);
    EXPECT_EQ(t.requests.back().kind(), "close");
    EXPECT_GE(took, RtmptClientTransport::close_linger - 50ms);
    EXPECT_LT(took, RtmptClientTransport::close_linger + 1s);
}

}  // namespace
}  // namespace sluice::net
