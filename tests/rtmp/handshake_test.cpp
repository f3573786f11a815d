#include "rtmp/handshake.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/hex.hpp"
#include "rtmp/errors.hpp"
#include "support/guard_page_buffer.hpp"
#include "support/hex_literal.hpp"
#include "support/split_feeder.hpp"

namespace sluice::rtmp {
namespace {

namespace hd = handshake_digest;
using base::ByteVector;
using test::ascii;
using test::cat;
using test::hex;

constexpr std::size_t packet = Handshake::packet_size;

std::string hex_of(base::Bytes bytes) {
    return base::to_hex(bytes);
}

// A deterministic random source: the same seed gives the same bytes, so a
// fresh Handshake built with it reproduces the same packets in every plan.
std::function<void(std::span<std::uint8_t>)> pattern(std::uint8_t seed) {
    return [seed, calls = 0u](std::span<std::uint8_t> out) mutable {
        ++calls;
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i] = static_cast<std::uint8_t>(seed + calls * 31 + i * 13 + (i >> 8));
        }
    };
}

HandshakeOptions client_options(bool digest, DigestSchema schema = DigestSchema::schema1) {
    HandshakeOptions o;
    o.time = 0x11223344;
    o.random = pattern(7);
    o.digest = digest;
    o.schema = schema;
    return o;
}

HandshakeOptions server_options() {
    HandshakeOptions o;
    o.time = 0x55667788;
    o.random = pattern(99);
    return o;
}

struct Combination {
    const char* name;
    bool digest;
    DigestSchema schema;
};

const Combination combinations[] = {
    {"digest_schema0", true, DigestSchema::schema0},
    {"digest_schema1", true, DigestSchema::schema1},
    {"simple", false, DigestSchema::schema1},
};

// Feeds all pieces; returns the total consumed.
std::size_t feed_all(Handshake& h, const test::Pieces& pieces) {
    std::size_t used = 0;
    for (const auto piece : pieces) {
        const std::size_t n = h.feed(piece);
        EXPECT_LE(n, piece.size());
        used += n;
    }
    return used;
}

// ---- REFERENCE.md §9.6 through the full state machines ----

TEST(Handshake, ReproducesSection96Vectors) {
    // The §9.6 inputs are "random" filler chosen so the vectors are known:
    // C1 byte i = i mod 256, S1 byte i = (255 - i) mod 256, zero C2/S2 random.
    HandshakeOptions c;
    c.time = 0;
    c.version = HandshakeVersion{0x09, 0x00, 0x7C, 0x02};
    c.schema = DigestSchema::schema1;
    c.random = [](std::span<std::uint8_t> out) {
        for (std::size_t k = 0; k < out.size(); ++k) {
            out[k] = out.size() == 1528 ? static_cast<std::uint8_t>((8 + k) % 256) : 0;
        }
    };
    HandshakeOptions s;
    s.time = 0;
    s.version = HandshakeVersion{0x03, 0x05, 0x01, 0x01};
    s.random = [](std::span<std::uint8_t> out) {
        for (std::size_t k = 0; k < out.size(); ++k) {
            out[k] = out.size() == 1528 ? static_cast<std::uint8_t>((255 - (8 + k) % 256) % 256) : 0;
        }
    };
    Handshake client(HandshakeRole::client, c);
    Handshake server(HandshakeRole::server, s);

    const ByteVector c0c1 = client.take_output();
    ASSERT_EQ(c0c1.size(), 1537u);
    EXPECT_EQ(hex_of(base::Bytes{c0c1}.subspan(1 + 50, 32)),
              "847b0a67b05fc66226127cd092337f2f9d2150340f81eafde5b40988a40a60b8");

    ASSERT_EQ(server.feed(c0c1), 1537u);
    EXPECT_EQ(server.schema(), DigestSchema::schema1);
    const ByteVector s0s1s2 = server.take_output();
    ASSERT_EQ(s0s1s2.size(), 3073u);
    EXPECT_EQ(hex_of(base::Bytes{s0s1s2}.subspan(1, 8)), "0000000003050101");
    EXPECT_EQ(hex_of(base::Bytes{s0s1s2}.subspan(1 + 266, 32)),
              "b832bfa67b9d15fc4ed2464393ddb48710577ee9e75a51b0e037b26feba5513d");
    EXPECT_EQ(hex_of(base::Bytes{s0s1s2}.subspan(1 + 1536, 1504)), std::string(2 * 1504, '0'));
    EXPECT_EQ(hex_of(base::Bytes{s0s1s2}.subspan(1 + 1536 + 1504)),
              "d457b1d382c9153e11ef1e9844ddce9c9773833c7c3b450892ae939f00619aae");

    ASSERT_EQ(client.feed(s0s1s2), 3073u);
    ASSERT_TRUE(client.done());
    const ByteVector c2 = client.take_output();
    ASSERT_EQ(c2.size(), 1536u);
    EXPECT_EQ(hex_of(base::Bytes{c2}.subspan(1504)),
              "645cce8d8bd991aec18b91f5e13dae9d670b2fe049479ac95873c385c0d19162");

    ASSERT_EQ(server.feed(c2), 1536u);
    EXPECT_TRUE(server.done());
    EXPECT_TRUE(server.peer_response_verified());
}

