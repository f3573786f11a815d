// net::TlsTransport and the TLS contexts over real loopback sockets
// (127.0.0.1 only). Certificates are made here with the OpenSSL 3 API, so
// the test needs no fixture files and no network: a self-signed "localhost"
// certificate (SAN DNS:localhost, IP:127.0.0.1) and one for "other.example".
// Covers the handshake and its failures (verification, garbage, silence,
// cancellation), 8 MiB each way with the write/read patterns of
// server::Session and client::Client, cancellation safety of read_some()
// and write_some() in `||` races, half-close, close() and its linger.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "net/tls_context.hpp"
#include "net/tls_transport.hpp"

namespace sluice::net {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

// ---- certificates ----

struct PemFiles {
    std::string cert;
    std::string key;
};

/// Writes a self-signed EC P-256 certificate (usable as its own CA) and its key.
PemFiles make_certificate(const fs::path& dir, const std::string& stem, const std::string& common_name,
                          const std::string& subject_alt_names) {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    X509* cert = X509_new();
    EXPECT_TRUE(key && cert);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert),
                     static_cast<long>(std::hash<std::string>{}(stem)&0x7fffffff));
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    const std::pair<int, std::string> extensions[] = {
        {NID_subject_alt_name, subject_alt_names},
        {NID_basic_constraints, "critical,CA:TRUE"},
        {NID_key_usage, "critical,digitalSignature,keyCertSign"},
        {NID_subject_key_identifier, "hash"},
    };
    for (const auto& [nid, value] : extensions) {
        X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        EXPECT_NE(extension, nullptr) << value;
        X509_add_ext(cert, extension, -1);
        X509_EXTENSION_free(extension);
    }
    EXPECT_GT(X509_sign(cert, key, EVP_sha256()), 0);
    PemFiles files{(dir / (stem + ".crt")).string(), (dir / (stem + ".key")).string()};
    std::FILE* out = std::fopen(files.cert.c_str(), "wb");
    PEM_write_X509(out, cert);
    std::fclose(out);
    out = std::fopen(files.key.c_str(), "wb");
    PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(out);
    X509_free(cert);
    EVP_PKEY_free(key);
    return files;
}

/// The certificates, made once for the whole binary.
struct Certificates {
    Certificates() {
        std::string pattern = (fs::temp_directory_path() / "sluice-tls-XXXXXX").string();
        dir = mkdtemp(pattern.data());
        localhost = make_certificate(dir, "localhost", "localhost", "DNS:localhost,IP:127.0.0.1");
        other = make_certificate(dir, "other", "other.example", "DNS:other.example");
    }
    ~Certificates() {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
    fs::path dir;
    PemFiles localhost;
    PemFiles other;
};

const Certificates& certificates() {
    static const Certificates made;
    return made;
}

std::shared_ptr<const TlsServerContext> server_context(const PemFiles& files) {
    auto loaded = TlsServerContext::load(files.cert, files.key);
    EXPECT_TRUE(loaded.ok()) << (loaded ? "" : loaded.error().message);
    return loaded ? *loaded : nullptr;
}

std::shared_ptr<const TlsClientContext> client_context(TlsClientSettings settings) {
    auto created = TlsClientContext::create(settings);
    EXPECT_TRUE(created.ok()) << (created ? "" : created.error().message);
    return created ? *created : nullptr;
}

std::shared_ptr<const TlsClientContext> trusting(const PemFiles& files) {
    return client_context({.insecure = false, .ca_file = files.cert});
}

std::vector<std::uint8_t> random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::vector<std::uint8_t> bytes(size);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
    return bytes;
}

// ---- loopback ----

using Handshake = TlsResult<std::unique_ptr<TlsTransport>>;

