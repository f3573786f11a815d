#pragma once
// flv::FileHeader: the 9-byte header at the start of an FLV file
// (REFERENCE.md §7.1, [FLV] E.2), followed in the file by PreviousTagSize0.
//
//   bytes 0-2   signature 'F' 'L' 'V'  (46 4C 56)
//   byte 3      version U8 (1)
//   byte 4      flags: UB[5] reserved 0 | audio UB[1] | reserved UB[1] 0 | video UB[1]
//   bytes 5-8   data offset U32 = header length (9 for version 1)
//   then        PreviousTagSize0 U32 = 0, then (tag, PreviousTagSize)*
//
// Example (audio + video): 46 4C 56 01 05 00 00 00 09 | 00 00 00 00
//
// Contract: decode() reads exactly `size` bytes and judges them: a wrong
// signature, a version other than 1 or a data offset below 9 or above
// `max_data_offset` is an error (flv::Errc). Bytes between 9 and the data
// offset are skipped by FileReader, never interpreted. Reserved flag bits
// are ignored on input and written as 0.
#include <array>
#include <cstddef>
#include <cstdint>

#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace sluice::flv {

struct FileHeader {
    static constexpr std::size_t size = 9;
    /// Header plus PreviousTagSize0: the bytes before the first tag of a
    /// file written by Sluice.
    static constexpr std::size_t size_with_first_trailer = 13;
    /// Largest data offset accepted on input (a header with padding up to
    /// this many bytes; real files always use 9).
    static constexpr std::uint32_t max_data_offset = 1u << 16;

    std::uint8_t version = 1;
    bool has_audio = false;
    bool has_video = false;
    std::uint32_t data_offset = 9;

    /// Decodes the first 9 bytes of `input` (more are ignored). Fewer than 9
    /// bytes, or a signature other than "FLV", is file_signature_invalid;
    /// streaming callers use FileReader, which waits for the 9 bytes.
    static base::Result<FileHeader> decode(base::Bytes input);

    /// The 9 header bytes followed by PreviousTagSize0 (= 0). The data
    /// offset written is always 9 (Sluice never pads the header).
    std::array<std::uint8_t, size_with_first_trailer> encode() const noexcept;

    friend bool operator==(const FileHeader&, const FileHeader&) = default;
};

/// True when `input` (possibly shorter than 3 bytes) could still be the
/// start of an FLV file, i.e. it agrees with "FLV" on every byte present.
bool could_be_flv(base::Bytes input) noexcept;

}  // namespace sluice::flv
