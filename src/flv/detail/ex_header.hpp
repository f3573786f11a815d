#pragma once
// Pieces shared by the enhanced audio and video header parsers (private to
// src/flv): the ModEx loop and the multitrack track walker
// (REFERENCE.md §8.1, §8.6).
#include <cstdint>
#include <system_error>

#include "base/byte_reader.hpp"

namespace sluice::flv::detail {

/// ModEx packet type value, the same for audio and video.
inline constexpr std::uint8_t mod_ex_packet_type = 7;
/// At most this many chained ModEx blocks (each costs >= 2 bytes anyway).
inline constexpr int max_mod_ex_blocks = 16;

/// Runs the ModEx loop: while `packet_type` is ModEx, reads one block,
/// keeps a TimestampOffsetNano in `nano_offset` and replaces `packet_type`
/// with the next one. Unknown ModEx types are skipped (their data has a
/// length). Errors: Errc::mod_ex_invalid, or `truncated` when the input ends.
std::error_code read_mod_ex(base::ByteReader& in, std::uint8_t& packet_type, std::uint32_t& nano_offset,
                            std::error_code truncated);

}  // namespace sluice::flv::detail
