// server::VodFile and its helpers (parse_vod_name, media_file_path,
// vod_status) against small files written here into a temporary folder: an
// FLV made with flv::FileWriter, an MP4 assembled box by box and an MP3 of
// hand-made frames, so that no test needs ffmpeg.
#include "server/vod_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "demux/errors.hpp"
#include "flv/file_writer.hpp"
#include "flv/metadata.hpp"
#include "support/hex_literal.hpp"

namespace sluice::server {
namespace {

namespace fs = std::filesystem;
using rtmp::MessageType;
using test::cat;
using test::hex;

// ---- files on disk ----

// A fresh directory under the test temp dir, removed afterwards.
class VodFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "/vod_file_XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, base::Bytes bytes) const {
        const std::string path = (dir_ / name).string();
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        return path;
    }

    std::unique_ptr<VodFile> open(const std::string& name, base::Bytes bytes, VodContainer container) {
        auto file = VodFile::open(write(name, bytes), container);
        EXPECT_TRUE(file) << file.error().message();
        return file ? std::move(*file) : nullptr;
    }

    fs::path dir_;
};

bool same(const base::Payload& payload, const base::ByteVector& bytes) {
    return std::ranges::equal(payload.bytes(), bytes);
}

flv::Metadata decoded_metadata(const rtmp::Message& m) {
    EXPECT_EQ(m.type, MessageType::data_amf0);
    auto decoded = flv::decode_metadata(m.payload.bytes());
    EXPECT_TRUE(decoded) << decoded.error().message();
    return decoded ? std::move(*decoded) : flv::Metadata{};
}

// ---- FLV ----

/// One media tag of the test FLV and whether VodFile must hand it out
/// (after start_messages(): sequence headers equal to the sent one are not).
struct FlvTag {
    MessageType type;
    base::Timestamp timestamp;
    base::ByteVector data;
    bool replayed;
};

class FlvFile {
public:
    FlvFile() {
        flv::FileHeader h;
        h.has_audio = true;
        h.has_video = true;
        out_.bytes(writer_.header(h));
    }
    void script(base::Timestamp ts, const base::ByteVector& data) {
        EXPECT_FALSE(writer_.write_tag(out_, 18, ts, data));
    }
    void media(MessageType type, base::Timestamp ts, base::ByteVector data, bool replayed = true) {
        EXPECT_FALSE(writer_.write_tag(out_, static_cast<std::uint8_t>(type), ts, data));
        tags.push_back({type, ts, std::move(data), replayed});
    }
    const base::ByteVector& bytes() const { return out_.data(); }

    std::vector<FlvTag> tags;

private:
    flv::FileWriter writer_;
    base::ByteWriter out_;
};

/// A legacy AVC sequence header; `profile` makes two of them differ.
base::ByteVector avc_header(std::uint8_t profile) {
    return cat(hex("17 00 00 00 00 01"), base::ByteVector{profile}, hex("00 1E FF E0 00"));
}
base::ByteVector avc_frame(bool key, std::uint8_t number) {
    return cat(hex(key ? "17 01 00 00 00" : "27 01 00 00 00"), base::ByteVector(key ? 200 : 50, number));
}
const base::ByteVector aac_header = hex("AF 00 12 10");
base::ByteVector aac_frame(std::uint8_t number) {
    return cat(hex("AF 01"), base::ByteVector(20, number));
}

constexpr std::int64_t clip_duration_ms = 29 * 40 + 20;

/// onMetaData claiming a wrong duration (99 s) and a width, the AVC and AAC
/// sequence headers at 0, then 30 video frames every 40 ms (a key frame every
/// 10: 0, 400, 800), each followed by an audio frame 20 ms later. Before the
/// key frame at 400 the AVC header is repeated unchanged (not replayed);
/// before the one at 800 a changed AVC header appears (replayed).
FlvFile flv_clip() {
    FlvFile f;
    flv::Metadata m;
    m.properties.set("duration", 99.0);
    m.properties.set("width", 320.0);
    f.script(0, flv::encode_metadata(m));
    f.media(MessageType::video, 0, avc_header(0x42), false);
    f.media(MessageType::audio, 0, aac_header, false);
    for (std::uint8_t i = 0; i < 30; ++i) {
        const base::Timestamp ts = 40u * i;
        if (i == 10) f.media(MessageType::video, ts, avc_header(0x42), false);
        if (i == 20) f.media(MessageType::video, ts, avc_header(0x4D));
        f.media(MessageType::video, ts, avc_frame(i % 10 == 0, i));
        f.media(MessageType::audio, ts + 20, aac_frame(i));
    }
    return f;
}

