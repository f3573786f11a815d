// SWF verification (REFERENCE.md §9.5): the 42-byte response, its check
// against an allow list, the "HASH:SIZE" text form, and the S1 tail the
// handshake keeps for it. Expected values come from OpenSSL's HMAC() here,
// not from the code under test.
#include "rtmp/swf_verification.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <vector>

#include "base/hex.hpp"
#include "rtmp/handshake.hpp"

namespace sluice::rtmp {
namespace {

S1Tail tail_pattern(std::uint8_t seed) {
    S1Tail tail{};
    for (std::size_t i = 0; i < tail.size(); ++i) tail[i] = static_cast<std::uint8_t>(seed + 7 * i);
    return tail;
}

// SHA-256 of some stand-in "SWF" bytes, as a player's hash would be made.
SwfHash hash_of(std::string_view swf) {
    SwfHash out{};
    SHA256(reinterpret_cast<const unsigned char*>(swf.data()), swf.size(), out.data());
    return out;
}

// The response built from the spec's description with OpenSSL directly.
std::vector<std::uint8_t> reference_response(const S1Tail& key, const SwfHash& hash, std::uint32_t size) {
    std::vector<std::uint8_t> out{0x01, 0x01};
    for (int twice = 0; twice < 2; ++twice) {
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(size >> shift));
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), hash.data(), hash.size(), mac, &mac_size);
    out.insert(out.end(), mac, mac + mac_size);
    return out;
}

TEST(SwfVerification, ResponseMatchesAnIndependentHmac) {
    const S1Tail key = tail_pattern(3);
    const SwfFile swf{hash_of("player.swf contents"), 0x00012345};
    const SwfResponse got = swf_verification_response(key, swf);
    const std::vector<std::uint8_t> want = reference_response(key, swf.sha256, swf.size);
    ASSERT_EQ(want.size(), swf_response_size);
    EXPECT_EQ(base::to_hex(got), base::to_hex(want));
    // The fixed part spelled out: marker, then the size twice, big-endian.
    EXPECT_EQ(base::to_hex(base::Bytes(got).first(10)), "01010001234500012345");
}

TEST(SwfVerification, ResponseDependsOnKeyHashAndSize) {
    const SwfFile swf{hash_of("a"), 1000};
    const SwfResponse base_response = swf_verification_response(tail_pattern(1), swf);
    EXPECT_NE(base_response, swf_verification_response(tail_pattern(2), swf));
    EXPECT_NE(base_response, swf_verification_response(tail_pattern(1), SwfFile{hash_of("b"), 1000}));
    EXPECT_NE(base_response, swf_verification_response(tail_pattern(1), SwfFile{hash_of("a"), 1001}));
}

TEST(SwfVerification, MatchesOnlyAnAllowedSwfForThisKey) {
    const S1Tail key = tail_pattern(9);
    const std::vector<SwfFile> allowed{{hash_of("old player"), 500}, {hash_of("new player"), 700}};
    const std::vector<std::uint8_t> second = reference_response(key, allowed[1].sha256, allowed[1].size);
    EXPECT_TRUE(swf_verification_matches(second, key, allowed));
    EXPECT_TRUE(swf_verification_matches(reference_response(key, allowed[0].sha256, 500), key, allowed));

    // Another connection's key, an SWF not on the list, the right hash with
    // another size, an empty list.
    EXPECT_FALSE(swf_verification_matches(second, tail_pattern(10), allowed));
    EXPECT_FALSE(swf_verification_matches(reference_response(key, hash_of("other"), 700), key, allowed));
    EXPECT_FALSE(swf_verification_matches(reference_response(key, allowed[1].sha256, 701), key, allowed));
    EXPECT_FALSE(swf_verification_matches(second, key, {}));

    // Malformed event data: short, long, wrong marker, two sizes that differ.
    std::vector<std::uint8_t> bad = second;
    bad.pop_back();
    EXPECT_FALSE(swf_verification_matches(bad, key, allowed));
    bad = second;
    bad.push_back(0);
    EXPECT_FALSE(swf_verification_matches(bad, key, allowed));
    bad = second;
    bad[1] = 0x02;
    EXPECT_FALSE(swf_verification_matches(bad, key, allowed));
    bad = second;
    bad[9] ^= 1;
    EXPECT_FALSE(swf_verification_matches(bad, key, allowed));
    bad = second;
    bad[41] ^= 0x80;
    EXPECT_FALSE(swf_verification_matches(bad, key, allowed));
    EXPECT_FALSE(swf_verification_matches({}, key, allowed));
}

