#include "rtmp/swf_verification.hpp"

#include <algorithm>
#include <charconv>

#include "base/hex.hpp"
#include "rtmp/handshake_digest.hpp"

namespace sluice::rtmp {
namespace {

constexpr std::uint8_t swf_marker[2] = {0x01, 0x01};

void put_u32be(std::uint8_t* at, std::uint32_t v) noexcept {
    at[0] = static_cast<std::uint8_t>(v >> 24);
    at[1] = static_cast<std::uint8_t>(v >> 16);
    at[2] = static_cast<std::uint8_t>(v >> 8);
    at[3] = static_cast<std::uint8_t>(v);
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

SwfResponse swf_verification_response(const S1Tail& s1_tail, const SwfFile& swf) noexcept {
    SwfResponse out{};
    out[0] = swf_marker[0];
    out[1] = swf_marker[1];
    // The size twice, as librtmp and FFmpeg send it (compressed and
    // decompressed size in Flash, which both set to the decompressed one).
    put_u32be(out.data() + 2, swf.size);
    put_u32be(out.data() + 6, swf.size);
    const handshake_digest::Digest mac = handshake_digest::hmac_sha256(s1_tail, swf.sha256);
    std::copy(mac.begin(), mac.end(), out.begin() + 10);
    return out;
}

bool swf_verification_matches(base::Bytes event_data, const S1Tail& s1_tail,
                              std::span<const SwfFile> allowed) noexcept {
    if (event_data.size() != swf_response_size) return false;
    // Comparing whole expected responses checks marker, sizes and HMAC at
    // once; the list is a handful of entries, so computing each is cheap.
    return std::any_of(allowed.begin(), allowed.end(), [&](const SwfFile& swf) {
        const SwfResponse expected = swf_verification_response(s1_tail, swf);
        return std::equal(expected.begin(), expected.end(), event_data.begin());
    });
}

std::optional<SwfHash> parse_swf_hash(std::string_view hex) {
    SwfHash hash{};
    if (hex.size() != 2 * hash.size()) return std::nullopt;
    for (std::size_t i = 0; i < hash.size(); ++i) {
        const int hi = hex_digit(hex[2 * i]);
        const int lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        hash[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return hash;
}

std::optional<SwfFile> parse_swf_file(std::string_view text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::optional<SwfHash> hash = parse_swf_hash(text.substr(0, colon));
    if (!hash) return std::nullopt;
    const std::string_view digits = text.substr(colon + 1);
    // from_chars stops at the first non-digit ("12x"): require that it
    // used every character.
    std::uint32_t size = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || size == 0)
        return std::nullopt;
    return SwfFile{*hash, size};
}

std::string to_string(const SwfFile& swf) {
    return base::to_hex(swf.sha256) + ":" + std::to_string(swf.size);
}

}  // namespace sluice::rtmp
