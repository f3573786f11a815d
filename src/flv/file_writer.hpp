#pragma once
// flv::FileWriter: produces FLV file bytes (REFERENCE.md §7.1-§7.2) for the
// recorder, `sluice play -o`, and tests.
//
//   header():  46 4C 56 01 <flags> 00 00 00 09 | 00 00 00 00   (13 bytes)
//   frame():   TagHeader (11 bytes)  ...caller's data...  PreviousTagSize U32 (= 11 + size)
//
// Contract:
//  - Gather-friendly: frame() returns the 11-byte header and the 4-byte
//    trailer separately, so the caller writes header, payload (unchanged,
//    no copy) and trailer with one gather write.
//  - Data larger than 0xFFFFFF bytes (the U24 DataSize) cannot be framed:
//    frame() returns Errc::tag_too_large and counts nothing.
//  - Timestamps are written as 24 low bits plus the extended high byte.
//  - The stream id is always written 0 and the filter bit clear.
//  - Counts bytes and tags so the caller can tell the file size (e.g. for
//    onMetaData `filesize`). Sans-I/O; not thread-safe.
#include <array>
#include <cstddef>
#include <cstdint>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/result.hpp"
#include "base/timestamp.hpp"
#include "flv/file_header.hpp"
#include "flv/tag_header.hpp"

namespace sluice::flv {

class FileWriter {
public:
    static constexpr std::size_t max_data_size = 0xFFFFFF;
    static constexpr std::size_t trailer_size = 4;

    /// The bytes around one tag's data.
    struct Framing {
        std::array<std::uint8_t, TagHeader::size> header{};
        std::array<std::uint8_t, trailer_size> trailer{};
    };

    /// The file header and PreviousTagSize0 (13 bytes); counts them.
    std::array<std::uint8_t, FileHeader::size_with_first_trailer> header(const FileHeader& h);

    /// Framing for a tag of `type` at `timestamp` with `data_size` bytes.
    base::Result<Framing> frame(std::uint8_t type, base::Timestamp timestamp, std::size_t data_size);

    /// Convenience: header + data + trailer appended to `out`.
    base::Status write_tag(base::ByteWriter& out, std::uint8_t type, base::Timestamp timestamp,
                           base::Bytes data);

    /// Bytes produced so far (header, tag headers, data sizes and trailers).
    std::uint64_t bytes_written() const noexcept { return bytes_; }
    std::uint64_t tag_count() const noexcept { return tags_; }

private:
    std::uint64_t bytes_ = 0;
    std::uint64_t tags_ = 0;
};

}  // namespace sluice::flv
