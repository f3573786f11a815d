#pragma once
// server::VodFile: one media file opened for playback (issue 7 item 2),
// whatever its container - FLV (demux::FlvReader), ISO-BMFF
// (demux::Mp4Reader) or MP3 (demux::Mp3Reader) - as RTMP messages.
//
// Contract:
//  - parse_vod_name() maps a play name to a container and a file name, as
//    Adobe Media Server names files: "clip", "clip.flv" and "flv:clip" play
//    clip.flv; "mp4:clip.mp4" (also .f4v, .m4v, .m4a, .mov, .3gp) plays that
//    file and "mp4:clip" plays clip.mp4; "mp3:song" and "mp3:song.mp3" play
//    song.mp3. Another "xyz:" prefix: nullopt. The file name is relative and
//    unchecked: the caller checks it (check_stream_name) and joins it to its
//    folder.
//  - open(): the file through a FileSource; errors are FileSource's (ENOENT
//    for a missing file) and the reader's demux::Errc. vod_status() maps
//    an error to the onStatus code the player gets.
//  - start_messages(at): what a player needs before the first frame, after
//    play or seek: onMetaData (the file's own for FLV with its duration set
//    to the real one; built from the tracks for MP4 and MP3), then the
//    video and audio sequence headers in effect at the cursor, all at
//    timestamp `at`. It marks those headers sent.
//  - next(): the next media message (type audio or video, stream id 0, the
//    FLV tag body as payload, timestamp = the sample's decode time plus the
//    reader's shift), nullopt at the end. A sequence header equal to the
//    last one sent for its kind is skipped (FLV files hold them in line).
//    Errors: the source's I/O error or demux::Errc (the caller ends the
//    playback with NetStream.Play.FileStructureInvalid).
//  - next_time(): the timestamp next() would return, for pacing.
//  - next_is_switch_point(): whether a player could start decoding at the
//    message next() would return (a video key frame; any frame of a file
//    without video): where play2 switches files.
//  - seek(ms): the reader's seek (the video key frame at or before `ms`;
//    before any next(), ms <= 0 keeps the very start, audio before the
//    first key frame included);
//    returns the reached timestamp; demux::Errc::seek_beyond_end (position
//    unchanged) past the end.
// Threads: one session's worker; blocking reads (one tag per next()).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "demux/flv_reader.hpp"
#include "demux/mp3_reader.hpp"
#include "demux/mp4_reader.hpp"
#include "rtmp/message.hpp"
#include "rtmp/status.hpp"
#include "server/file_source.hpp"

namespace sluice::server {

enum class VodContainer : std::uint8_t { flv, mp4, mp3 };

struct VodName {
    VodContainer container = VodContainer::flv;
    std::string file;  ///< relative, with its extension
};

std::optional<VodName> parse_vod_name(std::string_view name);

/// `<root>/<file>` where `file` is one or more '/'-separated names, none
/// empty, starting with '.', longer than 255 bytes or holding '\\' or a
/// control byte (std::errc::invalid_argument): no file outside `root`.
base::Result<std::string> media_file_path(std::string_view root, std::string_view file);

/// The onStatus code for a failed open() or next(): StreamNotFound for a
/// missing file, NoSupportedTrackFound, else FileStructureInvalid.
rtmp::Status vod_status(std::error_code error) noexcept;

class VodFile {
public:
    static base::Result<std::unique_ptr<VodFile>> open(const std::string& path, VodContainer container);

    std::int64_t duration_ms() const noexcept;
    bool has_video() const noexcept;
    std::vector<rtmp::Message> start_messages(base::Timestamp at);
    std::optional<base::Timestamp> next_time() const noexcept;
    bool next_is_switch_point() const noexcept;
    base::Result<std::optional<rtmp::Message>> next();
    base::Result<base::Timestamp> seek(std::int64_t ms);

private:
    using Reader = std::variant<demux::FlvReader, demux::Mp4Reader, demux::Mp3Reader>;
    VodFile(std::unique_ptr<FileSource> source, Reader reader);
    base::Payload metadata() const;
    base::Payload header_at_cursor(demux::TrackKind kind) const;
    base::Timestamp time_of(const demux::Sample& sample) const noexcept;

    std::unique_ptr<FileSource> source_;  ///< the readers point into it: never moved
    Reader reader_;
    base::Payload sent_header_[2];  ///< by TrackKind: the last sequence header sent
    bool consumed_ = false;         ///< next() returned a sample (the cursor left the start)
};

}  // namespace sluice::server
