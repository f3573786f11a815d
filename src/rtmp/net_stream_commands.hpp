#pragma once
// Typed NetStream commands (RTMP 1.0 §7.2.2; REFERENCE.md §4.2), sent by a
// client on the message stream id createStream returned. Same shape as
// net_connection_commands.hpp: decode(const Command&, std::string* why) ->
// base::Result<T>, to_command(), encode(Encoding, MessageStreamId).
//
// Tolerance (REFERENCE.md §4.2–§4.4): the spec says NetStream commands use
// transaction id 0, but FFmpeg sends a non-zero id on play (and others);
// decode() accepts any transaction id and keeps it. The command object is
// ignored (null per spec). Optional arguments that are absent, null or
// undefined take the spec defaults.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "rtmp/command.hpp"

namespace sluice::rtmp {

/// `play` (§7.2.2.1): 'play', txn, null, streamName, [start], [duration], [reset].
///
/// start: −2 (default) live, else recorded, else wait for live; −1 live
/// only; ≥ 0 recorded from that position. The number is kept exactly as
/// sent. FFmpeg multiplies it by 1000 (it sends −2000, −1000 or a position
/// in milliseconds) and this decoder does NOT silently fix that: the
/// application decides (e.g. treat start ≤ −2000 as −2 when the flashVer is
/// FFmpeg's). duration: −1 (default) until the end, 0 a single frame, > 0
/// seconds. reset: true (default) flushes any playlist; a Number is
/// accepted as non-zero = true.
struct PlayCommand {
    double transaction_id = 0;
    std::string stream_name;  ///< "name", "mp4:file.mp4", "mp3:file"; may carry "?query"
    /// Milliseconds on the wire (librtmp, FFmpeg and Flash send ms), or -2
    /// (live, else recorded) / -1 (live only).
    double start = -2;
    double duration = -1;  ///< ms; -1 to the end, 0 a single frame
    bool reset = true;

    static base::Result<PlayCommand> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 1) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const PlayCommand&, const PlayCommand&) = default;
};

/// NetStreamPlayOptions (AS3), the one argument of play2. All optional.
/// transition ∈ switch, swap, stop, reset, append, appendAndWait, resume.
struct PlayOptions {
    std::optional<std::string> stream_name;      ///< streamName
    std::optional<std::string> old_stream_name;  ///< oldStreamName
    std::optional<double> start;
    std::optional<double> len;
    std::optional<double> offset;  ///< −1 = fast switch at the next key frame after now + 3 s
    std::optional<std::string> transition;
    amf::Object other_properties;  ///< anything else, wire order
    friend bool operator==(const PlayOptions&, const PlayOptions&) = default;
};

/// `play2` (§7.2.2.2): 'play2', txn, null, NetStreamPlayOptions object.
/// Required: the options object. Answer: onStatus NetStream.Play.Transition,
/// then onPlayStatus NetStream.Play.TransitionComplete.
struct Play2Command {
    double transaction_id = 0;
    PlayOptions options;

    static base::Result<Play2Command> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 1) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const Play2Command&, const Play2Command&) = default;
};

/// `deleteStream` (§7.2.2.3): 'deleteStream', txn, null, Number stream id.
/// No response. Sent on msid 0 by most clients (FFmpeg), on the stream's
/// msid by some; the argument names the stream either way.
struct DeleteStreamCommand {
    double transaction_id = 0;
    double stream_id = 0;

    static base::Result<DeleteStreamCommand> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const DeleteStreamCommand&, const DeleteStreamCommand&) = default;
};

/// `receiveAudio` / `receiveVideo` (§7.2.2.4, §7.2.2.5): 'name', txn, null,
/// Boolean. false: no reply; true: NetStream.Seek.Notify + NetStream.Play.Start.
struct ReceiveMediaCommand {
    enum class Kind : std::uint8_t { audio, video };
    Kind kind = Kind::audio;
    double transaction_id = 0;
    bool enable = true;

    static base::Result<ReceiveMediaCommand> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 1) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const ReceiveMediaCommand&, const ReceiveMediaCommand&) = default;
};

/// Publishing type of `publish` (§7.2.2.6).
enum class PublishMode : std::uint8_t {
    live,    ///< "live": no recording
    record,  ///< "record": record, replacing any file
    append,  ///< "append": record, appending (creates the file)
};
std::string_view to_string(PublishMode mode) noexcept;

/// `publish` (§7.2.2.6): 'publish', txn, null, publishingName, [type].
/// type defaults to live when absent/null; it is compared case-insensitively
/// ("LIVE" is seen from hardware encoders); an unknown String is
/// command_argument_type. Answer: onStatus NetStream.Publish.Start (or
/// BadName, Record.NoAccess...).
struct PublishCommand {
    double transaction_id = 0;
    std::string stream_name;  ///< may carry "?query" (auth tokens)
    PublishMode mode = PublishMode::live;

    static base::Result<PublishCommand> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 1) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const PublishCommand&, const PublishCommand&) = default;
};

/// `seek` (§7.2.2.7): 'seek', txn, null, Number milliseconds.
/// Answer: NetStream.Seek.Notify; failure `_error` (or Seek.Failed / InvalidTime).
struct SeekCommand {
    double transaction_id = 0;
    double milliseconds = 0;

    static base::Result<SeekCommand> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 1) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const SeekCommand&, const SeekCommand&) = default;
};

/// `pause` (§7.2.2.8): 'pause', txn, null, Boolean pause, Number milliseconds.
/// The time is optional here (defaults to 0; some players omit it).
/// Answer: NetStream.Pause.Notify / NetStream.Unpause.Notify.
struct PauseCommand {
    double transaction_id = 0;
    bool pause = true;
    double milliseconds = 0;

    static base::Result<PauseCommand> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 1) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const PauseCommand&, const PauseCommand&) = default;
};

}  // namespace sluice::rtmp