// ---- client <-> server, every combination, every split ----

class HandshakePair : public ::testing::TestWithParam<Combination> {};

TEST_P(HandshakePair, CompletesWhateverTheCuts) {
    const Combination combo = GetParam();
    const HandshakeKind expected_kind = combo.digest ? HandshakeKind::digest : HandshakeKind::simple;

    Handshake reference_client(HandshakeRole::client, client_options(combo.digest, combo.schema));
    EXPECT_EQ(reference_client.state(), HandshakeState::want_s0s1);
    const ByteVector c0c1 = reference_client.take_output();
    ASSERT_EQ(c0c1.size(), Handshake::first_flight_size);
    EXPECT_EQ(c0c1[0], 3);
    EXPECT_EQ(hex_of(base::Bytes{c0c1}.subspan(1, 4)), "11223344");
    EXPECT_EQ(hex_of(base::Bytes{c0c1}.subspan(5, 4)), combo.digest ? "09007c02" : "00000000");

    Handshake reference_server(HandshakeRole::server, server_options());
    ASSERT_EQ(reference_server.feed(c0c1), c0c1.size());
    const ByteVector s0s1s2 = reference_server.take_output();
    ASSERT_EQ(s0s1s2.size(), Handshake::server_output_size);
    ASSERT_EQ(reference_client.feed(s0s1s2), s0s1s2.size());
    ASSERT_TRUE(reference_client.done()) << reference_client.error().message();
    const ByteVector c2 = reference_client.take_output();
    ASSERT_EQ(c2.size(), packet);

    // What both sides agree on.
    EXPECT_EQ(reference_server.kind(), expected_kind);
    EXPECT_EQ(reference_client.kind(), expected_kind);
    EXPECT_EQ(reference_server.peer_digest_verified(), combo.digest);
    EXPECT_EQ(reference_client.peer_digest_verified(), combo.digest);
    EXPECT_TRUE(reference_client.peer_response_verified());
    if (combo.digest) {
        EXPECT_EQ(reference_server.schema(), combo.schema);
        EXPECT_EQ(reference_client.schema(), combo.schema);
        EXPECT_EQ(hex_of(base::Bytes{s0s1s2}.subspan(5, 4)), "0d0e0a0d");
        EXPECT_EQ(hd::find_digest(base::Bytes{s0s1s2}.subspan(1).first<packet>(), hd::server_key_s1(),
                                  DigestSchema::schema0),
                  combo.schema);
    } else {
        EXPECT_FALSE(reference_server.schema().has_value());
        // Simple scheme: zero version field; S2 = C1 time, our time, C1 filler.
        EXPECT_EQ(hex_of(base::Bytes{s0s1s2}.subspan(5, 4)), "00000000");
        EXPECT_EQ(hex_of(base::Bytes{s0s1s2}.subspan(1 + packet, 8)), "1122334455667788");
        EXPECT_TRUE(std::equal(c0c1.begin() + 9, c0c1.end(), s0s1s2.begin() + 1 + packet + 8));
        // C2 = S1 time, our time, S1 filler.
        EXPECT_EQ(hex_of(base::Bytes{c2}.first(8)), "5566778811223344");
        EXPECT_TRUE(std::equal(c2.begin() + 8, c2.end(), s0s1s2.begin() + 1 + 8));
    }
    EXPECT_EQ(reference_server.peer_version(), (HandshakeVersion{c0c1[5], c0c1[6], c0c1[7], c0c1[8]}));
    EXPECT_EQ(reference_client.peer_time(), 0x55667788u);
    EXPECT_EQ(reference_server.peer_time(), 0x11223344u);

    // Server side: C0C1 at every cut.
    test::for_each_split(c0c1, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        Handshake server(HandshakeRole::server, server_options());
        EXPECT_TRUE(server.output().empty());
        EXPECT_EQ(feed_all(server, pieces), c0c1.size());
        ASSERT_EQ(server.state(), HandshakeState::want_c2);
        EXPECT_TRUE(std::equal(s0s1s2.begin(), s0s1s2.end(), server.output().begin(), server.output().end()));
    });
    // Client side: S0S1S2 at every cut.
    test::for_each_split(s0s1s2, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        Handshake client(HandshakeRole::client, client_options(combo.digest, combo.schema));
        client.consume_output(c0c1.size());
        EXPECT_EQ(feed_all(client, pieces), s0s1s2.size());
        ASSERT_TRUE(client.done()) << client.error().message();
        EXPECT_TRUE(std::equal(c2.begin(), c2.end(), client.output().begin(), client.output().end()));
        EXPECT_TRUE(client.peer_response_verified());
    });
    // Server side: C2 at every cut.
    test::for_each_split(c2, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        Handshake server(HandshakeRole::server, server_options());
        ASSERT_EQ(server.feed(c0c1), c0c1.size());
        EXPECT_EQ(feed_all(server, pieces), c2.size());
        ASSERT_TRUE(server.done());
        EXPECT_TRUE(server.peer_response_verified());
        EXPECT_FALSE(server.error());
    });
}

