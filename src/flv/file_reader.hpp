#pragma once
// flv::FileReader: a streaming, pull-style FLV parser (REFERENCE.md §7.1-§7.2).
//
// Input layout:
//
//   FileHeader (9 bytes, or data_offset bytes) | PreviousTagSize0 U32 = 0
//   { TagHeader (11) | data (DataSize) | PreviousTagSize U32 = 11 + DataSize }*
//
// With Options::expect_file_header = false the reader starts at the first
// tag header and expects no PreviousTagSize0: that is the body of an RTMP
// aggregate message (REFERENCE.md §1.7), whose back pointers are the same
// field.
//
// Contract:
//  - read(input) consumes bytes and completes AT MOST ONE tag per call
//    (STYLE.md rule 3). Partial input is not an error: the bytes are kept
//    and consumed == input.size() with no tag. The caller passes the bytes
//    it has not seen consumed again (or new bytes after a full consume).
//  - A tag is delivered as soon as its data is complete, BEFORE its
//    PreviousTagSize arrives, so a file missing its last trailer (or cut
//    inside it) still yields every tag. The trailer is checked on the next
//    call; a mismatch is Errc::previous_tag_size_mismatch (fatal: the
//    reader stops) unless Leniency::accept_previous_tag_size_mismatch,
//    which counts it in previous_tag_size_mismatches() and continues.
//  - Tag data grows as its bytes arrive: a declared DataSize never causes
//    an allocation before the bytes are there. DataSize above
//    Limits::max_tag_data_bytes is Errc::tag_too_large (fatal).
//  - After an error every later read() returns the same error with
//    consumed == 0.
//  - finish() says how the input ended: cleanly, without the final
//    trailer, or inside a header or tag (a recording cut by a crash), and
//    how many bytes were dropped. Every tag completed before the cut has
//    already been delivered.
//  - Tag types, stream ids and timestamps are not judged here; the audio,
//    video and script parsers judge the payloads.
//  - Sans-I/O; not thread-safe; one reader per input stream.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/payload.hpp"
#include "flv/file_header.hpp"
#include "flv/tag_header.hpp"

namespace sluice::flv {

/// One complete FLV tag: its header and its data (DataSize bytes).
struct Tag {
    TagHeader header;
    base::Payload data;
};

class FileReader {
public:
    struct Limits {
        /// Largest DataSize accepted (the field is 24-bit: at most 16 MiB − 1).
        std::size_t max_tag_data_bytes = 16u << 20;
    };
    struct Leniency {
        /// Continue after a PreviousTagSize that does not match the tag
        /// before it (risk: a corrupt size field goes unnoticed; some old
        /// muxers wrote DataSize instead of 11 + DataSize). For recovery
        /// tools reading damaged recordings.
        bool accept_previous_tag_size_mismatch = false;
    };
    struct Options {
        /// false: parse tags only (an aggregate message body).
        bool expect_file_header = true;
        Limits limits{};
        Leniency leniency{};
    };

    struct ReadResult {
        std::size_t consumed = 0;
        std::optional<Tag> tag;
        std::error_code error;
    };

    /// What waits for bytes next; names say what the reader waits for.
    enum class State : std::uint8_t {
        file_header,        ///< the 9 header bytes
        header_padding,     ///< bytes between 9 and data_offset
        previous_tag_size,  ///< the 4-byte trailer (PreviousTagSize0 first in a file)
        tag_header,         ///< the 11-byte tag header
        tag_data,           ///< DataSize bytes of the current tag
        failed,             ///< an error was reported; nothing more is read
    };

    enum class Ending : std::uint8_t {
        clean,                  ///< ended after a complete trailer (or an empty aggregate body)
        missing_final_trailer,  ///< ended where a PreviousTagSize was due (after a tag or the file header):
                                ///< tolerated
        truncated_trailer,      ///< ended inside the final PreviousTagSize: tolerated
        truncated_file_header,  ///< ended before the file header was complete (includes no input)
        truncated_tag_header,   ///< ended inside a tag header
        truncated_tag_data,     ///< ended inside a tag's data: a crash-cut recording
        failed,                 ///< read() reported an error earlier
    };

    struct Finish {
        Ending ending = Ending::clean;
        /// Bytes received but not delivered in a tag (a partial header,
        /// partial tag header + data, or partial trailer).
        std::size_t dropped_bytes = 0;
        std::uint64_t tag_count = 0;
        /// True when every byte belongs to a delivered tag or to framing:
        /// clean, or only the final trailer missing or cut.
        bool complete() const noexcept {
            return ending == Ending::clean || ending == Ending::missing_final_trailer ||
                   ending == Ending::truncated_trailer;
        }
    };

    FileReader() noexcept : FileReader(Options{}) {}
    explicit FileReader(Options options) noexcept;

    /// Consumes bytes of `input`; see the contract above.
    ReadResult read(base::Bytes input);

    /// How the input ended, assuming no more bytes will come. May be called
    /// at any time; does not change the reader.
    Finish finish() const noexcept;

    State state() const noexcept { return state_; }
    /// The file header, once decoded (never in tags-only mode).
    const std::optional<FileHeader>& file_header() const noexcept { return file_header_; }
    /// Bytes consumed so far: the offset of the next byte in the stream.
    std::uint64_t offset() const noexcept { return offset_; }
    std::uint64_t tag_count() const noexcept { return tag_count_; }
    std::uint64_t previous_tag_size_mismatches() const noexcept { return mismatches_; }

private:
    std::size_t fill_scratch(base::Bytes input, std::size_t want);
    ReadResult fail(std::size_t consumed, std::error_code error);

    Options options_;
    State state_;
    std::optional<FileHeader> file_header_;
    std::array<std::uint8_t, TagHeader::size> scratch_{};
    std::size_t scratch_size_ = 0;
    std::size_t padding_left_ = 0;
    std::uint32_t expected_previous_ = 0;
    TagHeader header_{};
    base::ByteVector data_;
    std::error_code error_;
    std::uint64_t offset_ = 0;
    std::uint64_t tag_count_ = 0;
    std::uint64_t mismatches_ = 0;
};

}  // namespace sluice::flv
