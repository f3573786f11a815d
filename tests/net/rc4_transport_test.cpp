// net::Rc4Transport: over net::MemoryTransport (the bytes on the "wire" are
// visible: encrypted, keystream in step, clear prefix, leftover decryption,
// close) and over a loopback TCP pair (127.0.0.1 only) with small socket
// buffers, so the pending buffer fills: megabytes each way in order, the
// background flush of an idle writer, shutdown_send(), and close() with its
// linger and its wake-up of a waiting reader.
#include "net/rc4_transport.hpp"

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "net/memory_transport.hpp"
#include "net/tcp_transport.hpp"

namespace sluice::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Bytes = std::vector<std::uint8_t>;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

const Bytes key_up = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                      0x98, 0xA9, 0xBA, 0xCB, 0xDC, 0xED, 0xFE, 0x0F};
const Bytes key_down = {0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5, 0x96, 0x87,
                        0x78, 0x69, 0x5A, 0x4B, 0x3C, 0x2D, 0x1E, 0x0F};

rtmp::Rc4Cipher cipher(const Bytes& key) {
    rtmp::Rc4Cipher c(key);
    c.discard(1536);  // as RTMPE does; any common start would do
    return c;
}

Bytes random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    Bytes bytes(size);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
    return bytes;
}

Bytes encrypted(rtmp::Rc4Cipher& c, Bytes bytes) {
    c.apply(bytes);
    return bytes;
}

// ---- over MemoryTransport ----

struct OverMemory {
    OverMemory(std::span<const std::uint8_t> prefix = {}) {
        auto inner = std::make_unique<MemoryTransport>(io.get_executor());
        memory = inner.get();
        rc4 = std::make_unique<Rc4Transport>(std::move(inner), cipher(key_up), cipher(key_down), prefix);
    }
    asio::io_context io;
    MemoryTransport* memory = nullptr;  ///< owned by rc4
    std::unique_ptr<Rc4Transport> rc4;
};

TEST(Rc4Transport, WritesCiphertextThePeerCanDecrypt) {
    OverMemory m;
    const Bytes first = random_bytes(1000, 1);
    const Bytes second = random_bytes(3000, 2);
    const asio::const_buffer two[] = {asio::buffer(first), asio::buffer(second)};
    const IoResult r = m.rc4->write_now(two);
    ASSERT_FALSE(r.error) << r.error.message();
    EXPECT_EQ(r.bytes, 4000u);
    EXPECT_EQ(m.rc4->pending_bytes(), 0u);

    Bytes plain = first;
    plain.insert(plain.end(), second.begin(), second.end());
    const Bytes& wire = m.memory->written();
    ASSERT_EQ(wire.size(), plain.size());
    EXPECT_NE(wire, plain);
    rtmp::Rc4Cipher peer_in = cipher(key_down);
    EXPECT_EQ(encrypted(peer_in, wire), plain);
}

TEST(Rc4Transport, ReadsDecryptAfterTheLeftoverTheCallerHeld) {
    OverMemory m;
    const Bytes plain = random_bytes(5000, 3);
    rtmp::Rc4Cipher peer_out = cipher(key_up);
    Bytes wire = encrypted(peer_out, plain);

    // The first 100 bytes arrived with the handshake's last packet and were
    // read before wrapping; the rest comes through the transport in pieces.
    Bytes leftover(wire.begin(), wire.begin() + 100);
    m.rc4->decrypt_in_place(leftover);
    EXPECT_TRUE(std::equal(leftover.begin(), leftover.end(), plain.begin()));
    m.memory->feed(std::span(wire).subspan(100, 1900));
    m.memory->feed(std::span(wire).subspan(2000));

    Bytes got = leftover;
    Bytes buffer(700);
    const IoResult now = m.rc4->read_now(asio::buffer(buffer));
    ASSERT_FALSE(now.error);
    got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(now.bytes));
    asio::co_spawn(
        m.io,
        [&]() -> asio::awaitable<void> {
            while (got.size() < plain.size()) {
                const IoResult r = co_await m.rc4->read_some(asio::buffer(buffer));
                if (r.error) {
                    ADD_FAILURE() << r.error.message();
                    co_return;
                }
                got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
            }
        },
        asio::detached);
    m.io.run_for(5s);
    EXPECT_EQ(got, plain);
    EXPECT_EQ(m.rc4->read_now(asio::buffer(buffer)).error, asio::error::would_block);
}

