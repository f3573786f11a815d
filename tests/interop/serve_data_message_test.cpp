// Data messages on streams (NetStream.send: onTextData, onCuePoint, custom
// handlers): what a publisher sends reaches the players in order with the
// media, is recorded into the FLV, and is played back from it.
//
// The publisher is our client (`sluice publish --mode record`) sending an
// FFmpeg-made clip with an onTextData tag at 1000 ms and an onCuePoint tag
// at 2000 ms inserted. The players:
//  - `sluice play` and GStreamer's rtmp2src (which writes the FLV as it
//    arrives) get both data messages, byte-exact, at their timestamps and
//    between the same media tags as in the source;
//  - FFmpeg turns both into packets of its text stream, which its FLV muxer
//    writes back as onTextData at 1000 and 2000 ms;
//  - rtmpdump (librtmp) gets onMetaData: librtmp itself keeps no other data
//    message (its RTMP_ClientPacket drops them), so that is all it can show.
// The recording holds both tags, and playing it back (start = 0) gives
// them again.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "amf/reader0.hpp"
#include "amf/writer0.hpp"
#include "flv/file_reader.hpp"
#include "flv/file_writer.hpp"
#include "interop/serve_players.hpp"
#include "interop/serve_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

/// One script tag of a file: its timestamp, handler and body, and how many
/// audio/video tags came before it.
struct ScriptTag {
    base::Timestamp timestamp = 0;
    std::string handler;
    std::vector<std::uint8_t> body;
    std::size_t media_before = 0;
};

std::vector<std::uint8_t> amf0_string(std::string_view s) {
    base::ByteWriter w;
    amf::Writer0(w).write_string(s);
    return w.take();
}

/// handler + one AMF0 object {key: "value" ...}.
std::vector<std::uint8_t> data_body(std::string_view handler,
                                    const std::vector<std::pair<std::string, std::string>>& properties) {
    amf::Object object;
    for (const auto& [key, value] : properties) object.properties.push_back({key, amf::Value(value)});
    base::ByteWriter w;
    amf::Writer0 writer(w);
    writer.write_string(handler);
    writer.write(amf::Value(std::move(object)));
    return w.take();
}

std::vector<ScriptTag> script_tags(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
    flv::FileReader reader;
    std::vector<ScriptTag> out;
    std::size_t media = 0;
    base::Bytes rest(bytes);
    while (!rest.empty()) {
        const auto r = reader.read(rest);
        if (r.error) {
            error = path + ": " + r.error.message();
            return out;
        }
        rest = rest.subspan(r.consumed);
        if (!r.tag) {
            if (r.consumed == 0) break;
            continue;
        }
        const std::uint8_t type = r.tag->header.type;
        if (type == 8 || type == 9) {
            ++media;
        } else if (type == 18) {
            ScriptTag tag;
            tag.timestamp = r.tag->header.timestamp;
            tag.body.assign(r.tag->data.bytes().begin(), r.tag->data.bytes().end());
            amf::Reader0 reader0(r.tag->data.bytes());
            if (auto handler = reader0.read(); handler && handler->string()) tag.handler = *handler->string();
            tag.media_before = media;
            out.push_back(std::move(tag));
        }
    }
    return out;
}

const ScriptTag* find_tag(const std::vector<ScriptTag>& tags, std::string_view handler, base::Timestamp at) {
    for (const auto& t : tags) {
        if (t.handler == handler && t.timestamp == at) return &t;
    }
    return nullptr;
}

class ServeDataMessages : public ServeTest {
protected:
    void SetUp() override {
        start_server({"--recordings", dir_.file("rec")});
        std::string error;
        clip_ = make_clip(dir_.file("clip.flv"), 3, error);
        ASSERT_TRUE(error.empty()) << error;
        write_source();
    }

    /// The clip with onTextData at 1000 ms and onCuePoint at 2000 ms, each
    /// before the first media tag at or after its time.
    void write_source() {
        text_ = data_body("onTextData", {{"type", "Text"}, {"text", "hello"}});
        cue_ = data_body("onCuePoint", {{"name", "cue1"}, {"type", "event"}});
        flv::FileWriter writer;
        base::ByteWriter out;
        flv::FileHeader header;
        header.has_audio = header.has_video = true;
        const auto head = writer.header(header);
        out.bytes(head);
        ASSERT_FALSE(writer.write_tag(out, 18, 0, clip_.metadata.bytes()));
        std::vector<std::pair<base::Timestamp, const std::vector<std::uint8_t>*>> inserts{{1000, &text_},
                                                                                          {2000, &cue_}};
        std::size_t next = 0;
        for (std::size_t i = 0; i < clip_.media.size(); ++i) {
            const ClipTag& tag = clip_.media[i];
            while (next < inserts.size() && tag.timestamp >= inserts[next].first) {
                ASSERT_FALSE(writer.write_tag(out, 18, inserts[next].first, *inserts[next].second));
                (next == 0 ? text_before_ : cue_before_) = i;
                ++next;
            }
            ASSERT_FALSE(writer.write_tag(out, static_cast<std::uint8_t>(tag.type), tag.timestamp,
                                          tag.payload.bytes()));
        }
        ASSERT_EQ(next, inserts.size()) << "the clip is shorter than 2 s";
        source_ = dir_.file("source.flv");
        std::ofstream(source_, std::ios::binary)
            .write(reinterpret_cast<const char*>(out.data().data()),
                   static_cast<std::streamsize>(out.size()));
    }

