// RTMPE (REFERENCE.md §10): the building blocks in rtmp/handshake_rtmpe.hpp
// against independent computations and published vectors, and
// rtmp::Handshake with encryption: our client against our server for
// types 6, 8 and 9, a hand-built client C1 whose keys the test derives on
// its own (so the key slots and RC4 keys are checked from outside), every
// refusal with its specific error, and byte-by-byte feeding.
#include "rtmp/handshake.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/hex.hpp"
#include "rtmp/errors.hpp"
#include "rtmp/handshake_rtmpe.hpp"
#include "rtmp/rc4_cipher.hpp"
#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

namespace hd = handshake_digest;
namespace he = handshake_rtmpe;
using base::ByteVector;
using test::hex;

constexpr std::size_t packet_size = Handshake::packet_size;
using Packet = std::array<std::uint8_t, packet_size>;

std::function<void(std::span<std::uint8_t>)> pattern(std::uint8_t seed) {
    return [seed, calls = 0u](std::span<std::uint8_t> out) mutable {
        ++calls;
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i] = static_cast<std::uint8_t>(seed + calls * 31 + i * 13 + (i >> 8));
        }
    };
}

HandshakeOptions rtmpe_client(std::uint8_t type, std::uint8_t seed = 7) {
    HandshakeOptions o;
    o.time = 0x11223344;
    o.random = pattern(seed);
    o.encrypted_type = type;
    return o;
}

HandshakeOptions rtmpe_server(std::uint8_t seed = 99) {
    HandshakeOptions o;
    o.time = 0x55667788;
    o.random = pattern(seed);
    o.encryption = true;
    return o;
}

std::vector<std::uint8_t> sample(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> bytes(n);
    for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::uint8_t>(seed ^ (i * 29 + (i >> 3)));
    return bytes;
}

/// `from` encrypts, `to` decrypts: the text must come back, and differ on the wire.
void expect_mirrored(Rc4Cipher& from, Rc4Cipher& to, std::uint8_t seed) {
    const auto plain = sample(5000, seed);
    auto wire = plain;
    from.apply(wire);
    EXPECT_NE(wire, plain);
    to.apply(wire);
    EXPECT_EQ(wire, plain);
}

// Absolute key slot positions, computed here from REFERENCE.md §9.2's table
// rather than with hd::key_position().
std::size_t key_slot(base::Bytes packet, DigestSchema schema) {
    const std::size_t at = schema == DigestSchema::schema0 ? 768 : 1532;
    const std::size_t sum = std::size_t{packet[at]} + packet[at + 1] + packet[at + 2] + packet[at + 3];
    return schema == DigestSchema::schema0 ? sum % 632 + 8 : sum % 632 + 772;
}

he::PrivateKey private_key(std::uint8_t seed) {
    he::PrivateKey x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::uint8_t>(seed * 3 + i * 101);
    return x;
}

ByteVector big_endian(const BIGNUM* bn) {
    ByteVector out(he::key_size);
    BN_bn2binpad(bn, out.data(), static_cast<int>(out.size()));
    return out;
}

/// p + delta (delta may be negative), as a 128-byte key (p + 1 needs 129:
/// capped at all-ones bytes is done by the caller).
ByteVector prime_plus(long delta) {
    BIGNUM* p = BN_bin2bn(he::prime().data(), static_cast<int>(he::prime().size()), nullptr);
    if (delta >= 0) {
        BN_add_word(p, static_cast<BN_ULONG>(delta));
    } else {
        BN_sub_word(p, static_cast<BN_ULONG>(-delta));
    }
    ByteVector out = big_endian(p);
    BN_free(p);
    return out;
}

/// A client C1 built by hand: schema `schema`, our own private key, and
/// `key_bytes` in the key slot (the real public key unless overridden).
struct HandBuiltClient {
    he::PrivateKey x{};
    he::PublicKey y{};
    Packet c1{};
    std::size_t slot = 0;

