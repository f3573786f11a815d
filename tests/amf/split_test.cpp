// The readers decode whole messages, so a message that arrives in pieces is
// retried on the bytes gathered so far (STYLE.md rule 9, via
// tests/support/split_feeder.hpp). After every piece the reader must either
// return a prefix of the final values (the cut fell between values) or fail
// with `truncated`, never another error, never an over-read (guard page).
#include <gtest/gtest.h>

#include "amf_test_support.hpp"
#include "support/split_feeder.hpp"

namespace sluice::amf::test {
namespace {

template <class Reader>
void expect_consistent_at_every_split(const base::ByteVector& message) {
    Reader whole(message);
    const auto expected = whole.read_all();
    ASSERT_TRUE(expected) << expected.error().message();
    sluice::test::for_each_split(message, [&](const sluice::test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        base::ByteVector gathered;
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            gathered.insert(gathered.end(), pieces[i].begin(), pieces[i].end());
            const sluice::test::GuardPageBuffer guarded(gathered);
            Reader r(guarded.bytes());
            const auto got = r.read_all();
            if (i + 1 == pieces.size()) {
                ASSERT_TRUE(got);
                EXPECT_EQ(*got, *expected);
            } else if (got) {
                ASSERT_LE(got->size(), expected->size());
                for (std::size_t k = 0; k < got->size(); ++k) EXPECT_EQ((*got)[k], (*expected)[k]);
            } else {
                EXPECT_EQ(got.error(), make_error_code(Errc::truncated));
            }
        }
    });
}

TEST(Split, Amf0ConnectCommand) {
    expect_consistent_at_every_split<Reader0>(
        cat(hex("02 00 07"), ascii("connect"), hex("00 3F F0 00 00 00 00 00 00"), hex("03 00 03"),
            ascii("app"), hex("02 00 04"), ascii("live"), hex("00 05"), ascii("tcUrl"), hex("02 00 0D"),
            ascii("rtmp://h/live"), hex("00 00 09")));
}

TEST(Split, Amf0WithReferencesAndSwitch) {
    expect_consistent_at_every_split<Reader0>(
        hex("0A 00 00 00 02 03 00 01 61 05 00 00 09 07 00 01 11 0A 0B 01 03 61 04 01 01 11 06 00"));
}

TEST(Split, Amf3ReferencesAndTraits) {
    expect_consistent_at_every_split<Reader3>(cat(hex("09 05 01"), hex("0A 23 0B"), ascii("Point"),
                                                  hex("03 78 03 79 04 01 04 02"), hex("0A 01 04 03 04 04"),
                                                  hex("06 02 0A 02 0C 05 DE AD")));
}

TEST(Split, DepthZeroStillAllowsScalarsBehindTheSwitch) {
    Limits limits;
    limits.max_depth = 0;
    EXPECT_EQ(*decode0(hex("11 06 05 68 69"), limits), Value("hi"));
    EXPECT_EQ(error0(hex("11 09 01 01"), limits), make_error_code(Errc::depth_exceeded));
    EXPECT_EQ(error0(hex("03 00 00 09"), limits), make_error_code(Errc::depth_exceeded));
}

}  // namespace
}  // namespace sluice::amf::test
