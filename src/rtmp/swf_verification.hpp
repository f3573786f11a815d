#pragma once
// SWF verification (REFERENCE.md §9.5 and §1.5, user control events 26 and
// 27): a server that wants to know which player SWF a client runs sends
// SWFVerify request (26) after the handshake; the client answers SWFVerify
// response (27) with 42 bytes of event data:
//
//    0    1    2          6          10                               42
//    +----+----+----------+----------+--------------------------------+
//    | 01 | 01 | size U32 | size U32 | HMAC-SHA256(key = S1[1504..],  |
//    |    |    |   (BE)   |   (BE)   |   data = SHA-256 of the SWF)   |
//    +----+----+----------+----------+--------------------------------+
//
// `size` is the length of the decompressed SWF; the HMAC key is the last 32
// bytes of the server's S1 packet, so a response only fits the connection
// it was made for. Clients compute it only after a digest handshake
// (librtmp's -w/-x), but nothing here depends on the handshake kind.
//
// Contract: pure functions, no I/O, no allocation beyond the returned
// strings; never throw.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/byte_reader.hpp"

namespace sluice::rtmp {

/// SHA-256 of a decompressed player SWF.
using SwfHash = std::array<std::uint8_t, 32>;
/// The last 32 bytes of the server's S1: the HMAC key of the response.
using S1Tail = std::array<std::uint8_t, 32>;

/// A player SWF the server accepts, or the one a client claims to run.
struct SwfFile {
    SwfHash sha256{};
    std::uint32_t size = 0;  ///< bytes of the decompressed SWF

    friend bool operator==(const SwfFile&, const SwfFile&) = default;
};

/// Event data size of a SWFVerify response (user control 27).
inline constexpr std::size_t swf_response_size = 42;
using SwfResponse = std::array<std::uint8_t, swf_response_size>;

/// The 42-byte event data of user control 27 for `swf` on the connection
/// whose server S1 ended with `s1_tail`.
SwfResponse swf_verification_response(const S1Tail& s1_tail, const SwfFile& swf) noexcept;

/// True when `event_data` (user control 27 without its 2-byte event type)
/// is exactly the response of one of `allowed` for `s1_tail`. Any other
/// length, a wrong marker, two different sizes or a size/hash pair not in
/// `allowed` is false. Bytes after the 42nd make it false too: a response
/// is exactly 42 bytes.
bool swf_verification_matches(base::Bytes event_data, const S1Tail& s1_tail,
                              std::span<const SwfFile> allowed) noexcept;

/// Parses "SHA256HEX:SIZE" (64 hex digits, either case, then a decimal
/// size 1..4294967295), the config's form; nullopt when malformed.
std::optional<SwfFile> parse_swf_file(std::string_view text);
/// "SHA256HEX:SIZE" with lower-case hex, parse_swf_file()'s inverse.
std::string to_string(const SwfFile& swf);
/// 64 hex digits (either case) to a hash; nullopt otherwise.
std::optional<SwfHash> parse_swf_hash(std::string_view hex);

}  // namespace sluice::rtmp