// ---- MP4 ----

base::ByteVector box(std::string_view type, const base::ByteVector& body) {
    base::ByteWriter w;
    w.u32be(static_cast<std::uint32_t>(body.size() + 8));
    w.chars(type);
    w.bytes(body);
    return w.take();
}

/// A full box: version 0, flags 0, then `body`.
base::ByteVector full_box(std::string_view type, const base::ByteVector& body) {
    return box(type, cat(hex("00 00 00 00"), body));
}

base::ByteVector u32s(std::initializer_list<std::uint32_t> values) {
    base::ByteWriter w;
    for (std::uint32_t v : values) w.u32be(v);
    return w.take();
}

struct Mp4Sample {
    bool video;
    base::Timestamp timestamp;
    bool key;
    base::ByteVector data;
    std::uint32_t offset = 0;
};

const base::ByteVector avcc = hex("01 64 00 1E FF E0 00");  // no parameter sets: the entry gives the size

/// An MP4 made by mp4_clip() and the samples in it.
struct Mp4File {
    std::vector<Mp4Sample> samples;  ///< in file (and decode) order
    base::ByteVector bytes;
};

base::ByteVector track(bool video, const std::vector<Mp4Sample>& all, std::uint32_t video_cts) {
    std::vector<const Mp4Sample*> mine;
    for (const Mp4Sample& s : all) {
        if (s.video == video) mine.push_back(&s);
    }
    const auto n = static_cast<std::uint32_t>(mine.size());
    base::ByteWriter sizes;
    base::ByteWriter offsets;
    base::ByteWriter keys;
    std::uint32_t key_count = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        sizes.u32be(static_cast<std::uint32_t>(mine[i]->data.size()));
        offsets.u32be(mine[i]->offset);
        if (mine[i]->key) {
            keys.u32be(i + 1);
            ++key_count;
        }
    }
    base::ByteVector entry;
    if (video) {
        base::ByteWriter w;
        w.bytes(base::ByteVector(6, 0));
        w.u16be(1);  // data_reference_index
        w.bytes(base::ByteVector(16, 0));
        w.u16be(64);
        w.u16be(48);
        w.bytes(u32s({0x00480000, 0x00480000, 0}));
        w.u16be(1);  // frame_count
        w.bytes(base::ByteVector(32, 0));
        w.u16be(0x18);
        w.i16be(-1);
        w.bytes(box("avcC", avcc));
        entry = box("avc1", w.take());
    } else {
        base::ByteWriter w;
        w.bytes(base::ByteVector(6, 0));
        w.u16be(1);
        w.u16be(0);  // version
        w.bytes(base::ByteVector(6, 0));
        w.u16be(2);   // channels
        w.u16be(16);  // sample size
        w.bytes(base::ByteVector(4, 0));
        w.u32be(44100u << 16);
        // ES_Descriptor(ES_ID 1) > DecoderConfigDescriptor(AAC, audio stream) > AudioSpecificConfig 12 10.
        const auto esds = full_box("esds", hex("03 19 00 01 00 04 11 40 15 00 00 00 00 00 00 00 00 00 00 00 "
                                               "05 02 12 10 06 01 02"));
        w.bytes(esds);
        entry = box("mp4a", w.take());
    }
    const std::uint32_t delta = video ? 40 : 20;
    base::ByteVector stbl =
        cat(full_box("stsd", cat(u32s({1}), entry)), full_box("stts", u32s({1, n, delta})),
            full_box("stsc", u32s({1, 1, 1, 1})), full_box("stsz", cat(u32s({0, n}), sizes.data())),
            full_box("stco", cat(u32s({n}), offsets.data())));
    if (video) {
        stbl = cat(stbl, full_box("stss", cat(u32s({key_count}), keys.data())));
        if (video_cts != 0) stbl = cat(stbl, full_box("ctts", u32s({1, n, video_cts})));
    }
    base::ByteWriter tkhd;
    tkhd.bytes(u32s({0, 0, video ? 1u : 2u}));
    tkhd.bytes(base::ByteVector(84 - 16, 0));
    const auto mdhd = full_box("mdhd", cat(u32s({0, 0, 1000, n * delta}), hex("55 C4 00 00")));
    const auto hdlr =
        full_box("hdlr", cat(u32s({0}), test::ascii(video ? "vide" : "soun"), u32s({0, 0, 0}), hex("00")));
    return box("trak", cat(full_box("tkhd", tkhd.data()),
                           box("mdia", cat(mdhd, hdlr, box("minf", box("stbl", stbl))))));
}

