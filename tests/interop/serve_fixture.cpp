#include "interop/serve_fixture.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "flv/audio_header.hpp"
#include "flv/file_reader.hpp"
#include "flv/tag_header.hpp"
#include "flv/video_header.hpp"

namespace sluice::test {

namespace {

using namespace std::chrono_literals;

}  // namespace

TempDir::TempDir() {
    char pattern[] = "/tmp/sluice-serve-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    path_ = made != nullptr ? made : "/tmp";
}

TempDir::~TempDir() {
    // Kept for a post-mortem when SLUICE_INTEROP_KEEP is set.
    if (path_ != "/tmp" && std::getenv("SLUICE_INTEROP_KEEP") == nullptr) {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
}

std::string serve_binary() {
    if (const char* other = std::getenv("SLUICE_INTEROP_BINARY"); other != nullptr && *other != '\0') {
        return other;
    }
    return SLUICE_BINARY;
}

std::uint16_t logged_port(const std::string& log, const std::string& scheme) {
    std::smatch m;
    if (!std::regex_search(log, m, std::regex("listening on " + scheme + R"(://127\.0\.0\.1:(\d+))")))
        return 0;
    return static_cast<std::uint16_t>(std::stoi(m[1]));
}

bool make_certificate(const TempDir& dir, const std::string& tag, const std::string& names) {
    const auto rc = run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                 dir.file(tag + ".key"), "-out", dir.file(tag + ".crt"), "-days", "2",
                                 "-subj", "/CN=" + tag, "-addext", "subjectAltName=" + names},
                                dir.file(tag + "_openssl.log"));
    return rc == std::optional<int>(0);
}

namespace {

std::vector<std::string> serve_argv(const std::vector<std::string>& extra_args) {
    // RTMPT on a port of its own too: the default 0.0.0.0:8080 would be
    // shared by every server of a parallel run.
    std::vector<std::string> argv{serve_binary(), "serve",     "--listen", "127.0.0.1:0", "--http",
                                  "127.0.0.1:0",  "--workers", "2",        "--log-level", "debug"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    return argv;
}

}  // namespace

ServeProcess::ServeProcess(std::string log_path) : ServeProcess(std::move(log_path), {}) {}

ServeProcess::ServeProcess(std::string log_path, const std::vector<std::string>& extra_args)
    : log_path_(std::move(log_path)), process_(serve_argv(extra_args), log_path_) {
    if (!process_.started()) {
        error_ = "could not start " + serve_binary();
        return;
    }
    static const std::regex listening(R"(listening on rtmp://127\.0\.0\.1:([0-9]+))");
    const auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
        std::smatch m;
        const std::string text = read_file(log_path_);
        if (std::regex_search(text, m, listening)) {
            const unsigned long port = std::stoul(m[1].str());
            if (port == 0 || port > 65535) {
                error_ = "the server logged an impossible port: " + m[0].str();
                return;
            }
            port_ = static_cast<std::uint16_t>(port);
            return;
        }
        if (!process_.running()) {
            error_ = "the server exited before listening";
            return;
        }
        std::this_thread::sleep_for(20ms);
    }
    error_ = "no 'listening on rtmp://127.0.0.1:<port>' line within 10 s";
}

std::string ServeProcess::url(const std::string& app, const std::string& name) const {
    return "rtmp://127.0.0.1:" + std::to_string(port_) + "/" + app + "/" + name;
}

std::string ServeProcess::log() const {
    std::string text = read_file(log_path_);
    // Failure messages stay readable: the tail is what matters.
    constexpr std::size_t keep = 12000;
    if (text.size() > keep) text = "...\n" + text.substr(text.size() - keep);
    return text;
}

std::string ServeProcess::full_log() const {
    return read_file(log_path_);
}

std::optional<int> ServeProcess::terminate(Clock::time_point deadline) {
    process_.signal(SIGTERM);
    return process_.wait(deadline);
}

std::size_t Clip::video_count() const {
    return video_hashes.size();
}

std::size_t established_connections(std::uint16_t port) {
    // Rows: "sl local_address rem_address st ...", addresses as HEX_IP:HEX_PORT, st 01 = ESTABLISHED.
    std::istringstream in(read_file("/proc/net/tcp"));
    std::size_t count = 0;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string slot, local, remote, state;
        row >> slot >> local >> remote >> state;
        const auto colon = local.find(':');
        if (colon == std::string::npos || state != "01") continue;
        if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) ++count;
    }
    return count;
}

