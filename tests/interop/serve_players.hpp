#pragma once
// The real players of the `sluice serve` interop suites (serve_interop_test,
// serve_rtmps_test): FFmpeg, rtmpdump (librtmp), GStreamer rtmp2src and
// rtmpsrc (librtmp) started as processes on a URL, and the judgement of
// what each wrote against the source clip. Test code only.
//
//  - player_argv(): the command line of each player writing FLV to a file;
//    rtmp2src on an rtmps:// URL skips certificate checks (the tests'
//    certificates are self-signed; FFmpeg and librtmp do not check).
//  - finish_player(): waits for a player to end by itself (the publisher
//    left: UnpublishNotify). gst-launch may not treat UnpublishNotify as the
//    end of the stream (that is the client's choice), so a GStreamer player
//    still running gets SIGINT and, started with -e, finishes its file.
//    Returns a failure text or "".
//  - check_player_file(): the first coded video frame is a key frame after
//    an AVC sequence header, and the decoded frames (MD5 of each picture)
//    are a contiguous run of the source's that starts at a key frame; with
//    `joined_before`, all of them, and the audio from its first frame;
//    `tail_loss` of them (video and audio each) may be missing at the end,
//    for publishers known to drop their last writes (FFmpeg over RTMPT
//    discards what it has not posted yet when it closes).
//  - run_matrix(): one publish (`publisher_argv`) to the four players,
//    started first and waiting for the name; `url_for` gives each player's
//    URL (default: the server's rtmp:// URL of live/<name>) and `ports`
//    the server ports they connect to (default: the rtmp one).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "interop/serve_fixture.hpp"

namespace sluice::test {

enum class PlayerKind { ffmpeg, rtmpdump, rtmp2src, rtmpsrc };

const char* name_of(PlayerKind kind);
std::vector<std::string> player_argv(PlayerKind kind, const std::string& url, const std::string& out);

/// A running player process and where it writes.
struct Player {
    PlayerKind kind;
    std::string out;
    std::string log;
    std::unique_ptr<Process> process;
};

Player start_player(PlayerKind kind, const std::string& url, const TempDir& dir, const std::string& tag);
std::string finish_player(Player& p, Clock::time_point deadline);
void check_player_file(const Clip& clip, const std::vector<std::string>& source_audio, const Player& p,
                       bool joined_before, std::size_t tail_loss = 0);
void run_matrix(const ServeProcess& server, const TempDir& dir,
                const std::vector<std::string>& publisher_argv, const std::string& name, const Clip& clip,
                const std::function<std::string(PlayerKind)>& url_for = {},
                const std::vector<std::uint16_t>& ports = {}, std::size_t tail_loss = 0);

}  // namespace sluice::test