INSTANTIATE_TEST_SUITE_P(All, HandshakePair, ::testing::ValuesIn(combinations),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// ---- pipelining: bytes after the handshake stay with the caller ----

TEST(Handshake, ServerLeavesBytesAfterC2Unconsumed) {
    Handshake client(HandshakeRole::client, client_options(false));
    Handshake server(HandshakeRole::server, server_options());
    const ByteVector c0c1 = client.take_output();
    server.feed(c0c1);
    client.feed(server.take_output());
    const ByteVector c2 = client.take_output();
    // The first chunk of `connect` (csid 3, type 0, AMF0 command) right behind C2.
    const ByteVector connect = cat(hex("03 000000 0000C8 14 00000000 02 0007"), ascii("connect"));
    const ByteVector wire = cat(c0c1, c2, connect);

    test::for_each_split(wire, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        Handshake fresh(HandshakeRole::server, server_options());
        EXPECT_EQ(feed_all(fresh, pieces), c0c1.size() + c2.size());
        EXPECT_TRUE(fresh.done());
        EXPECT_TRUE(fresh.peer_response_verified());
        EXPECT_EQ(fresh.feed(connect), 0u);
    });
}

TEST(Handshake, ClientLeavesBytesAfterS2Unconsumed) {
    Handshake client(HandshakeRole::client, client_options(true));
    Handshake server(HandshakeRole::server, server_options());
    server.feed(client.take_output());
    // Window Acknowledgement Size right behind S2, as servers send it.
    const ByteVector wire = cat(server.take_output(), hex("02 000000 000004 05 00000000 004C4B40"));
    EXPECT_EQ(client.feed(wire), Handshake::server_output_size);
    EXPECT_TRUE(client.done());
    EXPECT_EQ(client.feed(wire), 0u);
}

TEST(Handshake, NeverReadsPastTheInputEnd) {
    // Every prefix of the whole exchange ends on a guard page: an over-read
    // faults even without ASan.
    Handshake client(HandshakeRole::client, client_options(true));
    Handshake server(HandshakeRole::server, server_options());
    const ByteVector c0c1 = client.take_output();
    server.feed(c0c1);
    const ByteVector s0s1s2 = server.take_output();
    for (const std::size_t cut : {std::size_t{1}, std::size_t{2}, std::size_t{1536}, c0c1.size()}) {
        SCOPED_TRACE(cut);
        const test::GuardPageBuffer guarded_c(base::Bytes{c0c1}.first(cut));
        Handshake fresh_server(HandshakeRole::server, server_options());
        EXPECT_EQ(fresh_server.feed(guarded_c.bytes()), cut);
        const test::GuardPageBuffer guarded_s(base::Bytes{s0s1s2}.first(cut));
        Handshake fresh_client(HandshakeRole::client, client_options(true));
        EXPECT_EQ(fresh_client.feed(guarded_s.bytes()), cut);
    }
}

// ---- C0 versions ----

struct VersionCase {
    std::uint8_t c0;
    Errc error;  // ok: answered with S0 = 3
};

