#pragma once
// Test helpers for src/demux: media files made by the installed ffmpeg,
// their ffprobe description, and byte patches for hostile variants.
//
// Fixtures are generated once and cached in the temp dir under a name that
// hashes the ffmpeg command (written to a temporary name, then renamed), so
// the many test processes CTest starts share one copy and parallel runs do
// not race. A fixture whose encoder is missing yields an empty path and the
// test skips.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_writer.hpp"

namespace sluice::demux::test {

namespace fs = std::filesystem;

/// Runs a shell command; its stdout, or nullopt when it exits non-zero.
inline std::optional<std::string> run(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return std::nullopt;
    std::string out;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    if (::pclose(pipe) != 0) return std::nullopt;
    return out;
}

inline bool has_encoder(const std::string& name) {
    static std::map<std::string, bool> cache;
    auto it = cache.find(name);
    if (it != cache.end()) return it->second;
    auto out = run("ffmpeg -hide_banner -encoders 2>/dev/null");
    const bool found = out && out->find(" " + name + " ") != std::string::npos;
    cache[name] = found;
    return found;
}

inline fs::path cache_dir() {
    const fs::path dir = fs::temp_directory_path() / ("sluice-demux-fixtures-" + std::to_string(::getuid()));
    fs::create_directories(dir);
    return dir;
}

inline std::string hash_of(std::string_view text) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (char c : text) h = (h ^ static_cast<std::uint8_t>(c)) * 1099511628211ull;
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

/// Path of a file made by `ffmpeg -hide_banner -loglevel error -y <args> OUT`
/// with extension `ext`; empty (test skips) when an encoder in `needs` is missing.
inline fs::path generate(const std::string& args, const std::string& ext,
                         std::vector<std::string> needs = {}) {
    for (const auto& encoder : needs) {
        if (!has_encoder(encoder)) return {};
    }
    const fs::path out = cache_dir() / (hash_of(args) + "." + ext);
    if (fs::exists(out)) return out;
    const fs::path tmp = out.string() + ".tmp" + std::to_string(::getpid()) + "." + ext;
    const std::string command = "ffmpeg -hide_banner -loglevel error -y " + args + " '" + tmp.string() + "'";
    if (!run(command)) {
        ADD_FAILURE() << "ffmpeg failed: " << command;
        return {};
    }
    fs::rename(tmp, out);
    return out;
}

inline base::ByteVector read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return base::ByteVector((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct ProbePacket {
    int stream = 0;
    double pts = 0;  ///< seconds
    double dts = 0;
    std::uint64_t size = 0;
    std::uint64_t pos = 0;
    bool key = false;
};

struct ProbeStream {
    std::string codec_name;
    std::string codec_type;
    int width = 0;
    int height = 0;
    int sample_rate = 0;
    int channels = 0;
};

struct Probe {
    std::vector<ProbePacket> packets;
    std::vector<ProbeStream> streams;
    double duration = 0;

    std::vector<ProbePacket> packets_of(int stream) const {
        std::vector<ProbePacket> out;
        for (const auto& p : packets) {
            if (p.stream == stream) out.push_back(p);
        }
        return out;
    }
};

/// ffprobe's view of a file (packets, streams, format duration), parsed from `-of flat`.
inline Probe probe(const fs::path& file) {
    Probe probe;
    auto out =
        run("ffprobe -v error -show_entries packet=stream_index,pts_time,dts_time,size,pos,flags"
            ":stream=index,codec_name,codec_type,width,height,sample_rate,channels:format=duration"
            " -of flat '" +
            file.string() + "'");
    if (!out) {
        ADD_FAILURE() << "ffprobe failed on " << file;
        return probe;
    }
    std::size_t start = 0;
    while (start < out->size()) {
        std::size_t end = out->find('\n', start);
        if (end == std::string::npos) end = out->size();
        const std::string line = out->substr(start, end - start);
        start = end + 1;
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string key = line.substr(0, eq);
        std::string value = line.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
        const auto number = [&] { return value == "N/A" ? 0.0 : std::stod(value); };
        if (key == "format.duration") {
            probe.duration = number();
            continue;
        }
        // "<section>.<kind>.<index>.<field>"
        const auto d1 = key.find('.');
        const auto d2 = key.find('.', d1 + 1);
        const auto d3 = key.find('.', d2 + 1);
        if (d3 == std::string::npos) continue;
        const auto index = std::stoul(key.substr(d2 + 1, d3 - d2 - 1));
        const std::string field = key.substr(d3 + 1);
        if (key.rfind("packets.", 0) == 0) {
            if (probe.packets.size() <= index) probe.packets.resize(index + 1);
            auto& p = probe.packets[index];
            if (field == "stream_index") p.stream = std::stoi(value);
            if (field == "pts_time") p.pts = number();
            if (field == "dts_time") p.dts = number();
            if (field == "size") p.size = std::stoull(value);
            if (field == "pos") p.pos = std::stoull(value);
            if (field == "flags") p.key = !value.empty() && value[0] == 'K';
        } else if (key.rfind("streams.", 0) == 0) {
            if (probe.streams.size() <= index) probe.streams.resize(index + 1);
            auto& s = probe.streams[index];
            if (field == "codec_name") s.codec_name = value;
            if (field == "codec_type") s.codec_type = value;
            if (field == "width") s.width = std::stoi(value);
            if (field == "height") s.height = std::stoi(value);
            if (field == "sample_rate") s.sample_rate = std::stoi(value);
            if (field == "channels") s.channels = std::stoi(value);
        }
    }
    return probe;
}

inline long long to_ms(double seconds) {
    return static_cast<long long>(seconds * 1000.0 + (seconds < 0 ? -0.5 : 0.5));
}

// ---- byte patches for hostile variants ----

inline std::uint32_t get_u32(const base::ByteVector& b, std::size_t at) {
    return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 | std::uint32_t{b[at + 2]} << 8 |
           b[at + 3];
}

inline void put_u32(base::ByteVector& b, std::size_t at, std::uint32_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 24);
    b[at + 1] = static_cast<std::uint8_t>(v >> 16);
    b[at + 2] = static_cast<std::uint8_t>(v >> 8);
    b[at + 3] = static_cast<std::uint8_t>(v);
}

/// Offset of the size field of the first box of `type` found by a byte
/// search (the type follows the size); fails the test when absent.
inline std::size_t find_box(const base::ByteVector& b, std::string_view type, std::size_t from = 0) {
    for (std::size_t i = from + 4; i + 4 <= b.size(); ++i) {
        if (std::equal(type.begin(), type.end(), b.begin() + static_cast<std::ptrdiff_t>(i),
                       [](char c, std::uint8_t x) { return static_cast<std::uint8_t>(c) == x; })) {
            return i - 4;
        }
    }
    ADD_FAILURE() << "no box " << type;
    return 0;
}

/// A box with a 32-bit size around `body`.
inline base::ByteVector box(std::string_view type, const base::ByteVector& body = {}) {
    base::ByteWriter w;
    w.u32be(static_cast<std::uint32_t>(body.size() + 8));
    w.chars(type);
    w.bytes(body);
    return w.take();
}

}  // namespace sluice::demux::test
