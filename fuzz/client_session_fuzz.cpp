// Fuzzes a whole client::Client session against a hostile server: the
// client speaks over a net::MemoryTransport on a local io_context and runs
// connect -> create_stream -> play("x") -> next() until Kind::closed or a
// ClientError, then close(). Besides "no crash, no leak, nothing but
// ClientError thrown", it checks that no step timed out (every byte and the
// EOF are queued before the client starts, so waiting for a timer would be
// a hang), that the byte counters match the transport, and that whatever
// the client wrote after the handshake is a chunk stream the core decodes
// without a violation.
//
// Input: [mode] [split] [server bytes...]
//   split          the server bytes are cut in pieces: a new piece starts at
//                  every byte equal to `split` (the byte stays in the data).
//                  Each piece is one feed(), read separately, so an answer
//                  can come after the call it answers (a `_result` read
//                  before its call was sent is not matched, as with a real
//                  server that could not have answered yet).
//   mode bits 0-1  canned answers the harness feeds, one feed each, after a
//                  simple-handshake S0+S1+S2 (S0 = 3, S1 version field 0)
//                  and before the pieces:
//                    0    none: the server bytes answer connect;
//                    1    connect `_result` (txn 1);
//                    2, 3 also createStream `_result` (txn 2, stream 1) and
//                         onStatus NetStream.Play.Start on stream 1.
//   mode bit 2     the first piece goes in one feed with the handshake
//                  (before any canned answer), so the client finds chunk
//                  bytes behind S2.
// Then EOF.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "client/client.hpp"
#include "net/memory_transport.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/responses.hpp"

namespace {

using namespace sluice;
namespace asio = boost::asio;

void check(bool condition) {
    if (!condition) __builtin_trap();
}

/// S0 + S1 (time 0, version 0, patterned filler) + S2 (anything: a simple
/// client only records whether it echoes C1).
std::vector<std::uint8_t> simple_handshake() {
    std::vector<std::uint8_t> out(rtmp::Handshake::server_output_size, 0);
    out[0] = rtmp::Handshake::rtmp_version;
    for (std::size_t i = 9; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i * 31);
    return out;
}

void append_output(rtmp::Connection& server, std::vector<std::uint8_t>& out) {
    server.output().for_each([&](base::Bytes b) { out.insert(out.end(), b.begin(), b.end()); });
    server.consume_output(server.output().size_bytes());
}

/// The canned answers of mode 2 (mode 1 feeds the first one), encoded by
/// the core in the server role, one feed each.
std::vector<std::vector<std::uint8_t>> canned_answers() {
    rtmp::Connection server;
    const rtmp::Message connected = rtmp::ConnectResult{}.encode();
    const rtmp::Message created = rtmp::CreateStreamResult{2, 1}.encode();
    const rtmp::Message started =
        rtmp::OnStatus::make(rtmp::Status::play_start, {}, std::string("x")).encode(rtmp::Encoding::amf0, 1);
    std::vector<std::vector<std::uint8_t>> out(3);
    server.send(connected, rtmp::csid::net_connection);
    append_output(server, out[0]);
    server.send(created, rtmp::csid::net_connection);
    append_output(server, out[1]);
    server.send(started, rtmp::csid::net_stream);
    append_output(server, out[2]);
    return out;
}

bool is_fatal(const client::ClientError& e) {
    return base::is_fatal(e.code());
}

asio::awaitable<void> run_session(client::Client& client, std::unique_ptr<net::Transport> transport) {
    try {
        const rtmp::Url url = *rtmp::Url::parse("rtmp://127.0.0.1/live/x");
        co_await client.connect(url, std::move(transport));
        // A refused step (rejected, bad_answer...) leaves the connection
        // usable: go on reading, as a caller that ignores it would.
        std::optional<rtmp::MessageStreamId> id;
        try {
            id = co_await client.create_stream();
        } catch (const client::ClientError& e) {
            if (is_fatal(e)) throw;
        }
        if (id) {
            try {
                rtmp::PlayCommand command{0, "x"};
                co_await client.play(*id, std::move(command));
            } catch (const client::ClientError& e) {
                if (is_fatal(e)) throw;
            }
        }
        for (;;) {
            const client::Incoming in = co_await client.next();
            if (in.kind == client::Incoming::Kind::closed) break;
        }
    } catch (const client::ClientError& e) {
        check(e.code() != make_error_code(client::Errc::timed_out));
    }
    co_await client.close();
}

/// What the client wrote after C0+C1+C2 must decode cleanly on a server.
void check_client_output(const net::MemoryTransport& transport) {
    const std::vector<std::uint8_t>& written = transport.written();
    check(written.size() == transport.bytes_written());
    if (written.size() <= rtmp::Handshake::client_output_size) return;
    rtmp::Connection server;
    base::Bytes rest(written.data() + rtmp::Handshake::client_output_size,
                     written.size() - rtmp::Handshake::client_output_size);
    while (!rest.empty()) {
        const auto result = server.receive(rest);
        check(!result.error);
        rest = rest.subspan(result.consumed);
        while (auto event = server.next_event())
            check(!std::holds_alternative<rtmp::ProtocolViolation>(*event));
        if (result.consumed == 0) break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    static const std::vector<std::uint8_t> handshake = simple_handshake();
    static const std::vector<std::vector<std::uint8_t>> canned = canned_answers();
    const std::size_t canned_count = (data[0] & 3) == 0 ? 0 : (data[0] & 3) == 1 ? 1 : 3;
    const bool joined = (data[0] & 4) != 0;
    const std::uint8_t split = data[1];
    const std::span<const std::uint8_t> server_bytes(data + 2, size - 2);

    std::vector<std::span<const std::uint8_t>> pieces;
    for (std::size_t start = 0, i = 1; i <= server_bytes.size(); ++i) {
        if (i < server_bytes.size() && server_bytes[i] != split) continue;
        pieces.push_back(server_bytes.subspan(start, i - start));
        start = i;
    }

    asio::io_context context;
    auto transport = std::make_unique<net::MemoryTransport>(context.get_executor());
    net::MemoryTransport& wire = *transport;
    std::size_t next_piece = 0;
    if (joined && !pieces.empty()) {
        std::vector<std::uint8_t> first(handshake);
        first.insert(first.end(), pieces[0].begin(), pieces[0].end());
        wire.feed(first);
        ++next_piece;
    } else {
        wire.feed(handshake);
    }
    std::size_t fed = handshake.size() + server_bytes.size();
    for (std::size_t i = 0; i < canned_count; ++i) {
        wire.feed(canned[i]);
        fed += canned[i].size();
    }
    for (; next_piece < pieces.size(); ++next_piece) wire.feed(pieces[next_piece]);
    wire.feed_eof();

    client::ClientOptions options;
    options.digest_handshake = false;
    options.read_buffer_bytes = 4096;  // the least it takes; a big buffer only costs time here
    client::Client client(context.get_executor(), options);
    asio::co_spawn(context, run_session(client, std::move(transport)), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);  // anything but ClientError is a bug
    });
    context.run();

    check(client.bytes_sent() == wire.bytes_written());
    check(client.bytes_received() <= fed);
    check_client_output(wire);
    return 0;
}