    HandBuiltClient(DigestSchema schema, std::uint8_t seed, std::optional<ByteVector> key_bytes = {}) {
        for (std::size_t i = 0; i < c1.size(); ++i)
            c1[i] = static_cast<std::uint8_t>(seed + i * 7 + (i >> 5));
        const std::uint8_t head[8] = {0, 0, 0, 0, 0x80, 0x00, 0x03, 0x02};
        std::copy(std::begin(head), std::end(head), c1.begin());
        x = private_key(seed);
        y = *he::public_key(x);
        slot = key_slot(c1, schema);
        const ByteVector key = key_bytes ? *key_bytes : ByteVector(y.begin(), y.end());
        std::copy(key.begin(), key.end(), c1.begin() + static_cast<std::ptrdiff_t>(slot));
        hd::sign_packet(c1, schema, hd::client_key_c1());
    }

    ByteVector c0c1(std::uint8_t type) const { return test::cat(ByteVector{type}, c1); }
};

// ---- building blocks ----

TEST(HandshakeRtmpe, PrimeIsRfc2409SecondOakleyGroup) {
    BIGNUM* p = BN_get_rfc2409_prime_1024(nullptr);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(base::to_hex(big_endian(p)), base::to_hex(he::prime()));
    BN_free(p);
    // q = (p - 1) / 2 starts as REFERENCE.md §10.2 says.
    BIGNUM* q = BN_bin2bn(he::prime().data(), 128, nullptr);
    BN_rshift1(q, q);
    EXPECT_EQ(base::to_hex(big_endian(q)).substr(0, 32), "7fffffffffffffffe487ed5110b4611a");
    BN_free(q);
}

TEST(HandshakeRtmpe, PublicKeyValidationFollowsSection102) {
    auto small = [](std::uint8_t v) {
        ByteVector key(he::key_size, 0);
        key.back() = v;
        return key;
    };
    EXPECT_FALSE(he::is_valid_public_key(small(0)));
    EXPECT_FALSE(he::is_valid_public_key(small(1)));
    EXPECT_TRUE(he::is_valid_public_key(small(2)));         // g itself
    EXPECT_TRUE(he::is_valid_public_key(small(4)));         // g^2
    EXPECT_FALSE(he::is_valid_public_key(prime_plus(-1)));  // p - 1
    EXPECT_FALSE(he::is_valid_public_key(prime_plus(0)));   // p
    EXPECT_FALSE(he::is_valid_public_key(ByteVector(he::key_size, 0xFF)));
    // p - 2 = -2 is in range but not in the subgroup of order q (-1 is a
    // non-residue for p = 3 mod 4, 2 is a residue): the y^q check catches it.
    EXPECT_FALSE(he::is_valid_public_key(prime_plus(-2)));
    // Leading zeros are allowed (keys are left-padded).
    EXPECT_TRUE(he::is_valid_public_key(ByteVector{0, 0, 2}));
}

TEST(HandshakeRtmpe, BothSidesOfDiffieHellmanAgree) {
    const auto a = private_key(1);
    const auto b = private_key(2);
    const auto ya = he::public_key(a);
    const auto yb = he::public_key(b);
    ASSERT_TRUE(ya && yb);
    EXPECT_NE(*ya, *yb);
    EXPECT_TRUE(he::is_valid_public_key(*ya));
    const auto ka = he::shared_secret(a, *yb);
    const auto kb = he::shared_secret(b, *ya);
    ASSERT_TRUE(ka && kb);
    EXPECT_EQ(*ka, *kb);
    EXPECT_FALSE(he::shared_secret(a, prime_plus(-1)));
    // x = 0 gives y = 1, which is not a usable key.
    EXPECT_FALSE(he::public_key(he::PrivateKey{}));

    // §10.4: one side's out key is the other side's in key.
    const auto client = he::rc4_keys(*ka, *ya, *yb);
    const auto server = he::rc4_keys(*kb, *yb, *ya);
    EXPECT_EQ(client.out, server.in);
    EXPECT_EQ(client.in, server.out);
    EXPECT_NE(client.in, client.out);
    const auto expected_out = hd::hmac_sha256(*ka, *yb);
    EXPECT_TRUE(std::equal(client.out.begin(), client.out.end(), expected_out.begin()));
}

