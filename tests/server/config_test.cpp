// server::ServerConfig: defaults, every key, strict errors (unknown keys with
// their line, types, ranges), listen address forms, the example sluice.toml,
// and the agreement between config_keys() and docs/config.md.
#include "server/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace sluice::server {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

// SLUICE_FIXTURES_DIR is <repo>/tests/fixtures.
std::filesystem::path repo_root() {
    return std::filesystem::path(SLUICE_FIXTURES_DIR).parent_path().parent_path();
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    EXPECT_TRUE(in) << path;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// The ConfigError message of parse_config(text), or "" when it parsed.
std::string error_of(std::string_view text) {
    try {
        (void)parse_config(text, "test.toml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

std::string listen_error(std::string_view text) {
    try {
        (void)parse_listen_address(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(Config, Defaults) {
    const ServerConfig c = parse_config("");
    EXPECT_EQ(c, ServerConfig{});
    EXPECT_EQ(c.listen, std::vector<std::string>{"0.0.0.0:1935"});
    EXPECT_EQ(c.workers, 0u);
    EXPECT_EQ(c.log.level, "info");
    EXPECT_EQ(c.limits.chunk_size, 4096u);
    EXPECT_EQ(c.limits.idle_timeout, 60s);
    // The hostile-peer bounds of docs/config.md.
    EXPECT_EQ(c.limits.max_connections_per_ip, 200u);
    EXPECT_EQ(c.limits.media_idle_timeout, 30s);
    EXPECT_EQ(c.limits.min_peer_chunk_size, 128u);
    EXPECT_EQ(c.limits.max_peer_chunk_size, 16777215u);
    EXPECT_EQ(c.limits.max_partial_bytes, 16777216u);
    EXPECT_EQ(c.limits.amf_max_depth, 64u);
    EXPECT_EQ(c.limits.amf_max_string_bytes, 1048576u);
    EXPECT_EQ(c.limits.amf_max_elements, 100000u);
    EXPECT_EQ(c.limits.max_name_bytes, 256u);
    ASSERT_EQ(c.apps.size(), 2u);
    EXPECT_EQ(c.apps[0].name, "live");
    EXPECT_TRUE(c.apps[0].publish);
    EXPECT_TRUE(c.apps[0].play);
    EXPECT_EQ(c.apps[0].kind, AppKind::live);
    // The vod application plays files from the media folder.
    EXPECT_EQ(c.apps[1].name, "vod");
    EXPECT_FALSE(c.apps[1].publish);
    EXPECT_EQ(c.apps[1].kind, AppKind::vod);
    EXPECT_EQ(c.media, "media");
    ASSERT_NE(c.find_app("live"), nullptr);
    EXPECT_EQ(c.find_app("live")->name, "live");
    EXPECT_EQ(c.find_app("studio"), nullptr);
    EXPECT_NO_THROW(ServerConfig{}.validate());
}

TEST(Config, EveryKeyParsed) {
    const ServerConfig c = parse_config(R"(
[server]
listen = ["127.0.0.1:1940", "[::1]:1941"]
workers = 3
[log]
level = "debug"
[limits]
chunk_size = 128
window_ack_size = 1000001
peer_bandwidth = 1000002
handshake_timeout_ms = 1001
connect_timeout_ms = 1002
idle_timeout_ms = 1003
ping_interval_ms = 1004
max_connections = 11
max_streams_per_connection = 12
max_players_per_stream = 13
player_queue_bytes = 1000
player_queue_duration_ms = 1005
player_disconnect_bytes = 2000
gop_cache_bytes = 0
max_message_bytes = 16777215
max_chunk_streams = 9
max_partial_bytes = 16777216
min_peer_chunk_size = 1
max_peer_chunk_size = 65536
amf_max_depth = 8
amf_max_string_bytes = 4096
amf_max_elements = 500
max_name_bytes = 32
max_connections_per_ip = 0
media_idle_timeout_ms = 1006
[[app]]
name = "studio"
publish = true
play = false
[[app]]
name = "watch.only-1_x"
publish = false
)");
    EXPECT_EQ(c.listen, (std::vector<std::string>{"127.0.0.1:1940", "[::1]:1941"}));
    EXPECT_EQ(c.workers, 3u);
    EXPECT_EQ(c.log.level, "debug");
    const ServerLimits& l = c.limits;
    EXPECT_EQ(l.chunk_size, 128u);
    EXPECT_EQ(l.window_ack_size, 1000001u);
    EXPECT_EQ(l.peer_bandwidth, 1000002u);
    EXPECT_EQ(l.handshake_timeout, 1001ms);
    EXPECT_EQ(l.connect_timeout, 1002ms);
    EXPECT_EQ(l.idle_timeout, 1003ms);
    EXPECT_EQ(l.ping_interval, 1004ms);
    EXPECT_EQ(l.max_connections, 11u);
    EXPECT_EQ(l.max_streams_per_connection, 12u);
    EXPECT_EQ(l.max_players_per_stream, 13u);
    EXPECT_EQ(l.player_queue_bytes, 1000u);
    EXPECT_EQ(l.player_queue_duration, 1005ms);
    EXPECT_EQ(l.player_disconnect_bytes, 2000u);
    EXPECT_EQ(l.gop_cache_bytes, 0u);
    EXPECT_EQ(l.max_message_bytes, 16777215u);
    EXPECT_EQ(l.max_chunk_streams, 9u);
    EXPECT_EQ(l.max_partial_bytes, 16777216u);
    EXPECT_EQ(l.min_peer_chunk_size, 1u);
    EXPECT_EQ(l.max_peer_chunk_size, 65536u);
    EXPECT_EQ(l.amf_max_depth, 8u);
    EXPECT_EQ(l.amf_max_string_bytes, 4096u);
    EXPECT_EQ(l.amf_max_elements, 500u);
    EXPECT_EQ(l.max_name_bytes, 32u);
    EXPECT_EQ(l.max_connections_per_ip, 0u);
    EXPECT_EQ(l.media_idle_timeout, 1006ms);
    ASSERT_EQ(c.apps.size(), 2u);
    EXPECT_EQ(c.apps[0], (AppConfig{"studio", true, false}));
    EXPECT_EQ(c.apps[1], (AppConfig{"watch.only-1_x", false, true}));
    EXPECT_EQ(c.find_app("live"), nullptr);  // [[app]] replaced the default list
    EXPECT_EQ(c.find_app("studio"), &c.apps[0]);
}

TEST(Config, RecordingKeys) {
    const ServerConfig c = parse_config(
        "[server]\nrecordings = \"/srv/rec\"\n"
        "[recording]\nfsync = \"periodic\"\nfsync_every_bytes = 1000\nflush_interval_ms = 250\nbuffer_bytes "
        "= 0\n"
        "[[app]]\nname = \"archive\"\nrecord = \"all\"\nrecord_pattern = \"{stream}-{time}\"\n"
        "record_max_bytes = 1048576\nrecord_max_seconds = 3600\n"
        "[[app]]\nname = \"quiet\"\nrecord = \"off\"\n");
    EXPECT_EQ(c.recordings, "/srv/rec");
    EXPECT_EQ(c.recording.fsync, FsyncPolicy::periodic);
    EXPECT_EQ(c.recording.fsync_every_bytes, 1000u);
    EXPECT_EQ(c.recording.flush_interval, 250ms);
    EXPECT_EQ(c.recording.buffer_bytes, 0u);
    ASSERT_EQ(c.apps.size(), 2u);
    EXPECT_EQ(c.apps[0].record, RecordPolicy::all);
    EXPECT_EQ(c.apps[0].record_pattern, "{stream}-{time}");
    EXPECT_EQ(c.apps[0].record_max_bytes, 1048576u);
    EXPECT_EQ(c.apps[0].record_max_duration, 3600s);
    EXPECT_EQ(c.apps[1].record, RecordPolicy::off);
    EXPECT_EQ(ServerConfig{}.apps[0].record, RecordPolicy::request);
    EXPECT_EQ(to_string(RecordPolicy::all), "all");
}

TEST(Config, SwfVerifyKey) {
    const std::string hash = "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff";
    const ServerConfig c = parse_config("[[app]]\nname = \"guarded\"\nswf_verify = [\"" + hash +
                                        ":12345\", \"" + std::string(64, 'f') +
                                        ":4294967295\"]\n"
                                        "[[app]]\nname = \"open\"\n");
    ASSERT_EQ(c.apps.size(), 2u);
    ASSERT_EQ(c.apps[0].swf_verify.size(), 2u);
    EXPECT_EQ(c.apps[0].swf_verify[0].size, 12345u);
    EXPECT_EQ(c.apps[0].swf_verify[0].sha256[0], 0x00);
    EXPECT_EQ(c.apps[0].swf_verify[0].sha256[10], 0xAA);
    EXPECT_EQ(c.apps[0].swf_verify[0].sha256[31], 0xFF);
    EXPECT_EQ(c.apps[0].swf_verify[1].size, 4294967295u);
    EXPECT_TRUE(c.apps[1].swf_verify.empty());
    EXPECT_TRUE(ServerConfig{}.apps[0].swf_verify.empty());

    const auto swf_error = [](std::string_view value) {
        return error_of("[[app]]\nname = \"a\"\nswf_verify = " + std::string(value) + "\n");
    };
    EXPECT_THAT(swf_error("\"" + hash + ":1\""), HasSubstr("test.toml:3: app.swf_verify: expected an array"));
    EXPECT_THAT(swf_error("[\"" + hash + "\"]"), HasSubstr("app.swf_verify: \"" + hash + "\" is not"));
    EXPECT_THAT(swf_error("[\"" + hash + ":0\"]"), HasSubstr("is not \"SHA256HEX:SIZE\""));
    EXPECT_THAT(swf_error("[\"" + hash + ":4294967296\"]"), HasSubstr("is not \"SHA256HEX:SIZE\""));
    EXPECT_THAT(swf_error("[\"" + hash.substr(2) + ":10\"]"), HasSubstr("is not \"SHA256HEX:SIZE\""));
    EXPECT_THAT(swf_error("[\"" + std::string(63, 'a') + "g:10\"]"), HasSubstr("is not \"SHA256HEX:SIZE\""));
    EXPECT_THAT(swf_error("[\"" + hash + ":10x\"]"), HasSubstr("is not \"SHA256HEX:SIZE\""));
    EXPECT_THAT(swf_error("[10]"), HasSubstr("app.swf_verify"));
}

TEST(Config, RecordingErrors) {
    EXPECT_THAT(error_of("[[app]]\nname = \"a\"\nrecord = \"some\"\n"),
                HasSubstr("test.toml:3: app.record: \"some\" is not one of \"request\", \"all\" or \"off\""));
    EXPECT_THAT(error_of("[recording]\nfsync = \"always\"\n"),
                HasSubstr("test.toml:2: recording.fsync: \"always\" is not one of"));
    EXPECT_THAT(error_of("[recording]\nbuffer_bytes = 100000000\n"),
                HasSubstr("recording.buffer_bytes: 100000000 is out of range"));
    EXPECT_THAT(error_of("[[app]]\nname = \"a\"\nrecord_max_seconds = -1\n"),
                HasSubstr("test.toml:3: app.record_max_seconds: -1 is out of range"));
    EXPECT_THAT(error_of("[server]\nrecordings = \"\"\n"), HasSubstr("server.recordings"));
    const auto pattern_error = [](std::string_view pattern, std::string_view extra = "") {
        return error_of("[[app]]\nname = \"a\"\nrecord_pattern = \"" + std::string(pattern) + "\"\n" +
                        std::string(extra));
    };
    EXPECT_THAT(pattern_error("x/{stream}"), HasSubstr("must not contain '/'"));
    EXPECT_THAT(pattern_error(".{stream}"), HasSubstr("must not start with '.'"));
    EXPECT_THAT(pattern_error("{stream}-{date}"), HasSubstr("unknown placeholder at \"{date}\""));
    EXPECT_THAT(pattern_error("fixed"), HasSubstr("must contain {stream}"));
    EXPECT_THAT(pattern_error("{stream}", "record_max_bytes = 10\n"), HasSubstr("{time} or {seq}"));
    EXPECT_EQ(pattern_error("{stream}-{seq}", "record_max_bytes = 10\n"), "");
}

TEST(Config, ListenAsSingleString) {
    EXPECT_EQ(parse_config("[server]\nlisten = \":0\"\n").listen, std::vector<std::string>{":0"});
}

TEST(Config, UnknownKeyNamesKeyAndLine) {
    const std::string e =
        error_of("[server]\nworkers = 1\n\n[limits]\nchunk_size = 4096\n\nchunk_sise = 1\n");
    EXPECT_THAT(e, HasSubstr("test.toml:7: unknown key \"limits.chunk_sise\""));
    EXPECT_THAT(e, HasSubstr("did you mean \"limits.chunk_size\""));

    EXPECT_THAT(error_of("[server]\nlisten = [\":0\"]\nworker = 2\n"),
                HasSubstr("test.toml:3: unknown key \"server.worker\""));
    EXPECT_THAT(error_of("[log]\nlevel = \"info\"\nfile = \"x\"\n"),
                HasSubstr("test.toml:3: unknown key \"log.file\""));
    EXPECT_THAT(error_of("\n[[app]]\nname = \"a\"\nrecorder = true\n"),
                HasSubstr("test.toml:4: unknown key \"app.recorder\""));
    EXPECT_THAT(error_of("\n\n[limitz]\nchunk_size = 1\n"),
                HasSubstr("test.toml:3: unknown table \"limitz\""));
    // A key meant for [server] written above it.
    EXPECT_THAT(error_of("listen = \":0\"\n"), HasSubstr("test.toml:1: unknown key \"listen\""));
    // Nothing close: no suggestion.
    EXPECT_THAT(error_of("[limits]\nbanana = 1\n"), Not(HasSubstr("did you mean")));
}

TEST(Config, TypeErrors) {
    EXPECT_THAT(error_of("[server]\nworkers = \"4\"\n"),
                HasSubstr("test.toml:2: server.workers: expected an integer, got a string"));
    EXPECT_THAT(
        error_of("[limits]\nchunk_size = 4096.0\n"),
        HasSubstr("test.toml:2: limits.chunk_size: expected an integer, got a floating-point number"));
    EXPECT_THAT(error_of("[log]\nlevel = 3\n"), HasSubstr("log.level: expected a string"));
    EXPECT_THAT(error_of("[server]\nlisten = 1935\n"),
                HasSubstr("server.listen: expected a string or an array of strings"));
    EXPECT_THAT(error_of("[server]\nlisten = [1935]\n"), HasSubstr("server.listen: expected a string"));
    EXPECT_THAT(error_of("[[app]]\nname = \"a\"\nplay = \"yes\"\n"),
                HasSubstr("test.toml:3: app.play: expected a boolean, got a string"));
    EXPECT_THAT(error_of("[app]\nname = \"a\"\n"), HasSubstr("app: expected an array of tables"));
    EXPECT_THAT(error_of("server = 1\n"), HasSubstr("server: expected a table, got an integer"));
    // TOML syntax errors keep toml++'s line.
    EXPECT_THAT(error_of("[server]\nworkers = = 1\n"), HasSubstr("test.toml:2: "));
}

TEST(Config, RangeErrors) {
    EXPECT_THAT(error_of("[limits]\nchunk_size = 127\n"),
                HasSubstr("test.toml:2: limits.chunk_size: 127 is out of range (between 128 and 16777215)"));
    EXPECT_THAT(error_of("[limits]\nchunk_size = 16777216\n"), HasSubstr("limits.chunk_size"));
    EXPECT_EQ(error_of("[limits]\nchunk_size = 16777215\n"), "");
    EXPECT_THAT(error_of("[limits]\nwindow_ack_size = 0\n"), HasSubstr("limits.window_ack_size"));
    EXPECT_THAT(error_of("[limits]\nwindow_ack_size = 4294967296\n"), HasSubstr("limits.window_ack_size"));
    EXPECT_THAT(error_of("[limits]\npeer_bandwidth = -1\n"), HasSubstr("limits.peer_bandwidth"));
    for (const char* key : {"handshake_timeout_ms", "connect_timeout_ms", "idle_timeout_ms",
                            "ping_interval_ms", "player_queue_duration_ms"}) {
        EXPECT_THAT(error_of(std::string("[limits]\n") + key + " = 0\n"),
                    HasSubstr(std::string("limits.") + key))
            << key;
    }
    EXPECT_THAT(error_of("[server]\nworkers = 1025\n"), HasSubstr("server.workers"));
    EXPECT_THAT(error_of("[server]\nworkers = -1\n"), HasSubstr("server.workers"));
    EXPECT_EQ(error_of("[server]\nworkers = 1024\n"), "");
    EXPECT_THAT(error_of("[log]\nlevel = \"warning\"\n"), HasSubstr("log.level: \"warning\" is not one of"));
    for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
        EXPECT_EQ(parse_config(std::string("[log]\nlevel = \"") + level + "\"\n").log.level, level);
    }
    EXPECT_THAT(error_of("[limits]\nplayer_queue_bytes = 0\n"), HasSubstr("limits.player_queue_bytes"));
    EXPECT_THAT(
        error_of("[limits]\nplayer_queue_bytes = 100\nplayer_disconnect_bytes = 99\n"),
        HasSubstr("limits.player_disconnect_bytes (99) must be at least limits.player_queue_bytes (100)"));
    EXPECT_EQ(error_of("[limits]\nplayer_queue_bytes = 100\nplayer_disconnect_bytes = 100\n"), "");
    EXPECT_THAT(error_of("[limits]\nmax_message_bytes = 0\n"), HasSubstr("limits.max_message_bytes"));
    EXPECT_THAT(error_of("[limits]\nmax_message_bytes = 16777216\n"), HasSubstr("limits.max_message_bytes"));
    EXPECT_THAT(error_of("[limits]\nmax_chunk_streams = 0\n"), HasSubstr("limits.max_chunk_streams"));
    EXPECT_EQ(error_of("[limits]\ngop_cache_bytes = 0\n"), "");
}

TEST(Config, HostilePeerLimitRanges) {
    EXPECT_THAT(error_of("[limits]\nmax_connections_per_ip = -1\n"),
                HasSubstr("test.toml:2: limits.max_connections_per_ip: -1 is out of range (at least 0)"));
    EXPECT_EQ(error_of("[limits]\nmax_connections_per_ip = 0\n"), "");  // no limit
    EXPECT_THAT(error_of("[limits]\nmedia_idle_timeout_ms = 0\n"),
                HasSubstr("limits.media_idle_timeout_ms: 0 is out of range (between 1 and 86400000)"));
    EXPECT_THAT(error_of("[limits]\nmedia_idle_timeout_ms = 86400001\n"),
                HasSubstr("limits.media_idle_timeout_ms"));
    EXPECT_THAT(error_of("[limits]\nmin_peer_chunk_size = 0\n"),
                HasSubstr("limits.min_peer_chunk_size: 0 is out of range (between 1 and 16777215)"));
    EXPECT_THAT(error_of("[limits]\nmax_peer_chunk_size = 16777216\n"),
                HasSubstr("limits.max_peer_chunk_size: 16777216 is out of range (between 1 and 16777215)"));
    EXPECT_THAT(
        error_of("[limits]\nmin_peer_chunk_size = 4097\nmax_peer_chunk_size = 4096\n"),
        HasSubstr("limits.min_peer_chunk_size (4097) must be at most limits.max_peer_chunk_size (4096)"));
    EXPECT_EQ(error_of("[limits]\nmin_peer_chunk_size = 4096\nmax_peer_chunk_size = 4096\n"), "");
    EXPECT_THAT(error_of("[limits]\nmax_partial_bytes = 0\n"), HasSubstr("limits.max_partial_bytes"));
    EXPECT_THAT(
        error_of("[limits]\nmax_partial_bytes = 8388607\n"),
        HasSubstr("limits.max_partial_bytes (8388607) must be at least limits.max_message_bytes (8388608)"));
    EXPECT_EQ(error_of("[limits]\nmax_partial_bytes = 1000\nmax_message_bytes = 1000\n"), "");
    EXPECT_THAT(error_of("[limits]\namf_max_depth = 0\n"),
                HasSubstr("limits.amf_max_depth: 0 is out of range (between 1 and 1000)"));
    EXPECT_THAT(error_of("[limits]\namf_max_depth = 1001\n"), HasSubstr("limits.amf_max_depth"));
    EXPECT_EQ(error_of("[limits]\namf_max_depth = 1000\n"), "");
    EXPECT_THAT(error_of("[limits]\namf_max_string_bytes = 0\n"), HasSubstr("limits.amf_max_string_bytes"));
    EXPECT_THAT(error_of("[limits]\namf_max_string_bytes = 16777216\n"),
                HasSubstr("limits.amf_max_string_bytes"));
    EXPECT_THAT(error_of("[limits]\namf_max_elements = 0\n"),
                HasSubstr("limits.amf_max_elements: 0 is out of range (at least 1)"));
    EXPECT_THAT(error_of("[limits]\nmax_name_bytes = 0\n"),
                HasSubstr("limits.max_name_bytes: 0 is out of range (between 1 and 65535)"));
    EXPECT_THAT(error_of("[limits]\nmax_name_bytes = 65536\n"), HasSubstr("limits.max_name_bytes"));
    EXPECT_EQ(error_of("[limits]\nmax_name_bytes = 65535\n"), "");
    EXPECT_THAT(error_of("[limits]\nmax_name_bytes = \"256\"\n"),
                HasSubstr("limits.max_name_bytes: expected an integer, got a string"));
    EXPECT_THAT(error_of("[limits]\nmax_conections_per_ip = 2\n"),
                HasSubstr("did you mean \"limits.max_connections_per_ip\""));
}

TEST(Config, ValidateChecksValuesSetInCode) {
    ServerConfig c;
    c.limits.chunk_size = 64;  // as a flag or the lead's code could set it
    EXPECT_THROW(c.validate(), ConfigError);
    c = ServerConfig{};
    c.listen.clear();
    EXPECT_THROW(c.validate(), ConfigError);
    c = ServerConfig{};
    c.listen = {"rtmps://0.0.0.0:443"};
    EXPECT_THROW(c.validate(), ConfigError);
    c = ServerConfig{};
    c.log.level = "verbose";
    EXPECT_THROW(c.validate(), ConfigError);
    c = ServerConfig{};
    c.apps.clear();
    EXPECT_THROW(c.validate(), ConfigError);
    c = ServerConfig{};
    c.limits.max_connections = SIZE_MAX;  // large, but valid
    EXPECT_NO_THROW(c.validate());
    c = ServerConfig{};
    c.limits.min_peer_chunk_size = 5000;
    c.limits.max_peer_chunk_size = 4999;
    EXPECT_THROW(c.validate(), ConfigError);
    c = ServerConfig{};
    c.limits.max_partial_bytes = c.limits.max_message_bytes - 1;
    EXPECT_THROW(c.validate(), ConfigError);
    c = ServerConfig{};
    c.limits.amf_max_depth = 0;
    EXPECT_THROW(c.validate(), ConfigError);
    c = ServerConfig{};
    c.limits.max_name_bytes = 0;
    EXPECT_THROW(c.validate(), ConfigError);
}

TEST(Config, Apps) {
    EXPECT_THAT(error_of("[[app]]\nname = \"live\"\n[[app]]\nname = \"live\"\nplay = false\n"),
                HasSubstr("test.toml: app.name: duplicate app \"live\""));
    EXPECT_THAT(error_of("[[app]]\npublish = false\n"),
                HasSubstr("test.toml:1: app.name: every [[app]] needs a name"));
    EXPECT_THAT(error_of("app = []\n"), HasSubstr("at least one [[app]]"));
    for (const char* bad : {"", ".", "..", "a/b", "a b", "caf\xc3\xa9",
                            "12345678901234567890123456789012345678901234567890123456789012345"}) {
        EXPECT_THAT(error_of(std::string("[[app]]\nname = \"") + bad + "\"\n"),
                    HasSubstr("not a valid app name"))
            << bad;
    }
    const std::string longest(64, 'x');
    EXPECT_EQ(parse_config("[[app]]\nname = \"" + longest + "\"\n").apps[0].name, longest);
    EXPECT_EQ(parse_config("[[app]]\nname = \"...\"\n").apps[0].name, "...");
}

TEST(Config, ListenAddressForms) {
    auto is = [](std::string_view text, std::string_view host, std::uint16_t port) {
        const ListenAddress a = parse_listen_address(text);
        EXPECT_EQ(a.host, host) << text;
        EXPECT_EQ(a.port, port) << text;
    };
    is("0.0.0.0:1935", "0.0.0.0", 1935);
    is("127.0.0.1:0", "127.0.0.1", 0);
    is("rtmp://127.0.0.1:1940", "127.0.0.1", 1940);
    is("RTMP://example.net:65535", "example.net", 65535);
    is("[::1]:1935", "::1", 1935);
    is("[::]:19350", "::", 19350);
    is("[::ffff:127.0.0.1]:1", "::ffff:127.0.0.1", 1);
    is("[fe80::1%eth0]:1935", "fe80::1%eth0", 1935);
    is("[::1]", "::1", 1935);
    is(":1935", "0.0.0.0", 1935);
    is(":0", "0.0.0.0", 0);
    is("localhost", "localhost", 1935);
    is("rtmp://localhost", "localhost", 1935);
}

TEST(Config, TlsListenersDefaultToPort1936AndNeedCertificateAndKey) {
    EXPECT_EQ(parse_listen_address("rtmps://0.0.0.0", ListenScheme::rtmps).port, 1936);
    EXPECT_EQ(parse_listen_address("127.0.0.1", ListenScheme::rtmps).port, 1936);
    EXPECT_EQ(parse_listen_address("127.0.0.1:443", ListenScheme::rtmps).port, 443);
    EXPECT_THROW((void)parse_listen_address("rtmp://127.0.0.1", ListenScheme::rtmps), ConfigError);
    const ServerConfig defaults;
    EXPECT_FALSE(defaults.tls.enabled());
    EXPECT_EQ(error_of("[tls]\ncertificate = \"c.pem\"\n"),
              "test.toml: tls.certificate and tls.key: give both (RTMPS on) or neither (RTMPS off)");
    EXPECT_THAT(error_of("[tls]\nmin_version = \"1.1\"\n"), HasSubstr("is not one of \"1.2\" or \"1.3\""));
    EXPECT_THAT(error_of("[tls]\nlisten = \"rtmp://0.0.0.0:1936\"\n"), HasSubstr("[tls] listen address"));
}

TEST(Config, ListenAddressErrors) {
    EXPECT_THAT(listen_error("rtmps://0.0.0.0:443"), HasSubstr("RTMPS listeners go in [tls] listen"));
    EXPECT_THAT(listen_error("rtmpt://0.0.0.0:80"), HasSubstr("HOST:PORT or rtmp://HOST:PORT"));
    EXPECT_THAT(listen_error("http://0.0.0.0:80"), HasSubstr("HOST:PORT or rtmp://HOST:PORT"));
    for (const char* bad :
         {"", "rtmp://", "host:", "host:65536", "host:99999999", "host:12a", "host:-1", "host: 1935", "::1",
          "::1:1935", "[::1", "[]:1935", "[::1]1935", "[::1]:", "rtmp://host:1935/live", "ho st:1935"}) {
        EXPECT_NE(listen_error(bad), "") << '"' << bad << '"';
    }
    EXPECT_THAT(listen_error("::1"), HasSubstr("brackets"));
    // The file parser reports the line of a bad listen entry.
    EXPECT_THAT(error_of("[server]\nlisten = [\n  \":1935\",\n  \"rtmps://x:443\",\n]\n"),
                HasSubstr("test.toml:4: server.listen: bad listen address \"rtmps://x:443\""));
}

TEST(Config, LoadConfigFile) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / "sluice_config_test";
    std::filesystem::create_directories(dir);
    const std::filesystem::path file = dir / "bad.toml";
    {
        std::ofstream out(file);
        out << "[server]\nworkers = 2\nworkerz = 3\n";
    }
    try {
        (void)load_config(file);
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr(file.string() + ":3: unknown key \"server.workerz\""));
    }
    EXPECT_THROW((void)load_config(dir / "missing.toml"), ConfigError);
    EXPECT_THROW((void)load_config(dir), ConfigError);  // a directory is not a file
    std::filesystem::remove_all(dir);
}

TEST(Config, ExampleFileIsTheDefaults) {
    const std::filesystem::path example = repo_root() / "sluice.toml";
    const ServerConfig c = load_config(example);
    EXPECT_EQ(c, ServerConfig{});
    EXPECT_EQ(c.apps.size(), 2u);              // live and vod
    EXPECT_EQ(c.find_app("studio"), nullptr);  // commented out

    // Uncommenting the example second app gives a valid config with it.
    std::istringstream in(read_text(example));
    std::string line;
    std::string uncommented;
    bool in_block = false;
    while (std::getline(in, line)) {
        if (line == "# [[app]]") in_block = true;
        if (in_block && line.rfind("# ", 0) == 0) line.erase(0, 2);
        uncommented += line + "\n";
    }
    ASSERT_TRUE(in_block) << "sluice.toml lost its commented second [[app]]";
    const ServerConfig two = parse_config(uncommented, "sluice.toml (uncommented)");
    ASSERT_EQ(two.apps.size(), 3u);
    ASSERT_NE(two.find_app("studio"), nullptr);
    EXPECT_FALSE(two.find_app("studio")->play);
    EXPECT_TRUE(two.find_app("studio")->publish);
}

// Every `section.key` in the first column of docs/config.md's tables.
std::set<std::string> documented_keys() {
    std::istringstream in(read_text(repo_root() / "docs" / "config.md"));
    const std::regex first_cell(R"(^\|\s*`([a-z_]+\.[a-z_]+)`\s*\|)");
    std::set<std::string> keys;
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
        if (std::regex_search(line, m, first_cell)) keys.insert(m[1]);
    }
    return keys;
}

std::string joined(const std::set<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

TEST(Config, DocsListEveryKey) {
    const std::vector<std::string> keys = config_keys();
    const std::set<std::string> code(keys.begin(), keys.end());
    EXPECT_EQ(code.size(), keys.size()) << "config_keys() has duplicates";
    const std::set<std::string> docs = documented_keys();
    ASSERT_FALSE(docs.empty()) << "no key found in docs/config.md";

    std::set<std::string> undocumented;
    std::set_difference(code.begin(), code.end(), docs.begin(), docs.end(),
                        std::inserter(undocumented, undocumented.end()));
    std::set<std::string> unknown;
    std::set_difference(docs.begin(), docs.end(), code.begin(), code.end(),
                        std::inserter(unknown, unknown.end()));
    EXPECT_TRUE(undocumented.empty()) << "keys missing from docs/config.md: " << joined(undocumented);
    EXPECT_TRUE(unknown.empty()) << "keys in docs/config.md the loader does not accept: " << joined(unknown);
}

TEST(Config, EveryKeyIsAccepted) {
    // config_keys() names keys the parser really takes (not just a list).
    for (const std::string& key : config_keys()) {
        const std::size_t dot = key.find('.');
        const std::string table = key.substr(0, dot);
        const std::string name = key.substr(dot + 1);
        std::string text;
        // A value each key takes (a string, boolean or integer as its row says).
        static const std::map<std::string, std::string> values{
            {"record", "\"all\""},        {"record_pattern", "\"{stream}-{seq}\""},
            {"record_max_bytes", "0"},    {"record_max_seconds", "0"},
            {"recordings", "\"rec\""},    {"media", "\"m\""},
            {"shared_objects", "\"so\""}, {"kind", "\"vod\""},
            {"fsync", "\"never\""},       {"swf_verify", "[\"" + std::string(64, 'a') + ":1\"]"}};
        const auto value = values.find(name);
        if (table == "app") {
            text = "[[app]]\nname = \"x\"\n" +
                   (name == "name" ? std::string()
                                   : name + " = " + (value != values.end() ? value->second : "true") + "\n");
        } else if (value != values.end()) {
            text = "[" + table + "]\n" + name + " = " + value->second + "\n";
        } else if (key == "server.listen") {
            text = "[server]\nlisten = \":0\"\n";
        } else if (key == "tls.certificate" || key == "tls.key") {
            text = "[tls]\ncertificate = \"c.pem\"\nkey = \"k.pem\"\n";  // one needs the other
        } else if (key == "tls.listen") {
            text = "[tls]\nlisten = [\"rtmps://127.0.0.1\", \":1937\"]\n";
        } else if (key == "tls.min_version") {
            text = "[tls]\nmin_version = \"1.3\"\n";
        } else if (key == "http.listen") {
            text = "[http]\nlisten = [\"http://127.0.0.1\", \":8081\"]\n";
        } else if (key == "http.tls_listen") {
            text = "[tls]\ncertificate = \"c.pem\"\nkey = \"k.pem\"\n[http]\ntls_listen = \":8443\"\n";
        } else if (key == "http.max_request_bytes") {
            text = "[http]\nmax_request_bytes = 65536\n";  // at least C0+C1
        } else if (key == "http.listen") {
            text = "[http]\nlisten = [\"http://127.0.0.1\", \":8081\"]\n";
        } else if (key == "http.tls_listen") {
            text = "[tls]\ncertificate = \"c.pem\"\nkey = \"k.pem\"\n[http]\ntls_listen = \":8443\"\n";
        } else if (key == "http.max_request_bytes") {
            text = "[http]\nmax_request_bytes = 65536\n";  // at least C0+C1
        } else if (key == "log.level") {
            text = "[log]\nlevel = \"warn\"\n";
        } else if (key == "limits.player_disconnect_bytes") {
            text = "[limits]\nplayer_disconnect_bytes = 20000000\n";  // above the queue default
        } else if (key == "limits.max_partial_bytes") {
            text = "[limits]\nmax_partial_bytes = 20000000\n";  // above max_message_bytes' default
        } else {
            text = "[" + table + "]\n" + name + " = 1000\n";
        }
        EXPECT_EQ(error_of(text), "") << key;
    }
}

}  // namespace
}  // namespace sluice::server

namespace sluice::server {
namespace {

TEST(Config, HttpTableSetsTheRtmptListenersAndBounds) {
    const ServerConfig defaults;
    EXPECT_EQ(defaults.http.listen, std::vector<std::string>{"0.0.0.0:8080"});
    EXPECT_TRUE(defaults.http.tls_listen.empty());
    const ServerConfig c = parse_config(
        "[http]\nlisten = [\"http://127.0.0.1:80\", \":8081\"]\nmax_tunnels = 5\nmax_request_bytes = 4096\n"
        "tunnel_idle_timeout_ms = 1500\n");
    EXPECT_EQ(c.http.listen, (std::vector<std::string>{"http://127.0.0.1:80", ":8081"}));
    EXPECT_EQ(c.http.max_tunnels, 5u);
    EXPECT_EQ(c.http.max_request_bytes, 4096u);
    EXPECT_EQ(c.http.tunnel_idle_timeout, std::chrono::milliseconds(1500));
    EXPECT_TRUE(parse_config("[http]\nlisten = []\n").http.listen.empty());
    EXPECT_EQ(parse_listen_address("127.0.0.1", ListenScheme::http).port, 8080);
    EXPECT_EQ(parse_listen_address("https://0.0.0.0", ListenScheme::https).port, 8443);
    EXPECT_THAT(error_of("[http]\nlisten = \"rtmp://127.0.0.1:80\"\n"),
                HasSubstr("an [http] listen address is HOST:PORT or http://HOST:PORT"));
    EXPECT_THAT(error_of("[http]\nmax_request_bytes = 100\n"),
                HasSubstr("http.max_request_bytes: 100 is out of range"));
    // RTMPTS needs the certificate.
    EXPECT_THAT(error_of("[http]\ntls_listen = \"127.0.0.1:8443\"\n"),
                HasSubstr("RTMPTS needs a certificate"));
}

}  // namespace
}  // namespace sluice::server
