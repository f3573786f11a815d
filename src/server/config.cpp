#include "server/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace sluice::server {

namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t uint32_max = std::numeric_limits<std::uint32_t>::max();
// A day: longer timeouts are surely typos, and the cap keeps `now() + timeout`
// far from overflowing a nanosecond clock.
constexpr std::int64_t max_timeout_ms = 24 * 60 * 60 * 1000;

constexpr std::array<std::string_view, 6> log_levels{"trace", "debug", "info", "warn", "error", "off"};

// --- integer keys -----------------------------------------------------------
// One row per integer key, so parsing, validate() and config_keys() share
// the names and ranges.

template <typename T>
std::int64_t to_int64(T value) {
    if constexpr (requires { value.count(); }) {
        return static_cast<std::int64_t>(value.count());
    } else {
        // A programmatic size_t above int64 max still compares as "too big".
        return value > static_cast<T>(int64_max) ? int64_max : static_cast<std::int64_t>(value);
    }
}

template <typename T>
T from_int64(std::int64_t value) {
    if constexpr (requires { T{}.count(); }) {
        return T{static_cast<typename T::rep>(value)};
    } else {
        return static_cast<T>(value);
    }
}

template <auto Field>
std::int64_t get_limit(const ServerConfig& config) {
    return to_int64(config.limits.*Field);
}

template <auto Field>
void set_limit(ServerConfig& config, std::int64_t value) {
    using T = std::remove_cvref_t<decltype(config.limits.*Field)>;
    config.limits.*Field = from_int64<T>(value);
}

struct IntegerKey {
    std::string_view table;
    std::string_view key;
    std::int64_t min;
    std::int64_t max;
    std::int64_t (*get)(const ServerConfig&);
    void (*set)(ServerConfig&, std::int64_t);
};

template <auto Field>
constexpr IntegerKey limit(std::string_view key, std::int64_t min, std::int64_t max) {
    return IntegerKey{"limits", key, min, max, &get_limit<Field>, &set_limit<Field>};
}

template <auto Field>
constexpr IntegerKey so_limit(std::string_view key) {
    return IntegerKey{
        "shared_objects",
        key,
        1,
        int64_max,
        [](const ServerConfig& c) { return to_int64(c.shared_object_limits.*Field); },
        [](ServerConfig& c, std::int64_t v) { c.shared_object_limits.*Field = static_cast<std::size_t>(v); }};
}