/// ftyp | mdat | moov with an H.264 track (64x48, 10 frames every 40 ms,
/// key frames at 0 and 200, composition offset `video_cts` ms on every frame)
/// and an AAC track (44.1 kHz stereo, 20 frames every 20 ms), both on a
/// 1000 Hz timescale, one sample per chunk, interleaved in time order.
Mp4File mp4_clip(std::uint32_t video_cts = 0) {
    Mp4File f;
    const auto ftyp = box("ftyp", cat(test::ascii("isom"), u32s({0x200}), test::ascii("isom")));
    std::uint32_t offset = static_cast<std::uint32_t>(ftyp.size()) + 8;
    base::ByteVector media;
    const auto add = [&](bool video, base::Timestamp ts, bool key, base::ByteVector data) {
        f.samples.push_back({video, ts, key, data, offset});
        offset += static_cast<std::uint32_t>(data.size());
        media.insert(media.end(), data.begin(), data.end());
    };
    for (std::uint8_t i = 0; i < 10; ++i) {
        const bool key = i % 5 == 0;
        add(true, 40u * i, key, base::ByteVector(key ? 30 : 12, static_cast<std::uint8_t>(0x10 + i)));
        add(false, 40u * i, true, base::ByteVector(8, static_cast<std::uint8_t>(0x80 + 2 * i)));
        add(false, 40u * i + 20, true, base::ByteVector(8, static_cast<std::uint8_t>(0x81 + 2 * i)));
    }
    base::ByteWriter mvhd;
    mvhd.bytes(u32s({0, 0, 1000, 400}));
    mvhd.bytes(base::ByteVector(80, 0));
    const auto moov = box("moov", cat(full_box("mvhd", mvhd.data()), track(true, f.samples, video_cts),
                                      track(false, f.samples, video_cts)));
    f.bytes = cat(ftyp, box("mdat", media), moov);
    return f;
}

/// The FLV tag body Mp4Reader makes of `s` (legacy AVC / AAC headers).
base::ByteVector mp4_tag(const Mp4Sample& s, std::int32_t cts) {
    if (!s.video) return cat(hex("AF 01"), s.data);
    base::ByteWriter w;
    w.u8(s.key ? 0x17 : 0x27);
    w.u8(1);
    w.i24be(cts);
    w.bytes(s.data);
    return cat(w.data());
}

// ---- MP3 ----

/// `count` MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz, joint stereo (417
/// bytes each, header FF FB 90 40), the frame number in byte 4.
base::ByteVector mp3_frames(std::size_t count) {
    base::ByteVector out;
    for (std::size_t i = 0; i < count; ++i) {
        base::ByteVector f(417, 0x55);
        f[0] = 0xFF, f[1] = 0xFB, f[2] = 0x90, f[3] = 0x40;
        f[4] = static_cast<std::uint8_t>(i);
        out.insert(out.end(), f.begin(), f.end());
    }
    return out;
}

// ---- parse_vod_name ----

void expect_name(std::string_view name, VodContainer container, const std::string& file) {
    const auto parsed = parse_vod_name(name);
    ASSERT_TRUE(parsed) << name;
    EXPECT_EQ(parsed->container, container) << name;
    EXPECT_EQ(parsed->file, file) << name;
}

TEST(VodName, FlvIsTheDefaultWithOrWithoutPrefixAndExtension) {
    expect_name("clip", VodContainer::flv, "clip.flv");
    expect_name("clip.flv", VodContainer::flv, "clip.flv");
    expect_name("flv:clip", VodContainer::flv, "clip.flv");
    expect_name("flv:clip.flv", VodContainer::flv, "clip.flv");
    // Another extension is part of the name of an FLV file.
    expect_name("clip.mp4", VodContainer::flv, "clip.mp4.flv");
}

TEST(VodName, Mp4PrefixKeepsItsExtensionsElseAddsMp4) {
    expect_name("mp4:clip.mp4", VodContainer::mp4, "clip.mp4");
    expect_name("mp4:clip", VodContainer::mp4, "clip.mp4");
    for (const char* ext : {".f4v", ".m4v", ".m4a", ".mov", ".3gp"}) {
        expect_name(std::string("mp4:clip") + ext, VodContainer::mp4, std::string("clip") + ext);
    }
    expect_name("mp4:clip.flv", VodContainer::mp4, "clip.flv.mp4");
}

