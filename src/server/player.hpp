#pragma once
// server::Player: one `play` of a live stream on one NetStream of a session,
// with its bounded queue and its flags (paused, receiveAudio, receiveVideo).
//
// Threads: a Player lives on its session's worker. The stream's StreamTap on
// that worker calls on_*() there; the session pops the queue there. Nothing
// here is touched by another thread.
//
// Everything a player is sent after its play reply goes through its queue
// (frames and the status messages that announce publish/unpublish), so a
// status can never overtake the frames it refers to: FFmpeg takes
// NetStream.Play.UnpublishNotify as end of stream and would otherwise lose
// the tail of the stream.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rtmp/command.hpp"
#include "rtmp/message.hpp"
#include "rtmp/status.hpp"
#include "server/media_frame.hpp"
#include "server/player_queue.hpp"

namespace sluice::server {

class StreamTap;

/// What a Player needs from its owner (the session): a wake-up when frames
/// are queued, and a way to say the player fell too far behind.
class PlayerOwner {
public:
    virtual void player_has_frames() = 0;
    virtual void player_overflow(std::string_view reason) = 0;

protected:
    ~PlayerOwner() = default;
};

/// The state of a live stream at the moment a player joins it.
struct StreamSnapshot {
    bool published = false;
    std::vector<Frame> frames;  ///< metadata, sequence headers, GOP cache, in play order
};

class Player {
public:
    /// `encoding`: the session's; the statuses it queues use it (media and
    /// data frames go out as the publisher's, re-encoded to AMF0 data).
    Player(PlayerOwner& owner, rtmp::MessageStreamId stream_id, std::string stream_name,
           PlayerQueueLimits limits, rtmp::Encoding encoding = rtmp::Encoding::amf0);

    rtmp::MessageStreamId stream_id() const noexcept { return stream_id_; }
    const std::string& stream_name() const noexcept { return stream_name_; }

    // --- called by the StreamTap (on this worker) ---
    void on_attach(std::shared_ptr<StreamTap> tap, const StreamSnapshot& snapshot);
    void on_frame(const Frame& frame);
    /// The publisher arrived: NetStream.Play.PublishNotify, after a
    /// StreamBegin when the stream had ended (StreamEOF) since play.
    void on_publish_begin();
    /// The publisher left: StreamEOF + NetStream.Play.UnpublishNotify.
    void on_publish_end();

    // --- called by the session ---
    /// pause(true): StreamEOF + Pause.Notify, media stops. pause(false):
    /// StreamBegin + Unpause.Notify, video resumes at the next key frame.
    void set_paused(bool paused);
    /// false: that kind stops; true: Seek.Notify + Play.Start, video resumes
    /// at the next key frame (spec 7.2.2.4, 7.2.2.5).
    void set_receive_audio(bool enable);
    void set_receive_video(bool enable);
    /// Queues StreamEOF + an onStatus `status` (server shutdown, closeStream).
    void queue_stop(rtmp::Status status, std::string_view description);
    /// Leaves the stream: detaches from the tap. Idempotent. After it, the
    /// player ignores everything and its owner may be gone.
    void close() noexcept;
    bool closed() const noexcept { return owner_ == nullptr; }

    PlayerQueue& queue() noexcept { return queue_; }

private:
    void push(Frame frame);
    void push_status(rtmp::Status status, std::string_view description = {});
    void push_user_control_begin();
    void push_user_control_eof();

    PlayerOwner* owner_;
    rtmp::MessageStreamId stream_id_;
    std::string stream_name_;
    PlayerQueue queue_;
    std::shared_ptr<StreamTap> tap_;
    bool paused_ = false;
    bool eof_sent_ = false;  ///< StreamEOF was the last of StreamBegin/StreamEOF sent
    bool receive_audio_ = true;
    bool receive_video_ = true;
    rtmp::Encoding encoding_;
};

}  // namespace sluice::server
