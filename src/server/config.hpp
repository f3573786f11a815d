#pragma once
// server::ServerConfig: everything `sluice serve` can be told, with the
// defaults that make `sluice serve` with no arguments a working server
// (ARCHITECTURE.md principle 7). Precedence: command-line flags override the
// TOML file, which overrides these defaults.
//
// Every key the loader accepts is listed in docs/config.md; a test checks
// that config_keys() and that reference agree, so neither drifts.
//
// Contract:
//  - parse_config()/load_config() start from the defaults below and apply
//    the keys present; an unknown key, a wrong type or an out-of-range value
//    throws ConfigError naming the key (and the line, when toml++ gives one).
//    Config errors are startup errors, so exceptions are allowed here
//    (STYLE.md: exceptions only above net).
//    Messages read "SOURCE:LINE: KEY: problem", e.g.
//    `sluice.toml:7: unknown key "limits.chunk_sise"`. Ranges and meanings
//    of every key: docs/config.md.
//  - Any [[app]] in the file replaces the default `apps` list as a whole;
//    every [[app]] must have a name.
//  - validate() checks cross-field rules (at least one listen address, app
//    names unique and valid, player_disconnect_bytes >= player_queue_bytes,
//    min_peer_chunk_size <= max_peer_chunk_size, max_partial_bytes >=
//    max_message_bytes)
//    and, again, every range and the log level, so values set by flags or
//    code after parsing are checked too. parse_config() calls it; call it
//    again after applying flags.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rtmp/swf_verification.hpp"
#include "server/recorder.hpp"
#include "server/shared_object.hpp"

namespace sluice::server {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Which publishes of an application are recorded ([[app]] record).
enum class RecordPolicy : std::uint8_t {
    request,  ///< publish type "record" or "append" records; "live" does not
    all,      ///< every publish records ("live" as "record", with the app's pattern and rotation)
    off,      ///< nothing records; "record"/"append" get NetStream.Record.NoAccess and publish live
};
std::string_view to_string(RecordPolicy policy) noexcept;

/// What an application serves ([[app]] kind).
enum class AppKind : std::uint8_t {
    live,  ///< published streams (and their recordings, played with start >= 0)
    vod,   ///< files from the media folder (server.media); nobody publishes
};

/// One application (`rtmp://host/<name>[/instance]`). [[app]] tables in TOML.
struct AppConfig {
    std::string name = "live";
    bool publish = true;  ///< clients may publish
    bool play = true;     ///< clients may play
    AppKind kind = AppKind::live;
    RecordPolicy record = RecordPolicy::request;
    /// File name of record = "all" recordings: {stream}, {time}, {seq} (stream_recording.hpp).
    std::string record_pattern = "{stream}";
    std::uint64_t record_max_bytes = 0;           ///< record = "all": rotate at this size (0 = never)
    std::chrono::seconds record_max_duration{0};  ///< record = "all": rotate at this length (0 = never)
    /// Player SWFs whose SWF verification (REFERENCE.md §9.5) is accepted on
    /// connect ("SHA256HEX:SIZE" in TOML). Empty: no verification asked.
    std::vector<rtmp::SwfFile> swf_verify{};