std::vector<ClipTag> read_flv_media(const std::string& path, std::string& error, base::Payload* metadata) {
    const std::string bytes = read_file(path);
    flv::FileReader reader;
    base::Bytes input(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    std::vector<ClipTag> out;
    while (!input.empty()) {
        auto r = reader.read(input);
        if (r.error) {
            error = path + ": " + r.error.message();
            break;
        }
        if (r.consumed == 0 && !r.tag) {
            error = path + ": truncated";
            break;
        }
        input = input.subspan(r.consumed);
        if (!r.tag) continue;
        const auto type = r.tag->header.type;
        if (type == static_cast<std::uint8_t>(flv::TagType::script) && metadata != nullptr &&
            metadata->empty()) {
            *metadata = r.tag->data;
        }
        if (type == static_cast<std::uint8_t>(flv::TagType::audio) ||
            type == static_cast<std::uint8_t>(flv::TagType::video)) {
            out.push_back({static_cast<rtmp::MessageType>(type), r.tag->header.timestamp, r.tag->data});
        }
    }
    return out;
}

std::optional<std::vector<std::string>> decoded_hashes(const std::string& path, char stream,
                                                       std::string& error) {
    const std::string suffix = stream == 'v' ? ".video.framemd5" : ".audio.framemd5";
    const std::string out = path + suffix;
    const std::string map = std::string("0:") + stream;
    const auto rc = run_process({"ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", path, "-map",
                                 map, "-f", "framemd5", out},
                                out + ".log");
    if (rc != 0) {
        error += "ffmpeg could not decode " + path + " (" + map + "):\n" + read_file(out + ".log");
        return std::nullopt;
    }
    // Lines: "stream, dts, pts, duration, size, hash". Timestamps differ for
    // a late joiner (FFmpeg rebases them), so only the hash identifies a frame.
    std::vector<std::string> hashes;
    std::istringstream in(read_file(out));
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto comma = line.rfind(',');
        std::string hash = line.substr(comma == std::string::npos ? 0 : comma + 1);
        hash.erase(0, hash.find_first_not_of(' '));
        hashes.push_back(hash);
    }
    return hashes;
}

std::optional<std::size_t> find_run(const std::vector<std::string>& source,
                                    const std::vector<std::string>& got) {
    if (got.empty() || got.size() > source.size()) return std::nullopt;
    for (std::size_t start = 0; start + got.size() <= source.size(); ++start) {
        if (source[start] != got[0]) continue;
        if (std::equal(got.begin(), got.end(), source.begin() + static_cast<std::ptrdiff_t>(start)))
            return start;
    }
    return std::nullopt;
}

bool is_video_config(const base::Payload& payload) {
    return flv::is_video_sequence_header(payload.bytes());
}

bool is_video_frame(const base::Payload& payload) {
    const auto header = flv::parse_video(payload.bytes());
    return header && (header->packet_type == flv::VideoPacketType::coded_frames ||
                      header->packet_type == flv::VideoPacketType::coded_frames_x);
}

bool is_video_key(const base::Payload& payload) {
    return is_video_frame(payload) && flv::is_video_keyframe(payload.bytes());
}

bool is_audio_config(const base::Payload& payload) {
    return flv::is_audio_sequence_header(payload.bytes());
}

Clip make_clip_file(const std::string& path, const ClipSpec& spec, std::string& error) {
    Clip clip;
    if (run_process(clip_command(spec, path), path + ".log") != 0) {
        error = "making the clip failed:\n" + read_file(path + ".log");
        return clip;
    }
    clip.path = path;
    clip.media = read_flv_media(path, error, &clip.metadata);
    if (!error.empty()) return {};
    return clip;
}

Clip make_clip(const std::string& path, int seconds, std::string& error) {
    ClipSpec spec;
    spec.seconds = seconds;
    Clip clip = make_clip_file(path, spec, error);
    if (!error.empty()) return clip;
    std::size_t coded = 0;
    for (const ClipTag& tag : clip.media) {
        // FFmpeg ends the file with an AVC end-of-sequence tag: not a picture.
        if (tag.type != rtmp::MessageType::video || !is_video_frame(tag.payload)) continue;
        if (is_video_key(tag.payload)) clip.key_frames.push_back(coded);
        ++coded;
    }
    auto hashes = decoded_hashes(path, 'v', error);
    if (!hashes) return {};
    clip.video_hashes = std::move(*hashes);
    if (clip.video_hashes.size() != coded) {
        error = "the clip decodes to " + std::to_string(clip.video_hashes.size()) + " frames but has " +
                std::to_string(coded) + " video tags";
        return {};
    }
    // testsrc2 draws a moving pattern and a frame counter: every frame is
    // distinct, which find_run() relies on to place a run exactly.
    std::vector<std::string> sorted = clip.video_hashes;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        error = "the clip has two identical decoded frames";
        return {};
    }
    return clip;
}

Clip loop_clip(const Clip& source, int loops) {
    base::Timestamp last = 0;
    for (const ClipTag& tag : source.media) last = std::max(last, tag.timestamp);
    const base::Timestamp span = (last / 40 + 1) * 40;
    Clip out;
    out.metadata = source.metadata;
    for (int loop = 0; loop < loops; ++loop) {
        for (const ClipTag& tag : source.media) {
            const bool video = tag.type == rtmp::MessageType::video;
            const bool config = video ? is_video_config(tag.payload) : is_audio_config(tag.payload);
            if (config && loop > 0) continue;
            if (video && !config && !is_video_frame(tag.payload)) continue;
            out.media.push_back(
                {tag.type, tag.timestamp + static_cast<base::Timestamp>(loop) * span, tag.payload});
        }
    }
    return out;
}

}  // namespace sluice::test
