// Fuzzes rtmp::Handshake (both roles) with arbitrary bytes cut into
// arbitrary pieces, and a client/server pair whose traffic the input
// corrupts. Options come from the input (STYLE.md rule 9).
//
// Input layout:
//   byte 0: bit 0 role (0 server, 1 client), bit 1 digest (client),
//           bit 2 schema 0 (else 1), bit 3 custom version field,
//           bit 4 pair mode (client <-> server with corruptions)
//   byte 1: seed for the piece sizes (and the random source)
//   rest:   single mode: the peer's bytes;
//           pair mode: corruptions, 3 bytes each: U16 BE offset into the
//           concatenated traffic (C0C1 | S0S1S2 | C2), XOR mask.
//
// Invariants checked (abort on violation):
//   - consumed <= piece size; total consumed never exceeds 3073, and is
//     exactly 3073 once done;
//   - a done handshake has no error, a failed one has one;
//   - nothing is consumed after done or failed;
//   - output totals: server 0 before C1, exactly 1 + 1536 + 1536 after;
//     client 1537 before S1, 3073 after; nothing after a failure;
//   - an uncorrupted pair always finishes, both sides verified.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "rtmp/handshake.hpp"

namespace {

using sluice::rtmp::DigestSchema;
using sluice::rtmp::Handshake;
using sluice::rtmp::HandshakeOptions;
using sluice::rtmp::HandshakeRole;
using sluice::rtmp::HandshakeState;

void check(bool ok) {
    if (!ok) std::abort();
}

struct Lcg {
    std::uint32_t x;
    std::uint32_t next() {
        x = x * 1664525u + 1013904223u;
        return x >> 8;
    }
};

HandshakeOptions options_from(std::uint8_t mode, std::uint8_t seed) {
    HandshakeOptions o;
    o.time = seed * 0x01010101u;
    o.digest = (mode & 0x02) != 0;
    o.schema = (mode & 0x04) != 0 ? DigestSchema::schema0 : DigestSchema::schema1;
    if ((mode & 0x08) != 0) o.version = sluice::rtmp::HandshakeVersion{seed, 0, 0, 0};
    o.random = [lcg = Lcg{seed}](std::span<std::uint8_t> out) mutable {
        for (auto& b : out) b = static_cast<std::uint8_t>(lcg.next());
    };
    return o;
}

/// Tracks everything a Handshake emitted and consumed, and checks invariants.
struct Driver {
    Handshake h;
    std::size_t consumed = 0;
    std::size_t emitted = 0;
    std::vector<std::uint8_t> sent;  ///< bounded: at most 3073 bytes

    Driver(HandshakeRole role, HandshakeOptions options) : h(role, std::move(options)) { drain(); }

    void drain() {
        const auto out = h.output();
        sent.insert(sent.end(), out.begin(), out.end());
        emitted += out.size();
        h.consume_output(out.size());
        check(h.output().empty());
    }

    void feed(sluice::base::Bytes piece) {
        const bool finished = h.done() || h.failed();
        const std::size_t n = h.feed(piece);
        check(n <= piece.size());
        if (finished) check(n == 0);
        consumed += n;
        drain();
        verify();
    }

    void verify() const {
        check(consumed <= Handshake::server_output_size);
        check(h.done() == (h.state() == HandshakeState::done));
        check(h.failed() == static_cast<bool>(h.error()));
        if (h.done()) check(consumed == Handshake::server_output_size);
        const bool server = h.role() == HandshakeRole::server;
        switch (h.state()) {
            case HandshakeState::want_c0c1:
                check(server && emitted == 0);
                break;
            case HandshakeState::want_c2:
                check(server && emitted == Handshake::server_output_size);
                break;
            case HandshakeState::want_s0s1:
                check(!server && emitted == Handshake::first_flight_size);
                break;
            case HandshakeState::want_s2:
                check(!server && emitted == Handshake::client_output_size);
                break;
            case HandshakeState::done:
                check(emitted == Handshake::server_output_size);
                break;
            case HandshakeState::failed:
                // Server failures happen on C0, before anything was produced.
                check(!server || emitted == 0);
                check(h.output().empty());
                break;
        }
    }
};

void run_single(std::uint8_t mode, std::uint8_t seed, const std::uint8_t* data, std::size_t size) {
    const HandshakeRole role = (mode & 0x01) != 0 ? HandshakeRole::client : HandshakeRole::server;
    Driver d(role, options_from(mode, seed));
    d.verify();
    Lcg cuts{seed};
    std::size_t at = 0;
    while (at < size) {
        // Pieces of 0..1600 bytes, so every state boundary gets cut somewhere.
        const std::size_t want = cuts.next() % 1601;
        const std::size_t n = want < size - at ? want : size - at;
        d.feed({data + at, n});
        at += n;
    }
}

void corrupt(std::vector<std::uint8_t>& bytes, std::size_t base, const std::uint8_t* data, std::size_t size) {
    for (std::size_t i = 0; i + 3 <= size; i += 3) {
        const std::size_t offset = (std::size_t{data[i]} << 8) | data[i + 1];
        if (offset >= base && offset - base < bytes.size()) bytes[offset - base] ^= data[i + 2];
    }
}

void run_pair(std::uint8_t mode, std::uint8_t seed, const std::uint8_t* data, std::size_t size) {
    Driver client(HandshakeRole::client, options_from(mode, seed));
    Driver server(HandshakeRole::server, options_from(mode, static_cast<std::uint8_t>(seed ^ 0x5A)));

    std::vector<std::uint8_t> c0c1 = client.sent;
    corrupt(c0c1, 0, data, size);
    server.feed(c0c1);
    std::vector<std::uint8_t> s0s1s2 = server.sent;
    corrupt(s0s1s2, c0c1.size(), data, size);
    client.feed(s0s1s2);
    std::vector<std::uint8_t> c2(client.sent.begin() + static_cast<std::ptrdiff_t>(c0c1.size()),
                                 client.sent.end());
    corrupt(c2, c0c1.size() + s0s1s2.size(), data, size);
    server.feed(c2);

    if (size < 3) {
        // Nothing corrupted: the pair must agree completely.
        check(client.h.done() && server.h.done());
        check(client.h.kind() == server.h.kind());
        check(client.h.peer_digest_verified() == server.h.peer_digest_verified());
        check(client.h.peer_response_verified() && server.h.peer_response_verified());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t mode = data[0];
    const std::uint8_t seed = data[1];
    if ((mode & 0x10) != 0) {
        run_pair(mode, seed, data + 2, size - 2);
    } else {
        run_single(mode, seed, data + 2, size - 2);
    }
    return 0;
}