TEST(VodName, Mp3PrefixAddsMp3) {
    expect_name("mp3:song", VodContainer::mp3, "song.mp3");
    expect_name("mp3:song.mp3", VodContainer::mp3, "song.mp3");
}

TEST(VodName, UnknownPrefixIsRefused) {
    EXPECT_FALSE(parse_vod_name("xyz:clip"));
    EXPECT_FALSE(parse_vod_name("id3:clip"));
    EXPECT_FALSE(parse_vod_name("f:clip"));
}

TEST(VodName, NothingButAPrefixOrExtensionIsRefused) {
    EXPECT_FALSE(parse_vod_name(""));
    EXPECT_FALSE(parse_vod_name("flv:"));
    EXPECT_FALSE(parse_vod_name("mp4:"));
    EXPECT_FALSE(parse_vod_name("mp3:"));
    EXPECT_FALSE(parse_vod_name(".flv"));
}

TEST(VodName, SubFoldersAndLaterColonsAreKept) {
    expect_name("a/b", VodContainer::flv, "a/b.flv");
    expect_name("flv:a/b", VodContainer::flv, "a/b.flv");
    expect_name("mp4:a/b", VodContainer::mp4, "a/b.mp4");
    expect_name("mp3:a/b.mp3", VodContainer::mp3, "a/b.mp3");
    // A colon after a folder, or further in than a prefix, is part of the name.
    expect_name("a/b:c", VodContainer::flv, "a/b:c.flv");
    expect_name("session:1", VodContainer::flv, "session:1.flv");
}

// ---- media_file_path ----

TEST(VodPath, JoinsRelativeNamesToTheRoot) {
    EXPECT_EQ(*media_file_path("/srv/media", "clip.flv"), "/srv/media/clip.flv");
    EXPECT_EQ(*media_file_path("/srv/media/", "clip.flv"), "/srv/media/clip.flv");
    EXPECT_EQ(*media_file_path("media", "a/b/clip.mp4"), "media/a/b/clip.mp4");
    EXPECT_EQ(*media_file_path("/m", "a.b/c..d"), "/m/a.b/c..d");  // dots inside a name are fine
    EXPECT_EQ(*media_file_path("/m", std::string(255, 'x')), "/m/" + std::string(255, 'x'));
}

TEST(VodPath, RefusesEveryNameThatCouldLeaveTheRoot) {
    const auto refused = [](std::string_view root, std::string_view file) {
        auto path = media_file_path(root, file);
        EXPECT_FALSE(path) << "'" << file << "' gave " << (path ? *path : "");
        return !path && path.error() == std::errc::invalid_argument;
    };
    EXPECT_TRUE(refused("", "clip.flv"));
    EXPECT_TRUE(refused("/m", ""));
    EXPECT_TRUE(refused("/m", "/etc/passwd"));  // absolute: an empty first component
    EXPECT_TRUE(refused("/m", "a//b.flv"));
    EXPECT_TRUE(refused("/m", "a/"));
    EXPECT_TRUE(refused("/m", ".hidden.flv"));
    EXPECT_TRUE(refused("/m", "a/.b.flv"));
    EXPECT_TRUE(refused("/m", ".."));
    EXPECT_TRUE(refused("/m", "../secret.flv"));
    EXPECT_TRUE(refused("/m", "a/../../secret.flv"));
    EXPECT_TRUE(refused("/m", "a/./b.flv"));
    EXPECT_TRUE(refused("/m", std::string(256, 'x')));
    EXPECT_TRUE(refused("/m", "a/" + std::string(256, 'x') + "/b"));
    EXPECT_TRUE(refused("/m", "a\\..\\b.flv"));
    EXPECT_TRUE(refused("/m", "a\nb.flv"));
    EXPECT_TRUE(refused("/m",
                        "a\x01"
                        "b.flv"));
    EXPECT_TRUE(refused("/m",
                        "a\x7F"
                        "b.flv"));
    EXPECT_TRUE(refused("/m", std::string_view("a\0b.flv", 7)));
}

// ---- vod_status ----

