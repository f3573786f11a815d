// rtmp::Rc4Cipher: RFC 6229 known answers, in-place symmetry, discard(),
// splitting, and move semantics.
#include "rtmp/rc4_cipher.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/hex.hpp"
#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

using test::hex;

std::vector<std::uint8_t> keystream(Rc4Cipher& cipher, std::size_t n) {
    std::vector<std::uint8_t> zeros(n, 0);
    cipher.apply(zeros);
    return zeros;
}

TEST(Rc4Cipher, MatchesRfc6229FortyBitKey) {
    // RFC 6229 section 2, key length 40 bits: key 0x0102030405, offsets 0 and 16.
    Rc4Cipher cipher(hex("01 02 03 04 05"));
    EXPECT_EQ(base::to_hex(keystream(cipher, 16)), "b2396305f03dc027ccc3524a0a1118a8");
    EXPECT_EQ(base::to_hex(keystream(cipher, 16)), "6982944f18fc82d589c403a47a0d0919");
}

TEST(Rc4Cipher, ApplyingTheSameKeystreamTwiceRestoresThePlaintext) {
    const std::string text = "connect('live') over RTMPE";
    std::vector<std::uint8_t> bytes(text.begin(), text.end());
    Rc4Cipher encrypt(hex("00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff"));
    Rc4Cipher decrypt(hex("00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff"));
    encrypt.apply(bytes);
    EXPECT_NE(std::string(bytes.begin(), bytes.end()), text);
    decrypt.apply(bytes);
    EXPECT_EQ(std::string(bytes.begin(), bytes.end()), text);
}

TEST(Rc4Cipher, DiscardAndSplitsAdvanceLikeOneApply) {
    const auto key = hex("0f 1e 2d 3c");
    Rc4Cipher whole(key);
    const auto reference = keystream(whole, 3000);

    Rc4Cipher skipped(key);
    skipped.discard(1536);
    EXPECT_EQ(keystream(skipped, 1464), std::vector<std::uint8_t>(reference.begin() + 1536, reference.end()));

    Rc4Cipher pieces(key);
    std::vector<std::uint8_t> joined;
    for (std::size_t n : {1u, 7u, 0u, 511u, 512u, 513u, 1456u}) {
        const auto part = keystream(pieces, n);
        joined.insert(joined.end(), part.begin(), part.end());
    }
    EXPECT_EQ(joined, reference);
}

TEST(Rc4Cipher, MovingHandsOverTheStream) {
    const auto key = hex("01 02 03 04 05");
    Rc4Cipher a(key);
    keystream(a, 16);
    Rc4Cipher b(std::move(a));
    EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): documented state
    EXPECT_TRUE(b.valid());
    EXPECT_EQ(base::to_hex(keystream(b, 16)), "6982944f18fc82d589c403a47a0d0919");
    Rc4Cipher c(hex("ff"));
    c = std::move(b);
    EXPECT_TRUE(c.valid());
    EXPECT_EQ(keystream(c, 4).size(), 4u);
}

}  // namespace
}  // namespace sluice::rtmp
