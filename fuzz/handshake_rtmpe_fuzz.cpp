// Fuzzes rtmp::Handshake under RTMPE (REFERENCE.md §10): a server with
// encryption on and an RTMPE client, each fed arbitrary bytes cut into
// arbitrary pieces, and a client/server pair whose traffic the input
// corrupts. Options come from the input (STYLE.md rule 9).
//
// Input layout:
//   byte 0: bit 0 role (0 server, 1 client); bits 1-2 the client's type
//           (0: 6, 1: 8, 2: 9, 3: the seed byte, usually invalid);
//           bit 3 custom version field; bit 4 pair mode
//   byte 1: seed for the piece sizes (and the random source)
//   rest:   single mode: the peer's bytes;
//           pair mode: corruptions, 3 bytes each: U16 BE offset into the
//           concatenated traffic (C0C1 | S0S1S2 | C2), XOR mask.
//
// Invariants checked (abort on violation):
//   - consumed <= piece size; total consumed never exceeds 3073, and is
//     exactly 3073 once done; nothing is consumed after done or failed;
//   - a done handshake has no error, a failed one has one and no output;
//   - output totals: server 0 before C1 and 3073 after; client 1537 before
//     S1 and 3073 after; the first output byte is an RTMPE type (server: 3
//     when the C0 was plain, which it still accepts);
//   - a done client is encrypted with both peer checks verified; a done
//     encrypted handshake gives take_ciphers() exactly once, others never;
//   - an uncorrupted pair always finishes, and each side's out cipher is
//     the other side's in cipher.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

#include "rtmp/handshake.hpp"

namespace {

using sluice::rtmp::Handshake;
using sluice::rtmp::HandshakeKind;
using sluice::rtmp::HandshakeOptions;
using sluice::rtmp::HandshakeRole;
using sluice::rtmp::HandshakeState;
using sluice::rtmp::RtmpeCiphers;
namespace he = sluice::rtmp::handshake_rtmpe;

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

HandshakeOptions options_from(HandshakeRole role, std::uint8_t mode, std::uint8_t seed) {
    HandshakeOptions o;
    o.time = seed * 0x01010101u;
    if (role == HandshakeRole::server) {
        o.encryption = true;
    } else {
        const std::uint8_t types[] = {6, 8, 9, seed};
        o.encrypted_type = types[(mode >> 1) & 3];
    }
    if ((mode & 0x08) != 0) o.version = sluice::rtmp::HandshakeVersion{seed, 0, 3, 2};
    o.random = [lcg = Lcg{seed}](std::span<std::uint8_t> out) mutable {
        for (auto& b : out) b = static_cast<std::uint8_t>(lcg.next());
    };
    return o;
}

struct Driver {
    Handshake h;
    std::size_t consumed = 0;
    std::size_t emitted = 0;
    std::vector<std::uint8_t> sent;  ///< bounded: at most 3073 bytes
    bool ciphers_taken = false;

    Driver(HandshakeRole role, HandshakeOptions options) : h(role, std::move(options)) {
        drain();
        verify();
    }

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

    void verify() {
        check(consumed <= Handshake::server_output_size);
        check(h.done() == (h.state() == HandshakeState::done));
        check(h.failed() == static_cast<bool>(h.error()));
        const bool server = h.role() == HandshakeRole::server;
        // A server with encryption on still speaks plain RTMP to a plain C0
        // (a corrupted pair can turn a 6 into one).
        const bool encrypted =
            !server || (h.peer_rtmp_version() && he::is_rtmpe_type(*h.peer_rtmp_version()));
        if (!sent.empty()) check(encrypted ? he::is_rtmpe_type(sent[0]) : sent[0] == Handshake::rtmp_version);
        switch (h.state()) {
            case HandshakeState::want_c0c1:
                check(server && emitted == 0);
                break;
            case HandshakeState::want_c2:
                check(server && emitted == Handshake::server_output_size);
                check((h.kind() == HandshakeKind::encrypted) == encrypted);
                check(h.encryption_type().has_value() == encrypted);
                break;
            case HandshakeState::want_s0s1:
                check(!server && emitted == Handshake::first_flight_size);
                break;
            case HandshakeState::want_s2:
                check(!server && emitted == Handshake::client_output_size);
                break;
            case HandshakeState::done:
                check(consumed == Handshake::server_output_size);
                check(emitted == Handshake::server_output_size);
                check((h.kind() == HandshakeKind::encrypted) == encrypted);
                if (!server) check(h.peer_digest_verified() && h.peer_response_verified());
                if (!ciphers_taken) {
                    // Left for run_pair when it wants them; taken here otherwise.
                    break;
                }
                check(!h.take_ciphers());
                break;
            case HandshakeState::failed:
                // Server failures happen on C0 or C1, before anything was produced.
                check(!server || emitted == 0);
                check(h.output().empty());
                check(!h.take_ciphers());
                break;
        }
    }

