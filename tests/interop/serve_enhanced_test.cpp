// `sluice serve` relaying Enhanced RTMP video (CTest label "interop").
// Debian's FFmpeg 5.1 and GStreamer 1.22 cannot publish E-RTMP, so a
// RawClient (serve_raw_client.hpp) publishes a synthetic stream: an
// @setDataFrame onMetaData, a legacy AAC sequence header and raw AAC frames,
// and E-RTMP video made with flv::write_enhanced_video_header (FourCC hvc1,
// av01 or vp09; SequenceStart, CodedFrames, CodedFramesX; key and inter
// frames). The bodies are distinct filler bytes: the server never decodes
// them, it must classify the headers and relay the bytes.
//  - A player present before the publish receives every message in order,
//    byte for byte, with the publisher's timestamps.
//  - A late joiner receives onMetaData, the video SequenceStart, the AAC
//    sequence header, then the messages from the last key frame on (the GOP
//    cache) and nothing of the earlier GOP; for hvc1, av01 and vp09.
//  - A new SequenceStart mid-stream (hvc1 -> av01) replaces the old one for
//    players who join after it, while earlier players get it in line.
#include <gtest/gtest.h>

#include <thread>

#include "base/byte_writer.hpp"
#include "flv/audio_header.hpp"
#include "flv/fourcc.hpp"
#include "flv/video_header.hpp"
#include "interop/serve_fixture.hpp"
#include "interop/serve_media_checks.hpp"
#include "interop/serve_raw_client.hpp"
#include "interop/serve_test.hpp"
#include "rtmp/data_message.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Labels = std::vector<std::string>;

// Every test ends with the server alive and a clean SIGTERM (ServeTest).
class ServeEnhanced : public ServeTest {
protected:
    void SetUp() override { start_server(); }
};

/// Builds a synthetic E-RTMP + AAC stream as a Clip (no file: path is
/// empty, video_hashes unused) that RawClient::publish_clip sends. Video
/// frames are 40 ms apart, each followed by an AAC frame 20 ms later.
class StreamScript {
public:
    explicit StreamScript(std::uint32_t fourcc) : fourcc_(fourcc) {
        amf::EcmaArray properties;
        properties.properties = {
            {"width", 1280.0},      {"height", 720.0},
            {"framerate", 25.0},    {"videocodecid", static_cast<double>(fourcc)},
            {"audiocodecid", 10.0}, {"audiosamplerate", 44100.0},
            {"stereo", true},       {"encoder", std::string("sluice serve_enhanced_test")}};
        metadata_ = rtmp::MetaData{std::move(properties)};
        clip_.metadata = rtmp::encode_data_message(metadata_.to_data(), rtmp::Encoding::amf0, 0).payload;
    }

    /// The AAC AudioSpecificConfig (LC, 44.1 kHz, stereo).
    void audio_header() {
        base::ByteWriter w;
        flv::write_legacy_aac_header(w, 0);
        w.u8(0x12);
        w.u8(0x10);
        add(rtmp::MessageType::audio, now_, std::move(w));
    }

    /// A SequenceStart for `fourcc`, which the frames after it use.
    void video_header(std::uint32_t fourcc) {
        fourcc_ = fourcc;
        base::ByteWriter w;
        flv::write_enhanced_video_header(w, flv::VideoFrameType::key, flv::VideoPacketType::sequence_start,
                                         fourcc);
        filler(w, 48);
        add(rtmp::MessageType::video, now_, std::move(w));
    }

    /// A key frame, then `inters` inter frames. With a composition time
    /// (hvc1) the frames alternate CodedFrames (CTS 40/80 ms) and
    /// CodedFramesX; other codecs have only CodedFrames.
    void gop(std::size_t inters) {
        for (std::size_t i = 0; i <= inters; ++i) {
            const bool key = i == 0;
            const bool x = flv::fourcc::has_composition_time(fourcc_) && i % 2 == 1;
            base::ByteWriter w;
            flv::write_enhanced_video_header(
                w, key ? flv::VideoFrameType::key : flv::VideoFrameType::inter,
                x ? flv::VideoPacketType::coded_frames_x : flv::VideoPacketType::coded_frames, fourcc_,
                key ? 80 : 40);
            // Key frames span several 4096-byte chunks.
            filler(w, key ? 9000 : 300 + 37 * i);
            if (key) keys_.push_back(clip_.media.size());
            add(rtmp::MessageType::video, now_, std::move(w));
            base::ByteWriter a;
            flv::write_legacy_aac_header(a, 1);
            filler(a, 180 + i % 5);
            add(rtmp::MessageType::audio, now_ + 20, std::move(a));
            now_ += 40;
        }
    }

