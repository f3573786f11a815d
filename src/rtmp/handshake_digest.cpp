#include "rtmp/handshake_digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

namespace sluice::rtmp::handshake_digest {
namespace {

// The keys are not secrets: every Flash-compatible peer ships them
// (REFERENCE.md §9.1). The client key is a prefix of the server key's
// shape: ASCII text, then the same 32-byte tail.
constexpr std::array<std::uint8_t, 32> common_tail = {
    0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
    0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE};

template <std::size_t N>
constexpr auto make_key(const char (&text)[N]) {
    std::array<std::uint8_t, N - 1 + common_tail.size()> key{};
    for (std::size_t i = 0; i + 1 < N; ++i) key[i] = static_cast<std::uint8_t>(text[i]);
    for (std::size_t i = 0; i < common_tail.size(); ++i) key[N - 1 + i] = common_tail[i];
    return key;
}

constexpr auto client_key_bytes = make_key("Genuine Adobe Flash Player 001");
constexpr auto server_key_bytes = make_key("Genuine Adobe Flash Media Server 001");
static_assert(client_key_bytes.size() == client_key_size);
static_assert(server_key_bytes.size() == server_key_size);

std::size_t byte_sum(Packet packet, std::size_t at) noexcept {
    return std::size_t{packet[at]} + packet[at + 1] + packet[at + 2] + packet[at + 3];
}

// Block geometry (REFERENCE.md §9.2): a digest lives in the 764-byte block
// after its 4 offset bytes, so 764 - 4 - 32 = 728 start positions; a key
// slot lives before its 4 offset bytes, so 764 - 4 - 128 = 632.
constexpr std::size_t block_size = 764;
constexpr std::size_t digest_range = block_size - 4 - digest_size;
constexpr std::size_t key_range = block_size - 4 - dh_key_size;
static_assert(digest_range == 728 && key_range == 632);

}  // namespace

base::Bytes client_key() noexcept {
    return client_key_bytes;
}
base::Bytes server_key() noexcept {
    return server_key_bytes;
}

Digest hmac_sha256(base::Bytes key, base::Bytes data) noexcept {
    Digest out{};
    unsigned int length = 0;
    // Keys are at most 68 bytes and data at most one packet, so the int
    // conversions cannot truncate.
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
         &length);
    return out;
}

std::size_t digest_position(Packet packet, DigestSchema schema) noexcept {
    const std::size_t block = schema == DigestSchema::schema1 ? 8 : 8 + block_size;
    return byte_sum(packet, block) % digest_range + block + 4;
}

std::size_t key_position(Packet packet, DigestSchema schema) noexcept {
    const std::size_t block = schema == DigestSchema::schema0 ? 8 : 8 + block_size;
    return byte_sum(packet, block + block_size - 4) % key_range + block;
}

Digest compute_digest(Packet packet, std::size_t position, base::Bytes key) noexcept {
    // OpenSSL's one-shot HMAC() wants contiguous input; the 1504 bytes
    // around the hole fit on the stack.
    std::array<std::uint8_t, signed_size> joined{};
    const auto head = packet.first(position);
    const auto tail = packet.subspan(position + digest_size);
    std::copy(head.begin(), head.end(), joined.begin());
    std::copy(tail.begin(), tail.end(), joined.begin() + static_cast<std::ptrdiff_t>(head.size()));
    return hmac_sha256(key, joined);
}

Digest stored_digest(Packet packet, DigestSchema schema) noexcept {
    Digest out{};
    const auto at = packet.subspan(digest_position(packet, schema), digest_size);
    std::copy(at.begin(), at.end(), out.begin());
    return out;
}

Digest sign_packet(MutablePacket packet, DigestSchema schema, base::Bytes key) noexcept {
    const std::size_t position = digest_position(packet, schema);
    const Digest digest = compute_digest(packet, position, key);
    std::copy(digest.begin(), digest.end(), packet.begin() + static_cast<std::ptrdiff_t>(position));
    return digest;
}

bool has_valid_digest(Packet packet, DigestSchema schema, base::Bytes key) noexcept {
    const std::size_t position = digest_position(packet, schema);
    const Digest expected = compute_digest(packet, position, key);
    return CRYPTO_memcmp(expected.data(), packet.data() + position, digest_size) == 0;
}

std::optional<DigestSchema> find_digest(Packet packet, base::Bytes key, DigestSchema first) noexcept {
    const DigestSchema second =
        first == DigestSchema::schema0 ? DigestSchema::schema1 : DigestSchema::schema0;
    if (has_valid_digest(packet, first, key)) return first;
    if (has_valid_digest(packet, second, key)) return second;
    return std::nullopt;
}

Digest response_signature(Packet response, base::Bytes full_key, const Digest& peer_digest) noexcept {
    const Digest key = hmac_sha256(full_key, peer_digest);
    return hmac_sha256(key, response.first(signed_size));
}

void sign_response(MutablePacket response, base::Bytes full_key, const Digest& peer_digest) noexcept {
    const Digest signature = response_signature(response, full_key, peer_digest);
    std::copy(signature.begin(), signature.end(), response.begin() + signed_size);
}

bool has_valid_signature(Packet response, base::Bytes full_key, const Digest& peer_digest) noexcept {
    const Digest expected = response_signature(response, full_key, peer_digest);
    return CRYPTO_memcmp(expected.data(), response.data() + signed_size, digest_size) == 0;
}

}  // namespace sluice::rtmp::handshake_digest
