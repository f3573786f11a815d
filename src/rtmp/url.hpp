#pragma once
// rtmp::Url: an RTMP URL split into what the client sends (ARCHITECTURE.md,
// command line; REFERENCE.md §4.1 for tcUrl, §10–§11 for the variants).
//
//   scheme://host[:port]/app[/instance][?query]/stream[?query]
//   rtmp://127.0.0.1/live/cam1            app "live",          stream "cam1"
//   rtmp://h:1936/live/inst/cam1          app "live/inst",     stream "cam1"
//   rtmp://h/vod/mp4:dir/clip.mp4         app "vod",           stream "mp4:dir/clip.mp4"
//   rtmp://h/live?token=x/cam1?key=y      app "live?token=x",  stream "cam1?key=y"
//   rtmp://[::1]:1935/live                app "live",          stream ""
//
// Splitting the path (the rule FFmpeg's and librtmp's users rely on): one
// segment is the app alone; two are app and stream; with three or more,
// the first two are app/instance and the rest is the stream, unless a ':'
// (a "mp4:" / "mp3:" prefix) comes before the second '/', in which case the
// app is the first segment only.
//
// Contract:
//  - parse() never throws; errors are url_scheme_unsupported (the scheme
//    is matched case-insensitively) and url_malformed (no "://", empty
//    host, a port that is not 1..65535, an unterminated "[" IPv6 literal,
//    no app, control characters or spaces). `why` gets a sentence naming
//    the part that is wrong.
//  - Percent-escapes are kept as written: the server compares names as the
//    client sends them (FFmpeg does not unescape either).
//  - tc_url() is scheme://host[:port]/app with the port only when the URL
//    gave one: what the connect command carries as tcUrl.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace sluice::rtmp {

enum class UrlScheme : std::uint8_t {
    rtmp,    ///< TCP, default port 1935
    rtmps,   ///< TLS, default port 443
    rtmpt,   ///< HTTP tunnel, default port 80
    rtmpts,  ///< HTTP tunnel over TLS, default port 443
    rtmpe,   ///< encrypted handshake over TCP, default port 1935
    rtmpte,  ///< encrypted handshake in the HTTP tunnel, default port 80
};

std::string_view to_string(UrlScheme scheme) noexcept;
std::uint16_t default_port(UrlScheme scheme) noexcept;

struct Url {
    UrlScheme scheme = UrlScheme::rtmp;
    std::string host;  ///< without brackets for IPv6 literals
    std::uint16_t port = 1935;
    bool port_given = false;  ///< the URL named the port
    std::string app;          ///< "app" or "app/instance", query kept
    std::string stream;       ///< may be empty; query kept

    static base::Result<Url> parse(std::string_view text, std::string* why = nullptr);
    /// scheme://host[:port]/app (IPv6 hosts in brackets).
    std::string tc_url() const;
    /// The whole URL back: tc_url() + "/" + stream (the "/" also when the
    /// stream is empty but the app has an instance); parses to the same Url.
    std::string to_string() const;
    friend bool operator==(const Url&, const Url&) = default;
};

}  // namespace sluice::rtmp