class ServerVersion : public ::testing::TestWithParam<VersionCase> {};

TEST_P(ServerVersion, AnswersThreeOrRefuses) {
    const VersionCase v = GetParam();
    Handshake client(HandshakeRole::client, client_options(true));
    ByteVector wire = client.take_output();
    wire[0] = v.c0;
    Handshake server(HandshakeRole::server, server_options());
    EXPECT_EQ(server.peer_rtmp_version(), std::nullopt);
    const std::size_t used = server.feed(wire);
    EXPECT_EQ(server.peer_rtmp_version(), v.c0);
    if (v.error == Errc::ok) {
        EXPECT_EQ(used, wire.size());
        ASSERT_EQ(server.state(), HandshakeState::want_c2);
        ASSERT_EQ(server.output().size(), Handshake::server_output_size);
        EXPECT_EQ(server.output()[0], 3);
        EXPECT_EQ(server.kind(), HandshakeKind::digest);
    } else {
        // Refused on C0 alone, before any C1 byte.
        EXPECT_EQ(used, 1u);
        EXPECT_TRUE(server.failed());
        EXPECT_EQ(server.error(), make_error_code(v.error));
        EXPECT_TRUE(base::is_fatal(server.error()));
        EXPECT_TRUE(server.output().empty());
        EXPECT_EQ(server.feed(wire), 0u);
        EXPECT_NE(server.kind(), HandshakeKind::encrypted);
    }
}

INSTANTIATE_TEST_SUITE_P(All, ServerVersion,
                         ::testing::Values(VersionCase{0, Errc::ok}, VersionCase{3, Errc::ok},
                                           VersionCase{4, Errc::ok},
                                           VersionCase{6, Errc::handshake_rtmpe_unsupported},
                                           VersionCase{8, Errc::handshake_rtmpe_unsupported},
                                           VersionCase{9, Errc::handshake_rtmpe_unsupported},
                                           VersionCase{31, Errc::ok},
                                           VersionCase{32, Errc::handshake_version_unsupported},
                                           VersionCase{'G', Errc::handshake_http_on_rtmp_port},
                                           VersionCase{'P', Errc::handshake_http_on_rtmp_port},
                                           VersionCase{255, Errc::handshake_version_unsupported}),
                         [](const auto& param_info) { return "c0_" + std::to_string(param_info.param.c0); });

TEST(Handshake, ServerRefusesATlsClientHelloAtItsRecordHeader) {
    // The first bytes of a TLS 1.2 ClientHello record: type 22, version 3.1, length.
    const ByteVector hello{0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00, 0xC4, 0x03, 0x03};
    Handshake server(HandshakeRole::server, server_options());
    EXPECT_EQ(server.feed(ByteVector(hello.begin(), hello.begin() + 2)), 2u);
    EXPECT_FALSE(server.failed()) << "two bytes could still be RTMP version 22";
    EXPECT_EQ(server.feed(ByteVector(hello.begin() + 2, hello.end())), hello.size() - 2);
    EXPECT_TRUE(server.failed());
    EXPECT_EQ(server.error(), make_error_code(Errc::handshake_tls_on_rtmp_port));
    EXPECT_TRUE(server.output().empty());

    // C0 22 with a C1 that is not a TLS record goes on like any reserved version.
    Handshake other(HandshakeRole::server, server_options());
    ByteVector c0c1(Handshake::first_flight_size, 0);
    c0c1[0] = 22;
    c0c1[1] = 7;
    EXPECT_EQ(other.feed(c0c1), c0c1.size());
    EXPECT_FALSE(other.failed());
    EXPECT_EQ(other.state(), HandshakeState::want_c2);
}

TEST(Handshake, ClientRefusesAnS0OtherThanThree) {
    for (const std::uint8_t s0 : {std::uint8_t{6}, std::uint8_t{4}, std::uint8_t{0}}) {
        SCOPED_TRACE(int{s0});
        Handshake client(HandshakeRole::client, client_options(true));
        Handshake server(HandshakeRole::server, server_options());
        server.feed(client.output());
        ByteVector reply = server.take_output();
        reply[0] = s0;
        EXPECT_EQ(client.feed(reply), 1u);
        EXPECT_TRUE(client.failed());
        EXPECT_EQ(client.error(), make_error_code(Errc::handshake_version_mismatch));
        EXPECT_EQ(client.peer_rtmp_version(), s0);
        EXPECT_TRUE(client.output().empty());
        EXPECT_EQ(client.feed(reply), 0u);
    }
}

