#pragma once
// demux::BoxHeader: the header of one ISO-BMFF box (ISO/IEC 14496-12 §4.2).
//
//   size U32 | type U32 (FourCC)
//   [size == 1: largesize U64 — the real size, header is 16 bytes]
//   [size == 0: the box extends to the end of the file — top level only]
//   [type == 'uuid': usertype 16 bytes]
//   body: size - header bytes
//
// Contract: parse_box_header() reads from `bytes` (which must start at the
// box) and checks the declared size against `available`, the bytes from the
// box's first byte to the end of its parent (or of the file, at top level):
//  - fewer than 8 header bytes left (or 16 for largesize / uuid): box_truncated;
//  - size below the header's length: box_size_invalid;
//  - size above `available`: box_exceeds_parent;
//  - size 0 where `allow_to_end` is false: box_size_zero_not_allowed;
//    where it is true, size becomes `available` and to_end is set.
// `bytes` may be shorter than the box (only the header is read).
#include <cstdint>

#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace sluice::demux {

/// FourCC as a big-endian U32: box_type("moov").
constexpr std::uint32_t box_type(const char (&s)[5]) noexcept {
    return (std::uint32_t{static_cast<std::uint8_t>(s[0])} << 24) |
           (std::uint32_t{static_cast<std::uint8_t>(s[1])} << 16) |
           (std::uint32_t{static_cast<std::uint8_t>(s[2])} << 8) |
           std::uint32_t{static_cast<std::uint8_t>(s[3])};
}

struct BoxHeader {
    std::uint32_t type = 0;
    std::uint64_t size = 0;         ///< whole box, header included
    std::uint32_t header_size = 8;  ///< 8, 16 (largesize or uuid) or 32 (both)
    bool to_end = false;            ///< declared size 0

    std::uint64_t body_size() const noexcept { return size - header_size; }
};

/// The most header bytes a box can have (largesize + uuid).
inline constexpr std::uint32_t max_box_header_size = 32;

base::Result<BoxHeader> parse_box_header(base::Bytes bytes, std::uint64_t available, bool allow_to_end);

}  // namespace sluice::demux