TEST(Rc4Transport, ClearPrefixGoesFirstUnencrypted) {
    const Bytes c2 = random_bytes(1536, 4);  // e.g. a client's C2 not yet written
    OverMemory m(c2);
    EXPECT_EQ(m.memory->written(), c2);
    const Bytes connect = random_bytes(200, 5);
    const asio::const_buffer one[] = {asio::buffer(connect)};
    ASSERT_EQ(m.rc4->write_now(one).bytes, connect.size());
    const Bytes& wire = m.memory->written();
    ASSERT_EQ(wire.size(), c2.size() + connect.size());
    rtmp::Rc4Cipher peer_in = cipher(key_down);
    EXPECT_EQ(encrypted(peer_in, Bytes(wire.begin() + 1536, wire.end())), connect);
}

TEST(Rc4Transport, ShutdownAndClosePassThrough) {
    OverMemory m;
    const asio::const_buffer none[] = {asio::const_buffer()};
    EXPECT_EQ(m.rc4->write_now(none).bytes, 0u);
    EXPECT_EQ(m.rc4->peer(), "memory");
    m.rc4->shutdown_send();
    EXPECT_TRUE(m.memory->send_shut());
    const Bytes data = {1, 2, 3};
    const asio::const_buffer one[] = {asio::buffer(data)};
    EXPECT_EQ(m.rc4->write_now(one).error, asio::error::shut_down);
    m.rc4->close();
    m.rc4->close();
    EXPECT_TRUE(m.memory->closed());
    std::uint8_t byte;
    EXPECT_EQ(m.rc4->read_now(asio::buffer(&byte, 1)).error, asio::error::bad_descriptor);
    EXPECT_EQ(m.rc4->write_now(one).error, asio::error::bad_descriptor);
}

TEST(Rc4Transport, InnerEofPassesThrough) {
    OverMemory m;
    m.memory->feed_eof();
    std::optional<IoResult> read;
    asio::co_spawn(
        m.io,
        [&]() -> asio::awaitable<void> {
            std::uint8_t byte;
            read = co_await m.rc4->read_some(asio::buffer(&byte, 1));
        },
        asio::detached);
    m.io.run_for(5s);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->error, asio::error::eof);
}

// ---- over loopback TCP ----

/// A connected loopback pair with small kernel buffers, both ends wrapped.
struct Loopback {
    Loopback() : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {
        tcp::socket client_socket(io);
        client_socket.connect(acceptor.local_endpoint());
        tcp::socket server_socket = acceptor.accept();
        for (tcp::socket* s : {&client_socket, &server_socket}) {
            s->set_option(tcp::socket::send_buffer_size(65536));
            s->set_option(tcp::socket::receive_buffer_size(65536));
        }
        client = std::make_unique<Rc4Transport>(std::make_unique<TcpTransport>(std::move(client_socket)),
                                                cipher(key_down), cipher(key_up));
        server = std::make_unique<Rc4Transport>(std::make_unique<TcpTransport>(std::move(server_socket)),
                                                cipher(key_up), cipher(key_down));
    }

    void run_for(std::chrono::steady_clock::duration limit) {
        io.restart();
        io.run_for(limit);
        EXPECT_TRUE(io.stopped()) << "still running after the time limit";
    }

    asio::io_context io;
    tcp::acceptor acceptor;
    std::unique_ptr<Rc4Transport> client;
    std::unique_ptr<Rc4Transport> server;
};