// ---- digests that do not verify ----

TEST(Handshake, ServerFallsBackToSimpleOnAForgedDigest) {
    Handshake client(HandshakeRole::client, client_options(true));
    ByteVector c0c1 = client.take_output();
    const auto c1 = base::Bytes{c0c1}.subspan(1).first<packet>();
    c0c1[1 + hd::digest_position(c1, DigestSchema::schema1)] ^= 0x5A;

    Handshake server(HandshakeRole::server, server_options());
    ASSERT_EQ(server.feed(c0c1), c0c1.size());
    EXPECT_EQ(server.kind(), HandshakeKind::simple);
    EXPECT_FALSE(server.peer_digest_verified());
    EXPECT_EQ(hex_of(server.peer_version()), "09007c02");
    const ByteVector reply = server.take_output();
    EXPECT_EQ(hex_of(base::Bytes{reply}.subspan(5, 4)), "00000000");                        // simple S1
    EXPECT_TRUE(std::equal(c0c1.begin() + 9, c0c1.end(), reply.begin() + 1 + packet + 8));  // S2 echoes C1

    // The digest client sees a simple server and goes on with the echo.
    ASSERT_EQ(client.feed(reply), reply.size());
    EXPECT_TRUE(client.done());
    EXPECT_EQ(client.kind(), HandshakeKind::simple);
    EXPECT_FALSE(client.peer_digest_verified());
    EXPECT_FALSE(client.peer_response_verified());  // S2 echoes the forged byte
    ASSERT_EQ(server.feed(client.take_output()), packet);
    EXPECT_TRUE(server.done());
    EXPECT_TRUE(server.peer_response_verified());
}

TEST(Handshake, ClientAcceptsAVersionedS1WithoutDigestAsSimple) {
    Handshake client(HandshakeRole::client, client_options(true));
    const ByteVector c0c1 = client.take_output();
    ByteVector s1(packet, 0xA5);
    s1[0] = 0, s1[1] = 0, s1[2] = 0, s1[3] = 9;
    s1[4] = 3, s1[5] = 5, s1[6] = 1, s1[7] = 1;
    ByteVector s2(c0c1.begin() + 1, c0c1.end());  // a plain echo of C1
    const ByteVector reply = cat(hex("03"), s1, s2);
    ASSERT_EQ(client.feed(reply), reply.size());
    EXPECT_TRUE(client.done());
    EXPECT_EQ(client.kind(), HandshakeKind::simple);
    EXPECT_FALSE(client.peer_digest_verified());
    EXPECT_TRUE(client.peer_response_verified());
    EXPECT_EQ(hex_of(client.peer_version()), "03050101");
    EXPECT_EQ(hex_of(client.peer_packet()), hex_of(s1));
    const ByteVector c2 = client.take_output();
    EXPECT_EQ(hex_of(base::Bytes{c2}.first(8)), "0000000911223344");
    EXPECT_TRUE(std::equal(s1.begin() + 8, s1.end(), c2.begin() + 8));
}

TEST(Handshake, ClientFailsOnABadS2SignatureAfterAVerifiedS1) {
    Handshake client(HandshakeRole::client, client_options(true));
    Handshake server(HandshakeRole::server, server_options());
    server.feed(client.take_output());
    ByteVector reply = server.take_output();
    reply.back() ^= 0x01;
    EXPECT_EQ(client.feed(reply), reply.size());
    EXPECT_TRUE(client.peer_digest_verified());
    EXPECT_FALSE(client.peer_response_verified());
    EXPECT_TRUE(client.failed());
    EXPECT_EQ(client.error(), make_error_code(Errc::handshake_digest_invalid));
    EXPECT_TRUE(client.output().empty());  // C2 is withdrawn
}

TEST(Handshake, SimpleClientIgnoresTheServerDigest) {
    // A server must not sign S1 for a simple C1, but if it did, a simple
    // client neither checks nor cares.
    Handshake digest_client(HandshakeRole::client, client_options(true));
    Handshake server(HandshakeRole::server, server_options());
    server.feed(digest_client.take_output());
    const ByteVector reply = server.take_output();
    Handshake simple_client(HandshakeRole::client, client_options(false));
    ASSERT_EQ(simple_client.feed(reply), reply.size());
    EXPECT_TRUE(simple_client.done());
    EXPECT_EQ(simple_client.kind(), HandshakeKind::simple);
    EXPECT_FALSE(simple_client.peer_digest_verified());
    EXPECT_FALSE(simple_client.peer_response_verified());
}

