// Blowfish (type 9) uses OpenSSL's deprecated BF_* functions for the same
// reason rc4_cipher.cpp uses RC4_*: EVP "BF-ECB" lives in the legacy
// provider, a module that may be missing and must be loaded per library
// context, while BF_set_key/BF_encrypt are in libcrypto itself. They also
// take the two block halves as words, which is exactly the little-endian
// reading RTMPE needs (EVP would read them big-endian).
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "rtmp/handshake_rtmpe.hpp"

#include <openssl/blowfish.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <memory>
#include <string_view>

namespace sluice::rtmp::handshake_rtmpe {
namespace hd = handshake_digest;

namespace {

constexpr std::uint8_t hex_value(char c) noexcept {
    return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'A' + 10);
}

template <std::size_t N>
constexpr std::array<std::uint8_t, N> from_hex(std::string_view hex) noexcept {
    std::array<std::uint8_t, N> out{};
    for (std::size_t i = 0; i < N; ++i) {
        out[i] = static_cast<std::uint8_t>(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
    }
    return out;
}

// RFC 2409 6.2 (REFERENCE.md §10.2); the test compares it with OpenSSL's
// BN_get_rfc2409_prime_1024().
constexpr auto prime_bytes = from_hex<key_size>(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF");

// REFERENCE.md §10.5. Row 15 is never selected (d[i] % 15) but kept so the
// tables match the sources row for row.
constexpr std::array<XteaKey, 16> xtea_keys = {{
    {0xBFF034B2, 0x11D9081F, 0xCCDFB795, 0x748DE732},
    {0x086A5EB6, 0x1743090E, 0x6EF05AB8, 0xFE5A39E2},
    {0x7B10956F, 0x76CE0521, 0x2388A73A, 0x440149A1},
    {0xA943F317, 0xEBF11BB2, 0xA691A5EE, 0x17F36339},
    {0x7A30E00A, 0xB529E22C, 0xA087AEA5, 0xC0CB79AC},
    {0xBDCE0C23, 0x2FEBDEFF, 0x1CFAAE16, 0x1123239D},
    {0x55DD3F7B, 0x77E7E62E, 0x9BB8C499, 0xC9481EE4},
    {0x407BB6B4, 0x71E89136, 0xA7AEBF55, 0xCA33B839},
    {0xFCF6BDC3, 0xB63C3697, 0x7CE4F825, 0x04D959B2},
    {0x28E091FD, 0x41954C4C, 0x7FB7DB00, 0xE3A066F8},
    {0x57845B76, 0x4F251B03, 0x46D45BCD, 0xA2C30D29},
    {0x0ACCEEF8, 0xDA55B546, 0x03473452, 0x5863713B},
    {0xB82075DC, 0xA75F1FEE, 0xD84268E8, 0xA72A44CC},
    {0x07CF6E9E, 0xA16D7B25, 0x9FA7AE6C, 0xD92F5629},
    {0xFEB1EAE4, 0x8C8C3CE1, 0x4E0064A7, 0x6A387C2A},
    {0x893A9427, 0xCC3013A2, 0xF106385B, 0xA829F927},
}};

constexpr std::array<BlowfishKey, 16> blowfish_keys = {{
    from_hex<24>("7934774C67D1383ADFB356BE8B7BD02438E07358415D6967"),
    from_hex<24>("46F6B4CC0193E3A19E7D3C655586FD098FF7B3C46F41CA5C"),
    from_hex<24>("1AE7E2F3F9147994C0D39743087BB384432F9D843F21019B"),
    from_hex<24>("D3E354B0F71DF62B5A434D0483643E0D592F61CBB16A590D"),
    from_hex<24>("C8C1E9B8165699217B5B36B7B59BDF06492C97F59548857E"),
    from_hex<24>("EBE5E62EA4BAD42CF216E08F6623A94341CE381484950053"),
    from_hex<24>("66DB90F03B4FF56FE49C2089355ED2B2C39E9F7F63B22881"),
    from_hex<24>("BB20ACED2A046A1994989BC8FFCD93EFC60D56A7EB13D930"),
    from_hex<24>("BCF2438209408A8725436DE6BBA4B944583F217C99BB3F24"),
    from_hex<24>("EC1AAACDCEBD5311D2FB83B6C3BAAB4F6279E865A9922876"),
    from_hex<24>("C60C300391182D7B79DAE1D564779A12C5B1D7914F964CA3"),
    from_hex<24>("D77C2ABFA6E7857C45ADFF1294D8DEA45C3D79A444025D22"),
    from_hex<24>("16190D816A4CC7F8B8F94ECD2C9E9084B2082560E11EAE18"),
    from_hex<24>("E97C58261B519E49826061FCA0A01BCDF505D6A66D0788A3"),
    from_hex<24>("2B97118BD94ED9DF20E39C10E6A1352111F9130D0B2465B2"),
    from_hex<24>("536A4C54AC8B9BB89729FC602C5B3A8568B5AA6A44CD3FA7"),
}};

/// §10.5: "rows 0-14 are used; row 15 never is".
constexpr std::size_t signature_rows = 15;

std::uint32_t load_le(const std::uint8_t* p) noexcept {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
           std::uint32_t{p[3]} << 24;
}

void store_le(std::uint8_t* p, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

struct BnFree {
    void operator()(BIGNUM* bn) const noexcept { BN_clear_free(bn); }
};
struct BnCtxFree {
    void operator()(BN_CTX* ctx) const noexcept { BN_CTX_free(ctx); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn to_bn(base::Bytes bytes) {
    return Bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
}

/// The group and a scratch context; `ok` is false when OpenSSL could not
/// allocate. Built per call: a handshake needs it a few times per
/// connection, and nothing shared means nothing to lock.
struct Group {
    Group() : ctx(BN_CTX_new()), p(to_bn(prime_bytes)), q(BN_new()), g(BN_new()) {
        ok = ctx && p && q && g && BN_rshift1(q.get(), p.get()) == 1 && BN_set_word(g.get(), 2) == 1;
    }
    std::unique_ptr<BN_CTX, BnCtxFree> ctx;
    Bn p, q, g;
    bool ok = false;
};

bool is_valid(const Group& group, const BIGNUM* y) {
    // 2 <= y <= p - 2
    if (BN_is_zero(y) || BN_is_one(y) || BN_is_negative(y)) return false;
    Bn limit(BN_dup(group.p.get()));
    if (!limit || BN_sub_word(limit.get(), 2) != 1 || BN_cmp(y, limit.get()) > 0) return false;
    // y^q mod p == 1: y lies in the subgroup of order q that g = 2 generates.
    Bn r(BN_new());
    if (!r || BN_mod_exp(r.get(), y, group.q.get(), group.p.get(), group.ctx.get()) != 1) return false;
    return BN_is_one(r.get());
}

/// base^x mod p with the private exponent x (constant time).
Bn power(const Group& group, const BIGNUM* base, const PrivateKey& x) {
    Bn exponent = to_bn(x);
    Bn r(BN_new());
    if (!exponent || !r) return nullptr;
    BN_set_flags(exponent.get(), BN_FLG_CONSTTIME);
    if (BN_mod_exp_mont_consttime(r.get(), base, exponent.get(), group.p.get(), group.ctx.get(), nullptr) !=
        1) {
        return nullptr;
    }
    return r;
}

}  // namespace

base::Bytes prime() noexcept {
    return prime_bytes;
}

std::optional<PublicKey> public_key(const PrivateKey& x) {
    const Group group;
    if (!group.ok) return std::nullopt;
    const Bn y = power(group, group.g.get(), x);
    if (!y || !is_valid(group, y.get())) return std::nullopt;
    PublicKey out{};
    if (BN_bn2binpad(y.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size())) {
        return std::nullopt;
    }
    return out;
}

bool is_valid_public_key(base::Bytes y) {
    const Group group;
    if (!group.ok) return false;
    const Bn value = to_bn(y);
    return value && is_valid(group, value.get());
}

std::optional<SharedSecret> shared_secret(const PrivateKey& x, base::Bytes peer) {
    const Group group;
    if (!group.ok) return std::nullopt;
    const Bn y = to_bn(peer);
    if (!y || !is_valid(group, y.get())) return std::nullopt;
    const Bn k = power(group, y.get(), x);
    if (!k) return std::nullopt;
    // Minimal bytes from the start, not left-padded: FFmpeg's and librtmp's
    // BN_bn2bin into a zeroed buffer (see the header).
    SharedSecret out{};
    BN_bn2bin(k.get(), out.data());
    return out;
}

Rc4Keys rc4_keys(const SharedSecret& secret, base::Bytes own_public, base::Bytes peer_public) noexcept {
    hd::Digest in = hd::hmac_sha256(secret, own_public);
    hd::Digest out = hd::hmac_sha256(secret, peer_public);
    Rc4Keys keys{};
    std::copy_n(in.begin(), rc4_key_size, keys.in.begin());
    std::copy_n(out.begin(), rc4_key_size, keys.out.begin());
    OPENSSL_cleanse(in.data(), in.size());
    OPENSSL_cleanse(out.data(), out.size());
    return keys;
}

const XteaKey& xtea_key(std::size_t row) noexcept {
    return xtea_keys[row];
}

const BlowfishKey& blowfish_key(std::size_t row) noexcept {
    return blowfish_keys[row];
}

void xtea_encipher(std::span<std::uint8_t, signature_block_size> block, const XteaKey& key) noexcept {
    constexpr std::uint32_t delta = 0x9E3779B9;
    constexpr int rounds = 32;
    std::uint32_t v0 = load_le(block.data());
    std::uint32_t v1 = load_le(block.data() + 4);
    std::uint32_t sum = 0;
    for (int i = 0; i < rounds; ++i) {
        v0 += (((v1 << 4) ^ (v1 >> 5)) + v1) ^ (sum + key[sum & 3]);
        sum += delta;
        v1 += (((v0 << 4) ^ (v0 >> 5)) + v0) ^ (sum + key[(sum >> 11) & 3]);
    }
    store_le(block.data(), v0);
    store_le(block.data() + 4, v1);
}

void blowfish_encipher(std::span<std::uint8_t, signature_block_size> block, base::Bytes key) noexcept {
    BF_KEY schedule;
    BF_set_key(&schedule, static_cast<int>(std::clamp<std::size_t>(key.size(), 1, 56)), key.data());
    BF_LONG halves[2] = {load_le(block.data()), load_le(block.data() + 4)};
    BF_encrypt(halves, &schedule);
    store_le(block.data(), static_cast<std::uint32_t>(halves[0]));
    store_le(block.data() + 4, static_cast<std::uint32_t>(halves[1]));
    OPENSSL_cleanse(&schedule, sizeof(schedule));
}

void encipher_signature(std::span<std::uint8_t, hd::digest_size> signature, const hd::Digest& response_key,
                        std::uint8_t type) noexcept {
    if (type != type_xtea && type != type_blowfish) return;
    for (std::size_t i = 0; i < hd::digest_size; i += signature_block_size) {
        const std::size_t row = response_key[i] % signature_rows;
        const auto block = signature.subspan(i).first<signature_block_size>();
        if (type == type_xtea) {
            xtea_encipher(block, xtea_keys[row]);
        } else {
            blowfish_encipher(block, blowfish_keys[row]);
        }
    }
}

hd::Digest response_signature(hd::Packet response, base::Bytes full_key, const hd::Digest& peer_digest,
                              std::uint8_t type) noexcept {
    const hd::Digest key = hd::hmac_sha256(full_key, peer_digest);
    hd::Digest signature = hd::hmac_sha256(key, response.first(hd::signed_size));
    encipher_signature(signature, key, type);
    return signature;
}

void sign_response(hd::MutablePacket response, base::Bytes full_key, const hd::Digest& peer_digest,
                   std::uint8_t type) noexcept {
    const hd::Digest signature = response_signature(response, full_key, peer_digest, type);
    std::copy(signature.begin(), signature.end(), response.begin() + hd::signed_size);
}

bool has_valid_signature(hd::Packet response, base::Bytes full_key, const hd::Digest& peer_digest,
                         std::uint8_t type) noexcept {
    const hd::Digest expected = response_signature(response, full_key, peer_digest, type);
    return CRYPTO_memcmp(expected.data(), response.data() + hd::signed_size, hd::digest_size) == 0;
}

}  // namespace sluice::rtmp::handshake_rtmpe