TEST(VodStatus, MapsMissingFilesUnsupportedTracksAndTheRest) {
    EXPECT_EQ(vod_status(std::error_code(ENOENT, std::system_category())),
              rtmp::Status::play_stream_not_found);
    EXPECT_EQ(vod_status(std::error_code(ENOTDIR, std::system_category())),
              rtmp::Status::play_stream_not_found);
    EXPECT_EQ(vod_status(demux::make_error_code(demux::Errc::no_supported_track)),
              rtmp::Status::play_no_supported_track_found);
    for (auto e : {demux::Errc::flv_header_invalid, demux::Errc::moov_missing,
                   demux::Errc::mp3_sync_not_found, demux::Errc::source_truncated}) {
        EXPECT_EQ(vod_status(demux::make_error_code(e)), rtmp::Status::play_file_structure_invalid);
    }
    EXPECT_EQ(vod_status(std::error_code(EACCES, std::system_category())),
              rtmp::Status::play_file_structure_invalid);
    EXPECT_EQ(vod_status(std::error_code(EIO, std::system_category())),
              rtmp::Status::play_file_structure_invalid);
    EXPECT_EQ(vod_status(make_error_code(std::errc::invalid_argument)),
              rtmp::Status::play_file_structure_invalid);
}

// ---- VodFile: opening ----

TEST_F(VodFileTest, OpenReportsMissingFilesDirectoriesAndGarbage) {
    for (auto container : {VodContainer::flv, VodContainer::mp4, VodContainer::mp3}) {
        auto missing = VodFile::open((dir_ / "missing.flv").string(), container);
        ASSERT_FALSE(missing);
        EXPECT_EQ(missing.error(), std::errc::no_such_file_or_directory);
        EXPECT_EQ(vod_status(missing.error()), rtmp::Status::play_stream_not_found);

        auto directory = VodFile::open(dir_.string(), container);
        ASSERT_FALSE(directory);
        EXPECT_EQ(vod_status(directory.error()), rtmp::Status::play_file_structure_invalid);
    }

    base::ByteVector garbage(4000);
    for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<std::uint8_t>(i * 37 + 11);
    const std::string path = write("garbage.bin", garbage);
    auto flv = VodFile::open(path, VodContainer::flv);
    ASSERT_FALSE(flv);
    EXPECT_EQ(flv.error(), demux::Errc::flv_header_invalid);
    EXPECT_EQ(vod_status(flv.error()), rtmp::Status::play_file_structure_invalid);
    auto mp4 = VodFile::open(path, VodContainer::mp4);
    ASSERT_FALSE(mp4);
    EXPECT_TRUE(mp4.error().category() == demux::error_category()) << mp4.error().message();
    EXPECT_EQ(vod_status(mp4.error()), rtmp::Status::play_file_structure_invalid);
    auto mp3 = VodFile::open(path, VodContainer::mp3);
    ASSERT_FALSE(mp3);
    EXPECT_EQ(mp3.error(), demux::Errc::mp3_sync_not_found);
    EXPECT_EQ(vod_status(mp3.error()), rtmp::Status::play_file_structure_invalid);

    // Right container, wrong one asked for.
    auto wrong = VodFile::open(write("clip.flv", flv_clip().bytes()), VodContainer::mp4);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(vod_status(wrong.error()), rtmp::Status::play_file_structure_invalid);
}

TEST_F(VodFileTest, FlvWithoutMediaHasNoSupportedTrack) {
    FlvFile f;
    f.script(0, flv::encode_metadata(flv::Metadata{}));
    auto file = VodFile::open(write("empty.flv", f.bytes()), VodContainer::flv);
    ASSERT_FALSE(file);
    EXPECT_EQ(file.error(), demux::Errc::no_supported_track);
    EXPECT_EQ(vod_status(file.error()), rtmp::Status::play_no_supported_track_found);
}

// ---- VodFile: FLV ----

TEST_F(VodFileTest, FlvStartMessagesAreMetadataWithTheRealDurationThenHeaders) {
    auto file = open("clip.flv", flv_clip().bytes(), VodContainer::flv);
    ASSERT_TRUE(file);
    EXPECT_TRUE(file->has_video());
    EXPECT_EQ(file->duration_ms(), clip_duration_ms);

    const auto start = file->start_messages(0);
    ASSERT_EQ(start.size(), 3u);
    const auto meta = decoded_metadata(start[0]);
    EXPECT_DOUBLE_EQ(meta.duration().value_or(-1), 1.18);  // not the 99 the file claims
    EXPECT_EQ(meta.width(), 320.0);                        // the file's other properties stay
    EXPECT_EQ(start[1].type, MessageType::video);
    EXPECT_TRUE(same(start[1].payload, avc_header(0x42)));
    EXPECT_EQ(start[2].type, MessageType::audio);
    EXPECT_TRUE(same(start[2].payload, aac_header));
    for (const auto& m : start) {
        EXPECT_EQ(m.timestamp, 0u);
        EXPECT_EQ(m.stream_id, 0u);
    }
    for (const auto& m : file->start_messages(1234)) EXPECT_EQ(m.timestamp, 1234u);
}