    const Clip& clip() const noexcept { return clip_; }
    const rtmp::MetaData& metadata() const noexcept { return metadata_; }
    /// Indexes into clip().media of the video key frames, in order.
    const std::vector<std::size_t>& keys() const noexcept { return keys_; }

private:
    // Distinct bytes for every message, so a swapped or repeated message
    // cannot pass a byte comparison.
    void filler(base::ByteWriter& w, std::size_t size) {
        ++serial_;
        w.u32be(serial_);
        for (std::size_t i = 0; i < size; ++i) w.u8(static_cast<std::uint8_t>(serial_ * 131 + i * 7));
    }

    void add(rtmp::MessageType type, base::Timestamp timestamp, base::ByteWriter&& w) {
        clip_.media.push_back(ClipTag{type, timestamp, base::Payload::from(w.take())});
    }

    std::uint32_t fourcc_;
    rtmp::MetaData metadata_;
    Clip clip_;
    std::vector<std::size_t> keys_;
    base::Timestamp now_ = 0;
    std::uint32_t serial_ = 0;
};

/// `tags` from index `first` on.
std::vector<ClipTag> tail_of(const std::vector<ClipTag>& tags, std::size_t first) {
    return {tags.begin() + static_cast<std::ptrdiff_t>(first), tags.end()};
}

/// Sends tags as they are (no metadata), for a publish continued after a pause.
bool send_media(RawClient& client, const std::vector<ClipTag>& tags, rtmp::MessageStreamId msid,
                Clock::time_point deadline) {
    for (const ClipTag& tag : tags) {
        const auto csid = tag.type == rtmp::MessageType::audio ? rtmp::csid::audio : rtmp::csid::video;
        if (!client.send(rtmp::Message{tag.type, tag.timestamp, msid, tag.payload}, csid, deadline))
            return false;
    }
    return true;
}

/// The entry labelled data:onMetaData after `from` decodes to `want`.
void expect_metadata(const std::vector<Received>& log, std::size_t from, const rtmp::MetaData& want) {
    for (std::size_t i = from; i < log.size(); ++i) {
        if (log[i].label != "data:onMetaData") continue;
        auto data = rtmp::decode_data_message(log[i].message);
        ASSERT_TRUE(data) << "onMetaData does not decode";
        auto meta = rtmp::MetaData::decode(*data);
        ASSERT_TRUE(meta) << "onMetaData has no property list";
        EXPECT_TRUE(*meta == want) << "onMetaData is not the publisher's: " << rtmp::debug_string(*data);
        return;
    }
    ADD_FAILURE() << "no onMetaData";
}

/// A player who joins now: connect, createStream, play(-2). Returns the log
/// index where the play started and its stream id.
struct Joined {
    std::size_t mark = 0;
    rtmp::MessageStreamId msid = 0;
};
std::optional<Joined> join(RawClient& player, std::uint16_t port, const std::string& name,
                           Clock::time_point deadline) {
    if (!player.open(port, deadline) || player.connect("live", deadline) == nullptr) return std::nullopt;
    const auto msid = player.create_stream(deadline);
    if (!msid) return std::nullopt;
    Joined joined{player.log_size(), *msid};
    if (!player.play(*msid, name, -2, deadline)) return std::nullopt;
    return joined;
}

