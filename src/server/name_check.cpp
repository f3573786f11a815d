#include "server/name_check.hpp"

#include <fmt/format.h>

namespace sluice::server {

namespace {

unsigned byte_at(std::string_view s, std::size_t i) noexcept {
    return static_cast<unsigned char>(s[i]);
}

// Length of the well-formed UTF-8 sequence at s[i] (a non-ASCII lead byte),
// or 0. The ranges are those of the Unicode standard's table of well-formed
// byte sequences: narrowing the second byte after E0, ED, F0 and F4 is what
// refuses overlong forms, surrogates and code points above U+10FFFF.
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
    const unsigned lead = byte_at(s, i);
    std::size_t length = 0;
    unsigned low = 0x80;
    unsigned high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead == 0xE0) {
        length = 3, low = 0xA0;
    } else if (lead == 0xED) {
        length = 3, high = 0x9F;
    } else if (lead >= 0xE1 && lead <= 0xEF) {
        length = 3;
    } else if (lead == 0xF0) {
        length = 4, low = 0x90;
    } else if (lead >= 0xF1 && lead <= 0xF3) {
        length = 4;
    } else if (lead == 0xF4) {
        length = 4, high = 0x8F;
    } else {
        return 0;  // continuation byte, C0/C1 (overlong) or F5..FF
    }
    if (s.size() - i < length) return 0;
    if (byte_at(s, i + 1) < low || byte_at(s, i + 1) > high) return 0;
    for (std::size_t k = 2; k < length; ++k) {
        if (byte_at(s, i + k) < 0x80 || byte_at(s, i + k) > 0xBF) return 0;
    }
    return length;
}

bool allowed_ascii(char c) noexcept {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '-':
        case '_':
        case '.':
        case '~':
        case ':':
        case '@':
        case '+':
        case '=':
        case ',':
            return true;
        default:
            return false;
    }
}

std::optional<std::string> check_segment(std::string_view name, std::size_t max_bytes) {
    if (name.empty()) return "empty";
    if (name.size() > max_bytes) return fmt::format("longer than {} bytes ({})", max_bytes, name.size());
    for (std::size_t i = 0; i < name.size();) {
        const unsigned b = byte_at(name, i);
        if (b >= 0x80) {
            const std::size_t length = utf8_sequence(name, i);
            if (length == 0) return fmt::format("not valid UTF-8 (byte {})", i);
            i += length;
            continue;
        }
        if (b < 0x20 || b == 0x7F) return fmt::format("contains a control character (0x{:02X})", b);
        if (!allowed_ascii(name[i])) return fmt::format("contains the character '{}'", name[i]);
        ++i;
    }
    // Also refuses "." and "..": no name may look like a hidden file or a
    // path step once recording writes files named after streams.
    if (name.front() == '.') return "starts with '.'";
    return std::nullopt;
}

}  // namespace

std::optional<std::string> check_stream_name(std::string_view name, std::size_t max_bytes) {
    return check_segment(name, max_bytes);
}

std::optional<std::string> check_app_path(std::string_view app, std::string_view instance,
                                          std::size_t max_bytes) {
    if (auto why = check_segment(app, max_bytes)) return "application " + *why;
    for (;;) {
        const std::size_t slash = instance.find('/');
        if (auto why = check_segment(instance.substr(0, slash), max_bytes)) return "instance " + *why;
        if (slash == std::string_view::npos) return std::nullopt;
        instance.remove_prefix(slash + 1);
    }
}

std::string escape_name(std::string_view name, std::size_t max_bytes) {
    std::string out;
    const bool cut = name.size() > max_bytes;
    if (cut) name = name.substr(0, max_bytes);
    out.reserve(name.size());
    for (const char c : name) {
        const auto b = static_cast<unsigned char>(c);
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (b >= 0x20 && b < 0x7F) {
            out += c;
        } else {
            out += fmt::format("\\x{:02X}", b);
        }
    }
    if (cut) out += "...";
    return out;
}

}  // namespace sluice::server
