#pragma once
// A bounded MSB-first bit reader for codec headers (private to src/flv).
// A read past the end returns 0 and latches failed(), like base::ByteReader.
// Exp-Golomb codes (H.264/H.265 ue(v)/se(v)) longer than 32 bits fail.
#include <cstddef>
#include <cstdint>

#include "base/byte_reader.hpp"

namespace sluice::flv::detail {

class BitReader {
public:
    explicit BitReader(base::Bytes bytes) noexcept : bytes_(bytes) {}

    /// Up to 32 bits as an unsigned value.
    std::uint32_t bits(unsigned n) noexcept {
        std::uint32_t v = 0;
        for (unsigned i = 0; i < n; ++i) v = (v << 1) | bit();
        return v;
    }
    std::uint32_t bit() noexcept {
        if (pos_ >= bytes_.size() * 8) {
            failed_ = true;
            return 0;
        }
        const std::uint32_t b = (bytes_[pos_ / 8] >> (7 - pos_ % 8)) & 1u;
        ++pos_;
        return b;
    }
    void skip(std::size_t n) noexcept {
        if (n > remaining()) {
            failed_ = true;
            pos_ = bytes_.size() * 8;
            return;
        }
        pos_ += n;
    }
    /// ue(v); values above 2^32 - 2 fail.
    std::uint32_t ue() noexcept {
        unsigned zeros = 0;
        while (!failed_ && bit() == 0) {
            if (++zeros > 31) {
                failed_ = true;
                return 0;
            }
        }
        if (failed_) return 0;
        const std::uint64_t value = (std::uint64_t{1} << zeros) - 1 + bits(zeros);
        return value > 0xFFFFFFFEu ? (failed_ = true, 0u) : static_cast<std::uint32_t>(value);
    }
    /// se(v), mapped 1, -1, 2, -2, ...
    std::int32_t se() noexcept {
        const std::uint32_t k = ue();
        const auto magnitude = static_cast<std::int64_t>((std::uint64_t{k} + 1) / 2);
        return static_cast<std::int32_t>((k & 1) ? magnitude : -magnitude);
    }

    std::size_t remaining() const noexcept { return bytes_.size() * 8 - pos_; }
    bool failed() const noexcept { return failed_; }

private:
    base::Bytes bytes_;
    std::size_t pos_ = 0;
    bool failed_ = false;
};

}  // namespace sluice::flv::detail
