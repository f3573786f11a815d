#pragma once
// server::MediaCheck: notices what a publisher's media gets wrong, so that
// the session can say so in the log. The server still relays such media
// unchanged (players and their decoders decide what to do with it, as they
// would with nginx-rtmp or SRS); what it owes the operator is one clear
// line per problem and publish, not silence and not one line per frame.
//
// Problems, each reported the first time it is seen on each track:
//  - short_video / short_audio: a payload shorter than its FLV tag header
//    (video: 1 byte, plus AVCPacketType and composition time for AVC/HEVC;
//    AAC: 2 bytes). Empty audio is an E-RTMP silence marker, not a problem.
//  - bad_video_config / bad_audio_config: an AVC or AAC sequence header
//    whose configuration record does not parse (lengths that lie).
//  - frame_before_header: an AVC or AAC coded frame before any sequence
//    header of that track (players cannot decode it).
//  - timestamp_backwards: an audio or video timestamp more than
//    `backwards_tolerance_ms` before the previous one of that track, in
//    RFC 1982 serial arithmetic (so a wrap past 2^32 is not backwards).
//
// Sans-I/O, one per publish; cheap for a well-formed stream (a few byte
// reads per message; configuration records are parsed only for sequence
// headers, which come once).
#include <cstdint>
#include <optional>
#include <string>

#include "base/timestamp.hpp"
#include "rtmp/message.hpp"

namespace sluice::server {

class MediaCheck {
public:
    enum class Problem : std::uint8_t {
        short_video,
        short_audio,
        bad_video_config,
        bad_audio_config,
        frame_before_header,
        timestamp_backwards,
    };
    static constexpr std::uint32_t backwards_tolerance_ms = 1000;

    /// What is wrong with `message` (audio or video), when it is a problem
    /// not seen before in this publish: a sentence for the log.
    std::optional<std::string> check(const rtmp::Message& message);
    /// Messages that had any problem, reported or not.
    std::uint64_t problem_messages() const noexcept { return problem_messages_; }

private:
    struct Track {
        bool has_header = false;
        bool has_timestamp = false;
        base::Timestamp last = 0;
    };
    std::optional<Problem> find_video(const rtmp::Message& message, std::string& detail);
    std::optional<Problem> find_audio(const rtmp::Message& message, std::string& detail);
    static std::optional<Problem> backwards(Track& track, base::Timestamp timestamp, std::string& detail);

    Track video_;
    Track audio_;
    std::uint32_t reported_ = 0;  ///< bit per Problem and track (audio 8 bits up)
    std::uint64_t problem_messages_ = 0;
};

}  // namespace sluice::server
