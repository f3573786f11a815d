#pragma once
// Test support for the `sluice serve` interop suites (serve_interop_test.cpp
// with real clients, serve_scripted_test.cpp with RawClient). Test code only.
//
//  - ServeProcess starts the real binary exactly as the server contract
//    pins it: `SLUICE_BINARY serve --listen 127.0.0.1:0 --workers 2
//    --log-level debug`, stdout and stderr to a log file, and learns the
//    port the OS picked from the log line `listening on rtmp://127.0.0.1:<port>`
//    (polled for 10 s). The environment variable SLUICE_INTEROP_BINARY,
//    when set, names another binary to judge with the same arguments.
//  - Clip: a deterministic H.264/AAC FLV made by ffmpeg's lavfi sources at
//    test time (testsrc2 320x240@25 + sine, libx264 ultrafast without
//    B-frames, GOP 25 = one key frame a second, AAC), with its tags read by
//    flv::FileReader and the MD5 of every decoded video frame.
//  - Comparison helpers: decoded-frame hashes of what a player wrote, and
//    the check that they are a contiguous run of the source's frames that
//    starts at a key frame.
//
// Process, read_file() and Clock come from interop_support.hpp. Every wait is bounded by a deadline;
// processes are killed when their owner goes out of scope. Not thread-safe except where noted.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/payload.hpp"
#include "base/timestamp.hpp"
#include "interop/interop_support.hpp"
#include "rtmp/message.hpp"

namespace sluice::test {

/// A directory under /tmp, removed with its contents on destruction
/// (kept when SLUICE_INTEROP_KEEP is set, for a post-mortem).
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const noexcept { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

/// `sluice serve` on 127.0.0.1, port chosen by the OS.
class ServeProcess {
public:
    /// Starts the server, its output going to `log_path`, and waits (10 s)
    /// for the listening line. On failure port() is 0 and error() says why.
    explicit ServeProcess(std::string log_path);
    /// The same, with `extra_args` appended to the pinned command line
    /// (e.g. {"--config", FILE}; the flags above still win over the file).
    ServeProcess(std::string log_path, const std::vector<std::string>& extra_args);

    std::uint16_t port() const noexcept { return port_; }
    const std::string& error() const noexcept { return error_; }
    /// rtmp://127.0.0.1:<port>/<app>/<name>
    std::string url(const std::string& app, const std::string& name) const;
    /// The server's log so far (for failure messages: the tail only).
    std::string log() const;
    /// The whole log so far (for a test that searches it).
    std::string full_log() const;
    /// SIGTERM, then the exit code (nullopt when it did not exit by the deadline).
    std::optional<int> terminate(Clock::time_point deadline);
    Process& process() noexcept { return process_; }

private:
    std::string log_path_;
    Process process_;
    std::uint16_t port_ = 0;
    std::string error_;
};

/// Which binary the suite judges: SLUICE_INTEROP_BINARY or SLUICE_BINARY.
std::string serve_binary();

/// The port of the first "listening on <scheme>://127.0.0.1:PORT" line of a
/// server log (0: none).
std::uint16_t logged_port(const std::string& log, const std::string& scheme);

/// A self-signed certificate for `names` (SAN entries, e.g.
/// "DNS:localhost,IP:127.0.0.1") at dir/<tag>.crt and dir/<tag>.key, made
/// with the `openssl` command (its output in dir/<tag>_openssl.log).
bool make_certificate(const TempDir& dir, const std::string& tag, const std::string& names);

/// One audio or video tag of a clip.
struct ClipTag {
    rtmp::MessageType type{};
    base::Timestamp timestamp = 0;
    base::Payload payload;
};

/// A test clip on disk and what it contains.
struct Clip {
    std::string path;
    base::Payload metadata;                 ///< the onMetaData script tag's data
    std::vector<ClipTag> media;             ///< audio and video tags, file order
    std::vector<std::string> video_hashes;  ///< MD5 of each decoded video frame, decode order
    std::vector<std::size_t> key_frames;    ///< indexes into video_hashes of the key frames
    std::size_t video_count() const;        ///< coded video frames (sequence headers excluded)
};

/// Makes a `seconds`-long clip at `path` (ffmpeg lavfi, see above) and reads
/// it. On failure, `error` is set and the clip is empty.
Clip make_clip(const std::string& path, int seconds, std::string& error);

/// Makes the clip `spec` at `path` and reads its tags and metadata only (no
/// key-frame list, no hashes). On failure, `error` is set and the clip is empty.
Clip make_clip_file(const std::string& path, const ClipSpec& spec, std::string& error);

/// The audio and video tags of an FLV file (script tags dropped); `error`
/// set when the file does not parse to its end.
std::vector<ClipTag> read_flv_media(const std::string& path, std::string& error,
                                    base::Payload* metadata = nullptr);

/// MD5 of every decoded frame of the first video (or audio) stream of a
/// media file, in output order, via `ffmpeg -map 0:v -f framemd5`. Returns
/// nullopt when ffmpeg fails (its log is appended to `error`).
std::optional<std::vector<std::string>> decoded_hashes(const std::string& path, char stream,
                                                       std::string& error);

/// Where `got` sits inside `source` as one contiguous run: the source index
/// of got[0], or nullopt when got is empty or not such a run.
std::optional<std::size_t> find_run(const std::vector<std::string>& source,
                                    const std::vector<std::string>& got);

/// Video payload kinds: a sequence header; a coded picture (not a sequence
/// header or end of sequence); a coded picture that is a key frame.
bool is_video_config(const base::Payload& payload);
bool is_video_frame(const base::Payload& payload);
bool is_video_key(const base::Payload& payload);
bool is_audio_config(const base::Payload& payload);

/// `source` played `loops` times in a row as one publish: sequence headers
/// once, then the coded frames and audio of every round, shifted so that
/// timestamps keep growing (each one identifies its tag). The end of
/// sequence tag is left out: it would end the decoder's stream.
Clip loop_clip(const Clip& source, int loops);

/// How many TCP connections to 127.0.0.1:`port` are established on the
/// server side (from /proc/net/tcp): lets a test know its real clients have
/// connected without relying on the server's log format.
std::size_t established_connections(std::uint16_t port);

}  // namespace sluice::test
