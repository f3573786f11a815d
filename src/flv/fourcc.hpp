#pragma once
// FourCC codes of Enhanced RTMP (REFERENCE.md §8): four ASCII bytes read as
// a big-endian U32, e.g. 'hvc1' = 68 76 63 31 = 0x68766331. onMetaData's
// videocodecid/audiocodecid may carry the same value as a number
// ('av01' = 1635135537).
#include <cstdint>
#include <string>

namespace sluice::flv::fourcc {

constexpr std::uint32_t make(const char (&s)[5]) noexcept {
    return (std::uint32_t{static_cast<std::uint8_t>(s[0])} << 24) |
           (std::uint32_t{static_cast<std::uint8_t>(s[1])} << 16) |
           (std::uint32_t{static_cast<std::uint8_t>(s[2])} << 8) |
           std::uint32_t{static_cast<std::uint8_t>(s[3])};
}

// Video ([ERTMP1]: av01, vp09, hvc1; [ERTMP2] adds avc1, vp08, vvc1).
inline constexpr std::uint32_t avc1 = make("avc1");
inline constexpr std::uint32_t hvc1 = make("hvc1");
inline constexpr std::uint32_t av01 = make("av01");
inline constexpr std::uint32_t vp09 = make("vp09");
inline constexpr std::uint32_t vp08 = make("vp08");
inline constexpr std::uint32_t vvc1 = make("vvc1");

// Audio ([ERTMP2] "Enhanced Audio").
inline constexpr std::uint32_t opus = make("Opus");
inline constexpr std::uint32_t flac = make("fLaC");
inline constexpr std::uint32_t ac3 = make("ac-3");
inline constexpr std::uint32_t eac3 = make("ec-3");
inline constexpr std::uint32_t mp3 = make(".mp3");
inline constexpr std::uint32_t mp4a = make("mp4a");

constexpr bool is_video(std::uint32_t c) noexcept {
    return c == avc1 || c == hvc1 || c == av01 || c == vp09 || c == vp08 || c == vvc1;
}
constexpr bool is_audio(std::uint32_t c) noexcept {
    return c == opus || c == flac || c == ac3 || c == eac3 || c == mp3 || c == mp4a;
}
/// Codecs whose CodedFrames carry an SI24 composition time offset.
constexpr bool has_composition_time(std::uint32_t c) noexcept {
    return c == avc1 || c == hvc1 || c == vvc1;
}

/// The four characters, with non-printable bytes as '?' (for logs).
inline std::string to_string(std::uint32_t c) {
    std::string s(4, '?');
    for (int i = 0; i < 4; ++i) {
        const auto ch = static_cast<char>((c >> (24 - 8 * i)) & 0xFF);
        if (ch >= 0x20 && ch < 0x7F) s[static_cast<std::size_t>(i)] = ch;
    }
    return s;
}

}  // namespace sluice::flv::fourcc
