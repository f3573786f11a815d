#pragma once
// The digest ("complex") handshake's building blocks: keys, where the
// HMAC-SHA256 digest sits inside a C1/S1 packet, and the signatures that
// C2/S2 carry (REFERENCE.md §9; Flash Player 9+, FFmpeg, librtmp, SRS).
// rtmp::Handshake (handshake.hpp) drives them; they are public so that tests
// can reproduce the §9.6 vectors and so that RTMPE (§10) and SWF
// verification (§9.5) can reuse them later.
//
// Contract:
//  - Pure functions over caller-owned 1536-byte packets: no allocation, no
//    state, no I/O. Thread-safe.
//  - Digests are compared in constant time (CRYPTO_memcmp).
//  - HMAC-SHA256 comes from OpenSSL 3's one-shot HMAC(); it cannot fail for
//    SHA-256 with in-memory keys, so the functions return values, not errors.
//
// Layout of a C1 or S1 packet in the digest handshake (all offsets are bytes
// from the start of the 1536-byte packet; C0/S0 is not counted):
//
//    0        4        8                     772                  1536
//    +--------+--------+----------------------+----------------------+
//    |  time  |version |  first 764-byte block | second 764-byte block|
//    +--------+--------+----------------------+----------------------+
//
// Each 764-byte block is either a "digest block" or a "key block"; the
// schema says which comes first:
//
//    schema 0 (key block first; RTMPE clients, SRS tries it first):
//      [8 .. 772)    key block
//      [772 .. 1536) digest block
//    schema 1 (digest block first; FFmpeg/librtmp unencrypted clients):
//      [8 .. 772)    digest block
//      [772 .. 1536) key block
//
//    digest block (764 bytes):
//      +-----------+---------------+-----------+------------------------+
//      | offset(4) | filler (o)    | digest(32)| filler (764-4-o-32)    |
//      +-----------+---------------+-----------+------------------------+
//      o = (sum of the four offset bytes, each taken as 0..255) mod 728
//
//    key block (764 bytes):
//      +---------------+-----------+--------------------------+-----------+
//      | filler (o)    | key (128) | filler (764-o-128-4)     | offset(4) |
//      +---------------+-----------+--------------------------+-----------+
//      o = (sum of the four offset bytes) mod 632; the key is the
//      Diffie-Hellman public key under RTMPE and plain random otherwise.
//
// Absolute digest positions: schema 1 = sum(P[8..11]) mod 728 + 12
// (12..739); schema 0 = sum(P[772..775]) mod 728 + 776 (776..1503).
//
// The digest of a packet P with the digest at `pos` is
//     HMAC-SHA256(key, P[0 .. pos) ++ P[pos+32 .. 1536))
// i.e. over the 1504 bytes around the 32-byte hole. C1 uses the first 30
// bytes of the client (Flash Player) key, S1 the first 36 bytes of the
// server (Flash Media Server) key.
//
// C2 and S2 in the digest handshake:
//      +------------------------------------------+-----------------+
//      | 1504 random bytes                        | signature (32)  |
//      +------------------------------------------+-----------------+
//      signature = HMAC-SHA256(HMAC-SHA256(full key, peer's digest), R[0..1504))
// S2 uses the full 68-byte server key and the digest found in C1; C2 uses
// the full 62-byte client key and the digest found in S1.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/byte_reader.hpp"

namespace sluice::rtmp {

/// Which 764-byte block comes first in C1/S1 (SRS's naming, REFERENCE.md §9.2).
enum class DigestSchema : std::uint8_t {
    schema0 = 0,  ///< key block at 8, digest block at 772
    schema1 = 1,  ///< digest block at 8, key block at 772
};

namespace handshake_digest {

inline constexpr std::size_t packet_size = 1536;                       ///< C1, C2, S1, S2
inline constexpr std::size_t digest_size = 32;                         ///< SHA-256 output
inline constexpr std::size_t signed_size = packet_size - digest_size;  ///< 1504
inline constexpr std::size_t client_key_size = 62;                     ///< full Flash Player key
inline constexpr std::size_t server_key_size = 68;                     ///< full Flash Media Server key
inline constexpr std::size_t client_key_c1_size = 30;                  ///< prefix used for C1 digests
inline constexpr std::size_t server_key_s1_size = 36;                  ///< prefix used for S1 digests
inline constexpr std::size_t dh_key_size = 128;                        ///< RTMPE public key slot

using Packet = std::span<const std::uint8_t, packet_size>;
using MutablePacket = std::span<std::uint8_t, packet_size>;
using Digest = std::array<std::uint8_t, digest_size>;

/// "Genuine Adobe Flash Player 001" + the common 32-byte tail (62 bytes).
base::Bytes client_key() noexcept;
/// "Genuine Adobe Flash Media Server 001" + the common 32-byte tail (68 bytes).
base::Bytes server_key() noexcept;
/// The 30-byte key prefix that signs C1.
inline base::Bytes client_key_c1() noexcept {
    return client_key().first(client_key_c1_size);
}
/// The 36-byte key prefix that signs S1.
inline base::Bytes server_key_s1() noexcept {
    return server_key().first(server_key_s1_size);
}

/// HMAC-SHA256(key, data).
Digest hmac_sha256(base::Bytes key, base::Bytes data) noexcept;

/// Offset of the 32-byte digest in `packet` for `schema` (12..739 or 776..1503).
std::size_t digest_position(Packet packet, DigestSchema schema) noexcept;

/// Offset of the 128-byte Diffie-Hellman key slot for `schema` (schema 0:
/// 8..639 from bytes 768..771; schema 1: 772..1403 from bytes 1532..1535).
/// RTMPE puts the Diffie-Hellman public key there (handshake_rtmpe.hpp).
std::size_t key_position(Packet packet, DigestSchema schema) noexcept;

/// HMAC-SHA256(key, packet without the 32 bytes at `position`).
/// Precondition: position <= packet_size - digest_size.
Digest compute_digest(Packet packet, std::size_t position, base::Bytes key) noexcept;

/// The 32 bytes currently stored at the digest position of `schema`.
Digest stored_digest(Packet packet, DigestSchema schema) noexcept;

/// Computes the digest for `schema` with `key` and writes it into `packet`
/// at digest_position(); returns it. Everything else in the packet
/// (time, version, filler) must already be final.
Digest sign_packet(MutablePacket packet, DigestSchema schema, base::Bytes key) noexcept;

/// True when the bytes at the digest position of `schema` equal the digest
/// computed with `key`.
bool has_valid_digest(Packet packet, DigestSchema schema, base::Bytes key) noexcept;

/// Tries `first`, then the other schema; the schema whose digest verifies,
/// or nullopt when neither does (the peer sent a simple handshake or a
/// forged digest).
std::optional<DigestSchema> find_digest(Packet packet, base::Bytes key, DigestSchema first) noexcept;

/// The C2/S2 signature: HMAC-SHA256(HMAC-SHA256(full_key, peer_digest),
/// response[0 .. 1504)).
Digest response_signature(Packet response, base::Bytes full_key, const Digest& peer_digest) noexcept;

/// Writes response_signature() into the last 32 bytes of `response`; the
/// first 1504 bytes must already be final.
void sign_response(MutablePacket response, base::Bytes full_key, const Digest& peer_digest) noexcept;

/// True when the last 32 bytes of `response` carry response_signature().
bool has_valid_signature(Packet response, base::Bytes full_key, const Digest& peer_digest) noexcept;

}  // namespace handshake_digest
}  // namespace sluice::rtmp
