#include "base/byte_reader.hpp"

#include <bit>
#include <cstring>

namespace sluice::base {

bool ByteReader::need(std::size_t n) noexcept {
    if (failed_ || n > bytes_.size() - pos_) {
        failed_ = true;
        return false;
    }
    return true;
}

std::uint8_t ByteReader::u8() noexcept {
    if (!need(1)) return 0;
    return bytes_[pos_++];
}

std::uint8_t ByteReader::peek_u8() noexcept {
    if (!need(1)) return 0;
    return bytes_[pos_];
}

std::uint16_t ByteReader::u16be() noexcept {
    if (!need(2)) return 0;
    const auto* p = bytes_.data() + pos_;
    pos_ += 2;
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint16_t ByteReader::u16le() noexcept {
    if (!need(2)) return 0;
    const auto* p = bytes_.data() + pos_;
    pos_ += 2;
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

std::uint32_t ByteReader::u24be() noexcept {
    if (!need(3)) return 0;
    const auto* p = bytes_.data() + pos_;
    pos_ += 3;
    return (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
}

std::uint32_t ByteReader::u32be() noexcept {
    if (!need(4)) return 0;
    const auto* p = bytes_.data() + pos_;
    pos_ += 4;
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::uint32_t ByteReader::u32le() noexcept {
    if (!need(4)) return 0;
    const auto* p = bytes_.data() + pos_;
    pos_ += 4;
    return (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) | p[0];
}

std::uint64_t ByteReader::u64be() noexcept {
    const std::uint64_t high = u32be();
    const std::uint64_t low = u32be();
    return failed_ ? 0 : (high << 32) | low;
}

std::int16_t ByteReader::i16be() noexcept {
    return static_cast<std::int16_t>(u16be());
}

std::int32_t ByteReader::i24be() noexcept {
    const std::uint32_t v = u24be();
    // Sign-extend from bit 23.
    return static_cast<std::int32_t>(v << 8) >> 8;
}

std::int32_t ByteReader::i32be() noexcept {
    return static_cast<std::int32_t>(u32be());
}

double ByteReader::f64be() noexcept {
    return std::bit_cast<double>(u64be());
}

Bytes ByteReader::bytes(std::size_t n) noexcept {
    if (!need(n)) return {};
    Bytes out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
}

std::string_view ByteReader::chars(std::size_t n) noexcept {
    Bytes b = bytes(n);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bool ByteReader::skip(std::size_t n) noexcept {
    if (!need(n)) return false;
    pos_ += n;
    return true;
}

}  // namespace sluice::base
