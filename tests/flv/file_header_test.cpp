#include "flv/file_header.hpp"

#include <gtest/gtest.h>

#include "flv/errors.hpp"
#include "support/hex_literal.hpp"

namespace sluice::flv {
namespace {

using test::hex;

TEST(FileHeader, DecodesTheReferenceExample) {
    // REFERENCE.md §7.1: audio + video header.
    auto h = FileHeader::decode(hex("46 4C 56 01 05 00 00 00 09"));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->version, 1);
    EXPECT_TRUE(h->has_audio);
    EXPECT_TRUE(h->has_video);
    EXPECT_EQ(h->data_offset, 9u);
}

TEST(FileHeader, EncodesHeaderAndPreviousTagSize0) {
    FileHeader h;
    h.has_audio = true;
    h.has_video = true;
    const auto bytes = h.encode();
    EXPECT_EQ(base::ByteVector(bytes.begin(), bytes.end()), hex("46 4C 56 01 05 00 00 00 09 00 00 00 00"));
    h.has_audio = false;
    EXPECT_EQ(h.encode()[4], 0x01);
    h.has_audio = true;
    h.has_video = false;
    EXPECT_EQ(h.encode()[4], 0x04);
}

TEST(FileHeader, RoundTripsFlags) {
    for (int flags = 0; flags < 4; ++flags) {
        FileHeader h;
        h.has_audio = (flags & 1) != 0;
        h.has_video = (flags & 2) != 0;
        const auto bytes = h.encode();
        auto back = FileHeader::decode(bytes);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, h);
    }
}

TEST(FileHeader, IgnoresReservedFlagBits) {
    auto h = FileHeader::decode(hex("46 4C 56 01 FF 00 00 00 09"));
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->has_audio);
    EXPECT_TRUE(h->has_video);
}

TEST(FileHeader, RejectsMalformedHeaders) {
    EXPECT_EQ(FileHeader::decode(hex("46 4C 58 01 05 00 00 00 09")).error(), Errc::file_signature_invalid);
    EXPECT_EQ(FileHeader::decode(hex("46 4C 56 01 05 00 00 00")).error(), Errc::file_signature_invalid);
    EXPECT_EQ(FileHeader::decode(hex("46 4C 56 02 05 00 00 00 09")).error(), Errc::file_version_unsupported);
    EXPECT_EQ(FileHeader::decode(hex("46 4C 56 01 05 00 00 00 08")).error(), Errc::file_data_offset_invalid);
    EXPECT_EQ(FileHeader::decode(hex("46 4C 56 01 05 00 01 00 01")).error(), Errc::file_data_offset_invalid);
    EXPECT_TRUE(FileHeader::decode(hex("46 4C 56 01 05 00 01 00 00")));  // exactly the limit
}

TEST(FileHeader, CouldBeFlvJudgesOnlyThePresentBytes) {
    EXPECT_TRUE(could_be_flv({}));
    EXPECT_TRUE(could_be_flv(hex("46")));
    EXPECT_TRUE(could_be_flv(hex("46 4C")));
    EXPECT_TRUE(could_be_flv(hex("46 4C 56 01")));
    EXPECT_FALSE(could_be_flv(hex("47")));
    EXPECT_FALSE(could_be_flv(hex("46 4C 57")));
}

TEST(FlvErrors, CategoryNamesAndClassifies) {
    const std::error_code ec = Errc::previous_tag_size_mismatch;
    EXPECT_STREQ(ec.category().name(), "flv");
    EXPECT_NE(ec.message().find("PreviousTagSize"), std::string::npos);
    EXPECT_TRUE(base::is_fatal(ec));
    EXPECT_FALSE(base::is_fatal(make_error_code(Errc::video_fourcc_unknown)));
}

}  // namespace
}  // namespace sluice::flv