/// A late joiner's whole start: the play sequence, onMetaData, the video
/// SequenceStart `video_header`, the AAC header, then exactly `gop` (the
/// cache) and nothing more while the publisher is idle.
void expect_late_join(RawClient& player, const Joined& joined, const StreamScript& script,
                      const ClipTag& video_header, const std::vector<ClipTag>& gop, const std::string& who) {
    SCOPED_TRACE(who);
    const std::size_t expected = 2 + gop.size();
    EXPECT_TRUE(wait_media(player, joined.mark, expected, Clock::now() + 5s))
        << player.error() << "; got " << media_of(player.log(), joined.mark).size() << " of " << expected;
    player.read_for(300ms);  // nothing more may come: the publisher is idle

    const std::string n = std::to_string(joined.msid);
    Labels head;
    for (std::size_t i = joined.mark; i < player.log_size() && head.size() < 9; ++i) {
        const auto& r = player.log()[i];
        if (r.kind != Received::Kind::ack && r.label != "user:PingRequest") head.push_back(r.label);
    }
    EXPECT_EQ(head, (Labels{"user:StreamBegin " + n, "command:onStatus NetStream.Play.Reset",
                            "command:onStatus NetStream.Play.Start", "data:|RtmpSampleAccess true true",
                            "data:onStatus NetStream.Data.Start", "data:onMetaData", "video:config",
                            "audio:config", "video:key"}));
    EXPECT_EQ(signalling(player.log(), joined.mark),
              (Labels{"user:StreamBegin " + n, "command:onStatus NetStream.Play.Reset",
                      "command:onStatus NetStream.Play.Start", "data:|RtmpSampleAccess true true",
                      "data:onStatus NetStream.Data.Start", "data:onMetaData"}));
    expect_metadata(player.log(), joined.mark, script.metadata());
    const auto media = media_of(player.log(), joined.mark);
    ASSERT_GE(media.size(), 2u);
    EXPECT_TRUE(media[0]->message.payload == video_header.payload) << "not the latest video SequenceStart";
    EXPECT_TRUE(media[1]->message.payload == script.clip().media[0].payload) << "not the AAC sequence header";
    expect_media(gop, {media.begin() + 2, media.end()}, "GOP cache");
    for (const Received* m : media) EXPECT_EQ(m->stream_id, joined.msid);
}

TEST_F(ServeEnhanced, PlayerBeforeThePublishGetsEveryHevcMessageExactly) {
    const auto deadline = Clock::now() + 30s;
    StreamScript script(flv::fourcc::hvc1);
    script.audio_header();
    script.video_header(flv::fourcc::hvc1);
    script.gop(10);
    script.gop(12);
    const Clip& clip = script.clip();

    RawClient player;
    const auto msid = player.start_player(server_->port(), "hevc", deadline);
    ASSERT_TRUE(msid) << player.error();
    const std::size_t mark = player.log_size();
    RawClient publisher;
    const auto pub_id = publisher.start_publisher(server_->port(), "hevc", deadline);
    ASSERT_TRUE(pub_id) << publisher.error();
    ASSERT_TRUE(publisher.publish_clip(clip, *pub_id, 0.0, deadline)) << publisher.error();

    EXPECT_TRUE(wait_media(player, mark, clip.media.size(), deadline)) << player.error();
    player.read_for(300ms);
    EXPECT_EQ(signalling(player.log(), mark),
              (Labels{"command:onStatus NetStream.Play.PublishNotify", "data:onMetaData"}));
    expect_metadata(player.log(), mark, script.metadata());
    const auto media = media_of(player.log(), mark);
    expect_media(clip.media, media, "player");
    Labels video;
    for (const Received* m : media) {
        EXPECT_EQ(m->stream_id, *msid);
        if (m->kind == Received::Kind::video) video.push_back(m->label);
    }
    // The raw client's own reading of the E-RTMP headers agrees with the script.
    ASSERT_EQ(video.size(), 1u + 11u + 13u);
    EXPECT_EQ(video[0], "video:config");
    EXPECT_EQ(video[1], "video:key");
    EXPECT_EQ(video[2], "video:inter");
    EXPECT_EQ(video[12], "video:key");
}

class ServeEnhancedCodec : public ServeEnhanced, public ::testing::WithParamInterface<std::uint32_t> {};

