// Real peers judge the protocol core (CTest label "interop"). A CoreServer
// (tests/interop/core_server.hpp: only rtmp::Handshake + rtmp::Connection
// and the command builders over a loopback socket) talks to real clients:
//  - FFmpeg publishes an H.264/AAC clip: every audio and video message must
//    arrive with the source file's timestamps and bytes, after a digest
//    handshake FFmpeg started.
//  - FFmpeg and rtmpdump (librtmp) play the clip from it: the FLV they write
//    must decode to the same frames as the source (framemd5), which proves
//    our handshake (FFmpeg verifies our S1 digest when it plays; librtmp
//    uses the simple handshake), chunk encoder and command replies.
// The clip is made at test time with ffmpeg's lavfi sources (testsrc2 +
// sine, 2 s, GOP 25), so nothing large is committed.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "flv/file_reader.hpp"
#include "flv/file_writer.hpp"
#include "flv/tag_header.hpp"
#include "interop/core_server.hpp"
#include "rtmp/command.hpp"
#include "rtmp/data_message.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"

namespace sluice::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Media {
    rtmp::MessageType type;
    base::Timestamp timestamp;
    base::Payload payload;
    friend bool operator==(const Media&, const Media&) = default;
};

class CoreInterop : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char pattern[] = "/tmp/sluice-interop-XXXXXX";
        dir_ = ::mkdtemp(pattern);
        clip_ = dir_ + "/clip.flv";
        // Encoder defaults otherwise (no -bf 0 / -keyint_min): the exact checks were made on this clip.
        ClipSpec spec;
        spec.fixed_gop = false;
        const auto rc = run_process(clip_command(spec, clip_), dir_ + "/make_clip.log");
        ASSERT_EQ(rc, std::optional<int>(0)) << read_file(dir_ + "/make_clip.log");
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }

    /// The clip's audio/video tags and its onMetaData payload, read with our FLV reader.
    static std::vector<Media> clip_media(base::Payload* metadata) {
        const std::string bytes = read_file(clip_);
        flv::FileReader reader;
        base::Bytes input(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        std::vector<Media> out;
        while (!input.empty()) {
            auto r = reader.read(input);
            EXPECT_FALSE(r.error) << r.error.message();
            if (r.error) break;
            input = input.subspan(r.consumed);
            if (!r.tag) continue;
            const auto type = r.tag->header.type;
            if (type == static_cast<std::uint8_t>(flv::TagType::script) && metadata) *metadata = r.tag->data;
            if (type == static_cast<std::uint8_t>(flv::TagType::audio) ||
                type == static_cast<std::uint8_t>(flv::TagType::video)) {
                out.push_back({static_cast<rtmp::MessageType>(type), r.tag->header.timestamp, r.tag->data});
            }
        }
        return out;
    }

    /// Decoded-frame hashes of a media file (video and audio), without the header comments.
    static std::string framemd5(const std::string& path) {
        const std::string out = path + ".framemd5";
        const auto rc = run_process({"ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", path, "-map",
                                     "0", "-f", "framemd5", out},
                                    out + ".log");
        EXPECT_EQ(rc, std::optional<int>(0)) << read_file(out + ".log");
        std::istringstream in(read_file(out));
        std::string lines;
        for (std::string line; std::getline(in, line);) {
            if (!line.empty() && line[0] != '#') lines += line + "\n";
        }
        return lines;
    }

    /// Serves the clip to one playing client (REFERENCE.md §4.5 play sequence).
    /// Returns when the client closes, after everything was sent.
    static void serve_play(CoreServer& server, Clock::time_point deadline) {
        base::Payload metadata;
        const std::vector<Media> media = clip_media(&metadata);
        ASSERT_FALSE(media.empty());
        bool played = false;
        while (auto event = server.next_event(deadline)) {
            const auto* command = std::get_if<rtmp::CommandReceived>(&*event);
            if (command == nullptr) continue;
            auto decoded = rtmp::decode_command(command->message);
            ASSERT_TRUE(decoded) << decoded.error().message();
            const rtmp::Command& c = *decoded;
            if (c.name == "connect") {
                ASSERT_TRUE(rtmp::ConnectCommand::decode(c));
                ASSERT_TRUE(server.answer_connect(c.transaction_id, deadline)) << server.error();
            } else if (c.name == "createStream") {
                ASSERT_TRUE(server.send(rtmp::CreateStreamResult{c.transaction_id, 1}.encode(),
                                        rtmp::csid::net_connection, deadline));
            } else if (c.name == "getStreamLength") {
                ASSERT_TRUE(server.send(rtmp::CallResult::stream_length(c.transaction_id, 2.0).encode(),
                                        rtmp::csid::net_connection, deadline));
            } else if (c.name == "play" && !played) {
                auto play = rtmp::PlayCommand::decode(c);
                ASSERT_TRUE(play);
                EXPECT_EQ(play->stream_name, "test");
                played = true;
                const auto msid = command->message.stream_id;
                ASSERT_TRUE(server.send_control(rtmp::UserControl::stream_begin(msid), deadline));
                ASSERT_TRUE(server.send(
                    rtmp::OnStatus::make(rtmp::Status::play_reset).encode(rtmp::Encoding::amf0, msid),
                    rtmp::csid::net_stream, deadline));
                ASSERT_TRUE(server.send(rtmp::OnStatus::make(rtmp::Status::play_start, {}, "test")
                                            .encode(rtmp::Encoding::amf0, msid),
                                        rtmp::csid::net_stream, deadline));
                ASSERT_TRUE(server.send(
                    rtmp::encode_data_message(rtmp::SampleAccess{}.to_data(), rtmp::Encoding::amf0, msid),
                    rtmp::csid::net_stream, deadline));
                ASSERT_TRUE(server.send(rtmp::Message{rtmp::MessageType::data_amf0, 0, msid, metadata},
                                        rtmp::csid::net_stream, deadline));
                for (const Media& m : media) {
                    const auto csid =
                        m.type == rtmp::MessageType::audio ? rtmp::csid::audio : rtmp::csid::video;
                    ASSERT_TRUE(
                        server.send(rtmp::Message{m.type, m.timestamp, msid, m.payload}, csid, deadline))
                        << server.error();
                }
                ASSERT_TRUE(server.send_control(rtmp::UserControl::stream_eof(msid), deadline));
                ASSERT_TRUE(server.send(
                    rtmp::OnStatus::make(rtmp::Status::play_stop).encode(rtmp::Encoding::amf0, msid),
                    rtmp::csid::net_stream, deadline));
            } else if (c.transaction_id != 0) {
                // Anything else that wants an answer (FCSubscribe, _checkbw...): SRS's `_result`.
                ASSERT_TRUE(server.send(rtmp::CallResult::undefined_result(c.transaction_id).encode(),
                                        rtmp::csid::net_connection, deadline));
            }
        }
        EXPECT_TRUE(played) << "the client never sent play; last error: " << server.error();
    }

    /// What one publishing client sent, answered the way servers do (REFERENCE.md §4.4-§4.5).
    struct Published {
        std::vector<std::string> commands;
        std::vector<Media> media;
        bool metadata_seen = false;
    };

    /// Answers a publisher until it closes the connection; collects its commands and media.
    static void receive_publish(CoreServer& server, Clock::time_point deadline, Published& out) {
        while (auto event = server.next_event(deadline)) {
            if (const auto* command = std::get_if<rtmp::CommandReceived>(&*event)) {
                auto decoded = rtmp::decode_command(command->message);
                ASSERT_TRUE(decoded) << decoded.error().message();
                const rtmp::Command& c = *decoded;
                out.commands.push_back(c.name);
                if (c.name == "connect") {
                    auto connect = rtmp::ConnectCommand::decode(c);
                    ASSERT_TRUE(connect);
                    EXPECT_EQ(connect->app, "live");
                    ASSERT_TRUE(server.answer_connect(c.transaction_id, deadline)) << server.error();
                } else if (c.name == "createStream") {
                    ASSERT_TRUE(server.send(rtmp::CreateStreamResult{c.transaction_id, 1}.encode(),
                                            rtmp::csid::net_connection, deadline));
                } else if (c.name == "publish") {
                    auto publish = rtmp::PublishCommand::decode(c);
                    ASSERT_TRUE(publish);
                    EXPECT_EQ(publish->stream_name, "test");
                    EXPECT_EQ(publish->mode, rtmp::PublishMode::live);
                    const auto msid = command->message.stream_id;
                    ASSERT_TRUE(server.send_control(rtmp::UserControl::stream_begin(msid), deadline));
                    ASSERT_TRUE(server.send(
                        rtmp::OnStatus::make(rtmp::Status::publish_start).encode(rtmp::Encoding::amf0, msid),
                        rtmp::csid::net_stream, deadline));
                } else if (c.name == "deleteStream") {
                    // No response (spec 7.2.2.3); FFmpeg closes right after sending it.
                } else if (c.name == "FCUnpublish") {
                    // Answered, but the client may already be gone: a failed write is fine here.
                    (void)server.send(rtmp::CallResult::undefined_result(c.transaction_id).encode(),
                                      rtmp::csid::net_connection, deadline);
                } else if (c.transaction_id != 0) {
                    ASSERT_TRUE(server.send(rtmp::CallResult::undefined_result(c.transaction_id).encode(),
                                            rtmp::csid::net_connection, deadline))
                        << c.name << ": " << server.error();
                }
            } else if (const auto* data = std::get_if<rtmp::DataReceived>(&*event)) {
                auto decoded = rtmp::decode_data_message(data->message);
                ASSERT_TRUE(decoded) << decoded.error().message();
                auto meta = rtmp::MetaData::decode(*decoded);
                ASSERT_TRUE(meta) << "the publisher's data message is not @setDataFrame/onMetaData";
                out.metadata_seen = true;
            } else if (const auto* audio = std::get_if<rtmp::AudioReceived>(&*event)) {
                out.media.push_back({audio->message.type, audio->message.timestamp, audio->message.payload});
            } else if (const auto* video = std::get_if<rtmp::VideoReceived>(&*event)) {
                out.media.push_back({video->message.type, video->message.timestamp, video->message.payload});
            } else if (const auto* violation = std::get_if<rtmp::ProtocolViolation>(&*event)) {
                FAIL() << "protocol violation: " << violation->detail;
            }
        }
    }

    /// Writes media messages as an FLV file with our FileWriter (for decoding by ffmpeg).
    static void write_flv(const std::string& path, const std::vector<Media>& media) {
        flv::FileWriter writer;
        base::ByteWriter out;
        const auto header = writer.header(flv::FileHeader{});
        out.bytes(header);
        for (const Media& m : media) {
            ASSERT_FALSE(writer.write_tag(out, static_cast<std::uint8_t>(m.type), m.timestamp, m.payload));
        }
        std::ofstream file(path, std::ios::binary);
        file.write(reinterpret_cast<const char*>(out.data().data()),
                   static_cast<std::streamsize>(out.size()));
    }

    static inline std::string dir_;
    static inline std::string clip_;
};