// XTEA from its description (Needham and Wheeler, 1997): 32 cycles, delta
// 0x9E3779B9; written independently of the production function.
void reference_xtea(std::uint32_t v[2], const std::uint32_t k[4]) {
    std::uint32_t y = v[0], z = v[1], total = 0;
    for (int cycle = 0; cycle < 32; ++cycle) {
        y += ((z << 4 ^ z >> 5) + z) ^ (total + k[total & 3]);
        total += 0x9E3779B9u;
        z += ((y << 4 ^ y >> 5) + y) ^ (total + k[total >> 11 & 3]);
    }
    v[0] = y;
    v[1] = z;
}

TEST(HandshakeRtmpe, XteaMatchesAnIndependentComputation) {
    std::array<std::uint8_t, 8> block = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};
    for (std::size_t row : {0u, 7u, 14u}) {
        std::uint32_t v[2] = {0x67452301u, 0xEFCDAB89u};  // the block's little-endian words
        const auto& key = he::xtea_key(row);
        reference_xtea(v, key.data());
        std::array<std::uint8_t, 8> enciphered = block;
        he::xtea_encipher(enciphered, key);
        std::array<std::uint8_t, 8> expected{};
        for (int i = 0; i < 4; ++i) {
            expected[i] = static_cast<std::uint8_t>(v[0] >> (8 * i));
            expected[4 + i] = static_cast<std::uint8_t>(v[1] >> (8 * i));
        }
        EXPECT_EQ(enciphered, expected) << "row " << row;
    }
    // Row 0 as in REFERENCE.md §10.5.
    EXPECT_EQ(he::xtea_key(0)[0], 0xBFF034B2u);
    EXPECT_EQ(he::xtea_key(14)[3], 0x6A387C2Au);
}

TEST(HandshakeRtmpe, BlowfishMatchesPublishedVectors) {
    // Eric Young's Blowfish ECB vectors (Schneier's test data), read as
    // big-endian halves; RTMPE reads halves little-endian, so each half is
    // byte-reversed on the way in and out.
    auto le = [](const ByteVector& be) {
        return std::array<std::uint8_t, 8>{be[3], be[2], be[1], be[0], be[7], be[6], be[5], be[4]};
    };
    struct Vector {
        const char* key;
        const char* plain;
        const char* cipher;
    };
    const Vector vectors[] = {
        {"0000000000000000", "0000000000000000", "4ef997456198dd78"},
        {"ffffffffffffffff", "ffffffffffffffff", "51866fd5b85ecb8a"},
        {"0123456789abcdef", "1111111111111111", "61f9c3802281b096"},
    };
    for (const auto& v : vectors) {
        auto block = le(hex(v.plain));
        he::blowfish_encipher(block, hex(v.key));
        EXPECT_EQ(block, le(hex(v.cipher))) << v.key;
    }
}

TEST(HandshakeRtmpe, SignatureEnciphermentPicksRowsFromTheResponseKey) {
    hd::Digest key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 37 + 200);
    hd::Digest signature{};
    for (std::size_t i = 0; i < signature.size(); ++i) signature[i] = static_cast<std::uint8_t>(i);

    hd::Digest plain = signature;
    he::encipher_signature(plain, key, he::type_plain);
    EXPECT_EQ(plain, signature);

    hd::Digest xtea = signature;
    hd::Digest blowfish = signature;
    he::encipher_signature(xtea, key, he::type_xtea);
    he::encipher_signature(blowfish, key, he::type_blowfish);
    for (std::size_t i = 0; i < 32; i += 8) {
        std::array<std::uint8_t, 8> block{};
        std::copy_n(signature.begin() + static_cast<std::ptrdiff_t>(i), 8, block.begin());
        auto x = block;
        he::xtea_encipher(x, he::xtea_key(key[i] % 15));
        EXPECT_TRUE(std::equal(x.begin(), x.end(), xtea.begin() + static_cast<std::ptrdiff_t>(i))) << i;
        auto b = block;
        he::blowfish_encipher(b, he::blowfish_key(key[i] % 15));
        EXPECT_TRUE(std::equal(b.begin(), b.end(), blowfish.begin() + static_cast<std::ptrdiff_t>(i))) << i;
    }
    EXPECT_NE(xtea, signature);
    EXPECT_NE(blowfish, signature);
}

// ---- our client <-> our server ----