    bool operator==(const AppConfig&) const = default;
};

/// Timeouts, windows and queue bounds of the live server ([limits]).
struct ServerLimits {
    std::uint32_t chunk_size = 4096;            ///< our outgoing chunk size, sent right after connect
    std::uint32_t window_ack_size = 2'500'000;  ///< Window Acknowledgement Size we announce
    std::uint32_t peer_bandwidth = 2'500'000;   ///< Set Peer Bandwidth we announce (dynamic)
    std::chrono::milliseconds handshake_timeout{10'000};  ///< absolute, from accept to handshake done
    std::chrono::milliseconds connect_timeout{10'000};    ///< from handshake done to `connect`
    std::chrono::milliseconds idle_timeout{60'000};       ///< no byte from the peer for this long: close
    std::chrono::milliseconds ping_interval{15'000};      ///< PingRequest when the peer was quiet this long
    std::size_t max_connections = 10'000;
    std::size_t max_streams_per_connection = 16;  ///< createStream beyond this gets _error
    std::size_t max_players_per_stream = 10'000;
    std::size_t player_queue_bytes = 4u * 1024u * 1024u;        ///< above: drop inter frames, then GOPs
    std::chrono::milliseconds player_queue_duration{10'000};    ///< media time queued above which we drop
    std::size_t player_disconnect_bytes = 16u * 1024u * 1024u;  ///< hard limit: the player is closed
    std::size_t gop_cache_bytes = 16u * 1024u * 1024u;     ///< GOP cache bound per stream (0 = no GOP cache)
    std::uint32_t max_message_bytes = 8u * 1024u * 1024u;  ///< rtmp::Limits::max_message_bytes
    std::size_t max_chunk_streams = 64;                    ///< rtmp::Limits::max_chunk_streams
    std::size_t max_partial_bytes = 16u * 1024u * 1024u;   ///< rtmp::Limits::max_partial_bytes_total
    std::uint32_t min_peer_chunk_size = 128;               ///< rtmp::Limits::min_chunk_size
    std::uint32_t max_peer_chunk_size = 0xFFFFFF;          ///< rtmp::Limits::max_chunk_size
    std::size_t amf_max_depth = 64;                        ///< amf::Limits::max_depth (commands, data)
    std::size_t amf_max_string_bytes = 1u << 20;           ///< amf::Limits::max_string_bytes
    std::size_t amf_max_elements = 100'000;                ///< amf::Limits::max_elements
    std::size_t max_name_bytes = 256;          ///< longest app segment or stream name (name_check.hpp)
    std::size_t max_connections_per_ip = 200;  ///< open connections from one address (0 = no limit)
    std::chrono::milliseconds media_idle_timeout{30'000};  ///< publisher sent no media this long: close
    std::size_t max_calls_in_flight = 16;  ///< method calls running, and calls to the client, per connection
    std::chrono::milliseconds call_timeout{10'000};  ///< a call to the client unanswered this long fails

    bool operator==(const ServerLimits&) const = default;
};

/// [log]
struct LogConfig {
    std::string level = "info";  ///< trace, debug, info, warn, error, off

    bool operator==(const LogConfig&) const = default;
};

/// [recording]: how recordings are written (every application).
struct RecordingConfig {
    FsyncPolicy fsync = FsyncPolicy::on_close;
    std::uint64_t fsync_every_bytes = 4u << 20;      ///< with fsync = "periodic"
    std::chrono::milliseconds flush_interval{1000};  ///< buffered bytes wait at most this long
    std::size_t buffer_bytes = 64 * 1024;            ///< per recording

    bool operator==(const RecordingConfig&) const = default;
};

/// [tls]: RTMPS listeners, on when a certificate is configured.
struct TlsConfig {
    std::string certificate;  ///< PEM certificate chain file ("" = no RTMPS)
    std::string key;          ///< PEM private key file
    std::vector<std::string> listen{"0.0.0.0:1936"};
    std::string min_version = "1.2";  ///< "1.2" or "1.3"

    bool enabled() const noexcept { return !certificate.empty(); }
    bool operator==(const TlsConfig&) const = default;
};

/// [http]: the HTTP listeners that carry RTMPT (RTMP tunnelled in HTTP).
struct HttpConfig {
    /// Plain HTTP (rtmpt://); [] = off. The default address is best effort:
    /// when it is taken the server warns and runs without it.
    std::vector<std::string> listen{"0.0.0.0:8080"};
    /// HTTPS (rtmpts://), with the [tls] certificate; [] = off.
    std::vector<std::string> tls_listen;
    std::size_t max_tunnels = 1000;                         ///< open RTMPT sessions
    std::size_t max_request_bytes = 1u << 20;               ///< body of one request
    std::chrono::milliseconds tunnel_idle_timeout{20'000};  ///< no request for this long: close

    bool operator==(const HttpConfig&) const = default;
};

struct ServerConfig {
    /// [server] listen: "HOST:PORT" or "rtmp://HOST:PORT" (IPv6 as "[::]:1935").
    std::vector<std::string> listen{"0.0.0.0:1935"};
    unsigned workers = 0;                   ///< [server] workers: 0 = one per core
    std::string recordings = "recordings";  ///< [server] recordings: the folder recordings go to
    std::string media = "media";            ///< [server] media: the folder vod applications play from
    /// [server] shared_objects: the folder persistent shared objects live in ("" = refused).
    std::string shared_objects = "shared_objects";
    SharedObjectLimits shared_object_limits;  ///< [shared_objects]
    RecordingConfig recording;
    TlsConfig tls;
    HttpConfig http;
    LogConfig log;
    ServerLimits limits;
    std::vector<AppConfig> apps{AppConfig{},
                                AppConfig{.name = "vod", .publish = false, .kind = AppKind::vod}};

    /// The application named `name`, or nullptr.
    const AppConfig* find_app(std::string_view name) const noexcept;
    /// Throws ConfigError when a cross-field rule is broken.
    void validate() const;

    bool operator==(const ServerConfig&) const = default;
};

/// Parses TOML text (`source` names it in errors) over the defaults.
ServerConfig parse_config(std::string_view toml, std::string_view source = "config");
/// Reads and parses a TOML file; a missing or unreadable file is a ConfigError.
ServerConfig load_config(const std::filesystem::path& path);

/// Every key the loader accepts, dotted ("server.listen", "limits.chunk_size",
/// "app.name", ...), for the docs/config.md agreement test.
std::vector<std::string> config_keys();

/// A listen address split into host and port ("0.0.0.0:1935" -> {"0.0.0.0", 1935}).
struct ListenAddress {
    std::string host;
    std::uint16_t port = 1935;
};
/// What a listener speaks; names the URL scheme a listen address may carry
/// and its default port.
enum class ListenScheme : std::uint8_t {
    rtmp,   ///< rtmp://, 1935
    rtmps,  ///< rtmps://, 1936
    http,   ///< http://, 8080 (RTMPT)
    https,  ///< https://, 8443 (RTMPTS)
};
/// Parses "HOST:PORT", "<scheme>://HOST:PORT", "[v6]:PORT", ":PORT" (all
/// interfaces) or "HOST" (the scheme's default port). Throws ConfigError on
/// anything else, a foreign scheme included.
ListenAddress parse_listen_address(std::string_view text, ListenScheme scheme = ListenScheme::rtmp);

}  // namespace sluice::server
