// Fuzzes demux::Mp3Reader: open an MP3 file from memory, walk every frame
// building its FLV tag body, then seek to a few points.
//
// Input layout: byte 0 = options (bit 0: max_resync_bytes 64, bit 1:
// max_frames 16, bit 2: max_id3_tags 1); the rest is the file.
#include <cstddef>
#include <cstdint>

#include "demux/mp3_reader.hpp"

namespace {

using namespace sluice;

void check(bool condition) {
    if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    demux::Mp3Limits limits;
    if ((data[0] & 1) != 0) limits.max_resync_bytes = 64;
    if ((data[0] & 2) != 0) limits.max_frames = 16;
    if ((data[0] & 4) != 0) limits.max_id3_tags = 1;
    demux::MemorySource source(base::Bytes(data + 1, size - 1));
    auto reader = demux::Mp3Reader::open(source, limits);
    if (!reader) return 0;
    check(reader->frame_count() > 0);
    std::int64_t last = -1;
    std::uint64_t end = 0;
    while (auto s = reader->next()) {
        check(s->dts_ms >= last && s->offset >= end);
        last = s->dts_ms;
        end = s->offset + s->size;
        check(end <= reader->info().audio_end);
        auto payload = reader->read_tag_payload(*s);
        check(payload.ok() && payload->size() == s->size + 1u);
    }
    const std::int64_t duration = reader->duration_ms();
    for (std::int64_t target : {std::int64_t{0}, duration / 2, duration, duration + 1}) {
        auto position = reader->seek(target);
        check(position.ok() == (target <= duration));
        if (position) check(*position <= target + 1 && reader->next().has_value());
    }
    return 0;
}