TEST_F(VodFileTest, FlvNextReturnsEveryTagButHeadersAlreadySent) {
    const auto clip = flv_clip();
    auto file = open("clip.flv", clip.bytes(), VodContainer::flv);
    ASSERT_TRUE(file);
    file->start_messages(0);
    std::size_t count = 0;
    for (const FlvTag& t : clip.tags) {
        if (!t.replayed) continue;
        SCOPED_TRACE(std::to_string(t.timestamp) + (t.type == MessageType::video ? " video" : " audio"));
        EXPECT_EQ(file->next_time(), t.timestamp);
        auto m = file->next();
        ASSERT_TRUE(m);
        ASSERT_TRUE(*m);
        EXPECT_EQ((*m)->type, t.type);
        EXPECT_EQ((*m)->timestamp, t.timestamp);
        EXPECT_EQ((*m)->stream_id, 0u);
        EXPECT_TRUE(same((*m)->payload, t.data));
        ++count;
    }
    EXPECT_EQ(count, 61u);  // 60 frames and the changed AVC header
    EXPECT_FALSE(file->next_time());
    auto end = file->next();
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
}

TEST_F(VodFileTest, FlvHeadersInLineAreSentWhenNoneWasSentYet) {
    auto file = open("clip.flv", flv_clip().bytes(), VodContainer::flv);
    ASSERT_TRUE(file);
    // Without start_messages() nothing was sent: the file's own headers come first.
    auto first = file->next();
    ASSERT_TRUE(first && *first);
    EXPECT_TRUE(same((*first)->payload, avc_header(0x42)));
    auto second = file->next();
    ASSERT_TRUE(second && *second);
    EXPECT_TRUE(same((*second)->payload, aac_header));
    auto third = file->next();
    ASSERT_TRUE(third && *third);
    EXPECT_TRUE(same((*third)->payload, avc_frame(true, 0)));
}

TEST_F(VodFileTest, FlvSeekLandsOnTheKeyFrameAtOrBefore) {
    auto file = open("clip.flv", flv_clip().bytes(), VodContainer::flv);
    ASSERT_TRUE(file);
    file->start_messages(0);
    ASSERT_TRUE(file->next());

    const struct {
        std::int64_t ms;
        base::Timestamp key;
    } cases[] = {{500, 400}, {399, 0}, {400, 400}, {0, 0}, {-5, 0}, {1179, 800}, {clip_duration_ms, 800},
                 {801, 800}};
    for (const auto& c : cases) {
        SCOPED_TRACE(c.ms);
        auto reached = file->seek(c.ms);
        ASSERT_TRUE(reached) << reached.error().message();
        EXPECT_EQ(*reached, c.key);
        EXPECT_EQ(file->next_time(), c.key);
        auto m = file->next();
        ASSERT_TRUE(m && *m);
        EXPECT_EQ((*m)->type, MessageType::video);
        EXPECT_EQ((*m)->timestamp, c.key);
        EXPECT_TRUE(same((*m)->payload, avc_frame(true, static_cast<std::uint8_t>(c.key / 40))));
    }
}

TEST_F(VodFileTest, FlvSeekPastTheEndKeepsThePosition) {
    auto file = open("clip.flv", flv_clip().bytes(), VodContainer::flv);
    ASSERT_TRUE(file);
    file->start_messages(0);
    ASSERT_TRUE(file->seek(500));
    ASSERT_TRUE(file->next());  // key frame 400
    const auto before = file->next_time();
    ASSERT_EQ(before, 420u);

    auto reached = file->seek(clip_duration_ms + 1);
    ASSERT_FALSE(reached);
    EXPECT_EQ(reached.error(), demux::Errc::seek_beyond_end);
    EXPECT_EQ(file->next_time(), before);
    auto m = file->next();
    ASSERT_TRUE(m && *m);
    EXPECT_EQ((*m)->type, MessageType::audio);
    EXPECT_EQ((*m)->timestamp, 420u);
    EXPECT_TRUE(same((*m)->payload, aac_frame(10)));
}

