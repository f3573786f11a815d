#pragma once
// RTMPE's building blocks (REFERENCE.md §10): the Diffie-Hellman group and
// key checks, the RC4 key derivation, and the type 8 (XTEA) / type 9
// (Blowfish) encipherment of the C2/S2 signatures. rtmp::Handshake
// (handshake.hpp) drives them; they are public so that tests can check each
// step on its own.
//
// Where RTMPE sits in the digest handshake (handshake_digest.hpp):
//
//    C0/S0 = 6, 8 or 9
//    C1/S1 = time | version | key block and digest block (schema 0 or 1)
//                             the key block's 128-byte slot holds the
//                             sender's DH public key y = g^x mod p,
//                             big-endian, left-padded with zeros
//    C2/S2 = 1504 random bytes | signature, enciphered for types 8 and 9
//    then: every byte in both directions through RC4
//
// Keys (§10.4), with K = the shared secret y_peer^x mod p:
//    k_out = HMAC-SHA256(K, peer's public key)[0 .. 16)
//    k_in  = HMAC-SHA256(K, own public key)[0 .. 16)
// so one side's out key is the other side's in key. Both RC4 states then
// discard 1536 keystream bytes before the first real byte.
//
// Contract:
//  - Pure functions over caller-owned buffers; no state, no I/O, no
//    randomness (the caller supplies private keys). Thread-safe.
//  - Big-number arithmetic is OpenSSL 3's BIGNUM; the private exponent uses
//    the constant-time modular exponentiation. Functions that can fail
//    (allocation inside OpenSSL, an invalid key) return nullopt or false.
//  - Secrets (private keys, K) are the caller's; this code wipes its own
//    temporary copies.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/byte_reader.hpp"
#include "rtmp/handshake_digest.hpp"

namespace sluice::rtmp::handshake_rtmpe {

inline constexpr std::size_t key_size = handshake_digest::dh_key_size;  ///< 128: p is 1024 bits
inline constexpr std::size_t rc4_key_size = 16;
/// Keystream bytes each RC4 state skips before the first real byte (§10.4).
inline constexpr std::size_t keystream_discard = 1536;
/// Bytes in one signature block enciphered by types 8 and 9 (§10.5).
inline constexpr std::size_t signature_block_size = 8;

/// C0/S0 values (§10.1).
inline constexpr std::uint8_t type_plain = 6;     ///< RTMPE, signatures as in §9
inline constexpr std::uint8_t type_xtea = 8;      ///< signatures XTEA-enciphered
inline constexpr std::uint8_t type_blowfish = 9;  ///< signatures Blowfish-enciphered

/// True for 6, 8 and 9.
constexpr bool is_rtmpe_type(std::uint8_t type) noexcept {
    return type == type_plain || type == type_xtea || type == type_blowfish;
}

using PublicKey = std::array<std::uint8_t, key_size>;     ///< big-endian, left-padded
using PrivateKey = std::array<std::uint8_t, key_size>;    ///< big-endian exponent
using SharedSecret = std::array<std::uint8_t, key_size>;  ///< see shared_secret()
using Rc4Key = std::array<std::uint8_t, rc4_key_size>;

/// The prime p of RFC 2409's Second Oakley Group (1024-bit MODP, g = 2),
/// big-endian.
base::Bytes prime() noexcept;

/// y = 2^x mod p for the exponent `x`; nullopt when OpenSSL fails or y is
/// not a valid public key (x = 0 or a multiple of q: draw another x).
std::optional<PublicKey> public_key(const PrivateKey& x);

/// §10.2: 2 <= y <= p - 2 and y^q mod p = 1, q = (p - 1) / 2. `y` is
/// big-endian (any length; leading zeros allowed). Catches zero, one, p - 1,
/// values >= p, and keys read from the wrong position half the time.
bool is_valid_public_key(base::Bytes y);

/// K = peer^x mod p, or nullopt when `peer` is not a valid public key (it
/// is checked here too) or OpenSSL fails. K is written as FFmpeg and
/// librtmp write it: its minimal big-endian bytes from the start of a
/// zeroed 128-byte buffer, so in the 1-in-256 case of a leading zero byte
/// the HMAC key is the value shifted left, not left-padded (§10.2; kept
/// for interoperability).
std::optional<SharedSecret> shared_secret(const PrivateKey& x, base::Bytes peer);

struct Rc4Keys {
    Rc4Key in;   ///< decrypts what the peer sends
    Rc4Key out;  ///< encrypts what we send
};

/// §10.4: out = HMAC(K, peer_public)[0..16), in = HMAC(K, own_public)[0..16).
Rc4Keys rc4_keys(const SharedSecret& secret, base::Bytes own_public, base::Bytes peer_public) noexcept;

/// The XTEA key words of §10.5 (row 0..15) and the Blowfish keys.
using XteaKey = std::array<std::uint32_t, 4>;
using BlowfishKey = std::array<std::uint8_t, 24>;
const XteaKey& xtea_key(std::size_t row) noexcept;          ///< precondition: row < 16
const BlowfishKey& blowfish_key(std::size_t row) noexcept;  ///< precondition: row < 16

/// XTEA, 32 rounds, delta 0x9E3779B9, on one 8-byte block read and written
/// as two little-endian U32 (v0 = bytes 0..3, v1 = bytes 4..7).
void xtea_encipher(std::span<std::uint8_t, signature_block_size> block, const XteaKey& key) noexcept;

/// Standard Blowfish (16 rounds) on one 8-byte block whose halves are read
/// and written as little-endian U32 (standard Blowfish reads them
/// big-endian; RTMPE type 9 does not). `key` is 1..56 bytes.
void blowfish_encipher(std::span<std::uint8_t, signature_block_size> block, base::Bytes key) noexcept;

/// §10.5: enciphers each 8-byte block i (0, 8, 16, 24) of `signature` with
/// row response_key[i] % 15 of the type's table. `response_key` is the
/// intermediate HMAC key d = HMAC-SHA256(full key, peer digest). Type 6
/// (or any other value) leaves the signature unchanged.
void encipher_signature(std::span<std::uint8_t, handshake_digest::digest_size> signature,
                        const handshake_digest::Digest& response_key, std::uint8_t type) noexcept;

/// The C2/S2 signature of §9.3, enciphered for `type` (§10.5).
handshake_digest::Digest response_signature(handshake_digest::Packet response, base::Bytes full_key,
                                            const handshake_digest::Digest& peer_digest,
                                            std::uint8_t type) noexcept;

/// Writes response_signature() into the last 32 bytes of `response` (the
/// first 1504 bytes must be final).
void sign_response(handshake_digest::MutablePacket response, base::Bytes full_key,
                   const handshake_digest::Digest& peer_digest, std::uint8_t type) noexcept;

/// True when the last 32 bytes of `response` carry response_signature()
/// (constant-time comparison).
bool has_valid_signature(handshake_digest::Packet response, base::Bytes full_key,
                         const handshake_digest::Digest& peer_digest, std::uint8_t type) noexcept;

}  // namespace sluice::rtmp::handshake_rtmpe