using L = ServerLimits;
const std::array integer_keys{
    IntegerKey{"server", "workers", 0, 1024, [](const ServerConfig& c) { return to_int64(c.workers); },
               [](ServerConfig& c, std::int64_t v) { c.workers = static_cast<unsigned>(v); }},
    limit<&L::chunk_size>("chunk_size", 128, 0xFFFFFF),
    limit<&L::window_ack_size>("window_ack_size", 1, uint32_max),
    limit<&L::peer_bandwidth>("peer_bandwidth", 1, uint32_max),
    limit<&L::handshake_timeout>("handshake_timeout_ms", 1, max_timeout_ms),
    limit<&L::connect_timeout>("connect_timeout_ms", 1, max_timeout_ms),
    limit<&L::idle_timeout>("idle_timeout_ms", 1, max_timeout_ms),
    limit<&L::ping_interval>("ping_interval_ms", 1, max_timeout_ms),
    limit<&L::max_connections>("max_connections", 1, int64_max),
    limit<&L::max_streams_per_connection>("max_streams_per_connection", 1, int64_max),
    limit<&L::max_players_per_stream>("max_players_per_stream", 1, int64_max),
    limit<&L::player_queue_bytes>("player_queue_bytes", 1, int64_max),
    limit<&L::player_queue_duration>("player_queue_duration_ms", 1, max_timeout_ms),
    limit<&L::player_disconnect_bytes>("player_disconnect_bytes", 1, int64_max),
    limit<&L::gop_cache_bytes>("gop_cache_bytes", 0, int64_max),
    limit<&L::max_message_bytes>("max_message_bytes", 1, 0xFFFFFF),
    // Chunk stream ids run 0..65599 (3-byte basic header).
    limit<&L::max_chunk_streams>("max_chunk_streams", 1, 65600),
    limit<&L::max_partial_bytes>("max_partial_bytes", 1, int64_max),
    limit<&L::min_peer_chunk_size>("min_peer_chunk_size", 1, 0xFFFFFF),
    limit<&L::max_peer_chunk_size>("max_peer_chunk_size", 1, 0xFFFFFF),
    // The AMF readers recurse once per level and clamp deeper settings
    // anyway; 0 would refuse every connect (its command object is a level).
    limit<&L::amf_max_depth>("amf_max_depth", 1, 1000),
    limit<&L::amf_max_string_bytes>("amf_max_string_bytes", 1, 0xFFFFFF),
    limit<&L::amf_max_elements>("amf_max_elements", 1, int64_max),
    // AMF0 short strings, in which names arrive, hold at most 65535 bytes.
    limit<&L::max_name_bytes>("max_name_bytes", 1, 65535),
    limit<&L::max_connections_per_ip>("max_connections_per_ip", 0, int64_max),
    limit<&L::media_idle_timeout>("media_idle_timeout_ms", 1, max_timeout_ms),
    limit<&L::max_calls_in_flight>("max_calls_in_flight", 1, 65536),
    limit<&L::call_timeout>("call_timeout_ms", 1, max_timeout_ms),
    IntegerKey{"recording", "fsync_every_bytes", 1, int64_max,
               [](const ServerConfig& c) { return to_int64(c.recording.fsync_every_bytes); },
               [](ServerConfig& c, std::int64_t v) {
                   c.recording.fsync_every_bytes = static_cast<std::uint64_t>(v);
               }},
    IntegerKey{
        "recording", "flush_interval_ms", 1, max_timeout_ms,
        [](const ServerConfig& c) { return to_int64(c.recording.flush_interval); },
        [](ServerConfig& c, std::int64_t v) { c.recording.flush_interval = std::chrono::milliseconds(v); }},
    // Beyond 64 MiB a buffer only delays what a crash loses.
    IntegerKey{
        "recording", "buffer_bytes", 0, 64 << 20,
        [](const ServerConfig& c) { return to_int64(c.recording.buffer_bytes); },
        [](ServerConfig& c, std::int64_t v) { c.recording.buffer_bytes = static_cast<std::size_t>(v); }},
    so_limit<&SharedObjectLimits::max_objects>("max_objects"),
    so_limit<&SharedObjectLimits::max_properties>("max_properties"),
    so_limit<&SharedObjectLimits::max_value_bytes>("max_value_bytes"),
    so_limit<&SharedObjectLimits::max_subscribers>("max_subscribers"),
    so_limit<&SharedObjectLimits::max_per_connection>("max_per_connection"),
    IntegerKey{"http", "max_tunnels", 1, int64_max,
               [](const ServerConfig& c) { return to_int64(c.http.max_tunnels); },
               [](ServerConfig& c, std::int64_t v) { c.http.max_tunnels = static_cast<std::size_t>(v); }},
    // Clients post what they have (a chunk or a few); 64 MiB is surely a mistake.
    IntegerKey{
        "http", "max_request_bytes", 1537, 64 << 20,
        [](const ServerConfig& c) { return to_int64(c.http.max_request_bytes); },
        [](ServerConfig& c, std::int64_t v) { c.http.max_request_bytes = static_cast<std::size_t>(v); }},
    IntegerKey{
        "http", "tunnel_idle_timeout_ms", 1, max_timeout_ms,
        [](const ServerConfig& c) { return to_int64(c.http.tunnel_idle_timeout); },
        [](ServerConfig& c, std::int64_t v) { c.http.tunnel_idle_timeout = std::chrono::milliseconds(v); }},
};

constexpr std::array<std::string_view, 3> record_policies{"request", "all", "off"};
constexpr std::array<std::string_view, 3> fsync_policies{"never", "on_close", "periodic"};
// A recording part of a year is surely a typo.
constexpr std::int64_t max_record_seconds = 366LL * 24 * 60 * 60;

// Non-integer keys, for config_keys() and the unknown-key check.
constexpr std::array<std::pair<std::string_view, std::string_view>, 21> other_keys{{
    {"server", "listen"},
    {"server", "recordings"},
    {"server", "media"},
    {"server", "shared_objects"},
    {"tls", "certificate"},
    {"tls", "key"},
    {"tls", "listen"},
    {"tls", "min_version"},
    {"http", "listen"},
    {"http", "tls_listen"},
    {"log", "level"},
    {"recording", "fsync"},
    {"app", "name"},
    {"app", "publish"},
    {"app", "play"},
    {"app", "kind"},
    {"app", "record"},
    {"app", "record_pattern"},
    {"app", "record_max_bytes"},
    {"app", "record_max_seconds"},
    {"app", "swf_verify"},
}};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