TEST(SwfVerification, TextForm) {
    const std::string hex = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
    const auto swf = parse_swf_file(hex + ":4294967295");
    ASSERT_TRUE(swf);
    EXPECT_EQ(swf->size, 4294967295u);
    EXPECT_EQ(swf->sha256[0], 0x00);
    EXPECT_EQ(swf->sha256[15], 0xFF);
    EXPECT_EQ(swf->sha256[31], 0xFF);
    EXPECT_EQ(to_string(*swf), "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff:4294967295");
    EXPECT_EQ(parse_swf_file(to_string(*swf)), swf);

    EXPECT_FALSE(parse_swf_file(hex));                         // no size
    EXPECT_FALSE(parse_swf_file(hex + ":"));                   // empty size
    EXPECT_FALSE(parse_swf_file(hex + ":0"));                  // zero
    EXPECT_FALSE(parse_swf_file(hex + ":4294967296"));         // too big
    EXPECT_FALSE(parse_swf_file(hex + ":-1"));                 // sign
    EXPECT_FALSE(parse_swf_file(hex + ":12 "));                // trailing garbage
    EXPECT_FALSE(parse_swf_file(hex.substr(1) + ":12"));       // 63 digits
    EXPECT_FALSE(parse_swf_file(hex + "0:12"));                // 65 digits
    EXPECT_FALSE(parse_swf_file("x" + hex.substr(1) + ":1"));  // not hex
    EXPECT_FALSE(parse_swf_hash("00 11"));
    EXPECT_TRUE(parse_swf_hash(std::string(64, 'A')));
}

// The key both sides use is the server's S1 tail: the server's own packet,
// the client's received one; the same 32 bytes on a real exchange.
TEST(SwfVerification, HandshakeKeepsTheServerS1Tail) {
    const auto source = [](std::uint8_t seed) {
        return [seed](std::span<std::uint8_t> out) {
            for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(seed + i * 5);
        };
    };
    HandshakeOptions client_options;
    client_options.random = source(1);
    HandshakeOptions server_options;
    server_options.random = source(2);
    Handshake client(HandshakeRole::client, client_options);
    Handshake server(HandshakeRole::server, server_options);
    EXPECT_EQ(client.server_s1_tail(), S1Tail{});
    EXPECT_EQ(server.server_s1_tail(), S1Tail{});

    base::ByteVector c0c1 = client.take_output();
    ASSERT_EQ(server.feed(c0c1), c0c1.size());
    const base::ByteVector s0s1s2 = server.take_output();
    ASSERT_EQ(s0s1s2.size(), Handshake::server_output_size);
    S1Tail s1_tail{};
    std::copy_n(s0s1s2.begin() + 1 + Handshake::packet_size - 32, 32, s1_tail.begin());
    EXPECT_NE(s1_tail, S1Tail{});
    EXPECT_EQ(server.server_s1_tail(), s1_tail);

    ASSERT_EQ(client.feed(s0s1s2), s0s1s2.size());
    ASSERT_TRUE(client.done()) << client.error().message();
    EXPECT_EQ(client.server_s1_tail(), s1_tail);
    const base::ByteVector c2 = client.take_output();
    ASSERT_EQ(server.feed(c2), c2.size());
    ASSERT_TRUE(server.done());
    EXPECT_EQ(server.server_s1_tail(), s1_tail);  // kept after done
    EXPECT_EQ(client.kind(), HandshakeKind::digest);
}

}  // namespace
}  // namespace sluice::rtmp
