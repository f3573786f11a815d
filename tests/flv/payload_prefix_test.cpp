// Message parsers (audio/video headers, codec configurations, onMetaData)
// read whole messages rather than streams, so the split-point rule becomes:
// every prefix of every worked example is parsed from a buffer that ends at
// a guard page (STYLE.md rule 9). A prefix must fail cleanly or parse to
// something that points inside it; nothing may read past its end.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "flv/aac_config.hpp"
#include "flv/audio_header.hpp"
#include "flv/avc_config.hpp"
#include "flv/codec_summary.hpp"
#include "flv/hevc_config.hpp"
#include "flv/metadata.hpp"
#include "flv/opus_header.hpp"
#include "flv/video_header.hpp"
#include "support/guard_page_buffer.hpp"
#include "support/hex_literal.hpp"

namespace sluice::flv {
namespace {

using test::ascii;
using test::cat;
using test::hex;

bool inside(base::Bytes outer, base::Bytes inner) {
    return inner.empty() ||
           (inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size());
}

void every_prefix(const base::ByteVector& whole, const std::function<bool(base::Bytes)>& parse) {
    for (std::size_t n = 0; n <= whole.size(); ++n) {
        SCOPED_TRACE("prefix of " + std::to_string(n) + " bytes");
        test::GuardPageBuffer buffer(base::Bytes(whole).first(n));
        const bool ok = parse(buffer.bytes());
        if (n == whole.size()) {
            EXPECT_TRUE(ok) << "the whole example must parse";
        }
    }
}

const auto avcc = hex("01 64 00 28 FF E1 00 0A 67 64 00 28 AC D9 40 50 05 B9 01 00 04 68 EB E3 CB");
const auto hvcc =
    hex("01 01 60 00 00 00 90 00 00 00 00 00 7B F0 00 FC FD F8 F8 00 00 0F 01"
        "A1 00 01 00 1A 42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 7B A0 03 C0 80 11 07 CB 96");

TEST(PayloadPrefixes, VideoHeaders) {
    const std::vector<base::ByteVector> examples = {
        cat(hex("17 00 00 00 00"), avcc),
        hex("27 01 00 00 42 00 00 00 02 41 9A"),
        hex("57 01"),
        cat(hex("90 68 76 63 31"), hvcc),
        hex("93 68 76 63 31 00 00 00 01 26"),
        hex("A1 68 76 63 31 00 00 28 00 00 00 01 02"),
        hex("91 61 76 30 31 12 00 0A"),
        hex("92 76 70 30 39"),
        cat(hex("D4 61 76 30 31 02 00 09"), ascii("colorInfo"), hex("03 00 00 09")),
        hex("96 03 61 76 63 31 01 00 00 00 01 65"),
        cat(hex("96 13 68 76 63 31 00 000004 AA AA AA AA 01 000002 BB BB")),
        hex("A6 21 61 76 63 31 00 000005 00 00 21 AA BB 61 76 30 31 01 000002 CC DD"),
        hex("97 02 0F 42 3F 03 61 76 63 31 00 00 00 01 65"),
    };
    for (const auto& example : examples) {
        every_prefix(example, [](base::Bytes in) {
            auto h = parse_video(in);
            if (h) {
                for (const auto& t : h->tracks) EXPECT_TRUE(inside(in, t.body));
            }
            (void)describe_video(in);
            return h.ok();
        });
    }
}

TEST(PayloadPrefixes, AudioHeaders) {
    const std::vector<base::ByteVector> examples = {
        hex("AF 00 12 10"),
        hex("2F FF FB"),
        cat(hex("90 4F 70 75 73"), hex("4F 70 75 73 48 65 61 64 01 02 38 01 80 BB 00 00 00 00 00")),
        hex("91 6D 70 34 61 21 10"),
        hex("94 4F 70 75 73 01 02 00 00 00 03"),
        hex("94 4F 70 75 73 02 03 00 01 03"),
        hex("95 11 6D 70 34 61 00 00 00 02 21 10 01 00 00 02 21 10"),
        hex("95 21 61 63 2D 33 00 000001 AA 65 63 2D 33 01 000001 BB 2E 6D 70 33 02 000000"),
        hex("97 02 00 01 F4 01 4F 70 75 73 AA"),
    };
    for (const auto& example : examples) {
        every_prefix(example, [](base::Bytes in) {
            auto h = parse_audio(in);
            if (h) {
                for (const auto& t : h->tracks) EXPECT_TRUE(inside(in, t.body));
            }
            (void)describe_audio(in);
            return h.ok();
        });
    }
}

TEST(PayloadPrefixes, CodecConfigurations) {
    every_prefix(avcc, [](base::Bytes in) { return parse_avc_config(in).ok(); });
    every_prefix(hvcc, [](base::Bytes in) { return parse_hevc_config(in).ok(); });
    every_prefix(hex("67 64 00 28 AD A4 92 FF E0 84 5B 28 0A 00 B7 20"),
                 [](base::Bytes in) { return parse_avc_sps(in).ok(); });
    every_prefix(hex("42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 7B A0 03 C0 80 11 07 CB 96"),
                 [](base::Bytes in) { return parse_hevc_sps(in).ok(); });
    every_prefix(hex("13 10 56 E5 9D 48 80"), [](base::Bytes in) { return parse_aac_config(in).ok(); });
    every_prefix(hex("F9 5E 01 86 A0 40"), [](base::Bytes in) { return parse_aac_config(in).ok(); });
    every_prefix(hex("4F 70 75 73 48 65 61 64 01 02 38 01 80 BB 00 00 00 00 00"),
                 [](base::Bytes in) { return parse_opus_header(in).ok(); });
}

TEST(PayloadPrefixes, Metadata) {
    const auto payload =
        cat(hex("02 00 0D"), ascii("@setDataFrame"), hex("02 00 0A"), ascii("onMetaData"),
            hex("08 00 00 00 01 00 05"), ascii("width"), hex("00 40 94 00 00 00 00 00 00 00 00 09"));
    every_prefix(payload, [](base::Bytes in) { return decode_metadata(in).ok(); });
}

}  // namespace
}  // namespace sluice::flv