template <std::size_t N>
std::string list_text(const std::array<std::string_view, N>& values) {
    std::string out;
    for (std::size_t i = 0; i < N; ++i) {
        if (i > 0) out += i + 1 == N ? " or " : ", ";
        out += "\"" + std::string(values[i]) + "\"";
    }
    return out;
}

// Empty when `pattern` is a usable record_pattern, else what is wrong.
std::string record_pattern_problem(std::string_view pattern, bool rotates) {
    if (pattern.empty()) return "must not be empty";
    if (pattern.find('/') != std::string_view::npos || pattern.find('\\') != std::string_view::npos)
        return "must not contain '/' or '\\' (files go to <recordings>/<app>/)";
    if (pattern.front() == '.') return "must not start with '.'";
    bool has_stream = false;
    bool unique = false;
    for (std::size_t at = pattern.find('{'); at != std::string_view::npos; at = pattern.find('{', at + 1)) {
        const std::string_view rest = pattern.substr(at);
        if (rest.starts_with("{stream}")) {
            has_stream = true;
        } else if (rest.starts_with("{time}") || rest.starts_with("{seq}")) {
            unique = true;
        } else {
            return "unknown placeholder at \"" + std::string(rest.substr(0, rest.find('}') + 1)) +
                   "\" (use {stream}, {time}, {seq})";
        }
    }
    if (!has_stream) return "must contain {stream}, or every stream would write the same file";
    if (rotates && !unique) return "must contain {time} or {seq} when recordings rotate";
    return {};
}

std::string range_text(const IntegerKey& k) {
    if (k.max == int64_max) return "at least " + std::to_string(k.min);
    return "between " + std::to_string(k.min) + " and " + std::to_string(k.max);
}

std::string in_quotes(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

// --- error reporting --------------------------------------------------------

// "sluice.toml:7: " (or "sluice.toml: " when toml++ has no position).
[[noreturn]] void fail(std::string_view source, const toml::source_region& where, std::string_view message) {
    std::string text(source);
    if (where.begin.line != 0) text += ":" + std::to_string(where.begin.line);
    text += ": ";
    text += message;
    throw ConfigError(text);
}

std::string type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::table:
            return "a table";
        default:
            return "a date or time";
    }
}

[[noreturn]] void fail_type(std::string_view source, const toml::node& node, std::string_view name,
                            std::string_view expected) {
    fail(source, node.source(),
         std::string(name) + ": expected " + std::string(expected) + ", got " + type_name(node));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0u : 1u)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// Typos are the usual cause of an unknown key, so name the nearest one.
[[noreturn]] void fail_unknown(std::string_view source, const toml::source_region& where,
                               std::string_view what, std::string_view name,
                               const std::vector<std::string>& candidates) {
    std::string message = "unknown " + std::string(what) + " " + in_quotes(name);
    const std::string* best = nullptr;
    std::size_t best_distance = 3;  // suggest within two edits only
    for (const std::string& c : candidates) {
        const std::size_t d = edit_distance(name, c);
        if (d < best_distance) best = &c, best_distance = d;
    }
    if (best) message += " (did you mean " + in_quotes(*best) + "?)";
    fail(source, where, message);
}

// --- parsing ----------------------------------------------------------------

ListenScheme scheme_of_key(std::string_view key) {
    if (key == "tls.listen") return ListenScheme::rtmps;
    if (key == "http.listen") return ListenScheme::http;
    if (key == "http.tls_listen") return ListenScheme::https;
    return ListenScheme::rtmp;
}

class Parser {
public:
    explicit Parser(std::string_view source) : source_(source) {}

