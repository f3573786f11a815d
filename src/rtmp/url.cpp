#include "rtmp/url.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "rtmp/errors.hpp"

namespace sluice::rtmp {

namespace {

struct SchemeRow {
    std::string_view name;
    UrlScheme scheme;
    std::uint16_t port;
};

// Default ports: REFERENCE.md §10–§11 (the tunnel speaks HTTP, so 80/443).
constexpr std::array<SchemeRow, 6> schemes{{
    {"rtmp", UrlScheme::rtmp, 1935},
    {"rtmps", UrlScheme::rtmps, 443},
    {"rtmpt", UrlScheme::rtmpt, 80},
    {"rtmpts", UrlScheme::rtmpts, 443},
    {"rtmpe", UrlScheme::rtmpe, 1935},
    {"rtmpte", UrlScheme::rtmpte, 80},
}};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::error_code malformed(std::string* why, std::string_view text) {
    if (why) *why = std::string(text);
    return make_error_code(Errc::url_malformed);
}

// Splits "app[/instance][/stream]" as the header describes.
void split_path(std::string_view path, Url& url) {
    const auto first = path.find('/');
    if (first == std::string_view::npos) {
        url.app = std::string(path);
        return;
    }
    const auto second = path.find('/', first + 1);
    const auto colon = path.find(':', first + 1);
    const bool prefix_before_second = colon != std::string_view::npos && colon < second;
    if (second == std::string_view::npos || prefix_before_second) {
        url.app = std::string(path.substr(0, first));
        url.stream = std::string(path.substr(first + 1));
        return;
    }
    url.app = std::string(path.substr(0, second));
    url.stream = std::string(path.substr(second + 1));
}

std::string authority(const Url& url) {
    std::string out;
    const bool ipv6 = url.host.find(':') != std::string::npos;
    out += ipv6 ? "[" + url.host + "]" : url.host;
    if (url.port_given) out += ":" + std::to_string(url.port);
    return out;
}

}  // namespace

std::string_view to_string(UrlScheme scheme) noexcept {
    for (const auto& row : schemes)
        if (row.scheme == scheme) return row.name;
    return "rtmp";
}

std::uint16_t default_port(UrlScheme scheme) noexcept {
    for (const auto& row : schemes)
        if (row.scheme == scheme) return row.port;
    return 1935;
}

base::Result<Url> Url::parse(std::string_view text, std::string* why) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7F)
            return malformed(why, "the URL holds a space or a control character");
    }
    const auto separator = text.find("://");
    if (separator == std::string_view::npos) return malformed(why, "the URL has no \"://\" after its scheme");
    Url url;
    const std::string_view scheme = text.substr(0, separator);
    const SchemeRow* row = nullptr;
    for (const auto& candidate : schemes)
        if (equal_ignoring_case(candidate.name, scheme)) row = &candidate;
    if (!row) {
        if (why)
            *why =
                "unknown scheme \"" + std::string(scheme) + "\" (rtmp, rtmps, rtmpt, rtmpts, rtmpe, rtmpte)";
        return make_error_code(Errc::url_scheme_unsupported);
    }
    url.scheme = row->scheme;
    url.port = row->port;

    std::string_view rest = text.substr(separator + 3);
    const auto slash = rest.find('/');
    std::string_view host_port = rest.substr(0, slash);
    const std::string_view path =
        slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);

    std::string_view port_text;
    if (!host_port.empty() && host_port.front() == '[') {
        const auto close = host_port.find(']');
        if (close == std::string_view::npos) return malformed(why, "the IPv6 host has no closing ']'");
        url.host = std::string(host_port.substr(1, close - 1));
        if (url.host.find('[') != std::string::npos) return malformed(why, "the IPv6 host holds a '['");
        const std::string_view after = host_port.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return malformed(why, "only \":port\" may follow an IPv6 host");
            port_text = after.substr(1);
            url.port_given = true;
        }
    } else {
        const auto colon = host_port.rfind(':');
        url.host = std::string(host_port.substr(0, colon));
        if (url.host.find_first_of(":[]") != std::string::npos)
            return malformed(why,
                             "the host holds ':', '[' or ']' (an IPv6 host goes in brackets: [::1]:1935)");
        if (colon != std::string_view::npos) {
            port_text = host_port.substr(colon + 1);
            url.port_given = true;
        }
    }
    if (url.host.empty()) return malformed(why, "the URL has no host");
    if (url.port_given) {
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
            return malformed(why,
                             "the port \"" + std::string(port_text) + "\" is not a number from 1 to 65535");
        url.port = static_cast<std::uint16_t>(port);
    }
    split_path(path, url);
    if (url.app.empty()) return malformed(why, "the URL names no application (rtmp://host/app/stream)");
    return url;
}

std::string Url::tc_url() const {
    return std::string(rtmp::to_string(scheme)) + "://" + authority(*this) + "/" + app;
}

std::string Url::to_string() const {
    // An app with an instance keeps its trailing '/' so that it parses back the same.
    const bool has_instance = app.find('/') != std::string::npos;
    return stream.empty() && !has_instance ? tc_url() : tc_url() + "/" + stream;
}

}  // namespace sluice::rtmp