/// An io_context (one thread: this one) with a connected loopback TCP pair.
struct Loopback {
    Loopback()
        : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}), client_socket(io), server_socket(io) {
        client_socket.connect(acceptor.local_endpoint());
        server_socket = acceptor.accept();
    }

    /// Runs both handshakes to the end (or 10 s).
    void handshake(const TlsServerContext& server_ctx, const TlsClientContext& client_ctx, std::string host) {
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                server_result.emplace(co_await TlsTransport::accept(std::move(server_socket), server_ctx));
            },
            asio::detached);
        asio::co_spawn(
            io,
            [&, host]() -> asio::awaitable<void> {
                client_result.emplace(
                    co_await TlsTransport::connect(std::move(client_socket), client_ctx, host));
            },
            asio::detached);
        run_for(10s);
    }

    /// Handshakes that must succeed; the transports land in server/client.
    void connect(const PemFiles& files = certificates().localhost) {
        auto server_ctx = server_context(files);
        auto client_ctx = trusting(files);
        ASSERT_TRUE(server_ctx && client_ctx);
        handshake(*server_ctx, *client_ctx, "localhost");
        ASSERT_TRUE(server_result && client_result);
        ASSERT_TRUE(server_result->ok()) << server_result->error().message;
        ASSERT_TRUE(client_result->ok()) << client_result->error().message;
        server = std::move(**server_result);
        client = std::move(**client_result);
    }

    /// Runs the io_context until it has no work or `limit` passed (a hang
    /// fails the test instead of blocking it).
    void run_for(std::chrono::steady_clock::duration limit) {
        io.restart();
        io.run_for(limit);
        EXPECT_TRUE(io.stopped()) << "still running after the time limit";
    }

    asio::io_context io;
    tcp::acceptor acceptor;
    tcp::socket client_socket;
    tcp::socket server_socket;
    std::optional<Handshake> server_result;
    std::optional<Handshake> client_result;
    std::unique_ptr<TlsTransport> server;
    std::unique_ptr<TlsTransport> client;
};