    void parse(const toml::table& root, ServerConfig& config) {
        std::vector<std::string> tables{"server", "log",  "limits",         "recording",
                                        "tls",    "http", "shared_objects", "app"};
        for (auto&& [key, node] : root) {
            const std::string_view name = key.str();
            if (name == "server") {
                parse_section(node, "server", config);
            } else if (name == "log") {
                parse_section(node, "log", config);
            } else if (name == "limits") {
                parse_section(node, "limits", config);
            } else if (name == "recording") {
                parse_section(node, "recording", config);
            } else if (name == "tls") {
                parse_section(node, "tls", config);
            } else if (name == "http") {
                parse_section(node, "http", config);
            } else if (name == "shared_objects") {
                parse_section(node, "shared_objects", config);
            } else if (name == "app") {
                parse_apps(node, config);
            } else {
                // A top-level `listen = ...` is a key someone meant for [server].
                std::vector<std::string> candidates = tables;
                for (const std::string& k : config_keys()) candidates.push_back(k);
                fail_unknown(source_, key.source(), node.is_table() ? "table" : "key", name, candidates);
            }
        }
    }

private:
    const toml::table& as_table(const toml::node& node, std::string_view name) {
        const toml::table* table = node.as_table();
        if (!table) fail_type(source_, node, name, "a table");
        return *table;
    }

    void parse_section(const toml::node& node, std::string_view section, ServerConfig& config) {
        for (auto&& [key, value] : as_table(node, section)) {
            const std::string name = std::string(section) + "." + std::string(key.str());
            if (name == "server.listen") {
                config.listen = parse_listen(value, name);
            } else if (name == "tls.listen") {
                config.tls.listen = parse_listen(value, name);
            } else if (name == "http.listen") {
                config.http.listen = parse_listen(value, name);
            } else if (name == "http.tls_listen") {
                config.http.tls_listen = parse_listen(value, name);
            } else if (name == "tls.certificate") {
                config.tls.certificate = get_string(value, name);
            } else if (name == "tls.key") {
                config.tls.key = get_string(value, name);
            } else if (name == "tls.min_version") {
                const std::string version = get_string(value, name);
                if (version != "1.2" && version != "1.3")
                    fail(source_, value.source(),
                         name + ": " + in_quotes(version) + " is not one of \"1.2\" or \"1.3\"");
                config.tls.min_version = version;
            } else if (name == "server.recordings") {
                config.recordings = get_string(value, name);
            } else if (name == "server.media") {
                config.media = get_string(value, name);
            } else if (name == "server.shared_objects") {
                config.shared_objects = get_string(value, name);
            } else if (name == "recording.fsync") {
                const std::string policy = get_string(value, name);
                if (!one_of(fsync_policies, policy))
                    fail(source_, value.source(),
                         name + ": " + in_quotes(policy) + " is not one of " + list_text(fsync_policies));
                config.recording.fsync = policy == "never"      ? FsyncPolicy::never
                                         : policy == "periodic" ? FsyncPolicy::periodic
                                                                : FsyncPolicy::on_close;
            } else if (name == "log.level") {
                const std::string level = get_string(value, name);
                if (std::find(log_levels.begin(), log_levels.end(), level) == log_levels.end()) {
                    fail(source_, value.source(),
                         name + ": " + in_quotes(level) +
                             " is not one of trace, debug, info, warn, error, off");
                }
                config.log.level = level;
            } else if (const IntegerKey* k = find_integer(section, key.str())) {
                const std::int64_t v = get_integer(value, name);
                if (v < k->min || v > k->max) {
                    fail(source_, value.source(),
                         name + ": " + std::to_string(v) + " is out of range (" + range_text(*k) + ")");
                }
                k->set(config, v);
            } else {
                fail_unknown(source_, key.source(), "key", name, config_keys());
            }
        }
    }

    std::vector<std::string> parse_listen(const toml::node& node, const std::string& name) {
        const ListenScheme scheme = scheme_of_key(name);
        std::vector<std::string> listen;
        if (node.is_string()) {
            listen.push_back(checked_listen(node, name, scheme));
        } else if (const toml::array* array = node.as_array()) {
            for (const toml::node& item : *array) listen.push_back(checked_listen(item, name, scheme));
        } else {
            fail_type(source_, node, name, "a string or an array of strings");
        }
        return listen;
    }

    std::string checked_listen(const toml::node& node, const std::string& name, ListenScheme scheme) {
        std::string text = get_string(node, name);
        try {
            (void)parse_listen_address(text, scheme);
        } catch (const ConfigError& e) {
            fail(source_, node.source(), name + ": " + e.what());
        }
        return text;
    }

