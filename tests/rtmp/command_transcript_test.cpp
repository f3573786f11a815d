// Golden transcripts (tests/fixtures/rtmp/commands/*.txt, written by
// tools/gen_corpus_command_fuzz.py with an independent Python AMF0 encoder):
// realistic FFmpeg publish/play and OBS publish sequences (REFERENCE.md
// §4.4/§4.5). Each message is decoded, compared with the expected debug
// string, decoded again by the typed decoder its name selects (which must
// accept it), and re-encoded byte-exact from the generic form.
//
// Fixture lines: "<dir> <type> <msid> <hex...>" with dir '>' (client to
// server) or '<', followed by "= <debug string>"; '#' lines are prose.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/hex.hpp"
#include "rtmp/data_message.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"

namespace sluice::rtmp {
namespace {

struct Entry {
    int line = 0;
    Message message;
    std::string expected;
};

std::vector<Entry> load(const std::string& name) {
    std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/rtmp/commands/" + name);
    EXPECT_TRUE(in.good()) << name;
    std::vector<Entry> out;
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '=') {
            EXPECT_FALSE(out.empty());
            if (!out.empty()) out.back().expected = line.substr(2);
            continue;
        }
        std::istringstream fields(line);
        std::string dir;
        int type = 0;
        MessageStreamId msid = 0;
        fields >> dir >> type >> msid;
        std::string hex_text;
        std::getline(fields, hex_text);
        auto bytes = base::from_hex(hex_text);
        EXPECT_TRUE(bytes.has_value()) << name << ":" << n;
        Entry e;
        e.line = n;
        e.message.type = static_cast<MessageType>(type);
        e.message.stream_id = msid;
        e.message.payload = base::Payload::copy_of(bytes ? base::Bytes(*bytes) : base::Bytes{});
        out.push_back(std::move(e));
    }
    return out;
}

// The typed decoder the server or client would pick for this name.
std::error_code typed_decode(const Command& c, std::string* why) {
    const std::string& n = c.name;
    auto ec = [](const auto& r) { return r ? std::error_code{} : r.error(); };
    if (n == "connect") return ec(ConnectCommand::decode(c, why));
    if (n == "createStream") return ec(CreateStreamCommand::decode(c, why));
    if (n == "_checkbw") return ec(CheckBandwidthCommand::decode(c, why));
    if (n == "releaseStream") return ec(ReleaseStreamCommand::decode(c, why));
    if (n == "FCPublish") return ec(FcPublishCommand::decode(c, why));
    if (n == "FCUnpublish") return ec(FcUnpublishCommand::decode(c, why));
    if (n == "FCSubscribe") return ec(FcSubscribeCommand::decode(c, why));
    if (n == "getStreamLength") return ec(GetStreamLengthCommand::decode(c, why));
    if (n == "publish") return ec(PublishCommand::decode(c, why));
    if (n == "play") return ec(PlayCommand::decode(c, why));
    if (n == "pause") return ec(PauseCommand::decode(c, why));
    if (n == "seek") return ec(SeekCommand::decode(c, why));
    if (n == "deleteStream") return ec(DeleteStreamCommand::decode(c, why));
    if (n == "onStatus") return ec(OnStatus::decode(c, why));
    if (n == "onBWDone") return ec(OnBwDone::decode(c, why));
    if (n == "onFCPublish") return ec(OnFcStatus::decode(c, why));
    if (n == "_result" && c.transaction_id == 1) return ec(ConnectResult::decode(c, why));
    if (n == "_result" || n == "_error") return ec(CallResult::decode(c, why));
    *why = "no typed decoder for " + n;
    return std::make_error_code(std::errc::invalid_argument);
}

std::error_code typed_decode(const DataMessage& d, std::string* why) {
    auto ec = [](const auto& r) { return r ? std::error_code{} : r.error(); };
    if (d.handler == "@setDataFrame" || d.handler == "onMetaData") return ec(MetaData::decode(d, why));
    if (d.handler == "|RtmpSampleAccess") return ec(SampleAccess::decode(d, why));
    if (d.handler == "onPlayStatus") return ec(OnPlayStatus::decode(d, why));
    *why = "no typed decoder for " + d.handler;
    return std::make_error_code(std::errc::invalid_argument);
}

void check_transcript(const std::string& name, std::size_t expected_count) {
    const auto entries = load(name);
    ASSERT_EQ(entries.size(), expected_count) << name;
    for (const auto& e : entries) {
        SCOPED_TRACE(name + ":" + std::to_string(e.line));
        std::string why;
        if (is_command(e.message.type)) {
            auto c = decode_command(e.message);
            ASSERT_TRUE(c) << c.error().message();
            EXPECT_EQ(debug_string(*c), e.expected);
            EXPECT_FALSE(typed_decode(*c, &why)) << why;
            EXPECT_EQ(encode_command(*c, Encoding::amf0, e.message.stream_id), e.message);
        } else {
            auto d = decode_data_message(e.message);
            ASSERT_TRUE(d) << d.error().message();
            EXPECT_EQ(debug_string(*d), e.expected);
            EXPECT_FALSE(typed_decode(*d, &why)) << why;
            EXPECT_EQ(encode_data_message(*d, Encoding::amf0, e.message.stream_id), e.message);
        }
    }
}

TEST(CommandTranscript, FfmpegPublish) {
    check_transcript("ffmpeg_publish.txt", 15);
}
TEST(CommandTranscript, FfmpegPlay) {
    check_transcript("ffmpeg_play.txt", 18);
}
TEST(CommandTranscript, ObsPublish) {
    check_transcript("obs_publish.txt", 13);
}

TEST(CommandTranscript, FfmpegPlayStartIsKeptTimesThousand) {
    for (const auto& e : load("ffmpeg_play.txt")) {
        auto c = decode_command(e.message);
        if (!c || c->name != "play") continue;
        auto p = PlayCommand::decode(*c);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->start, -2000);
        EXPECT_EQ(p->transaction_id, 5);
        return;
    }
    FAIL() << "no play command in the transcript";
}

}  // namespace
}  // namespace sluice::rtmp