TEST(Handshake, ServerAcceptsAnyC2) {
    Handshake client(HandshakeRole::client, client_options(true));
    const ByteVector c0c1 = client.take_output();
    // FFmpeg when publishing: C2 is S1 echoed, not signed.
    {
        Handshake server(HandshakeRole::server, server_options());
        server.feed(c0c1);
        const ByteVector reply = server.take_output();
        const ByteVector echo(reply.begin() + 1, reply.begin() + 1 + packet);
        EXPECT_EQ(server.feed(echo), packet);
        EXPECT_TRUE(server.done());
        EXPECT_FALSE(server.peer_response_verified());
        EXPECT_FALSE(server.error());
    }
    // Garbage.
    {
        Handshake server(HandshakeRole::server, server_options());
        server.feed(c0c1);
        EXPECT_EQ(server.feed(ByteVector(packet, 0xEE)), packet);
        EXPECT_TRUE(server.done());
        EXPECT_FALSE(server.peer_response_verified());
    }
}

// ---- options and output bookkeeping ----

TEST(Handshake, VersionOptionsAreSent) {
    HandshakeOptions c = client_options(true, DigestSchema::schema0);
    c.version = HandshakeVersion{0x0A, 0x00, 0x2D, 0x02};
    HandshakeOptions s = server_options();
    s.version = HandshakeVersion{0x03, 0x05, 0x01, 0x01};
    Handshake client(HandshakeRole::client, c);
    Handshake server(HandshakeRole::server, s);
    server.feed(client.take_output());
    EXPECT_EQ(hex_of(server.peer_version()), "0a002d02");
    EXPECT_EQ(server.schema(), DigestSchema::schema0);
    client.feed(server.take_output());
    EXPECT_EQ(hex_of(client.peer_version()), "03050101");
    EXPECT_TRUE(client.done());
}

TEST(Handshake, DefaultRandomSourceGivesDistinctVerifiablePackets) {
    Handshake a(HandshakeRole::client, HandshakeOptions{});
    Handshake b(HandshakeRole::client, HandshakeOptions{});
    const auto c1a = a.output().subspan(1).first<packet>();
    const auto c1b = b.output().subspan(1).first<packet>();
    EXPECT_FALSE(std::equal(c1a.begin(), c1a.end(), c1b.begin()));
    EXPECT_EQ(hd::find_digest(c1a, hd::client_key_c1(), DigestSchema::schema0), DigestSchema::schema1);
    Handshake server(HandshakeRole::server, HandshakeOptions{});
    server.feed(a.output());
    a.consume_output(a.output().size());
    a.feed(server.output());
    EXPECT_TRUE(a.done());
}

TEST(Handshake, OutputIsConsumedInParts) {
    Handshake client(HandshakeRole::client, client_options(true));
    const ByteVector all(client.output().begin(), client.output().end());
    client.consume_output(100);
    ASSERT_EQ(client.output().size(), all.size() - 100);
    EXPECT_EQ(client.output()[0], all[100]);
    client.consume_output(100000);  // clamped
    EXPECT_TRUE(client.output().empty());
    EXPECT_TRUE(client.take_output().empty());
}

TEST(Handshake, UnsentC0C1StaysAheadOfC2) {
    Handshake client(HandshakeRole::client, client_options(false));
    Handshake server(HandshakeRole::server, server_options());
    server.feed(client.output());  // read but not marked sent
    client.feed(server.output());
    EXPECT_EQ(client.output().size(), Handshake::client_output_size);
    EXPECT_EQ(client.output()[0], 3);
}

TEST(Handshake, PeerPacketAppearsWhenComplete) {
    Handshake client(HandshakeRole::client, client_options(true));
    Handshake server(HandshakeRole::server, server_options());
    const ByteVector c0c1 = client.take_output();
    EXPECT_EQ(server.feed(base::Bytes{c0c1}.first(1000)), 1000u);
    EXPECT_TRUE(server.peer_packet().empty());
    EXPECT_EQ(server.state(), HandshakeState::want_c0c1);
    EXPECT_EQ(server.feed(base::Bytes{c0c1}.subspan(1000)), c0c1.size() - 1000);
    EXPECT_EQ(hex_of(server.peer_packet()), hex_of(base::Bytes{c0c1}.subspan(1)));
    EXPECT_EQ(server.feed({}), 0u);
}

}  // namespace
}  // namespace sluice::rtmp