    void parse_apps(const toml::node& node, ServerConfig& config) {
        const toml::array* array = node.as_array();
        if (!array) fail_type(source_, node, "app", "an array of tables ([[app]])");
        config.apps.clear();
        for (const toml::node& item : *array) {
            AppConfig app;
            bool named = false;
            for (auto&& [key, value] : as_table(item, "app")) {
                const std::string name = "app." + std::string(key.str());
                if (name == "app.name") {
                    app.name = get_string(value, name);
                    named = true;
                } else if (name == "app.publish") {
                    app.publish = get_bool(value, name);
                } else if (name == "app.play") {
                    app.play = get_bool(value, name);
                } else if (name == "app.kind") {
                    const std::string kind = get_string(value, name);
                    if (kind != "live" && kind != "vod")
                        fail(source_, value.source(),
                             name + ": " + in_quotes(kind) + " is not one of \"live\" or \"vod\"");
                    app.kind = kind == "vod" ? AppKind::vod : AppKind::live;
                } else if (name == "app.record") {
                    const std::string policy = get_string(value, name);
                    if (!one_of(record_policies, policy))
                        fail(
                            source_, value.source(),
                            name + ": " + in_quotes(policy) + " is not one of " + list_text(record_policies));
                    app.record = policy == "all"   ? RecordPolicy::all
                                 : policy == "off" ? RecordPolicy::off
                                                   : RecordPolicy::request;
                } else if (name == "app.record_pattern") {
                    app.record_pattern = get_string(value, name);
                } else if (name == "app.record_max_bytes") {
                    app.record_max_bytes = static_cast<std::uint64_t>(get_range(value, name, 0, int64_max));
                } else if (name == "app.record_max_seconds") {
                    app.record_max_duration =
                        std::chrono::seconds(get_range(value, name, 0, max_record_seconds));
                } else if (name == "app.swf_verify") {
                    app.swf_verify = parse_swf_verify(value, name);
                } else {
                    fail_unknown(source_, key.source(), "key", name, config_keys());
                }
            }
            // Defaulting to "live" would turn a forgotten name into a
            // duplicate-app error far from its cause.
            if (!named) fail(source_, item.source(), "app.name: every [[app]] needs a name");
            config.apps.push_back(std::move(app));
        }
    }

    std::vector<rtmp::SwfFile> parse_swf_verify(const toml::node& node, const std::string& name) {
        const toml::array* array = node.as_array();
        if (!array) fail_type(source_, node, name, "an array of strings (\"SHA256HEX:SIZE\")");
        std::vector<rtmp::SwfFile> files;
        for (const toml::node& item : *array) {
            const std::string text = get_string(item, name);
            const std::optional<rtmp::SwfFile> file = rtmp::parse_swf_file(text);
            if (!file)
                fail(source_, item.source(),
                     name + ": " + in_quotes(text) +
                         " is not \"SHA256HEX:SIZE\" (64 hex digits, ':', a size of 1 to 4294967295 bytes)");
            files.push_back(*file);
        }
        return files;
    }

    static const IntegerKey* find_integer(std::string_view section, std::string_view key) {
        for (const IntegerKey& k : integer_keys) {
            if (k.table == section && k.key == key) return &k;
        }
        return nullptr;
    }

    std::string get_string(const toml::node& node, std::string_view name) {
        const auto* v = node.as_string();
        if (!v) fail_type(source_, node, name, "a string");
        return v->get();
    }

    std::int64_t get_integer(const toml::node& node, std::string_view name) {
        const auto* v = node.as_integer();
        if (!v) fail_type(source_, node, name, "an integer");
        return v->get();
    }

    std::int64_t get_range(const toml::node& node, const std::string& name, std::int64_t min,
                           std::int64_t max) {
        const std::int64_t v = get_integer(node, name);
        if (v < min || v > max) {
            const IntegerKey k{"", "", min, max, nullptr, nullptr};
            fail(source_, node.source(),
                 name + ": " + std::to_string(v) + " is out of range (" + range_text(k) + ")");
        }
        return v;
    }

    bool get_bool(const toml::node& node, std::string_view name) {
        const auto* v = node.as_boolean();
        if (!v) fail_type(source_, node, name, "a boolean");
        return v->get();
    }

    std::string_view source_;
};

// --- listen addresses -------------------------------------------------------