struct PairCase {
    const char* name;
    std::uint8_t offered;
    std::optional<HandshakeVersion> client_version;
    std::uint8_t expected;
};

class RtmpePair : public ::testing::TestWithParam<PairCase> {};

TEST_P(RtmpePair, BothSidesFinishWithMirroredCiphers) {
    const PairCase& c = GetParam();
    HandshakeOptions co = rtmpe_client(c.offered);
    co.version = c.client_version;
    Handshake client(HandshakeRole::client, co);
    Handshake server(HandshakeRole::server, rtmpe_server());
    EXPECT_EQ(client.kind(), HandshakeKind::encrypted);

    const ByteVector c0c1 = client.take_output();
    ASSERT_EQ(c0c1.size(), Handshake::first_flight_size);
    EXPECT_EQ(c0c1[0], c.offered);
    EXPECT_EQ(base::to_hex(base::Bytes{c0c1}.subspan(5, 4)),
              c.client_version ? base::to_hex(*c.client_version) : "80000302");
    // Schema 0: the digest verifies at the schema-0 position, and the slot holds a valid key.
    EXPECT_TRUE(hd::has_valid_digest(base::Bytes{c0c1}.subspan(1).first<packet_size>(), DigestSchema::schema0,
                                     hd::client_key_c1()));
    EXPECT_TRUE(he::is_valid_public_key(
        base::Bytes{c0c1}.subspan(1 + key_slot(base::Bytes{c0c1}.subspan(1), DigestSchema::schema0), 128)));

    ASSERT_EQ(server.feed(c0c1), c0c1.size());
    ASSERT_EQ(server.state(), HandshakeState::want_c2) << server.error().message();
    EXPECT_EQ(server.kind(), HandshakeKind::encrypted);
    EXPECT_EQ(server.schema(), DigestSchema::schema0);
    EXPECT_EQ(server.encryption_type(), c.expected);
    const ByteVector s0s1s2 = server.take_output();
    ASSERT_EQ(s0s1s2.size(), Handshake::server_output_size);
    EXPECT_EQ(s0s1s2[0], c.expected);

    ASSERT_EQ(client.feed(s0s1s2), s0s1s2.size());
    ASSERT_TRUE(client.done()) << client.error().message();
    EXPECT_EQ(client.encryption_type(), c.expected);
    const ByteVector c2 = client.take_output();
    ASSERT_EQ(c2.size(), packet_size);
    ASSERT_EQ(server.feed(c2), c2.size());
    ASSERT_TRUE(server.done());

    EXPECT_TRUE(client.peer_digest_verified());
    EXPECT_TRUE(server.peer_digest_verified());
    EXPECT_TRUE(client.peer_response_verified());
    EXPECT_TRUE(server.peer_response_verified());

    auto client_ciphers = client.take_ciphers();
    auto server_ciphers = server.take_ciphers();
    ASSERT_TRUE(client_ciphers && server_ciphers);
    expect_mirrored(client_ciphers->out, server_ciphers->in, 1);
    expect_mirrored(server_ciphers->out, client_ciphers->in, 2);
    // Still in step after the first exchange.
    expect_mirrored(client_ciphers->out, server_ciphers->in, 3);
    // Handed out once.
    EXPECT_FALSE(client.take_ciphers());
    EXPECT_FALSE(server.take_ciphers());
}

