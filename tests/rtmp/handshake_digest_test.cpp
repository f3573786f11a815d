#include "rtmp/handshake_digest.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "base/hex.hpp"
#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

namespace hd = handshake_digest;
using test::ascii;
using test::cat;
using test::hex;
using Packet = std::array<std::uint8_t, hd::packet_size>;

std::string hex_of(base::Bytes bytes) {
    return base::to_hex(bytes);
}

// REFERENCE.md §9.6 inputs: C1 = time 0, version 09 00 7C 02, byte i = i mod 256
// for i >= 8; S1 = time 0, version 03 05 01 01, byte i = (255 - i) mod 256.
Packet vector_c1() {
    Packet p{};
    p[4] = 0x09, p[5] = 0x00, p[6] = 0x7C, p[7] = 0x02;
    for (std::size_t i = 8; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(i % 256);
    return p;
}

Packet vector_s1() {
    Packet p{};
    p[4] = 0x03, p[5] = 0x05, p[6] = 0x01, p[7] = 0x01;
    for (std::size_t i = 8; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>((255 - i % 256) % 256);
    return p;
}

TEST(HandshakeDigest, KeysAreTheFlashKeys) {
    const auto tail = hex(
        "F0 EE C2 4A 80 68 BE E8 2E 00 D0 D1 02 9E 7E 57 6E EC 5D 2D 29 80 6F AB 93 B8 E6 36 CF EB 31 AE");
    const auto client = cat(ascii("Genuine Adobe Flash Player 001"), tail);
    const auto server = cat(ascii("Genuine Adobe Flash Media Server 001"), tail);
    EXPECT_EQ(hex_of(hd::client_key()), hex_of(client));
    EXPECT_EQ(hex_of(hd::server_key()), hex_of(server));
    EXPECT_EQ(hex_of(hd::client_key_c1()), hex_of(ascii("Genuine Adobe Flash Player 001")));
    EXPECT_EQ(hex_of(hd::server_key_s1()), hex_of(ascii("Genuine Adobe Flash Media Server 001")));
}

TEST(HandshakeDigest, HmacSha256MatchesRfc4231Case2) {
    // RFC 4231 test case 2, so the OpenSSL shim is checked on its own.
    EXPECT_EQ(hex_of(hd::hmac_sha256(ascii("Jefe"), ascii("what do ya want for nothing?"))),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HandshakeDigest, DigestPositionsFollowSection92) {
    Packet p{};
    // §9.2 example: bytes 8..11 = 01 02 03 04 -> sum 10 -> schema-1 digest at 22.
    p[8] = 1, p[9] = 2, p[10] = 3, p[11] = 4;
    EXPECT_EQ(hd::digest_position(p, DigestSchema::schema1), 22u);
    EXPECT_EQ(hd::digest_position(p, DigestSchema::schema0), 776u);  // bytes 772..775 are zero
    // Largest sum 4 * 255 = 1020 -> 1020 mod 728 = 292.
    p[8] = p[9] = p[10] = p[11] = 0xFF;
    p[772] = p[773] = p[774] = p[775] = 0xFF;
    EXPECT_EQ(hd::digest_position(p, DigestSchema::schema1), 292u + 12u);
    EXPECT_EQ(hd::digest_position(p, DigestSchema::schema0), 292u + 776u);
    // Sum 727 is the last position before the wrap, 728 wraps to the start.
    p[772] = 0xFF, p[773] = 0xFF, p[774] = 0xD9, p[775] = 0x00;  // 255+255+217 = 727
    EXPECT_EQ(hd::digest_position(p, DigestSchema::schema0), 1503u);
    p[775] = 0x01;  // 728
    EXPECT_EQ(hd::digest_position(p, DigestSchema::schema0), 776u);
}

TEST(HandshakeDigest, KeyPositionsFollowSection92) {
    Packet p{};
    EXPECT_EQ(hd::key_position(p, DigestSchema::schema0), 8u);
    EXPECT_EQ(hd::key_position(p, DigestSchema::schema1), 772u);
    p[768] = p[769] = p[770] = p[771] = 0xFF;                        // 1020 mod 632 = 388
    p[1532] = 0x01, p[1533] = 0x02, p[1534] = 0x03, p[1535] = 0x04;  // 10
    EXPECT_EQ(hd::key_position(p, DigestSchema::schema0), 388u + 8u);
    EXPECT_EQ(hd::key_position(p, DigestSchema::schema1), 10u + 772u);
}

TEST(HandshakeDigest, Section96ClientDigest) {
    Packet c1 = vector_c1();
    ASSERT_EQ(hd::digest_position(c1, DigestSchema::schema1), 50u);
    const auto digest = hd::sign_packet(c1, DigestSchema::schema1, hd::client_key_c1());
    EXPECT_EQ(hex_of(digest), "847b0a67b05fc66226127cd092337f2f9d2150340f81eafde5b40988a40a60b8");
    EXPECT_EQ(hex_of(base::Bytes{c1}.subspan(50, 32)), hex_of(digest));
    EXPECT_TRUE(hd::has_valid_digest(c1, DigestSchema::schema1, hd::client_key_c1()));
    EXPECT_EQ(hd::find_digest(c1, hd::client_key_c1(), DigestSchema::schema0), DigestSchema::schema1);
    // The wrong key does not verify.
    EXPECT_FALSE(hd::find_digest(c1, hd::server_key_s1(), DigestSchema::schema0).has_value());
}

TEST(HandshakeDigest, Section96ServerDigest) {
    Packet s1 = vector_s1();
    ASSERT_EQ(hd::digest_position(s1, DigestSchema::schema1), 266u);
    const auto digest = hd::sign_packet(s1, DigestSchema::schema1, hd::server_key_s1());
    EXPECT_EQ(hex_of(digest), "b832bfa67b9d15fc4ed2464393ddb48710577ee9e75a51b0e037b26feba5513d");
    EXPECT_EQ(hd::stored_digest(s1, DigestSchema::schema1), digest);
    EXPECT_EQ(hd::find_digest(s1, hd::server_key_s1(), DigestSchema::schema1), DigestSchema::schema1);
}

TEST(HandshakeDigest, Section96ResponseSignatures) {
    Packet c1 = vector_c1();
    Packet s1 = vector_s1();
    const auto c1_digest = hd::sign_packet(c1, DigestSchema::schema1, hd::client_key_c1());
    const auto s1_digest = hd::sign_packet(s1, DigestSchema::schema1, hd::server_key_s1());

    EXPECT_EQ(hex_of(hd::hmac_sha256(hd::server_key(), c1_digest)),
              "fec845ab2b3154a21311bf4f54d805435779435bfa778d23d7b4945d31ca532b");
    EXPECT_EQ(hex_of(hd::hmac_sha256(hd::client_key(), s1_digest)),
              "78b5acf6b67222157d4c70cc87606d7b3ec9e8e6bee1ae7d2643fe881267fcd5");

    Packet s2{};  // random part = 1504 zero bytes
    hd::sign_response(s2, hd::server_key(), c1_digest);
    EXPECT_EQ(hex_of(base::Bytes{s2}.subspan(1504)),
              "d457b1d382c9153e11ef1e9844ddce9c9773833c7c3b450892ae939f00619aae");
    EXPECT_TRUE(hd::has_valid_signature(s2, hd::server_key(), c1_digest));

    Packet c2{};
    hd::sign_response(c2, hd::client_key(), s1_digest);
    EXPECT_EQ(hex_of(base::Bytes{c2}.subspan(1504)),
              "645cce8d8bd991aec18b91f5e13dae9d670b2fe049479ac95873c385c0d19162");
    EXPECT_TRUE(hd::has_valid_signature(c2, hd::client_key(), s1_digest));
    // Keyed by the other side's digest or key, it does not verify.
    EXPECT_FALSE(hd::has_valid_signature(c2, hd::client_key(), c1_digest));
    EXPECT_FALSE(hd::has_valid_signature(c2, hd::server_key(), s1_digest));
}

TEST(HandshakeDigest, AnyFlippedByteBreaksTheDigest) {
    Packet c1 = vector_c1();
    hd::sign_packet(c1, DigestSchema::schema0, hd::client_key_c1());
    const std::size_t position = hd::digest_position(c1, DigestSchema::schema0);
    ASSERT_TRUE(hd::has_valid_digest(c1, DigestSchema::schema0, hd::client_key_c1()));
    for (const std::size_t at : {std::size_t{0}, std::size_t{4}, std::size_t{100}, position - 1, position,
                                 position + 31, position + 32, std::size_t{1535}}) {
        Packet forged = c1;
        forged[at] ^= 0x01;
        EXPECT_FALSE(hd::find_digest(forged, hd::client_key_c1(), DigestSchema::schema0).has_value()) << at;
    }
    Packet zeros{};
    EXPECT_FALSE(hd::find_digest(zeros, hd::client_key_c1(), DigestSchema::schema1).has_value());
}

TEST(HandshakeDigest, SignatureCoversEveryRandomByte) {
    const hd::Digest peer = hd::hmac_sha256(ascii("k"), ascii("d"));
    Packet response{};
    for (std::size_t i = 0; i < response.size(); ++i) response[i] = static_cast<std::uint8_t>(i * 7);
    hd::sign_response(response, hd::server_key(), peer);
    for (const std::size_t at : {std::size_t{0}, std::size_t{1503}, std::size_t{1504}, std::size_t{1535}}) {
        Packet forged = response;
        forged[at] ^= 0x80;
        EXPECT_FALSE(hd::has_valid_signature(forged, hd::server_key(), peer)) << at;
    }
}

}  // namespace
}  // namespace sluice::rtmp