TEST_F(VodFileTest, FlvHeadersFollowTheCursorAcrossSeeks) {
    auto file = open("clip.flv", flv_clip().bytes(), VodContainer::flv);
    ASSERT_TRUE(file);
    file->start_messages(0);
    ASSERT_TRUE(file->next());

    // Past the change, the start messages carry the changed header and the
    // file plays on without sending it again.
    ASSERT_EQ(*file->seek(900), 800u);
    auto start = file->start_messages(800);
    ASSERT_EQ(start.size(), 3u);
    EXPECT_TRUE(same(start[1].payload, avc_header(0x4D)));
    while (auto m = file->next()) {
        if (!*m) break;
        EXPECT_FALSE(same((**m).payload, avc_header(0x4D))) << (**m).timestamp;
        EXPECT_FALSE(same((**m).payload, avc_header(0x42))) << (**m).timestamp;
    }

    // Back before it: the first header again, and the change is sent in line.
    ASSERT_EQ(*file->seek(100), 0u);
    start = file->start_messages(0);
    ASSERT_EQ(start.size(), 3u);
    EXPECT_TRUE(same(start[1].payload, avc_header(0x42)));
    std::vector<base::Timestamp> headers;
    while (auto m = file->next()) {
        if (!*m) break;
        if (same((**m).payload, avc_header(0x4D)) || same((**m).payload, avc_header(0x42)))
            headers.push_back((**m).timestamp);
    }
    EXPECT_EQ(headers, std::vector<base::Timestamp>{800});
}

TEST_F(VodFileTest, FlvSeekToTheStartBeforePlayingKeepsEverything) {
    // Audio before the first key frame: a seek would skip it, the start does not.
    FlvFile f;
    f.media(MessageType::audio, 0, aac_header, false);
    f.media(MessageType::audio, 0, aac_frame(0));
    f.media(MessageType::audio, 20, aac_frame(1));
    f.media(MessageType::video, 40, avc_frame(true, 1));
    f.media(MessageType::audio, 60, aac_frame(2));
    auto file = open("audio_first.flv", f.bytes(), VodContainer::flv);
    ASSERT_TRUE(file);
    file->start_messages(0);
    ASSERT_EQ(*file->seek(0), 0u);
    auto m = file->next();
    ASSERT_TRUE(m && *m);
    EXPECT_TRUE(same((*m)->payload, aac_frame(0)));

    // Once playing, seek(0) is a real seek: the key frame.
    ASSERT_EQ(*file->seek(0), 40u);
    m = file->next();
    ASSERT_TRUE(m && *m);
    EXPECT_TRUE(same((*m)->payload, avc_frame(true, 1)));
}

// ---- VodFile: MP4 ----

TEST_F(VodFileTest, Mp4MetadataAndHeadersAreBuiltFromTheTracks) {
    auto file = open("clip.mp4", mp4_clip().bytes, VodContainer::mp4);
    ASSERT_TRUE(file);
    EXPECT_TRUE(file->has_video());
    EXPECT_EQ(file->duration_ms(), 400);
    const auto start = file->start_messages(0);
    ASSERT_EQ(start.size(), 3u);
    const auto meta = decoded_metadata(start[0]);
    EXPECT_DOUBLE_EQ(meta.duration().value_or(-1), 0.4);
    EXPECT_EQ(meta.width(), 64.0);
    EXPECT_EQ(meta.height(), 48.0);
    EXPECT_EQ(meta.number("videocodecid"), 7.0);
    EXPECT_EQ(meta.number("audiocodecid"), 10.0);
    EXPECT_EQ(meta.audio_sample_rate(), 44100.0);
    EXPECT_EQ(meta.number("audiochannels"), 2.0);
    EXPECT_EQ(meta.stereo(), true);
    EXPECT_EQ(start[1].type, MessageType::video);
    EXPECT_TRUE(same(start[1].payload, cat(hex("17 00 00 00 00"), avcc)));
    EXPECT_EQ(start[2].type, MessageType::audio);
    EXPECT_TRUE(same(start[2].payload, aac_header));
}

TEST_F(VodFileTest, Mp4NextInterleavesBothTracksInDecodeOrder) {
    const auto clip = mp4_clip();
    auto file = open("clip.mp4", clip.bytes, VodContainer::mp4);
    ASSERT_TRUE(file);
    file->start_messages(0);
    for (const Mp4Sample& s : clip.samples) {
        SCOPED_TRACE(std::to_string(s.timestamp) + (s.video ? " video" : " audio"));
        EXPECT_EQ(file->next_time(), s.timestamp);
        auto m = file->next();
        ASSERT_TRUE(m && *m);
        EXPECT_EQ((*m)->type, s.video ? MessageType::video : MessageType::audio);
        EXPECT_EQ((*m)->timestamp, s.timestamp);
        EXPECT_TRUE(same((*m)->payload, mp4_tag(s, 0)));
    }
    auto end = file->next();
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
}

