#pragma once
// flv::TagHeader: the 11-byte header in front of every FLV tag, which is
// also the sub-message header inside RTMP aggregate messages (type 22;
// REFERENCE.md §1.7, §7.2).
//
//   byte 0      reserved UB[2] | filter UB[1] | tag type UB[5]  (8 audio, 9 video, 18 script, 15 AMF3 script)
//   bytes 1-3   data size U24 (bytes after this header, before PreviousTagSize)
//   bytes 4-6   timestamp, low 24 bits, U24 (ms)
//   byte 7      timestamp, high 8 bits (extended)
//   bytes 8-10  stream id U24 (always 0 in files)
//
// Contract: decode() reads exactly 11 bytes from the cursor; it fails only
// when fewer remain (the cursor then latches failed()). Field values are
// not judged here: readers decide what a tag type or size means for them.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/timestamp.hpp"

namespace sluice::flv {

enum class TagType : std::uint8_t {
    audio = 8,
    video = 9,
    script_amf3 = 15,  ///< Enhanced RTMP v2: AMF3 SCRIPTDATA
    script = 18,
};

struct TagHeader {
    static constexpr std::size_t size = 11;

    bool filter = false;    ///< encrypted tag (FLV 10.1); Sluice never sets it
    std::uint8_t type = 0;  ///< the 5-bit tag type (TagType values, or anything the peer sent)
    std::uint32_t data_size = 0;
    base::Timestamp timestamp = 0;
    std::uint32_t stream_id = 0;

    static std::optional<TagHeader> decode(base::ByteReader& in) noexcept;
    template <class Writer>
    void encode(Writer& out) const {
        out.u8(static_cast<std::uint8_t>((filter ? 0x20 : 0x00) | (type & 0x1F)));
        out.u24be(data_size & 0xFFFFFFu);
        out.u24be(timestamp & 0xFFFFFFu);
        out.u8(static_cast<std::uint8_t>(timestamp >> 24));
        out.u24be(stream_id & 0xFFFFFFu);
    }

    friend bool operator==(const TagHeader&, const TagHeader&) = default;
};

}  // namespace sluice::flv