/// server::Session's pattern: write_now() until would_block, then wait_writable().
asio::awaitable<void> write_like_session(Transport& transport, const Bytes& data, int& would_blocks) {
    std::mt19937 random(7);
    std::size_t offset = 0;
    while (offset < data.size()) {
        const std::size_t n = std::min<std::size_t>(data.size() - offset, 1 + random() % 70000);
        const asio::const_buffer buffers[] = {asio::buffer(data.data() + offset, n / 2),
                                              asio::buffer(data.data() + offset + n / 2, n - n / 2)};
        const IoResult r = transport.write_now(buffers);
        if (r.error == asio::error::would_block) {
            ++would_blocks;
            const error_code ec = co_await transport.wait_writable();
            if (ec) {
                ADD_FAILURE() << "wait_writable: " << ec.message();
                co_return;
            }
            continue;
        }
        if (r.error) {
            ADD_FAILURE() << "write_now: " << r.error.message();
            co_return;
        }
        offset += r.bytes;
    }
}

/// Reads until `expected` bytes, pausing now and then like a slow player.
asio::awaitable<void> read_slowly(Transport& transport, Bytes& out, std::size_t expected) {
    Bytes buffer(24 * 1024);
    asio::steady_timer pause(co_await asio::this_coro::executor);
    int reads = 0;
    while (out.size() < expected) {
        IoResult r = transport.read_now(asio::buffer(buffer));
        if (r.error == asio::error::would_block) r = co_await transport.read_some(asio::buffer(buffer));
        if (r.error) {
            ADD_FAILURE() << "read after " << out.size() << " bytes: " << r.error.message();
            co_return;
        }
        out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
        if (++reads % 16 == 0) {
            pause.expires_after(1ms);
            co_await pause.async_wait(use_nothrow);
        }
    }
}

asio::awaitable<error_code> read_to_end(Transport& transport, Bytes& out) {
    Bytes buffer(16 * 1024);
    while (true) {
        const IoResult r = co_await transport.read_some(asio::buffer(buffer));
        if (r.error) co_return r.error;
        out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
    }
}

TEST(Rc4Transport, MovesMegabytesEachWayInOrderWithASlowReader) {
    Loopback loop;
    const std::size_t size = 4 << 20;
    const Bytes down = random_bytes(size, 10);
    const Bytes up = random_bytes(size, 11);
    Bytes got_down, got_up;
    int would_blocks = 0;
    asio::co_spawn(loop.io, write_like_session(*loop.server, down, would_blocks), asio::detached);
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            const IoResult r = co_await write_all(*loop.client, asio::buffer(up));
            EXPECT_FALSE(r.error) << r.error.message();
        },
        asio::detached);
    asio::co_spawn(loop.io, read_slowly(*loop.client, got_down, size), asio::detached);
    asio::co_spawn(loop.io, read_slowly(*loop.server, got_up, size), asio::detached);
    loop.run_for(60s);
    EXPECT_TRUE(got_down == down) << "server -> client: " << got_down.size() << " bytes, or bytes differ";
    EXPECT_TRUE(got_up == up) << "client -> server: " << got_up.size() << " bytes, or bytes differ";
    EXPECT_GT(would_blocks, 0) << "the pending buffer never filled";
}

TEST(Rc4Transport, PendingBytesGoOutWhileTheWriterIsIdle) {
    Loopback loop;
    // One write_now() well below the pending limit but far above the socket
    // buffers; the writer never calls again. The flusher must finish it.
    const Bytes data = random_bytes(200 * 1000, 12);
    const asio::const_buffer one[] = {asio::buffer(data)};
    const IoResult r = loop.server->write_now(one);
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.bytes, data.size());
    EXPECT_GT(loop.server->pending_bytes(), 0u);
    Bytes got;
    asio::co_spawn(loop.io, read_slowly(*loop.client, got, data.size()), asio::detached);
    loop.run_for(20s);
    EXPECT_TRUE(got == data) << got.size() << " bytes";
    EXPECT_EQ(loop.server->pending_bytes(), 0u);
}

