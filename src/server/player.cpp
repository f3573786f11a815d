#include "server/player.hpp"

#include "rtmp/control.hpp"
#include "rtmp/responses.hpp"
#include "server/live_stream.hpp"

namespace sluice::server {

Player::Player(PlayerOwner& owner, rtmp::MessageStreamId stream_id, std::string stream_name,
               PlayerQueueLimits limits, rtmp::Encoding encoding)
    : owner_(&owner),
      stream_id_(stream_id),
      stream_name_(std::move(stream_name)),
      queue_(limits),
      encoding_(encoding) {}

void Player::on_attach(std::shared_ptr<StreamTap> tap, const StreamSnapshot& snapshot) {
    tap_ = std::move(tap);
    for (const Frame& frame : snapshot.frames) push(frame);
}

void Player::on_frame(const Frame& frame) {
    if (closed() || paused_) return;
    if (!receive_audio_ && frame.is_audio()) return;
    // A new sequence header still reaches a player that turned video off, so
    // that turning it on again decodes with the right configuration.
    if (!receive_video_ && frame.is_video() && frame.kind != FrameKind::video_header) return;
    push(frame);
}

void Player::on_publish_begin() {
    if (closed()) return;
    if (eof_sent_) push_user_control_begin();  // the play reply's StreamBegin still holds otherwise
    push_status(rtmp::Status::play_publish_notify, stream_name_ + " is now published.");
}

void Player::on_publish_end() {
    if (closed()) return;
    push_user_control_eof();
    push_status(rtmp::Status::play_unpublish_notify, stream_name_ + " is now unpublished.");
}

void Player::set_paused(bool paused) {
    if (closed() || paused == paused_) return;
    paused_ = paused;
    if (paused) {
        push_user_control_eof();
        push_status(rtmp::Status::pause_notify, "Paused " + stream_name_ + ".");
        return;
    }
    push_user_control_begin();
    push_status(rtmp::Status::unpause_notify, "Resumed " + stream_name_ + ".");
    queue_.require_keyframe();
}

void Player::set_receive_audio(bool enable) {
    if (closed()) return;
    receive_audio_ = enable;
    if (!enable) return;
    push_status(rtmp::Status::seek_notify, "Audio resumed.");
    push_status(rtmp::Status::play_start, "Started playing " + stream_name_ + ".");
}

void Player::set_receive_video(bool enable) {
    if (closed()) return;
    const bool was = receive_video_;
    receive_video_ = enable;
    if (!enable) return;
    push_status(rtmp::Status::seek_notify, "Video resumed.");
    push_status(rtmp::Status::play_start, "Started playing " + stream_name_ + ".");
    if (!was) queue_.require_keyframe();
}

void Player::queue_stop(rtmp::Status status, std::string_view description) {
    if (closed()) return;
    push_user_control_eof();
    push_status(status, description);
}

void Player::close() noexcept {
    if (tap_) tap_->detach(this);
    tap_.reset();
    owner_ = nullptr;
}

void Player::push(Frame frame) {
    if (closed()) return;
    frame.message.stream_id = stream_id_;
    if (queue_.push(std::move(frame)) == PlayerQueue::PushResult::overflow) {
        owner_->player_overflow("player queue above its hard limit (the player reads too slowly)");
        return;
    }
    owner_->player_has_frames();
}

// Status and user control messages ride in the queue as data frames (never
// dropped) so they stay in order with the media around them.
void Player::push_status(rtmp::Status status, std::string_view description) {
    const rtmp::OnStatus on_status = rtmp::OnStatus::make(status, description, stream_name_);
    push(Frame{on_status.encode(encoding_, stream_id_), FrameKind::data});
}

void Player::push_user_control_begin() {
    if (closed()) return;
    eof_sent_ = false;
    queue_.push(Frame{rtmp::to_message(rtmp::UserControl::stream_begin(stream_id_)), FrameKind::data});
}

void Player::push_user_control_eof() {
    if (closed()) return;
    eof_sent_ = true;
    queue_.push(Frame{rtmp::to_message(rtmp::UserControl::stream_eof(stream_id_)), FrameKind::data});
}

}  // namespace sluice::server