    std::optional<RtmpeCiphers> take() {
        auto ciphers = h.take_ciphers();
        check(ciphers_taken || !h.done() || ciphers.has_value() == (h.kind() == HandshakeKind::encrypted));
        ciphers_taken = true;
        check(!h.take_ciphers());
        return ciphers;
    }
};

void run_single(std::uint8_t mode, std::uint8_t seed, const std::uint8_t* data, std::size_t size) {
    const HandshakeRole role = (mode & 0x01) != 0 ? HandshakeRole::client : HandshakeRole::server;
    Driver d(role, options_from(role, mode, seed));
    Lcg cuts{seed};
    std::size_t at = 0;
    while (at < size) {
        // Pieces of 0..1600 bytes, so every state boundary gets cut somewhere.
        const std::size_t want = cuts.next() % 1601;
        const std::size_t n = want < size - at ? want : size - at;
        d.feed({data + at, n});
        at += n;
    }
    d.take();
    d.verify();
}

void corrupt(std::vector<std::uint8_t>& bytes, std::size_t base, const std::uint8_t* data, std::size_t size) {
    for (std::size_t i = 0; i + 3 <= size; i += 3) {
        const std::size_t offset = (std::size_t{data[i]} << 8) | data[i + 1];
        if (offset >= base && offset - base < bytes.size()) bytes[offset - base] ^= data[i + 2];
    }
}

void run_pair(std::uint8_t mode, std::uint8_t seed, const std::uint8_t* data, std::size_t size) {
    Driver client(HandshakeRole::client, options_from(HandshakeRole::client, mode, seed));
    Driver server(HandshakeRole::server,
                  options_from(HandshakeRole::server, mode, static_cast<std::uint8_t>(seed ^ 0x5A)));

    std::vector<std::uint8_t> c0c1 = client.sent;
    corrupt(c0c1, 0, data, size);
    server.feed(c0c1);
    std::vector<std::uint8_t> s0s1s2 = server.sent;
    corrupt(s0s1s2, c0c1.size(), data, size);
    client.feed(s0s1s2);
    std::vector<std::uint8_t> c2;
    if (client.sent.size() > c0c1.size()) {
        c2.assign(client.sent.begin() + static_cast<std::ptrdiff_t>(c0c1.size()), client.sent.end());
    }
    corrupt(c2, c0c1.size() + s0s1s2.size(), data, size);
    server.feed(c2);

    auto a = client.take();
    auto b = server.take();
    const bool valid_type =
        he::is_rtmpe_type(options_from(HandshakeRole::client, mode, seed).encrypted_type.value());
    if (size < 3 && valid_type) {
        // Nothing corrupted: the pair must agree completely.
        check(client.h.done() && server.h.done());
        check(client.h.encryption_type() == server.h.encryption_type());
        check(server.h.peer_response_verified());
        check(a && b);
        std::uint8_t probe[64];
        for (std::size_t i = 0; i < sizeof probe; ++i) probe[i] = static_cast<std::uint8_t>(i);
        a->out.apply(probe);
        b->in.apply(probe);
        for (std::size_t i = 0; i < sizeof probe; ++i) check(probe[i] == i);
        b->out.apply(probe);
        a->in.apply(probe);
        for (std::size_t i = 0; i < sizeof probe; ++i) check(probe[i] == i);
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
