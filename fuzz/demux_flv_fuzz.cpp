// Fuzzes demux::FlvReader: open an FLV file from memory, walk every tag
// reading its payload, check the index against the file, then seek to a
// few points.
//
// Input layout: byte 0 = options (bit 0: max_tags 16, bit 1:
// max_tag_data_bytes 64, bit 2: max_metadata_bytes 16, bit 3:
// max_sequence_header_bytes 64); the rest is the file.
#include <cstddef>
#include <cstdint>

#include "demux/flv_reader.hpp"

namespace {

using namespace sluice;

void check(bool condition) {
    if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    demux::FlvLimits limits;
    if ((data[0] & 1) != 0) limits.max_tags = 16;
    if ((data[0] & 2) != 0) limits.max_tag_data_bytes = 64;
    if ((data[0] & 4) != 0) limits.max_metadata_bytes = 16;
    if ((data[0] & 8) != 0) limits.max_sequence_header_bytes = 64;
    demux::MemorySource source(base::Bytes(data + 1, size - 1));
    auto reader = demux::FlvReader::open(source, limits);
    if (!reader) return 0;
    check(reader->tag_count() > 0);
    check(reader->metadata().size() <= limits.max_metadata_bytes);

    const std::int64_t duration = reader->duration_ms();
    std::uint64_t end = 0;
    std::uint64_t count = 0;
    bool video = false;
    bool audio = false;
    bool video_key = false;
    bool configs[2] = {false, false};
    while (auto s = reader->next()) {
        ++count;
        // Tags are in file order and lie inside the file (past its header and trailers).
        check(s->offset >= end + 15 && s->offset + s->size <= source.size());
        end = s->offset + s->size;
        check(s->size <= limits.max_tag_data_bytes);
        check(s->dts_ms >= 0);
        auto payload = reader->read_tag_payload(*s);
        check(payload.ok() && payload->size() == s->size);
        if (s->kind == demux::TrackKind::data) {
            // Script data: replayed in place, never a keyframe or a sequence
            // header, and not part of the duration.
            check(!s->keyframe && !reader->is_sequence_header(*s));
            continue;
        }
        check(s->dts_ms <= duration);
        const bool is_audio = s->kind == demux::TrackKind::audio;
        (is_audio ? audio : video) = true;
        check(!is_audio || s->keyframe);
        video_key = video_key || (!is_audio && s->keyframe);
        if (reader->is_sequence_header(*s)) configs[is_audio ? 1 : 0] = true;
    }
    check(count == reader->tag_count());
    check(video == reader->has_video() && audio == reader->has_audio());
    check(!reader->sequence_header(demux::TrackKind::video).empty() == configs[0]);
    check(!reader->sequence_header(demux::TrackKind::audio).empty() == configs[1]);

    for (std::int64_t target : {std::int64_t{0}, duration / 2, duration, duration + 1}) {
        auto position = reader->seek(target);
        check(position.ok() == (target <= duration));
        if (!position) continue;
        auto s = reader->peek();
        check(s.has_value() && s->dts_ms == *position);
        // Video files land on a keyframe when they have one.
        if (video_key) check(s->kind == demux::TrackKind::video && s->keyframe);
    }
    return 0;
}
