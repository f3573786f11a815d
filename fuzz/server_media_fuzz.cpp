// Fuzzes the live server's media bookkeeping (sans-I/O parts of
// src/server): every message a publisher sends is classified by its FLV tag
// header (hostile bytes), then goes through MediaHeaders, the GopCache and a
// small PlayerQueue. Besides "no crash", it checks the promises those types
// make: the GOP cache starts at a key frame and stays under its bound, the
// queue never drops audio, headers or data, and never holds more than its
// hard limit without saying overflow.
//
// Input: a sequence of records
//   [type byte: 0 audio, 1 video, 2 data, 3 pop, 4 require_keyframe]
//   [timestamp delta byte] [length byte] [payload: length bytes]
#include <cstddef>
#include <cstdint>

#include "server/gop_cache.hpp"
#include "server/media_headers.hpp"
#include "server/player_queue.hpp"

namespace {

using namespace sluice;
using server::FrameKind;

void check(bool condition) {
    if (!condition) __builtin_trap();
}

bool never_dropped(FrameKind kind) {
    return kind != FrameKind::video_key && kind != FrameKind::video_inter;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    server::MediaHeaders headers;
    server::GopCache gop(4096);
    server::PlayerQueue queue(server::PlayerQueueLimits{2048, std::chrono::milliseconds(500), 8192});
    std::uint64_t kept_pushed = 0;  // frames the queue may never drop
    std::uint64_t kept_popped = 0;
    base::Timestamp timestamp = 0;
    std::size_t i = 0;
    while (i + 3 <= size) {
        const std::uint8_t op = data[i] % 5;
        timestamp += data[i + 1];
        const std::size_t length = data[i + 2];
        i += 3;
        if (op == 3) {
            if (auto frame = queue.pop()) kept_popped += never_dropped(frame->kind) ? 1 : 0;
            continue;
        }
        if (op == 4) {
            queue.require_keyframe();
            continue;
        }
        const std::size_t n = length < size - i ? length : size - i;
        rtmp::Message message;
        message.type = op == 0   ? rtmp::MessageType::audio
                       : op == 1 ? rtmp::MessageType::video
                                 : rtmp::MessageType::data_amf0;
        message.timestamp = timestamp;
        message.payload = base::Payload::copy_of(base::Bytes(data + i, n));
        i += n;
        const server::Frame frame{message, server::classify(message)};
        if (op == 0) check(frame.is_audio());
        if (op == 1) check(frame.is_video());

        if (!headers.update(frame)) gop.push(frame);
        check(gop.bytes() <= 4096);
        check(gop.frames().empty() || gop.frames().front().kind == FrameKind::video_key);
        for (const auto& f : headers.start_frames()) {
            check(f.kind == FrameKind::metadata || f.kind == FrameKind::video_header ||
                  f.kind == FrameKind::audio_header);
        }

        const auto result = queue.push(frame);
        if (result == server::PlayerQueue::PushResult::overflow) {
            check(queue.bytes() > 8192);
            return 0;  // the server closes such a player: nothing more to check
        }
        check(queue.bytes() <= 8192);
        if (never_dropped(frame.kind)) {
            check(result == server::PlayerQueue::PushResult::queued);
            ++kept_pushed;
        }
    }
    std::uint64_t kept_left = 0;
    while (auto frame = queue.pop()) kept_left += never_dropped(frame->kind) ? 1 : 0;
    check(kept_popped + kept_left == kept_pushed);
    return 0;
}