[[noreturn]] void bad_listen(std::string_view text, std::string_view why) {
    throw ConfigError("bad listen address " + in_quotes(text) + ": " + std::string(why));
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

std::uint16_t parse_port(std::string_view text, std::string_view port) {
    if (port.empty()) bad_listen(text, "empty port");
    if (port.size() > 5) bad_listen(text, "port out of range (0..65535)");
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9') bad_listen(text, "the port must be a decimal number");
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) bad_listen(text, "port out of range (0..65535)");
    return static_cast<std::uint16_t>(value);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        return lower(x) == lower(y);
    });
}

bool valid_app_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
    return std::all_of(name.begin(), name.end(), is_name_char);
}

}  // namespace

ListenAddress parse_listen_address(std::string_view text, ListenScheme listen_scheme) {
    std::string_view rest = text;
    static constexpr std::array<std::string_view, 4> schemes{"rtmp", "rtmps", "http", "https"};
    static constexpr std::array<std::string_view, 4> where{
        "a server.listen address is HOST:PORT or rtmp://HOST:PORT (RTMPS listeners go in [tls] listen, RTMPT "
        "ones in [http] listen)",
        "a [tls] listen address is HOST:PORT or rtmps://HOST:PORT",
        "an [http] listen address is HOST:PORT or http://HOST:PORT",
        "an [http] tls_listen address is HOST:PORT or https://HOST:PORT"};
    static constexpr std::array<std::uint16_t, 4> default_ports{1935, 1936, 8080, 8443};
    const auto index = static_cast<std::size_t>(listen_scheme);
    if (const std::size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
        if (!equals_ignoring_case(rest.substr(0, scheme_end), schemes[index])) bad_listen(text, where[index]);
        rest.remove_prefix(scheme_end + 3);
    }
    if (rest.find('/') != std::string_view::npos) bad_listen(text, "a listen address has no path");
    if (rest.empty()) bad_listen(text, "empty address");

    ListenAddress out;
    out.port = default_ports[index];
    if (rest.front() == '[') {
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos) bad_listen(text, "missing ']'");
        const std::string_view host = rest.substr(1, close - 1);
        if (host.empty()) bad_listen(text, "empty IPv6 address");
        for (char c : host) {
            // Hex digits, ':' and '.' (v4-mapped), '%' and a zone name.
            if (!is_name_char(c) && c != ':' && c != '%') bad_listen(text, "bad character in IPv6 address");
        }
        out.host = std::string(host);
        const std::string_view after = rest.substr(close + 1);
        if (after.empty()) return out;
        if (after.front() != ':') bad_listen(text, "expected ':PORT' after ']'");
        out.port = parse_port(text, after.substr(1));
        return out;
    }

    const std::size_t colon = rest.find(':');
    if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos) {
        bad_listen(text, "IPv6 addresses need brackets, as in \"[::1]:1935\"");
    }
    const std::string_view host = rest.substr(0, colon);
    if (!std::all_of(host.begin(), host.end(), is_name_char)) bad_listen(text, "bad character in host");
    if (colon == std::string_view::npos) {
        out.host = std::string(host);  // non-empty: `rest` was
        return out;
    }
    out.host = host.empty() ? "0.0.0.0" : std::string(host);
    out.port = parse_port(text, rest.substr(colon + 1));
    return out;
}

std::string_view to_string(RecordPolicy policy) noexcept {
    return record_policies[static_cast<std::size_t>(policy)];
}

const AppConfig* ServerConfig::find_app(std::string_view name) const noexcept {
    for (const AppConfig& app : apps) {
        if (app.name == name) return &app;
    }
    return nullptr;
}