/// Session's pattern: write_now() until would_block, then wait_writable().
/// Each call hands over two buffers (the gather write of an RTMP output).
asio::awaitable<void> write_like_session(Transport& transport, const std::vector<std::uint8_t>& data,
                                         int& would_blocks) {
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

/// Client's pattern: write_now() first, then write_some() while full.
asio::awaitable<void> write_like_client(Transport& transport, const std::vector<std::uint8_t>& data) {
    std::mt19937 random(11);
    std::size_t offset = 0;
    while (offset < data.size()) {
        const std::size_t n = std::min<std::size_t>(data.size() - offset, 1 + random() % 50000);
        const asio::const_buffer one[] = {asio::buffer(data.data() + offset, n)};
        IoResult r = transport.write_now(one);
        if (r.error == asio::error::would_block) r = co_await transport.write_some(one);
        if (r.error) {
            ADD_FAILURE() << "write: " << r.error.message();
            co_return;
        }
        offset += r.bytes;
    }
}

/// read_now() until would_block, then read_some(); stops at `expected` bytes.
asio::awaitable<void> read_until(Transport& transport, std::vector<std::uint8_t>& out, std::size_t expected) {
    std::vector<std::uint8_t> buffer(24 * 1024);
    while (out.size() < expected) {
        IoResult r = transport.read_now(asio::buffer(buffer));
        if (r.error == asio::error::would_block) r = co_await transport.read_some(asio::buffer(buffer));
        if (r.error) {
            ADD_FAILURE() << "read after " << out.size() << " bytes: " << r.error.message();
            co_return;
        }
        out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
    }
}

/// Reads until an error; returns it (eof expected) with the bytes in `out`.
asio::awaitable<error_code> read_to_end(Transport& transport, std::vector<std::uint8_t>& out) {
    std::vector<std::uint8_t> buffer(16 * 1024);
    while (true) {
        const IoResult r = co_await transport.read_some(asio::buffer(buffer));
        if (r.error) co_return r.error;
        out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
    }
}

// ---- tests ----

TEST(TlsTransport, HandshakeNegotiatesTls13AndNamesThePeer) {
    Loopback loop;
    loop.connect();
    ASSERT_TRUE(loop.server && loop.client);
    EXPECT_EQ(loop.client->protocol_version(), "TLSv1.3");
    EXPECT_EQ(loop.server->peer().rfind("127.0.0.1:", 0), 0u) << loop.server->peer();
    EXPECT_EQ(loop.client->peer(), "127.0.0.1:" + std::to_string(loop.acceptor.local_endpoint().port()));
}

TEST(TlsTransport, MovesEightMegabytesEachWayConcurrently) {
    Loopback loop;
    loop.connect();
    ASSERT_TRUE(loop.server && loop.client);
    const std::size_t size = 8 << 20;
    const auto down = random_bytes(size, 1);  // server -> client, Session's pattern
    const auto up = random_bytes(size, 2);    // client -> server, Client's pattern
    std::vector<std::uint8_t> got_down, got_up;
    int would_blocks = 0;
    asio::co_spawn(loop.io, write_like_session(*loop.server, down, would_blocks), asio::detached);
    asio::co_spawn(loop.io, write_like_client(*loop.client, up), asio::detached);
    asio::co_spawn(loop.io, read_until(*loop.client, got_down, size), asio::detached);
    asio::co_spawn(loop.io, read_until(*loop.server, got_up, size), asio::detached);
    loop.run_for(60s);
    EXPECT_TRUE(got_down == down) << "server -> client: " << got_down.size() << " bytes differ";
    EXPECT_TRUE(got_up == up) << "client -> server: " << got_up.size() << " bytes differ";
    // The socket filled up at least once: wait_writable() was exercised.
    EXPECT_GT(would_blocks, 0);
}

TEST(TlsTransport, CancelledReadSomeLosesAndDuplicatesNothing) {
    Loopback loop;
    loop.connect();
    ASSERT_TRUE(loop.server && loop.client);
    const auto data = random_bytes(300 * 1000, 3);
    std::vector<std::uint8_t> got;
    int timeouts = 0, reads = 0;
    // The server trickles data in chunks of random size at random pauses
    // around the reader's 10 ms deadline, so reads and deadlines collide.
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            std::mt19937 random(5);
            asio::steady_timer pause(loop.io);
            std::size_t offset = 0;
            while (offset < data.size()) {
                const std::size_t n = std::min<std::size_t>(data.size() - offset, 1 + random() % 3000);
                const IoResult r = co_await write_all(*loop.server, asio::buffer(data.data() + offset, n));
                if (r.error) co_return;
                offset += n;
                pause.expires_after(std::chrono::microseconds(random() % 12000));
                co_await pause.async_wait(use_nothrow);
            }
        },
        asio::detached);
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            std::vector<std::uint8_t> buffer(1000);  // smaller than a chunk: data waits inside TLS too
            asio::steady_timer deadline(loop.io);
            while (got.size() < data.size()) {
                deadline.expires_after(10ms);
                auto raced = co_await (loop.client->read_some(asio::buffer(buffer)) ||
                                       deadline.async_wait(use_nothrow));
                if (raced.index() == 1) {
                    ++timeouts;
                    continue;
                }
                const IoResult r = std::get<0>(raced);
                if (r.error) {
                    ADD_FAILURE() << r.error.message();
                    co_return;
                }
                ++reads;
                got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
            }
        },
        asio::detached);
    loop.run_for(60s);
    EXPECT_TRUE(got == data) << got.size() << " of " << data.size() << " bytes, or bytes differ";
    EXPECT_GT(timeouts, 10);
    EXPECT_GT(reads, 10);
}

TEST(TlsTransport, CancelledWriteSomeLosesAndDuplicatesNothing) {
    Loopback loop;
    loop.connect();
    ASSERT_TRUE(loop.server && loop.client);
    const auto data = random_bytes(6 << 20, 4);
    std::vector<std::uint8_t> got;
    int timeouts = 0;
    // The server reads in bursts with pauses, so the client's write_some()
    // often waits on a full transport when its 2 ms deadline fires.
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            std::vector<std::uint8_t> buffer(64 * 1024);
            asio::steady_timer pause(loop.io);
            while (got.size() < data.size()) {
                const IoResult r = co_await loop.server->read_some(asio::buffer(buffer));
                if (r.error) {
                    ADD_FAILURE() << r.error.message();
                    co_return;
                }
                got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
                pause.expires_after(1ms);
                co_await pause.async_wait(use_nothrow);
            }
        },
        asio::detached);
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer deadline(loop.io);
            std::size_t offset = 0;
            while (offset < data.size()) {
                const asio::const_buffer one[] = {
                    asio::buffer(data.data() + offset, std::min<std::size_t>(data.size() - offset, 100000))};
                deadline.expires_after(2ms);
                auto raced = co_await (loop.client->write_some(one) || deadline.async_wait(use_nothrow));
                if (raced.index() == 1) {
                    ++timeouts;
                    continue;  // the same bytes again: nothing of them may have been taken
                }
                const IoResult r = std::get<0>(raced);
                if (r.error) {
                    ADD_FAILURE() << r.error.message();
                    co_return;
                }
                offset += r.bytes;
            }
        },
        asio::detached);
    loop.run_for(60s);
    EXPECT_TRUE(got == data) << got.size() << " of " << data.size() << " bytes, or bytes differ";
    EXPECT_GT(timeouts, 0);
}