INSTANTIATE_TEST_SUITE_P(Types, RtmpePair,
                         ::testing::Values(
                             // librtmp's rule (§10.1): a 128.x client asking for 6 or 8 gets 8.
                             PairCase{"type6_flash_version", 6, std::nullopt, 8},
                             PairCase{"type6_other_version", 6, HandshakeVersion{0x0A, 0x00, 0x2D, 0x02}, 6},
                             PairCase{"type8", 8, std::nullopt, 8},
                             PairCase{"type8_other_version", 8, default_client_version, 6},
                             PairCase{"type9", 9, std::nullopt, 9}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(HandshakeRtmpe, PlainHandshakesHaveNoCiphers) {
    HandshakeOptions co;
    co.random = pattern(1);
    HandshakeOptions so;
    so.random = pattern(2);
    so.encryption = true;  // on, but the client does not ask for it
    Handshake client(HandshakeRole::client, co);
    Handshake server(HandshakeRole::server, so);
    server.feed(client.take_output());
    client.feed(server.take_output());
    server.feed(client.take_output());
    ASSERT_TRUE(client.done() && server.done());
    EXPECT_EQ(server.kind(), HandshakeKind::digest);
    EXPECT_FALSE(server.encryption_type());
    EXPECT_FALSE(server.take_ciphers());
    EXPECT_FALSE(client.take_ciphers());
}

TEST(HandshakeRtmpe, CiphersWaitForTheEndOfTheHandshake) {
    Handshake client(HandshakeRole::client, rtmpe_client(6));
    Handshake server(HandshakeRole::server, rtmpe_server());
    server.feed(client.take_output());
    EXPECT_FALSE(server.take_ciphers());  // derived, but C2 has not arrived
    client.feed(server.take_output());
    const ByteVector c2 = client.take_output();
    // What follows C2 on the wire (the encrypted connect) stays with the caller.
    const ByteVector with_more = test::cat(c2, ByteVector(10, 0xEE));
    EXPECT_EQ(server.feed(with_more), packet_size);
    EXPECT_TRUE(server.done());
    EXPECT_EQ(server.feed(with_more), 0u);
    EXPECT_TRUE(server.take_ciphers());
}

// ---- a hand-built client: keys checked from outside ----

class HandBuilt : public ::testing::TestWithParam<DigestSchema> {};

TEST_P(HandBuilt, ServerAnswersInTheSchemaOfC1WithKeysWeCanDerive) {
    const DigestSchema schema = GetParam();
    const HandBuiltClient peer(schema, 42);
    Handshake server(HandshakeRole::server, rtmpe_server());
    ASSERT_EQ(server.feed(peer.c0c1(6)), Handshake::first_flight_size);
    ASSERT_EQ(server.state(), HandshakeState::want_c2) << server.error().message();
    EXPECT_EQ(server.schema(), schema);
    EXPECT_EQ(server.encryption_type(), 8);  // version 128.0.3.2

    const ByteVector out = server.take_output();
    const base::Bytes s1 = base::Bytes{out}.subspan(1, packet_size);
    const base::Bytes s2 = base::Bytes{out}.subspan(1 + packet_size, packet_size);
    ASSERT_TRUE(hd::has_valid_digest(s1.first<packet_size>(), schema, hd::server_key_s1()));
    const base::Bytes server_key = s1.subspan(key_slot(s1, schema), he::key_size);
    ASSERT_TRUE(he::is_valid_public_key(server_key));
    const hd::Digest c1_digest = hd::stored_digest(peer.c1, schema);
    EXPECT_TRUE(he::has_valid_signature(s2.first<packet_size>(), hd::server_key(), c1_digest, 8));
    EXPECT_FALSE(he::has_valid_signature(s2.first<packet_size>(), hd::server_key(), c1_digest, 6));

    // The client's C2, signed and XTEA-enciphered as type 8 wants.
    Packet c2{};
    for (std::size_t i = 0; i < c2.size(); ++i) c2[i] = static_cast<std::uint8_t>(i * 3);
    he::sign_response(c2, hd::client_key(), hd::stored_digest(s1.first<packet_size>(), schema), 8);
    ASSERT_EQ(server.feed(c2), packet_size);
    ASSERT_TRUE(server.done());
    EXPECT_TRUE(server.peer_response_verified());

    const auto secret = he::shared_secret(peer.x, server_key);
    ASSERT_TRUE(secret);
    const auto keys = he::rc4_keys(*secret, peer.y, server_key);
    Rc4Cipher client_out(keys.out);
    Rc4Cipher client_in(keys.in);
    client_out.discard(1536);
    client_in.discard(1536);
    auto ciphers = server.take_ciphers();
    ASSERT_TRUE(ciphers);
    expect_mirrored(client_out, ciphers->in, 4);
    expect_mirrored(ciphers->out, client_in, 5);
}

INSTANTIATE_TEST_SUITE_P(Schemas, HandBuilt, ::testing::Values(DigestSchema::schema0, DigestSchema::schema1),
                         [](const auto& param_info) {
                             return param_info.param == DigestSchema::schema0 ? "schema0" : "schema1";
                         });

TEST(HandshakeRtmpe, ServerAcceptsAnEchoedS1AsC2) {
    // FFmpeg publishing over rtmpe:// echoes S1 instead of signing.
    const HandBuiltClient peer(DigestSchema::schema0, 43);
    Handshake server(HandshakeRole::server, rtmpe_server());
    server.feed(peer.c0c1(6));
    const ByteVector out = server.take_output();
    ASSERT_EQ(server.feed(base::Bytes{out}.subspan(1, packet_size)), packet_size);
    EXPECT_TRUE(server.done());
    EXPECT_FALSE(server.peer_response_verified());
    EXPECT_TRUE(server.take_ciphers());
}

// ---- refusals ----

TEST(HandshakeRtmpe, ServerRefusesBadClientKeys) {
    auto small = [](std::uint8_t v) {
        ByteVector key(he::key_size, 0);
        key.back() = v;
        return key;
    };
    const std::pair<const char*, ByteVector> keys[] = {
        {"zero", small(0)},      {"one", small(1)},
        {"p-1", prime_plus(-1)}, {"p-2 (not in the group)", prime_plus(-2)},
        {"p", prime_plus(0)},    {"all ones", ByteVector(he::key_size, 0xFF)},
    };
    for (const auto& [name, key] : keys) {
        SCOPED_TRACE(name);
        const HandBuiltClient peer(DigestSchema::schema0, 44, key);
        Handshake server(HandshakeRole::server, rtmpe_server());
        EXPECT_EQ(server.feed(peer.c0c1(9)), Handshake::first_flight_size);
        EXPECT_TRUE(server.failed());
        EXPECT_EQ(server.error(), Errc::handshake_rtmpe_key_invalid);
        EXPECT_TRUE(server.output().empty());
        EXPECT_FALSE(server.take_ciphers());
    }
}

TEST(HandshakeRtmpe, ServerRefusesAnRtmpeC1WithoutDigest) {
    HandBuiltClient peer(DigestSchema::schema0, 45);
    peer.c1[900] ^= 0x01;  // breaks the digest (it covers every byte but itself)
    Handshake server(HandshakeRole::server, rtmpe_server());
    EXPECT_EQ(server.feed(peer.c0c1(6)), Handshake::first_flight_size);
    EXPECT_EQ(server.error(), Errc::handshake_rtmpe_digest_missing);
    EXPECT_TRUE(server.output().empty());
}

TEST(HandshakeRtmpe, ServerWithEncryptionOffStillRefusesAtC0) {
    for (const std::uint8_t type : {std::uint8_t{6}, std::uint8_t{8}, std::uint8_t{9}}) {
        HandshakeOptions o;
        o.random = pattern(3);  // encryption defaults to off
        Handshake server(HandshakeRole::server, o);
        const HandBuiltClient peer(DigestSchema::schema0, 46);
        EXPECT_EQ(server.feed(peer.c0c1(type)), 1u);
        EXPECT_EQ(server.error(), Errc::handshake_rtmpe_unsupported);
    }
}

TEST(HandshakeRtmpe, ClientRefusesWrongServers) {
    auto server_flight = [] {
        Handshake client(HandshakeRole::client, rtmpe_client(6));
        Handshake server(HandshakeRole::server, rtmpe_server());
        server.feed(client.take_output());
        return server.take_output();
    };
    {
        SCOPED_TRACE("S0 = 3");
        Handshake client(HandshakeRole::client, rtmpe_client(6));
        ByteVector flight = server_flight();
        flight[0] = 3;
        EXPECT_EQ(client.feed(flight), 1u);
        EXPECT_EQ(client.error(), Errc::handshake_version_mismatch);
    }
    {
        SCOPED_TRACE("S1 without a digest");
        Handshake client(HandshakeRole::client, rtmpe_client(6));
        ByteVector flight = server_flight();
        flight[1 + 4] ^= 0x40;  // the version field is covered by the digest
        EXPECT_EQ(client.feed(flight), 1 + packet_size);
        EXPECT_EQ(client.error(), Errc::handshake_rtmpe_digest_missing);
    }
    {
        SCOPED_TRACE("S1 with a bad key");
        // A plain-RTMP digest server fills the key slot with random bytes.
        HandshakeOptions plain;
        plain.random = pattern(9);
        Handshake client(HandshakeRole::client, rtmpe_client(6));
        ByteVector c0c1 = client.take_output();
        c0c1[0] = 3;
        Handshake server(HandshakeRole::server, plain);
        server.feed(c0c1);
        ByteVector flight = server.take_output();
        flight[0] = 6;
        Packet s1{};
        std::copy_n(flight.begin() + 1, packet_size, s1.begin());
        const std::size_t slot = key_slot(s1, DigestSchema::schema0);
        std::fill_n(s1.begin() + static_cast<std::ptrdiff_t>(slot), he::key_size, 0);
        hd::sign_packet(s1, DigestSchema::schema0, hd::server_key_s1());
        std::copy(s1.begin(), s1.end(), flight.begin() + 1);
        EXPECT_EQ(client.feed(flight), 1 + packet_size);
        EXPECT_EQ(client.error(), Errc::handshake_rtmpe_key_invalid);
    }
    {
        SCOPED_TRACE("S2 signature not enciphered for the type");
        Handshake client(HandshakeRole::client, rtmpe_client(6));
        ByteVector flight = server_flight();  // S0 = 8
        flight[0] = 9;                        // now the client expects Blowfish
        EXPECT_EQ(client.feed(flight), flight.size());
        EXPECT_EQ(client.error(), Errc::handshake_digest_invalid);
        EXPECT_FALSE(client.take_ciphers());
    }
}

TEST(HandshakeRtmpe, ClientRefusesAnUnknownType) {
    Handshake client(HandshakeRole::client, rtmpe_client(7));
    EXPECT_TRUE(client.failed());
    EXPECT_EQ(client.error(), Errc::handshake_rtmpe_type_invalid);
    EXPECT_TRUE(client.output().empty());
}

TEST(HandshakeRtmpe, ConstantRandomSourceFailsCleanly) {
    // All-zero random bytes make x = 0 every time: no usable key pair.
    HandshakeOptions o = rtmpe_client(6);
    o.random = [](std::span<std::uint8_t> out) { std::fill(out.begin(), out.end(), 0); };
    Handshake client(HandshakeRole::client, o);
    EXPECT_EQ(client.error(), Errc::handshake_rtmpe_key_failed);
    EXPECT_TRUE(client.output().empty());
}

// ---- feeding ----

TEST(HandshakeRtmpe, ByteByByteGivesTheSameResultAsWhole) {
    for (const std::uint8_t type : {std::uint8_t{6}, std::uint8_t{8}, std::uint8_t{9}}) {
        SCOPED_TRACE(int{type});
        Handshake client(HandshakeRole::client, rtmpe_client(type, 11));
        Handshake server(HandshakeRole::server, rtmpe_server(12));
        Handshake whole_client(HandshakeRole::client, rtmpe_client(type, 11));
        Handshake whole_server(HandshakeRole::server, rtmpe_server(12));

        auto feed_bytes = [](Handshake& h, const ByteVector& bytes) {
            std::size_t used = 0;
            for (std::uint8_t b : bytes) used += h.feed(base::Bytes{&b, 1});
            return used;
        };
        const ByteVector c0c1 = client.take_output();
        EXPECT_EQ(feed_bytes(server, c0c1), c0c1.size());
        const ByteVector s0s1s2 = server.take_output();
        EXPECT_EQ(feed_bytes(client, s0s1s2), s0s1s2.size());
        const ByteVector c2 = client.take_output();
        EXPECT_EQ(feed_bytes(server, c2), c2.size());
        ASSERT_TRUE(client.done() && server.done());

        whole_server.feed(whole_client.take_output());
        EXPECT_EQ(whole_server.take_output(), s0s1s2);
        whole_client.feed(s0s1s2);
        EXPECT_EQ(whole_client.take_output(), c2);

        auto a = client.take_ciphers();
        auto b = server.take_ciphers();
        ASSERT_TRUE(a && b);
        expect_mirrored(a->out, b->in, 6);
        expect_mirrored(b->out, a->in, 7);
    }
}

}  // namespace
}  // namespace sluice::rtmp
