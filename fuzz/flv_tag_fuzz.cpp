// Fuzzes the FLV payload parsers directly: byte 0 picks the parser, the
// rest is its input. Parsers must never read outside the input, and what
// they return must point inside it.
#include <cstddef>
#include <cstdint>

#include "flv/aac_config.hpp"
#include "flv/audio_header.hpp"
#include "flv/avc_config.hpp"
#include "flv/codec_summary.hpp"
#include "flv/hevc_config.hpp"
#include "flv/metadata.hpp"
#include "flv/opus_header.hpp"
#include "flv/video_header.hpp"

namespace {

using namespace sluice;

void check(bool condition) {
    if (!condition) __builtin_trap();
}

bool inside(base::Bytes outer, base::Bytes inner) {
    return inner.empty() ||
           (inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const base::Bytes input(data + 1, size - 1);
    switch (data[0] % 9) {
        case 0:
            if (auto h = flv::parse_video(input)) {
                for (const auto& t : h->tracks) check(inside(input, t.body));
            }
            (void)flv::describe_video(input);
            break;
        case 1:
            if (auto h = flv::parse_audio(input)) {
                for (const auto& t : h->tracks) check(inside(input, t.body));
            }
            (void)flv::describe_audio(input);
            break;
        case 2:
            if (auto c = flv::parse_avc_config(input)) {
                for (const auto& s : c->sps) check(inside(input, s));
                for (const auto& p : c->pps) check(inside(input, p));
                (void)flv::describe(*c);
            }
            break;
        case 3:
            if (auto c = flv::parse_hevc_config(input)) {
                for (const auto& a : c->arrays) {
                    for (const auto& n : a.nal_units) check(inside(input, n));
                }
                (void)flv::describe(*c);
            }
            break;
        case 4:
            if (auto c = flv::parse_aac_config(input)) (void)flv::describe(*c);
            break;
        case 5:
            if (auto h = flv::parse_opus_header(input)) (void)flv::describe(*h);
            break;
        case 6:
            if (auto m = flv::decode_metadata(input)) {
                (void)m->video_codec_id();
                (void)m->audio_channels();
                // What decodes must encode and decode to the same properties.
                const auto again = flv::decode_metadata(flv::encode_metadata(*m));
                check(again.ok());
            }
            break;
        case 7:
            if (auto s = flv::parse_avc_sps(input)) check(s->width > 0 && s->height > 0);
            break;
        case 8:
            if (auto s = flv::parse_hevc_sps(input)) check(s->width > 0 && s->height > 0);
            break;
    }
    return 0;
}