TEST(TlsTransport, ShutdownSendEndsThePeersReadsAfterTheData) {
    Loopback loop;
    loop.connect();
    ASSERT_TRUE(loop.server && loop.client);
    const auto up = random_bytes(100 * 1000, 6);
    const auto down = random_bytes(5000, 7);
    std::vector<std::uint8_t> got_up, got_down;
    error_code server_end, client_end;
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            const IoResult r = co_await write_all(*loop.client, asio::buffer(up));
            EXPECT_FALSE(r.error);
            loop.client->shutdown_send();
            // Half-closed: the client still reads what the server sends.
            client_end = co_await read_to_end(*loop.client, got_down);
        },
        asio::detached);
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            server_end = co_await read_to_end(*loop.server, got_up);
            const IoResult r = co_await write_all(*loop.server, asio::buffer(down));
            EXPECT_FALSE(r.error) << r.error.message();
            loop.server->shutdown_send();
        },
        asio::detached);
    loop.run_for(20s);
    EXPECT_EQ(server_end, asio::error::eof) << server_end.message();
    EXPECT_EQ(client_end, asio::error::eof) << client_end.message();
    EXPECT_TRUE(got_up == up);
    EXPECT_TRUE(got_down == down);
    // After shutdown_send() writes fail; close() twice is fine; then everything fails.
    const asio::const_buffer one[] = {asio::buffer(down)};
    EXPECT_TRUE(loop.client->write_now(one).error);
    loop.client->close();
    loop.client->close();
    std::uint8_t byte;
    EXPECT_EQ(loop.client->read_now(asio::buffer(&byte, 1)).error, asio::error::bad_descriptor);
    EXPECT_EQ(loop.client->write_now(one).error, asio::error::bad_descriptor);
    loop.server->close();
    loop.server.reset();
    loop.client.reset();
}

TEST(TlsTransport, EmptyBuffersMoveNothingAtOnce) {
    Loopback loop;
    loop.connect();
    ASSERT_TRUE(loop.server && loop.client);
    const asio::const_buffer none[] = {asio::const_buffer()};
    const IoResult now = loop.client->write_now(none);
    EXPECT_FALSE(now.error) << now.error.message();
    EXPECT_EQ(now.bytes, 0u);
    std::optional<IoResult> some;
    asio::co_spawn(
        loop.io, [&]() -> asio::awaitable<void> { some = co_await loop.client->write_some(none); },
        asio::detached);
    loop.run_for(5s);
    ASSERT_TRUE(some);
    EXPECT_FALSE(some->error);
    EXPECT_EQ(some->bytes, 0u);
    EXPECT_EQ(loop.server->read_now(asio::mutable_buffer()).bytes, 0u);
}