void ServerConfig::validate() const {
    if (listen.empty()) throw ConfigError("server.listen: at least one listen address is needed");
    for (const std::string& address : listen) {
        try {
            (void)parse_listen_address(address);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("server.listen: ") + e.what());
        }
    }
    if (tls.certificate.empty() != tls.key.empty())
        throw ConfigError("tls.certificate and tls.key: give both (RTMPS on) or neither (RTMPS off)");
    if (tls.enabled()) {
        if (tls.listen.empty()) throw ConfigError("tls.listen: at least one listen address is needed");
        for (const std::string& address : tls.listen) {
            try {
                (void)parse_listen_address(address, ListenScheme::rtmps);
            } catch (const ConfigError& e) {
                throw ConfigError(std::string("tls.listen: ") + e.what());
            }
        }
    }
    for (const std::string& address : http.listen) {
        try {
            (void)parse_listen_address(address, ListenScheme::http);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("http.listen: ") + e.what());
        }
    }
    if (!http.tls_listen.empty() && !tls.enabled())
        throw ConfigError("http.tls_listen: RTMPTS needs a certificate ([tls] certificate and key)");
    for (const std::string& address : http.tls_listen) {
        try {
            (void)parse_listen_address(address, ListenScheme::https);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("http.tls_listen: ") + e.what());
        }
    }
    if (tls.min_version != "1.2" && tls.min_version != "1.3")
        throw ConfigError("tls.min_version: " + in_quotes(tls.min_version) +
                          " is not one of \"1.2\" or \"1.3\"");
    if (std::find(log_levels.begin(), log_levels.end(), log.level) == log_levels.end()) {
        throw ConfigError("log.level: " + in_quotes(log.level) +
                          " is not one of trace, debug, info, warn, error, off");
    }
    // Flags and code may set these too, so the ranges are checked again here.
    for (const IntegerKey& k : integer_keys) {
        const std::int64_t v = k.get(*this);
        if (v < k.min || v > k.max) {
            throw ConfigError(std::string(k.table) + "." + std::string(k.key) + ": " + std::to_string(v) +
                              " is out of range (" + range_text(k) + ")");
        }
    }
    if (limits.player_disconnect_bytes < limits.player_queue_bytes) {
        throw ConfigError("limits.player_disconnect_bytes (" +
                          std::to_string(limits.player_disconnect_bytes) +
                          ") must be at least limits.player_queue_bytes (" +
                          std::to_string(limits.player_queue_bytes) + ")");
    }
    if (limits.min_peer_chunk_size > limits.max_peer_chunk_size) {
        throw ConfigError("limits.min_peer_chunk_size (" + std::to_string(limits.min_peer_chunk_size) +
                          ") must be at most limits.max_peer_chunk_size (" +
                          std::to_string(limits.max_peer_chunk_size) + ")");
    }
    // The decoder holds a message's bytes as partial bytes until its last
    // chunk: a smaller bound would refuse messages max_message_bytes allows.
    if (limits.max_partial_bytes < limits.max_message_bytes) {
        throw ConfigError("limits.max_partial_bytes (" + std::to_string(limits.max_partial_bytes) +
                          ") must be at least limits.max_message_bytes (" +
                          std::to_string(limits.max_message_bytes) + ")");
    }
    if (recordings.empty()) throw ConfigError("server.recordings: the recordings folder must not be empty");
    if (media.empty()) throw ConfigError("server.media: the media folder must not be empty");
    if (apps.empty()) throw ConfigError("app: at least one [[app]] is needed");
    for (std::size_t i = 0; i < apps.size(); ++i) {
        const std::string& name = apps[i].name;
        if (!valid_app_name(name)) {
            throw ConfigError("app.name: " + in_quotes(name) +
                              " is not a valid app name (1 to 64 of A-Z a-z 0-9 _ . -, not \".\" or \"..\")");
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (apps[j].name == name) throw ConfigError("app.name: duplicate app " + in_quotes(name));
        }
        const bool rotates = apps[i].record_max_bytes > 0 || apps[i].record_max_duration.count() > 0;
        if (const std::string problem = record_pattern_problem(apps[i].record_pattern, rotates);
            !problem.empty()) {
            throw ConfigError("app.record_pattern: " + in_quotes(apps[i].record_pattern) + " (app " +
                              in_quotes(name) + ") " + problem);
        }
    }
}

ServerConfig parse_config(std::string_view toml, std::string_view source) {
    toml::table root;
    try {
        root = toml::parse(toml, source);
    } catch (const toml::parse_error& e) {
        fail(source, e.source(), e.description());
    }
    ServerConfig config;
    Parser(source).parse(root, config);
    try {
        config.validate();
    } catch (const ConfigError& e) {
        throw ConfigError(std::string(source) + ": " + e.what());
    }
    return config;
}

ServerConfig load_config(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw ConfigError(path.string() + ": is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path.string() + ": cannot open the configuration file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError(path.string() + ": cannot read the configuration file");
    return parse_config(text.str(), path.string());
}

std::vector<std::string> config_keys() {
    std::vector<std::string> keys;
    for (const auto& [table, key] : other_keys) keys.push_back(std::string(table) + "." + std::string(key));
    for (const IntegerKey& k : integer_keys) keys.push_back(std::string(k.table) + "." + std::string(k.key));
    return keys;
}

}  // namespace sluice::server