TEST_F(CoreInterop, FfmpegPublishesAndEveryMediaMessageArrivesIntact) {
    const auto deadline = Clock::now() + 60s;
    CoreServer server;
    ASSERT_NE(server.port(), 0) << server.error();
    const std::string url = "rtmp://127.0.0.1:" + std::to_string(server.port()) + "/live/test";
    Process ffmpeg(
        {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-i", clip_, "-c", "copy", "-f", "flv", url},
        dir_ + "/publish.log");
    ASSERT_TRUE(server.accept_and_handshake(deadline)) << server.error() << "\n"
                                                       << read_file(dir_ + "/publish.log");
    // FFmpeg signs C1 (REFERENCE.md §9.4): we must have found its digest.
    EXPECT_EQ(server.handshake().kind(), rtmp::HandshakeKind::digest);
    EXPECT_TRUE(server.handshake().peer_digest_verified());

    Published published;
    receive_publish(server, deadline, published);
    EXPECT_EQ(ffmpeg.wait(deadline), std::optional<int>(0)) << read_file(dir_ + "/publish.log");
    const std::vector<std::string> expected_start = {"connect", "releaseStream", "FCPublish", "createStream",
                                                     "publish"};
    ASSERT_GE(published.commands.size(), expected_start.size());
    EXPECT_EQ(std::vector<std::string>(published.commands.begin(), published.commands.begin() + 5),
              expected_start);
    EXPECT_TRUE(published.metadata_seen);

    const std::vector<Media> source = clip_media(nullptr);
    ASSERT_EQ(published.media.size(), source.size());
    for (std::size_t i = 0; i < source.size(); ++i) {
        ASSERT_EQ(published.media[i], source[i]) << "message " << i << " differs from the source tag";
    }
}

TEST_F(CoreInterop, GstreamerRtmpsinkPublishesThroughLibrtmpAsObsDoes) {
    // OBS publishes through librtmp with FMLE's commands; GStreamer's rtmpsink
    // (librtmp) is its closest stand-in. GStreamer remuxes the clip, so the
    // check is on decoded frames: what arrived, written out with our
    // FileWriter, must decode to the source's frames.
    const auto deadline = Clock::now() + 60s;
    CoreServer server;
    const std::string url = "rtmp://127.0.0.1:" + std::to_string(server.port()) + "/live/test live=1";
    Process gst(gst_publish_command("-q", clip_, "rtmpsink", url), dir_ + "/gst.log");
    ASSERT_TRUE(server.accept_and_handshake(deadline)) << server.error() << "\n"
                                                       << read_file(dir_ + "/gst.log");
    // Plain librtmp (and OBS's fork) send a simple C1 (REFERENCE.md §9.4).
    EXPECT_EQ(server.handshake().kind(), rtmp::HandshakeKind::simple);

    Published published;
    receive_publish(server, deadline, published);
    EXPECT_EQ(gst.wait(deadline), std::optional<int>(0)) << read_file(dir_ + "/gst.log");
    ASSERT_GE(published.commands.size(), 4u);
    EXPECT_EQ(published.commands[0], "connect");
    EXPECT_NE(std::find(published.commands.begin(), published.commands.end(), "publish"),
              published.commands.end());
    ASSERT_FALSE(published.media.empty());

    const std::string received = dir_ + "/gst_received.flv";
    write_flv(received, published.media);
    const std::string expected = framemd5(clip_);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(framemd5(received), expected);
}

TEST_F(CoreInterop, FfmpegPlaysAndDecodesTheSameFrames) {
    const auto deadline = Clock::now() + 60s;
    CoreServer server;
    const std::string url = "rtmp://127.0.0.1:" + std::to_string(server.port()) + "/live/test";
    const std::string out = dir_ + "/ffmpeg_played.flv";
    Process ffmpeg(
        {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-y", "-i", url, "-c", "copy", "-f", "flv", out},
        dir_ + "/ffmpeg_play.log");
    ASSERT_TRUE(server.accept_and_handshake(deadline)) << server.error();
    // FFmpeg's player signs C1 and checks our S1 digest: a digest handshake both ways.
    EXPECT_EQ(server.handshake().kind(), rtmp::HandshakeKind::digest);
    serve_play(server, deadline);
    server.close();
    ASSERT_EQ(ffmpeg.wait(deadline), std::optional<int>(0)) << read_file(dir_ + "/ffmpeg_play.log");
    const std::string expected = framemd5(clip_);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(framemd5(out), expected);
}

TEST_F(CoreInterop, RtmpdumpPlaysAndDecodesTheSameFrames) {
    const auto deadline = Clock::now() + 60s;
    CoreServer server;
    const std::string url = "rtmp://127.0.0.1:" + std::to_string(server.port()) + "/live/test";
    const std::string out = dir_ + "/rtmpdump_played.flv";
    Process rtmpdump({"rtmpdump", "-q", "-r", url, "--live", "-o", out}, dir_ + "/rtmpdump.log");
    ASSERT_TRUE(server.accept_and_handshake(deadline)) << server.error();
    // Plain librtmp sends a simple C1 (REFERENCE.md §9.4).
    EXPECT_EQ(server.handshake().kind(), rtmp::HandshakeKind::simple);
    serve_play(server, deadline);
    server.close();
    // rtmpdump exits 0 on a complete download and 2 when it was cut short
    // (a live stream that ends counts as incomplete); the frames decide.
    const int rc = rtmpdump.wait(deadline).value_or(-1);
    EXPECT_TRUE(rc == 0 || rc == 2) << "rtmpdump exit " << rc << "\n" << read_file(dir_ + "/rtmpdump.log");
    const std::string expected = framemd5(clip_);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(framemd5(out), expected);
}

}  // namespace
}  // namespace sluice::test