TEST(TlsTransport, CloseDeliversPendingCiphertextThenEof) {
    Loopback loop;
    loop.connect();
    ASSERT_TRUE(loop.server && loop.client);
    // Fill the kernel buffers and the pending ciphertext without the server
    // reading, then close(): the tail must still arrive, then EOF.
    const auto data = random_bytes(32 << 20, 8);
    std::size_t accepted = 0;
    while (accepted < data.size()) {
        const asio::const_buffer one[] = {
            asio::buffer(data.data() + accepted, std::min<std::size_t>(data.size() - accepted, 60000))};
        const IoResult r = loop.client->write_now(one);
        if (r.error == asio::error::would_block) break;
        ASSERT_FALSE(r.error) << r.error.message();
        accepted += r.bytes;
    }
    ASSERT_LT(accepted, data.size()) << "the transport never filled up";
    EXPECT_GE(loop.client->pending_bytes(), TlsTransport::pending_limit);
    loop.client->close();
    loop.client.reset();  // the linger outlives the transport
    std::vector<std::uint8_t> got;
    error_code end;
    asio::co_spawn(
        loop.io, [&]() -> asio::awaitable<void> { end = co_await read_to_end(*loop.server, got); },
        asio::detached);
    loop.run_for(20s);
    EXPECT_EQ(end, asio::error::eof) << end.message();
    ASSERT_EQ(got.size(), accepted);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin()));
}

TEST(TlsTransport, CloseWakesAWaitingReader) {
    Loopback loop;
    loop.connect();
    ASSERT_TRUE(loop.server && loop.client);
    std::optional<IoResult> read;
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            std::uint8_t byte;
            read = co_await loop.server->read_some(asio::buffer(&byte, 1));
        },
        asio::detached);
    asio::steady_timer later(loop.io, 20ms);
    later.async_wait([&](error_code) { loop.server->close(); });
    loop.run_for(5s);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->error, asio::error::operation_aborted) << read->error.message();
}

TEST(TlsTransport, ClientVerifiesTheCertificateAndTheHostName) {
    const auto& certs = certificates();
    {
        SCOPED_TRACE("trusted CA, IP address checked against the IP SAN");
        Loopback loop;
        auto server_ctx = server_context(certs.localhost);
        loop.handshake(*server_ctx, *trusting(certs.localhost), "127.0.0.1");
        ASSERT_TRUE(loop.client_result && loop.server_result);
        EXPECT_TRUE(loop.client_result->ok()) << loop.client_result->error().message;
        EXPECT_TRUE(loop.server_result->ok()) << loop.server_result->error().message;
    }
    {
        SCOPED_TRACE("certificate for another name");
        Loopback loop;
        auto server_ctx = server_context(certs.other);
        loop.handshake(*server_ctx, *trusting(certs.other), "localhost");
        ASSERT_TRUE(loop.client_result && loop.server_result);
        ASSERT_FALSE(loop.client_result->ok());
        const std::string& message = loop.client_result->error().message;
        EXPECT_NE(message.find("certificate verification failed for localhost"), std::string::npos)
            << message;
        EXPECT_NE(message.find("mismatch"), std::string::npos) << message;
        EXPECT_FALSE(loop.server_result->ok());  // the client's alert ends it
    }
    {
        SCOPED_TRACE("self-signed certificate against the system store");
        Loopback loop;
        auto server_ctx = server_context(certs.localhost);
        loop.handshake(*server_ctx, *client_context({}), "localhost");
        ASSERT_TRUE(loop.client_result);
        ASSERT_FALSE(loop.client_result->ok());
        const std::string& message = loop.client_result->error().message;
        EXPECT_NE(message.find("certificate verification failed for localhost"), std::string::npos)
            << message;
        EXPECT_TRUE(loop.client_result->error().code);
    }
    {
        SCOPED_TRACE("insecure: no verification, still encrypted");
        Loopback loop;
        auto server_ctx = server_context(certs.other);
        loop.handshake(*server_ctx, *client_context({.insecure = true, .ca_file = {}}), "localhost");
        ASSERT_TRUE(loop.client_result && loop.server_result);
        ASSERT_TRUE(loop.client_result->ok()) << loop.client_result->error().message;
        ASSERT_TRUE(loop.server_result->ok()) << loop.server_result->error().message;
        auto client = std::move(**loop.client_result);
        auto server = std::move(**loop.server_result);
        const std::string hello = "hello";
        std::vector<std::uint8_t> got;
        asio::co_spawn(
            loop.io,
            [&]() -> asio::awaitable<void> {
                EXPECT_FALSE((co_await write_all(*client, asio::buffer(hello))).error);
                co_await read_until(*server, got, hello.size());
            },
            asio::detached);
        loop.run_for(5s);
        EXPECT_EQ(std::string(got.begin(), got.end()), hello);
    }
}

