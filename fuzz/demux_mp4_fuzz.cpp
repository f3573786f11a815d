// Fuzzes demux::Mp4Reader: open an ISO-BMFF file from memory, walk every
// sample in decode order building its FLV tag body, then seek to a few
// points and walk a little again.
//
// Input layout: byte 0 = options (bit 0: max_boxes 64, bit 1: max_depth 4,
// bit 2: max_tracks 2, bit 3: max_samples_per_track 256, bit 4:
// max_sample_bytes 4096); the rest is the file. The fuzzer always caps
// samples per track at 100000 and moov at 4 MiB so one input stays fast.
#include <cstddef>
#include <cstdint>

#include "demux/mp4_reader.hpp"

namespace {

using namespace sluice;

void check(bool condition) {
    if (!condition) __builtin_trap();
}

void walk(demux::Mp4Reader& reader, std::size_t max_steps) {
    std::int64_t last = INT64_MIN;
    for (std::size_t i = 0; i < max_steps; ++i) {
        auto s = reader.next();
        if (!s) break;
        check(s->dts_ms >= last);
        last = s->dts_ms;
        check(s->track < reader.tracks().size());
        auto payload = reader.read_tag_payload(*s);
        check(payload.ok());  // open() verified every sample lies inside the file
        check(payload->size() == reader.tag_header_size(*s) + s->size);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    demux::Mp4Limits limits;
    limits.max_samples_per_track = 100'000;
    limits.max_moov_bytes = 4u << 20;
    if ((data[0] & 1) != 0) limits.max_boxes = 64;
    if ((data[0] & 2) != 0) limits.max_depth = 4;
    if ((data[0] & 4) != 0) limits.max_tracks = 2;
    if ((data[0] & 8) != 0) limits.max_samples_per_track = 256;
    if ((data[0] & 16) != 0) limits.max_sample_bytes = 4096;
    demux::MemorySource source(base::Bytes(data + 1, size - 1));
    auto reader = demux::Mp4Reader::open(source, limits);
    if (!reader) return 0;
    check(!reader->tracks().empty() && reader->tracks().size() <= 2);
    for (std::size_t t = 0; t < reader->tracks().size(); ++t) {
        const auto& track = reader->tracks()[t];
        check(track.sample_count > 0);
        check(reader->sequence_header(t).empty() == (track.codec == demux::Mp4Codec::mp3));
    }
    walk(*reader, 200'000);
    const std::int64_t duration = reader->duration_ms();
    for (std::int64_t target :
         {std::int64_t{0}, duration / 3, duration / 2, duration, duration + 1, std::int64_t{-1}}) {
        auto position = reader->seek(target);
        if (!position) {
            check(target > duration);
            continue;
        }
        walk(*reader, 64);
    }
    return 0;
}
