#pragma once
// demux::ByteSource: the random-access input the demuxers read a file
// through, and demux::MemorySource, one over bytes in memory.
//
// Contract:
//  - size() is the total number of bytes; it does not change while a reader
//    uses the source.
//  - read_at(offset, out) copies up to out.size() bytes starting at
//    `offset` and returns how many it copied. Fewer than asked is allowed only
//    at the end of the source (0 at or past size()). An I/O failure is an
//    error_code (the server's file source returns the errno as a
//    std::system_category error); the demuxers pass it through unchanged.
//  - The demuxers call read_at() only from the thread that drives them; a
//    source need not be thread-safe. A source must outlive every reader
//    opened on it (readers keep a pointer, not ownership).
//  - read_exact() is the helper the demuxers use: it turns a short read into
//    Errc::source_truncated.
//
// The server implements ByteSource over a file with pread(); tests and fuzz
// targets use MemorySource. Nothing in src/demux opens files itself.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/result.hpp"

namespace sluice::demux {

class ByteSource {
public:
    virtual ~ByteSource() = default;

    virtual std::uint64_t size() const noexcept = 0;
    virtual base::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) = 0;
};

/// Fills `out` completely from `offset`; Errc::source_truncated when the
/// source ends first, or the source's own error.
base::Status read_exact(ByteSource& source, std::uint64_t offset, std::span<std::uint8_t> out);

/// A ByteSource over bytes in memory: either borrowed (the caller keeps
/// them alive and unchanged) or owned (moved in). For tests, it can also
/// fail every read that touches bytes at or after a given offset, with a
/// given error, to exercise I/O-error paths.
class MemorySource final : public ByteSource {
public:
    /// Borrows `bytes`.
    explicit MemorySource(base::Bytes bytes) noexcept : bytes_(bytes) {}
    /// Owns `bytes`.
    explicit MemorySource(base::ByteVector bytes) noexcept : owned_(std::move(bytes)), bytes_(owned_) {}

    MemorySource(const MemorySource&) = delete;
    MemorySource& operator=(const MemorySource&) = delete;

    std::uint64_t size() const noexcept override { return bytes_.size(); }
    base::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) override;

    /// From now on, a read whose range reaches `offset` or beyond fails with `error`.
    void fail_from(std::uint64_t offset, std::error_code error) noexcept {
        fail_offset_ = offset;
        fail_error_ = error;
    }
    /// How many read_at() calls were made (tests check reads stay few).
    std::size_t read_count() const noexcept { return read_count_; }

private:
    base::ByteVector owned_;
    base::Bytes bytes_;
    std::uint64_t fail_offset_ = std::numeric_limits<std::uint64_t>::max();
    std::error_code fail_error_;
    std::size_t read_count_ = 0;
};

}  // namespace sluice::demux