TEST(TlsContext, LoadErrorsNameTheFileAndTheReason) {
    const auto& certs = certificates();
    const std::string missing = (certs.dir / "missing.pem").string();
    auto no_cert = TlsServerContext::load(missing, certs.localhost.key);
    ASSERT_FALSE(no_cert.ok());
    EXPECT_NE(no_cert.error().message.find(missing), std::string::npos) << no_cert.error().message;
    EXPECT_NE(no_cert.error().message.find("No such file"), std::string::npos) << no_cert.error().message;
    EXPECT_EQ(no_cert.error().code, boost::system::errc::no_such_file_or_directory);

    auto wrong_key = TlsServerContext::load(certs.localhost.cert, certs.other.key);
    ASSERT_FALSE(wrong_key.ok());
    EXPECT_NE(wrong_key.error().message.find("does not match"), std::string::npos)
        << wrong_key.error().message;
    EXPECT_NE(wrong_key.error().message.find(certs.other.key), std::string::npos)
        << wrong_key.error().message;

    // A key file where the certificate should be: no certificate in it.
    auto not_a_cert = TlsServerContext::load(certs.localhost.key, certs.localhost.key);
    ASSERT_FALSE(not_a_cert.ok());
    EXPECT_NE(not_a_cert.error().message.find("certificate chain from " + certs.localhost.key),
              std::string::npos)
        << not_a_cert.error().message;

    auto no_ca = TlsClientContext::create({.insecure = false, .ca_file = missing});
    ASSERT_FALSE(no_ca.ok());
    EXPECT_NE(no_ca.error().message.find(missing), std::string::npos) << no_ca.error().message;

    EXPECT_TRUE(TlsServerContext::load(certs.localhost.cert, certs.localhost.key).ok());
}

TEST(TlsTransport, AcceptFailsPromptlyOnGarbage) {
    Loopback loop;
    auto server_ctx = server_context(certificates().localhost);
    std::optional<Handshake> result;
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            result.emplace(co_await TlsTransport::accept(std::move(loop.server_socket), *server_ctx));
        },
        asio::detached);
    const std::string request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    asio::write(loop.client_socket, asio::buffer(request));
    const auto start = std::chrono::steady_clock::now();
    loop.run_for(5s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    ASSERT_TRUE(result);
    ASSERT_FALSE(result->ok());
    EXPECT_TRUE(result->error().code);
    EXPECT_NE(result->error().message.find("TLS handshake with 127.0.0.1:"), std::string::npos)
        << result->error().message;
}

TEST(TlsTransport, AcceptReportsAPeerThatHangsUp) {
    Loopback loop;
    auto server_ctx = server_context(certificates().localhost);
    std::optional<Handshake> result;
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            result.emplace(co_await TlsTransport::accept(std::move(loop.server_socket), *server_ctx));
        },
        asio::detached);
    loop.client_socket.close();
    loop.run_for(5s);
    ASSERT_TRUE(result);
    ASSERT_FALSE(result->ok());
    EXPECT_EQ(result->error().code, asio::error::eof);
    EXPECT_NE(result->error().message.find("closed the connection during the TLS handshake"),
              std::string::npos)
        << result->error().message;
}

TEST(TlsTransport, HandshakeRacedAgainstATimerAgainstASilentPeer) {
    Loopback loop;
    auto server_ctx = server_context(certificates().localhost);
    std::optional<std::size_t> winner;
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer deadline(loop.io, 100ms);
            auto raced = co_await (TlsTransport::accept(std::move(loop.server_socket), *server_ctx) ||
                                   deadline.async_wait(use_nothrow));
            winner = raced.index();
        },
        asio::detached);
    loop.run_for(5s);
    ASSERT_TRUE(winner);
    EXPECT_EQ(*winner, 1u);
    // The cancelled handshake closed its socket: the peer reads EOF.
    std::uint8_t byte;
    error_code ec;
    loop.client_socket.read_some(asio::buffer(&byte, 1), ec);
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

}  // namespace
}  // namespace sluice::net
