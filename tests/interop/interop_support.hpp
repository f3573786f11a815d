#pragma once
// Pieces every interop suite shares (the core suite with CoreServer and the
// `sluice serve` suites): child processes, deadline-bounded socket waits, a
// blocking pump between a loopback socket and the sans-I/O core, and the
// command lines that make and publish the lavfi test clip. Test code only;
// every wait is bounded by a deadline, processes are killed when their owner
// goes out of scope. Not thread-safe: one owner per object.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_reader.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/handshake.hpp"

namespace sluice::test {

using Clock = std::chrono::steady_clock;

/// Milliseconds left until `deadline` (0 once it passed), for poll().
int remaining_ms(Clock::time_point deadline);

/// Polls `fd` for `events` until the deadline (EINTR retried); true when
/// one of them (or an error/hangup) is reported.
bool wait_fd(int fd, short events, Clock::time_point deadline);

/// Reads a whole file ("" when missing).
std::string read_file(const std::string& path);

/// A background process (argv form, looked up on PATH) with stdin from
/// /dev/null and stdout+stderr appended to a log file. It can be signalled
/// (SIGTERM to the server, SIGINT to gst-launch -e so it finishes its file).
class Process {
public:
    Process(const std::vector<std::string>& argv, const std::string& log_path);
    ~Process();  ///< SIGKILL + reap when still running
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    bool started() const noexcept { return pid_ > 0; }
    /// True while the process has not exited (reaps it when it has).
    bool running();
    void signal(int signo);
    /// The exit code, or -1 for death by a signal or a failed start. At the
    /// deadline nullopt is returned ("did not exit in time") and, with
    /// `kill`, the process is killed first.
    std::optional<int> wait(Clock::time_point deadline, bool kill = true);

private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    bool reaped_ = false;
};

/// Runs argv to completion with a deadline; output to log_path. Exit code or nullopt on timeout.
std::optional<int> run_process(const std::vector<std::string>& argv, const std::string& log_path,
                               std::chrono::seconds limit = std::chrono::seconds(60));

/// The blocking I/O under a sans-I/O peer (rtmp::Handshake, then
/// rtmp::Connection) on one connected socket, which it owns: bytes read wait
/// in pending() until the core consumes them; the core's gather output is
/// written with sendmsg. Each call is bounded by its deadline. A failure is
/// described in the `error` string given at construction (the owner's, so
/// it must outlive the pump); the other side is named `peer` there.
class BlockingPump {
public:
    BlockingPump(std::string peer, std::string& error);
    ~BlockingPump();  ///< closes the socket
    BlockingPump(const BlockingPump&) = delete;
    BlockingPump& operator=(const BlockingPump&) = delete;

    /// Takes ownership of a socket (closing any previous one).
    void attach(int fd);
    int fd() const noexcept { return fd_; }
    /// Closes the socket (the peer sees end of stream).
    void close();
    /// True once the peer closed the connection (end of stream or error on read).
    bool closed() const noexcept { return peer_closed_; }

    /// Waits for and appends what the socket has to pending(); false at the
    /// deadline, when the peer closed, or when no socket is attached.
    bool read_some(Clock::time_point deadline);
    /// Writes all of `bytes` (the handshake's output).
    bool write_all(base::Bytes bytes, Clock::time_point deadline);
    /// Writes everything `connection` has queued, consuming it as it goes.
    bool flush(rtmp::Connection& connection, Clock::time_point deadline);
    /// Hands pending() to `handshake` and drops what it used.
    void feed(rtmp::Handshake& handshake);
    /// Hands pending() to `connection` and drops what it used; true when it
    /// made progress or failed (the caller should look at its events), false
    /// when it needs more bytes.
    bool feed(rtmp::Connection& connection);

    std::vector<std::uint8_t>& pending() noexcept { return pending_; }

private:
    void drop(std::size_t used);

    std::string peer_;
    std::string& error_;
    int fd_ = -1;
    std::vector<std::uint8_t> pending_;  ///< bytes read but not yet consumed
    bool peer_closed_ = false;
};

/// The lavfi test clip: testsrc2 320x240@25 + an audio source, H.264
/// (libx264 ultrafast, GOP 25) and AAC in FLV. The exact parameters matter
/// to the tests that compare frames, so each suite states its own.
struct ClipSpec {
    int seconds = 2;
    /// -bf 0 -keyint_min 25 -sc_threshold 0: no B-frames and a key frame
    /// exactly every 25 frames.
    bool fixed_gop = true;
    std::string audio_source = "sine=frequency=440:sample_rate=44100";
    std::vector<std::string> video_options;                 ///< after -pix_fmt (e.g. -b:v)
    std::vector<std::string> audio_options{"-b:a", "64k"};  ///< after -c:a aac
};

/// The ffmpeg command line that writes the clip `spec` to `path`.
std::vector<std::string> clip_command(const ClipSpec& spec, const std::string& path);

/// A gst-launch-1.0 command line that remuxes the FLV clip at `clip_path`
/// (flvdemux -> h264parse/aacparse -> flvmux) into `sink` (rtmpsink or
/// rtmp2sink) publishing to `url`; `flag` is gst-launch's own option
/// ("-q", or "-e" to finish the stream on SIGINT).
std::vector<std::string> gst_publish_command(const std::string& flag, const std::string& clip_path,
                                             const std::string& sink, const std::string& url);

}  // namespace sluice::test