TEST_P(ServeEnhancedCodec, LateJoinerGetsHeadersThenTheLastGop) {
    const auto deadline = Clock::now() + 30s;
    StreamScript script(GetParam());
    script.audio_header();
    script.video_header(GetParam());
    script.gop(8);
    script.gop(10);
    const Clip& clip = script.clip();
    ASSERT_EQ(script.keys().size(), 2u);

    RawClient publisher;
    const auto pub_id = publisher.start_publisher(server_->port(), "late", deadline);
    ASSERT_TRUE(pub_id) << publisher.error();
    ASSERT_TRUE(publisher.publish_clip(clip, *pub_id, 0.0, deadline)) << publisher.error();
    std::this_thread::sleep_for(300ms);  // the server has taken in the whole stream

    RawClient player;
    const auto joined = join(player, server_->port(), "late", deadline);
    ASSERT_TRUE(joined) << player.error();
    expect_late_join(player, *joined, script, clip.media[1], tail_of(clip.media, script.keys()[1]),
                     "late joiner");
}

INSTANTIATE_TEST_SUITE_P(ServeEnhanced, ServeEnhancedCodec,
                         ::testing::Values(flv::fourcc::hvc1, flv::fourcc::av01, flv::fourcc::vp09),
                         [](const ::testing::TestParamInfo<std::uint32_t>& param) {
                             return flv::fourcc::to_string(param.param);
                         });

TEST_F(ServeEnhanced, NewSequenceStartReplacesTheOldOneForLaterJoiners) {
    const auto deadline = Clock::now() + 40s;
    // hvc1 for one GOP, then a SequenceStart for av01 and two av01 GOPs.
    StreamScript script(flv::fourcc::hvc1);
    script.audio_header();
    script.video_header(flv::fourcc::hvc1);
    script.gop(6);
    const std::size_t change = script.clip().media.size();
    script.video_header(flv::fourcc::av01);
    script.gop(5);
    script.gop(7);
    const Clip& clip = script.clip();
    ASSERT_EQ(script.keys().size(), 3u);
    Clip first_part = clip;
    first_part.media.resize(change);
    const std::vector<ClipTag> second_part = tail_of(clip.media, change);

    RawClient before;
    const auto before_id = before.start_player(server_->port(), "change", deadline);
    ASSERT_TRUE(before_id) << before.error();
    const std::size_t before_mark = before.log_size();

    RawClient publisher;
    const auto pub_id = publisher.start_publisher(server_->port(), "change", deadline);
    ASSERT_TRUE(pub_id) << publisher.error();
    ASSERT_TRUE(publisher.publish_clip(first_part, *pub_id, 0.0, deadline)) << publisher.error();
    std::this_thread::sleep_for(300ms);

    // Joins during the hvc1 GOP: the hvc1 SequenceStart, then the av01 one in line.
    RawClient middle;
    const auto middle_joined = join(middle, server_->port(), "change", deadline);
    ASSERT_TRUE(middle_joined) << middle.error();
    expect_late_join(middle, *middle_joined, script, clip.media[1],
                     tail_of(first_part.media, script.keys()[0]), "joined before the change");
    const std::size_t middle_mark = middle.log_size();

    ASSERT_TRUE(send_media(publisher, second_part, *pub_id, deadline)) << publisher.error();
    std::this_thread::sleep_for(300ms);

    RawClient after;
    const auto after_joined = join(after, server_->port(), "change", deadline);
    ASSERT_TRUE(after_joined) << after.error();
    expect_late_join(after, *after_joined, script, clip.media[change], tail_of(clip.media, script.keys()[2]),
                     "joined after the change");

    {
        SCOPED_TRACE("joined before the change, after it");
        EXPECT_TRUE(wait_media(middle, middle_mark, second_part.size(), deadline)) << middle.error();
        middle.read_for(100ms);
        EXPECT_TRUE(signalling(middle.log(), middle_mark).empty());
        expect_media(second_part, media_of(middle.log(), middle_mark), "joined before the change");
    }
    {
        SCOPED_TRACE("played before the publish");
        EXPECT_TRUE(wait_media(before, before_mark, clip.media.size(), deadline)) << before.error();
        before.read_for(100ms);
        EXPECT_EQ(signalling(before.log(), before_mark),
                  (Labels{"command:onStatus NetStream.Play.PublishNotify", "data:onMetaData"}));
        expect_media(clip.media, media_of(before.log(), before_mark), "played before the publish");
    }
}

}  // namespace
}  // namespace sluice::test
