#pragma once
// base::ByteReader: the only way Sluice reads wire bytes.
//
// Contract:
//  - A bounds-checked cursor over a borrowed span; it never owns or copies.
//  - A read past the end returns zero (or an empty span) and latches failed();
//    every later read also fails. A decoder therefore reads a whole structure
//    linearly and checks failed() once (FFmpeg's bytestream2 idea, without
//    SRS's require-then-read split).
//  - Multi-byte integers are big-endian unless the name says `le`, as RTMP's
//    wire is (REFERENCE.md §0).
//  - Not thread-safe; cheap to copy (a copy is an independent cursor).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::base {

using Bytes = std::span<const std::uint8_t>;

class ByteReader {
public:
    ByteReader() noexcept = default;
    explicit ByteReader(Bytes bytes) noexcept : bytes_(bytes) {}

    std::uint8_t u8() noexcept;
    std::uint16_t u16be() noexcept;
    std::uint16_t u16le() noexcept;
    std::uint32_t u24be() noexcept;
    std::uint32_t u32be() noexcept;
    std::uint32_t u32le() noexcept;
    std::uint64_t u64be() noexcept;
    std::int16_t i16be() noexcept;
    /// Signed 24-bit (e.g. FLV composition time, SI24).
    std::int32_t i24be() noexcept;
    std::int32_t i32be() noexcept;
    /// IEEE-754 binary64, big-endian (AMF numbers).
    double f64be() noexcept;

    /// The next `n` bytes, or an empty span (and failed()) when fewer remain.
    Bytes bytes(std::size_t n) noexcept;
    /// The next `n` bytes viewed as characters (no UTF-8 check).
    std::string_view chars(std::size_t n) noexcept;
    /// Skips `n` bytes; false (and failed()) when fewer remain.
    bool skip(std::size_t n) noexcept;
    /// The next byte without consuming it; 0 and failed() at the end.
    std::uint8_t peek_u8() noexcept;

    /// Everything not read yet (does not consume).
    Bytes rest() const noexcept { return bytes_.subspan(pos_); }
    std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
    std::size_t position() const noexcept { return pos_; }
    bool empty() const noexcept { return pos_ == bytes_.size(); }
    bool failed() const noexcept { return failed_; }

private:
    bool need(std::size_t n) noexcept;

    Bytes bytes_{};
    std::size_t pos_ = 0;
    bool failed_ = false;
};

}  // namespace sluice::base
