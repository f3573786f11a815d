#pragma once
// base::Payload: immutable, reference-counted bytes; the unit of fan-out.
//
// Contract:
//  - A Payload is a view (pointer, size) that keeps its storage alive through
//    an atomically counted owner; copying a Payload never copies bytes.
//  - The bytes never change once a Payload exists, so any number of threads
//    may read the same Payload concurrently (the counter is atomic; the
//    Payload object itself is not shared mutable state).
//  - slice() shares the owner; a slice keeps the whole storage alive.
//  - A default Payload is empty and owns nothing.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"

namespace sluice::base {

class Payload {
public:
    Payload() noexcept = default;

    /// Takes over a vector's storage without copying the bytes.
    static Payload from(ByteVector&& bytes);
    /// Copies the bytes into new storage (one allocation).
    static Payload copy_of(Bytes bytes);
    static Payload copy_of(std::string_view chars);

    const std::uint8_t* data() const noexcept { return data_.get(); }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    Bytes bytes() const noexcept { return {data_.get(), size_}; }
    operator Bytes() const noexcept { return bytes(); }  // NOLINT: a Payload is bytes

    /// A view of [offset, offset + length) sharing this storage; clamped to
    /// the available bytes, so an out-of-range slice is short, never invalid.
    Payload slice(std::size_t offset, std::size_t length) const noexcept;
    Payload slice(std::size_t offset) const noexcept { return slice(offset, size_); }

    /// How many Payload views share this storage (for tests and metrics).
    long use_count() const noexcept { return data_.use_count(); }

    friend bool operator==(const Payload& a, const Payload& b) noexcept;

private:
    Payload(std::shared_ptr<const std::uint8_t> data, std::size_t size) noexcept
        : data_(std::move(data)), size_(size) {}

    std::shared_ptr<const std::uint8_t> data_;
    std::size_t size_ = 0;
};

}  // namespace sluice::base
