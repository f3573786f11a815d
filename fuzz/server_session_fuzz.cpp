// Fuzzes whole server sessions: the bytes of a hostile client go through a
// real server::Session (handshake, chunk layer, commands, the stream hub,
// fan-out to players) over net::MemoryTransport, with no socket and no
// thread. Beside the fuzzed session runs a well-behaved player of
// "live/s", so a fuzzed publisher's media reaches a real player queue.
//
// Besides "no crash, no leak, no sanitizer report", it checks what the
// server promises about a peer that goes away: once both peers' input ends
// (EOF), every session has closed and released its slot, and nothing is
// left running.
//
// Input: [mode] [split] [bytes...]
//   mode % 3 == 0: the bytes are the client's from its first byte (C0 on);
//   mode % 3 == 1: the harness sends a simple handshake (C0 C1 C2) first;
//   mode % 3 == 2: the harness sends the handshake, connect("live"),
//                  createStream and publish("s") on stream 1 first, so the
//                  bytes start in a live publish.
//   split: the bytes are fed in pieces of 1 + split * 7 bytes, the server
//   running between pieces, so partial reads are exercised.
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "net/memory_transport.hpp"
#include "net/worker_pool.hpp"
#include "rtmp/command.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/handshake.hpp"
#include "server/config.hpp"
#include "server/server_context.hpp"
#include "server/session.hpp"

namespace {

using namespace sluice;
using Bytes = std::vector<std::uint8_t>;

void check(bool condition) {
    if (!condition) __builtin_trap();
}

/// C0 C1 C2 of the simple scheme: zero version, zero filler (the server
/// accepts any C2).
Bytes simple_handshake() {
    Bytes out(1 + 2 * rtmp::Handshake::packet_size, 0);
    out[0] = 3;
    return out;
}

/// The client's chunk stream for `commands`, each on its own message stream.
Bytes encode_commands(const std::vector<std::pair<rtmp::Command, rtmp::MessageStreamId>>& commands) {
    rtmp::Connection encoder;
    for (const auto& [command, stream_id] : commands) {
        const rtmp::Message message = rtmp::encode_command(command, rtmp::Encoding::amf0, stream_id);
        encoder.send(message, stream_id == 0 ? 3 : 8);
    }
    return encoder.output().flatten();
}

Bytes connect_and(const char* verb, double transaction_id) {
    Bytes out = simple_handshake();
    amf::Object connect_object;
    connect_object.set("app", amf::Value(std::string("live")));
    connect_object.set("tcUrl", amf::Value(std::string("rtmp://127.0.0.1/live")));
    const Bytes commands = encode_commands({
        {rtmp::Command{"connect", 1, amf::Value(std::move(connect_object)), {}}, 0},
        {rtmp::Command{"createStream", 2, amf::Null{}, {}}, 0},
        {rtmp::Command{verb, transaction_id, amf::Null{}, {amf::Value(std::string("s"))}}, 1},
    });
    out.insert(out.end(), commands.begin(), commands.end());
    return out;
}

struct World {
    server::ServerConfig config;
    std::unique_ptr<net::WorkerPool> workers = std::make_unique<net::WorkerPool>(1);
    std::unique_ptr<server::ServerContext> context;

    World() {
        config.limits.gop_cache_bytes = 256 * 1024;
        // Persistent shared objects would be files (and an fsync per
        // change) in the fuzzer's working folder: refused here.
        config.shared_objects.clear();
        context = std::make_unique<server::ServerContext>(config, *workers);
    }
    boost::asio::io_context& io() { return workers->context(0); }
    void run() {
        io().restart();
        while (io().poll() > 0) {
        }
    }
    /// A session on a memory transport. The session owns the transport;
    /// `sessions` keeps both alive after the session closed, so the harness
    /// may still feed it (a closed transport ignores what it is fed).
    net::MemoryTransport* open() {
        auto transport = std::make_unique<net::MemoryTransport>(io().get_executor(), 64 * 1024);
        net::MemoryTransport* raw = transport.get();
        sessions.push_back(std::make_shared<server::Session>(std::move(transport), *context, 0));
        sessions.back()->start();
        return raw;
    }

    std::vector<std::shared_ptr<server::Session>> sessions;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool quiet = [] {
        spdlog::set_level(spdlog::level::off);
        return true;
    }();
    (void)quiet;
    if (size < 2) return 0;
    const unsigned mode = data[0] % 3;
    const std::size_t piece = 1 + static_cast<std::size_t>(data[1]) * 7;
    const std::span<const std::uint8_t> input(data + 2, size - 2);

    World world;
    net::MemoryTransport* player = world.open();
    net::MemoryTransport* peer = world.open();
    world.run();
    player->feed(connect_and("play", 0));
    world.run();

    if (mode == 1) peer->feed(simple_handshake());
    if (mode == 2) peer->feed(connect_and("publish", 0));
    world.run();
    for (std::size_t at = 0; at < input.size(); at += piece) {
        peer->feed(input.subspan(at, std::min(piece, input.size() - at)));
        world.run();
    }
    peer->feed_eof();
    world.run();
    player->feed_eof();
    world.run();

    // Both peers are gone: every session must have closed and been released.
    check(world.context->sessions_on(0).empty());
    world.sessions.clear();
    world.run();
    check(world.context->connections.load() == 0);
    world.context.reset();
    world.workers.reset();
    return 0;
}
