// Fuzzes flv::FileReader with the input cut into pieces whose sizes come
// from the input itself, and every delivered tag through the audio, video,
// codec-configuration and onMetaData parsers.
//
// Input layout: byte 0 = options (bit 0: tags-only mode, bit 1: accept
// PreviousTagSize mismatches, bit 2: a 64-byte tag limit); bytes 1-4 =
// piece sizes used in turn (0 means 1); the rest is the FLV stream.
#include <cstddef>
#include <cstdint>

#include "flv/audio_header.hpp"
#include "flv/codec_summary.hpp"
#include "flv/file_reader.hpp"
#include "flv/metadata.hpp"
#include "flv/video_header.hpp"

namespace {

using namespace sluice;

void check(bool condition) {
    if (!condition) __builtin_trap();
}

void parse_tag(const flv::Tag& tag) {
    const base::Bytes data = tag.data.bytes();
    switch (tag.header.type) {
        case 8:
            if (auto h = flv::parse_audio(data)) {
                for (const auto& track : h->tracks) check(track.body.size() <= data.size());
            }
            (void)flv::describe_audio(data);
            break;
        case 9:
            if (auto h = flv::parse_video(data)) {
                for (const auto& track : h->tracks) {
                    check(flv::VideoTagHeader::body_offset(data, track) + track.body.size() <= data.size());
                }
                (void)flv::is_video_keyframe(*h);
                (void)flv::is_video_sequence_header(*h);
            }
            (void)flv::describe_video(data);
            break;
        case 18:
            (void)flv::decode_metadata(data);
            break;
        default:
            break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 5) return 0;
    flv::FileReader::Options options;
    options.expect_file_header = (data[0] & 1) == 0;
    options.leniency.accept_previous_tag_size_mismatch = (data[0] & 2) != 0;
    if ((data[0] & 4) != 0) options.limits.max_tag_data_bytes = 64;
    const std::uint8_t* sizes = data + 1;
    base::Bytes rest(data + 5, size - 5);

    flv::FileReader reader(options);
    std::uint64_t tags = 0;
    for (std::size_t turn = 0; !rest.empty(); ++turn) {
        const std::size_t want = sizes[turn % 4] == 0 ? 1 : sizes[turn % 4];
        base::Bytes piece = rest.first(want < rest.size() ? want : rest.size());
        rest = rest.subspan(piece.size());
        bool failed = false;
        for (;;) {
            auto r = reader.read(piece);
            check(r.consumed <= piece.size());
            piece = piece.subspan(r.consumed);
            if (r.error) {
                failed = true;
                break;
            }
            if (!r.tag) {
                check(piece.empty());
                break;
            }
            ++tags;
            check(r.tag->data.size() == r.tag->header.data_size);
            parse_tag(*r.tag);
            if (piece.empty()) break;
        }
        if (failed) break;
    }
    const auto finish = reader.finish();
    check(finish.tag_count == tags);
    return 0;
}