TEST(Rc4Transport, ShutdownSendEndsThePeersReadsAfterTheData) {
    Loopback loop;
    const Bytes up = random_bytes(300 * 1000, 13);
    Bytes got;
    error_code end;
    // Accepted into pending, then half-closed at once: the FIN must wait
    // for the pending bytes.
    const asio::const_buffer one[] = {asio::buffer(up)};
    std::size_t accepted = 0;
    while (accepted < up.size()) {
        const asio::const_buffer rest[] = {asio::buffer(up.data() + accepted, up.size() - accepted)};
        const IoResult r = loop.client->write_now(rest);
        if (r.error == asio::error::would_block) break;
        ASSERT_FALSE(r.error);
        accepted += r.bytes;
    }
    ASSERT_GT(loop.client->pending_bytes(), 0u);
    loop.client->shutdown_send();
    EXPECT_EQ(loop.client->write_now(one).error, asio::error::shut_down);
    asio::co_spawn(
        loop.io, [&]() -> asio::awaitable<void> { end = co_await read_to_end(*loop.server, got); },
        asio::detached);
    loop.run_for(20s);
    EXPECT_EQ(end, asio::error::eof) << end.message();
    ASSERT_EQ(got.size(), accepted);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), up.begin()));
}

TEST(Rc4Transport, CloseDeliversPendingBytesThenEof) {
    Loopback loop;
    const Bytes data = random_bytes(4 << 20, 14);
    std::size_t accepted = 0;
    while (accepted < data.size()) {
        const asio::const_buffer one[] = {
            asio::buffer(data.data() + accepted, std::min<std::size_t>(data.size() - accepted, 60000))};
        const IoResult r = loop.server->write_now(one);
        if (r.error == asio::error::would_block) break;
        ASSERT_FALSE(r.error) << r.error.message();
        accepted += r.bytes;
    }
    ASSERT_LT(accepted, data.size()) << "the transport never filled up";
    EXPECT_GE(loop.server->pending_bytes(), Rc4Transport::pending_limit);
    loop.server->close();
    loop.server.reset();  // the linger outlives the transport
    Bytes got;
    error_code end;
    asio::co_spawn(
        loop.io, [&]() -> asio::awaitable<void> { end = co_await read_to_end(*loop.client, got); },
        asio::detached);
    loop.run_for(20s);
    EXPECT_EQ(end, asio::error::eof) << end.message();
    ASSERT_EQ(got.size(), accepted);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin()));
}

TEST(Rc4Transport, CloseWakesAWaitingReaderWhileLingering) {
    Loopback loop;
    // Pending bytes keep the inner socket open after close(); the waiting
    // read must still end at once.
    const Bytes data = random_bytes(1 << 20, 15);
    const asio::const_buffer one[] = {asio::buffer(data)};
    const IoResult written = loop.server->write_now(one);
    ASSERT_FALSE(written.error);
    ASSERT_GT(loop.server->pending_bytes(), 0u);
    std::optional<IoResult> read;
    auto closed_at = std::chrono::steady_clock::now();
    auto read_ended_at = closed_at;
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            std::uint8_t byte;
            read = co_await loop.server->read_some(asio::buffer(&byte, 1));
            read_ended_at = std::chrono::steady_clock::now();
        },
        asio::detached);
    asio::steady_timer later(loop.io, 20ms);
    later.async_wait([&](error_code) {
        closed_at = std::chrono::steady_clock::now();
        loop.server->close();
    });
    // The peer drains the linger after a while, so the run ends.
    Bytes got;
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer pause(loop.io, 300ms);
            co_await pause.async_wait(use_nothrow);
            co_await read_to_end(*loop.client, got);
        },
        asio::detached);
    loop.run_for(20s);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->error, asio::error::operation_aborted) << read->error.message();
    EXPECT_LT(read_ended_at - closed_at, 200ms);
    ASSERT_EQ(got.size(), written.bytes);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin()));
}

}  // namespace
}  // namespace sluice::net