TEST_F(VodFileTest, Mp4SeekLandsOnTheKeyFrameAtOrBefore) {
    const auto clip = mp4_clip();
    auto file = open("clip.mp4", clip.bytes, VodContainer::mp4);
    ASSERT_TRUE(file);
    file->start_messages(0);
    ASSERT_TRUE(file->next());

    auto reached = file->seek(300);
    ASSERT_TRUE(reached);
    EXPECT_EQ(*reached, 200u);
    EXPECT_EQ(file->next_time(), 200u);
    auto m = file->next();
    ASSERT_TRUE(m && *m);
    EXPECT_EQ((*m)->type, MessageType::video);
    EXPECT_EQ((*m)->timestamp, 200u);
    EXPECT_TRUE(same((*m)->payload, mp4_tag(clip.samples[15], 0)));  // video frame 5, a key frame
    m = file->next();
    ASSERT_TRUE(m && *m);
    EXPECT_EQ((*m)->type, MessageType::audio);  // audio from the key frame's time on
    EXPECT_EQ((*m)->timestamp, 200u);

    EXPECT_EQ(*file->seek(199), 0u);
    auto past = file->seek(401);
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error(), demux::Errc::seek_beyond_end);
    EXPECT_EQ(file->next_time(), 0u);
}

// The reached time seek() returns is what the session stamps the start
// messages with and reports in NetStream.Seek.Notify; it must be the time of
// the first message that follows. For an MP4 with composition offsets
// (B-frames) the reader's answer is the key frame's presentation time,
// which would stamp the start messages later than the key frame after them.
TEST_F(VodFileTest, Mp4SeekReturnsTheTimestampOfTheNextMessageWithCompositionOffsets) {
    const auto clip = mp4_clip(40);
    auto file = open("cts.mp4", clip.bytes, VodContainer::mp4);
    ASSERT_TRUE(file);
    file->start_messages(0);
    ASSERT_TRUE(file->next());
    auto reached = file->seek(300);
    ASSERT_TRUE(reached);
    EXPECT_EQ(file->next_time(), 200u);
    EXPECT_EQ(*reached, 200u);
}

// ---- VodFile: MP3 ----

TEST_F(VodFileTest, Mp3PlaysFramesWithMetadataAndNoHeaders) {
    const auto bytes = mp3_frames(10);
    auto file = open("song.mp3", bytes, VodContainer::mp3);
    ASSERT_TRUE(file);
    EXPECT_FALSE(file->has_video());
    EXPECT_EQ(file->duration_ms(), 261);  // 10 x 1152 samples at 44.1 kHz
    const auto start = file->start_messages(0);
    ASSERT_EQ(start.size(), 1u);
    const auto meta = decoded_metadata(start[0]);
    EXPECT_DOUBLE_EQ(meta.duration().value_or(-1), 0.261);
    EXPECT_EQ(meta.number("audiocodecid"), 2.0);
    EXPECT_EQ(meta.audio_sample_rate(), 44100.0);
    EXPECT_EQ(meta.number("audiochannels"), 2.0);
    EXPECT_EQ(meta.stereo(), true);
    EXPECT_FALSE(meta.width());

    for (std::uint32_t i = 0; i < 10; ++i) {
        SCOPED_TRACE(i);
        const base::Timestamp ts = (i * 1152 * 1000 + 22050) / 44100;
        auto m = file->next();
        ASSERT_TRUE(m && *m);
        EXPECT_EQ((*m)->type, MessageType::audio);
        EXPECT_EQ((*m)->timestamp, ts);
        const base::Bytes frame = base::Bytes(bytes).subspan(std::size_t{i} * 417, 417);
        // MP3, 44 kHz, 16-bit, stereo.
        EXPECT_TRUE(same((*m)->payload, cat(hex("2F"), frame)));
    }
    auto end = file->next();
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);

    EXPECT_EQ(*file->seek(100), 78u);  // the frame holding 100 ms starts at 78
    auto m = file->next();
    ASSERT_TRUE(m && *m);
    EXPECT_EQ((*m)->payload.data()[5], 3);
    auto past = file->seek(262);
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error(), demux::Errc::seek_beyond_end);
    EXPECT_EQ(file->next_time(), 104u);
}

}  // namespace
}  // namespace sluice::server
