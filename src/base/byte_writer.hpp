#pragma once
// base::ByteWriter and base::SpanWriter: the only ways Sluice writes wire bytes.
//
// Contract:
//  - ByteWriter appends to a vector it owns and grows without limit; take()
//    moves the bytes out. Use it for messages whose size is not known ahead.
//  - SpanWriter writes into a fixed caller-owned span. A write that does not
//    fit writes nothing and latches overflowed(); later writes are ignored.
//    Use it for fixed-size headers on hot paths (no allocation).
//  - Multi-byte integers are big-endian unless the name says `le`.
//  - Not thread-safe.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/byte_reader.hpp"

namespace sluice::base {

using ByteVector = std::vector<std::uint8_t>;

/// The shared write primitives; `Sink` provides `bool put(const uint8_t*, size_t)`.
template <class Sink>
class WriterOps {
public:
    void u8(std::uint8_t v) { put_raw({&v, 1}); }
    void u16be(std::uint16_t v) {
        const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
        put_raw(b);
    }
    void u16le(std::uint16_t v) {
        const std::uint8_t b[2] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
        put_raw(b);
    }
    void u24be(std::uint32_t v) {
        const std::uint8_t b[3] = {static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
                                   static_cast<std::uint8_t>(v)};
        put_raw(b);
    }
    void u32be(std::uint32_t v) {
        const std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                                   static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
        put_raw(b);
    }
    void u32le(std::uint32_t v) {
        const std::uint8_t b[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                                   static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
        put_raw(b);
    }
    void u64be(std::uint64_t v) {
        u32be(static_cast<std::uint32_t>(v >> 32));
        u32be(static_cast<std::uint32_t>(v));
    }
    void i16be(std::int16_t v) { u16be(static_cast<std::uint16_t>(v)); }
    void i24be(std::int32_t v) { u24be(static_cast<std::uint32_t>(v) & 0xFFFFFFu); }
    void i32be(std::int32_t v) { u32be(static_cast<std::uint32_t>(v)); }
    void f64be(double v);
    void bytes(Bytes b) { put_raw(b); }
    void chars(std::string_view s) { put_raw({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}); }

private:
    void put_raw(Bytes b) { static_cast<Sink*>(this)->put(b); }
};

class ByteWriter : public WriterOps<ByteWriter> {
public:
    ByteWriter() = default;
    /// Reserves `capacity` bytes up front (a hint; the writer still grows).
    explicit ByteWriter(std::size_t capacity) { out_.reserve(capacity); }

    void put(Bytes b) { out_.insert(out_.end(), b.begin(), b.end()); }

    const ByteVector& data() const noexcept { return out_; }
    std::size_t size() const noexcept { return out_.size(); }
    /// Overwrites already written bytes at `offset` (e.g. a length patched
    /// after the body is known). Returns false when out of range.
    bool patch(std::size_t offset, Bytes b);
    ByteVector take() noexcept { return std::move(out_); }

private:
    ByteVector out_;
};

class SpanWriter : public WriterOps<SpanWriter> {
public:
    explicit SpanWriter(std::span<std::uint8_t> out) noexcept : out_(out) {}

    void put(Bytes b) noexcept;

    std::size_t size() const noexcept { return pos_; }
    bool overflowed() const noexcept { return overflowed_; }
    std::span<const std::uint8_t> written() const noexcept { return out_.first(pos_); }

private:
    std::span<std::uint8_t> out_;
    std::size_t pos_ = 0;
    bool overflowed_ = false;
};

}  // namespace sluice::base