    /// Both tags present, byte-exact, at their times; `exact_position`: with
    /// as many media tags before each as in the source.
    void expect_both(const std::string& path, bool exact_position) {
        std::string error;
        const auto tags = script_tags(path, error);
        ASSERT_TRUE(error.empty()) << error;
        const ScriptTag* text = find_tag(tags, "onTextData", 1000);
        const ScriptTag* cue = find_tag(tags, "onCuePoint", 2000);
        ASSERT_NE(text, nullptr) << path << " has no onTextData at 1000 ms";
        ASSERT_NE(cue, nullptr) << path << " has no onCuePoint at 2000 ms";
        EXPECT_EQ(text->body, text_);
        EXPECT_EQ(cue->body, cue_);
        EXPECT_LT(text->media_before, cue->media_before);
        if (exact_position) {
            EXPECT_EQ(text->media_before, text_before_) << path;
            EXPECT_EQ(cue->media_before, cue_before_) << path;
        }
    }

    void publish(const std::string& name) {
        ASSERT_EQ(
            run_process({serve_binary(), "publish", source_, server_->url("live", name), "--mode", "record"},
                        dir_.file("publish.log"), 30s),
            std::optional<int>(0))
            << read_file(dir_.file("publish.log"));
    }

    Clip clip_;
    std::string source_;
    std::vector<std::uint8_t> text_;
    std::vector<std::uint8_t> cue_;
    std::size_t text_before_ = 0;
    std::size_t cue_before_ = 0;
};

TEST_F(ServeDataMessages, ReachLivePlayersInOrderWithTheMedia) {
    Process ours(
        {serve_binary(), "play", server_->url("live", "d"), "-o", dir_.file("ours.flv"), "--timeout", "30"},
        dir_.file("ours.log"));
    Player gst = start_player(PlayerKind::rtmp2src, server_->url("live", "d"), dir_, "d");
    Player dump = start_player(PlayerKind::rtmpdump, server_->url("live", "d"), dir_, "d");
    const std::string ff_out = dir_.file("ff.flv");
    Process ff({"ffmpeg", "-hide_banner", "-loglevel", "warning", "-y", "-i", server_->url("live", "d"),
                "-map", "0", "-c", "copy", "-f", "flv", ff_out},
               dir_.file("ff.log"));
    std::this_thread::sleep_for(1500ms);  // players waiting before the publish starts
    publish("d");

    ASSERT_EQ(ours.wait(Clock::now() + 15s), std::optional<int>(0)) << read_file(dir_.file("ours.log"));
    expect_both(dir_.file("ours.flv"), true);
    EXPECT_TRUE(finish_player(gst, Clock::now() + 15s).empty()) << read_file(gst.log);
    expect_both(gst.out, true);
    EXPECT_TRUE(finish_player(dump, Clock::now() + 15s).empty()) << read_file(dump.log);
    EXPECT_EQ(ff.wait(Clock::now() + 15s), std::optional<int>(0)) << read_file(dir_.file("ff.log"));

    // FFmpeg: both became packets of its text stream, written back as onTextData.
    std::string error;
    const auto ff_tags = script_tags(ff_out, error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_NE(find_tag(ff_tags, "onTextData", 1000), nullptr);
    EXPECT_NE(find_tag(ff_tags, "onTextData", 2000), nullptr);
    // rtmpdump: onMetaData only (see the header comment).
    const auto dump_tags = script_tags(dump.out, error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_FALSE(dump_tags.empty());
    EXPECT_EQ(dump_tags.front().handler, "onMetaData");

    // The recording holds both, in place, and plays them back.
    expect_both(dir_.file("rec") + "/live/d.flv", true);
    ASSERT_EQ(run_process({serve_binary(), "play", server_->url("live", "d"), "--start", "0", "-o",
                           dir_.file("vod.flv"), "--timeout", "30"},
                          dir_.file("vod.log"), 30s),
              std::optional<int>(0))
        << read_file(dir_.file("vod.log"));
    expect_both(dir_.file("vod.flv"), true);
}

TEST_F(ServeDataMessages, ClearDataFrameDropsTheMetadataForLaterPlayers) {
    // A source whose metadata is cleared right after it is set.
    const std::string cleared = dir_.file("cleared.flv");
    {
        std::ifstream in(source_, std::ios::binary);
        std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
        flv::FileWriter writer;
        base::ByteWriter out;
        // Header + onMetaData tag are the first 13 + 11 + size + 4 bytes.
        const std::size_t meta_end = 13 + 11 + clip_.metadata.size() + 4;
        out.bytes(base::Bytes(bytes).first(meta_end));
        ASSERT_FALSE(writer.write_tag(out, 18, 0, amf0_string("@clearDataFrame")));
        out.bytes(base::Bytes(bytes).subspan(meta_end));
        std::ofstream(cleared, std::ios::binary)
            .write(reinterpret_cast<const char*>(out.data().data()),
                   static_cast<std::streamsize>(out.size()));
    }
    // `sluice publish` sends a file's onMetaData as @setDataFrame and other
    // script tags as they are: here, @clearDataFrame after it. Paced, so a
    // player can join while the stream runs.
    Process publisher({serve_binary(), "publish", cleared, server_->url("live", "c")}, dir_.file("pub.log"));
    std::this_thread::sleep_for(1000ms);
    ASSERT_EQ(run_process({serve_binary(), "play", server_->url("live", "c"), "-o", dir_.file("late.flv"),
                           "--duration", "1", "--timeout", "20"},
                          dir_.file("late.log"), 30s),
              std::optional<int>(0))
        << read_file(dir_.file("late.log"));
    EXPECT_EQ(publisher.wait(Clock::now() + 15s), std::optional<int>(0)) << read_file(dir_.file("pub.log"));
    std::string error;
    const auto tags = script_tags(dir_.file("late.flv"), error);
    ASSERT_TRUE(error.empty()) << error;
    for (const auto& t : tags) EXPECT_NE(t.handler, "onMetaData") << "a late player still got the metadata";
}

}  // namespace
}  // namespace sluice::test
