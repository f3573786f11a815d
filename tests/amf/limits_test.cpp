// amf::Limits: nesting depth, string bytes, element counts, declared
// counts far beyond the input, and reference bombs, for both readers.
#include "amf/limits.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "amf_test_support.hpp"

namespace sluice::amf::test {
namespace {

base::ByteVector repeat(const base::ByteVector& unit, std::size_t n, const base::ByteVector& tail = {}) {
    base::ByteVector out;
    out.reserve(unit.size() * n + tail.size());
    for (std::size_t i = 0; i < n; ++i) out.insert(out.end(), unit.begin(), unit.end());
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
}

constexpr std::size_t deep = 200'000;

TEST(Limits, NestingTwoHundredThousandDeepIsACleanError) {
    EXPECT_EQ(error0(repeat(hex("0A 00 00 00 01"), deep, hex("05"))), make_error_code(Errc::depth_exceeded));
    EXPECT_EQ(error0(repeat(hex("03 00 01 61"), deep, hex("05"))), make_error_code(Errc::depth_exceeded));
    EXPECT_EQ(error0(repeat(hex("11"), deep, hex("01"))), make_error_code(Errc::depth_exceeded));
    EXPECT_EQ(error3(repeat(hex("09 03 01"), deep, hex("01"))), make_error_code(Errc::depth_exceeded));
    EXPECT_EQ(error3(repeat(hex("0A 0B 01 03 61"), deep, hex("01"))), make_error_code(Errc::depth_exceeded));
    EXPECT_EQ(error3(repeat(hex("11 03 00 01"), deep, hex("01"))), make_error_code(Errc::depth_exceeded));
    EXPECT_EQ(error3(repeat(hex("10 03 00 01"), deep, hex("01"))), make_error_code(Errc::depth_exceeded));
}

TEST(Limits, TheHardDepthCapHoldsWhateverTheCallerAsks) {
    Limits generous;
    generous.max_depth = std::size_t{1} << 40;
    generous.max_elements = 10'000'000;
    EXPECT_EQ(error0(repeat(hex("0A 00 00 00 01"), deep, hex("05")), generous),
              make_error_code(Errc::depth_exceeded));
    EXPECT_EQ(error3(repeat(hex("09 03 01"), deep, hex("01")), generous),
              make_error_code(Errc::depth_exceeded));
}

TEST(Limits, DepthIsExactlyTheLimit) {
    Limits limits;
    limits.max_depth = 3;
    // Three nested arrays pass, four fail.
    EXPECT_TRUE(decode0(repeat(hex("0A 00 00 00 01"), 3, hex("05")), limits));
    EXPECT_EQ(error0(repeat(hex("0A 00 00 00 01"), 4, hex("05")), limits),
              make_error_code(Errc::depth_exceeded));
    EXPECT_TRUE(decode3(repeat(hex("09 03 01"), 3, hex("01")), limits));
    EXPECT_EQ(error3(repeat(hex("09 03 01"), 4, hex("01")), limits), make_error_code(Errc::depth_exceeded));
}

TEST(Limits, HugeDeclaredCountsOverThreeBytesFailFast) {
    // 2^28 - 1 items declared (the largest U29 count), three bytes present.
    Limits limits;
    limits.max_elements = std::size_t{1} << 30;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(error3(hex("09 FF FF FF FF 01 01 01 01"), limits), make_error_code(Errc::truncated));
    EXPECT_EQ(error3(hex("0D FF FF FF FF 00 01 02 03"), limits), make_error_code(Errc::truncated));
    EXPECT_EQ(error3(hex("0F FF FF FF FF 00 01 02 03"), limits), make_error_code(Errc::truncated));
    EXPECT_EQ(error3(hex("10 FF FF FF FF 00 01 01 01 01"), limits), make_error_code(Errc::truncated));
    EXPECT_EQ(error3(hex("11 FF FF FF FF 00 01 01 01"), limits), make_error_code(Errc::truncated));
    EXPECT_EQ(error3(hex("0A FF FF FF F3 01 01 01"), limits),
              make_error_code(Errc::truncated));  // 2^25 sealed names
    EXPECT_EQ(error0(hex("0A 10 00 00 00 05 05 05"), limits), make_error_code(Errc::truncated));
    EXPECT_EQ(error0(hex("0A FF FF FF FF 05 05 05"), limits), make_error_code(Errc::truncated));
    EXPECT_EQ(error3(hex("06 FF FF FF FF 61 62 63")), make_error_code(Errc::string_too_long));
    EXPECT_EQ(error3(hex("0C 82 01 61 62 63")), make_error_code(Errc::truncated));
    EXPECT_EQ(error0(hex("0C 00 01 00 00 61 62 63")), make_error_code(Errc::truncated));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(Limits, CountsBeyondTheElementBudgetFailBeforeReading) {
    Limits limits;
    limits.max_elements = 4;
    EXPECT_EQ(error0(hex("0A 00 00 00 05 05 05 05 05 05"), limits), make_error_code(Errc::too_many_elements));
    EXPECT_EQ(error3(hex("09 0B 01 01 01 01 01 01"), limits), make_error_code(Errc::too_many_elements));
    EXPECT_EQ(error3(hex("0D 0B 00 00000001 00000001 00000001 00000001 00000001"), limits),
              make_error_code(Errc::too_many_elements));
    EXPECT_TRUE(decode0(hex("0A 00 00 00 03 05 05 05"), limits));  // 1 + 3 = 4: exactly the limit
}

TEST(Limits, StringBytes) {
    Limits limits;
    limits.max_string_bytes = 4;
    EXPECT_TRUE(decode0(cat(hex("02 00 04"), ascii("abcd")), limits));
    EXPECT_EQ(error0(cat(hex("02 00 05"), ascii("abcde")), limits), make_error_code(Errc::string_too_long));
    EXPECT_EQ(error0(cat(hex("0C 00 00 00 05"), ascii("abcde")), limits),
              make_error_code(Errc::string_too_long));
    EXPECT_EQ(error0(cat(hex("0F 00 00 00 05"), ascii("abcde")), limits),
              make_error_code(Errc::string_too_long));
    EXPECT_EQ(error0(cat(hex("03 00 05"), ascii("abcde"), hex("05 00 00 09")), limits),
              make_error_code(Errc::string_too_long));
    EXPECT_EQ(error3(cat(hex("06 0B"), ascii("abcde")), limits), make_error_code(Errc::string_too_long));
    EXPECT_EQ(error3(cat(hex("0C 0B"), ascii("abcde")), limits), make_error_code(Errc::string_too_long));
    EXPECT_EQ(error3(cat(hex("0B 0B"), ascii("abcde")), limits), make_error_code(Errc::string_too_long));
    // The default limit refuses a 2 GiB long string before looking for its bytes.
    EXPECT_EQ(error0(hex("0C 7F FF FF FF 61")), make_error_code(Errc::string_too_long));
}

TEST(Limits, Amf0ReferenceBombStopsAtTheElementLimit) {
    // Complex value k is an array of ten references to value k-1: ten
    // levels would expand to 10^10 values.
    base::ByteVector bytes = repeat(hex("0A 00 00 00 0A"), 1, repeat(hex("05"), 10));
    for (std::uint8_t k = 1; k < 10; ++k) {
        const auto level = repeat(cat(hex("07 00"), base::ByteVector{static_cast<std::uint8_t>(k - 1)}), 10);
        bytes = cat(bytes, hex("0A 00 00 00 0A"), level);
    }
    const auto start = std::chrono::steady_clock::now();
    Reader0 r(bytes);
    auto all = r.read_all();
    ASSERT_FALSE(all);
    EXPECT_EQ(all.error(), make_error_code(Errc::too_many_elements));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(Limits, Amf3ReferenceBombStopsAtTheElementLimit) {
    base::ByteVector bytes = cat(hex("09 15 01"), repeat(hex("01"), 10));
    for (std::uint8_t k = 1; k < 10; ++k) {
        const auto level = repeat(base::ByteVector{0x09, static_cast<std::uint8_t>((k - 1) << 1)}, 10);
        bytes = cat(bytes, hex("09 15 01"), level);
    }
    Reader3 r(bytes);
    auto all = r.read_all();
    ASSERT_FALSE(all);
    EXPECT_EQ(all.error(), make_error_code(Errc::too_many_elements));
}

TEST(Limits, CopiedElementsCount) {
    // {a,b,c} then a reference to it: 1 + 3 for the object, 1 + 1 + 3 for
    // the reference and its copy = 9 values.
    const auto bytes = cat(hex("03 00 01 61 05 00 01 62 05 00 01 63 05 00 00 09 07 00 00"));
    Limits limits;
    limits.max_elements = 9;
    Reader0 ok(bytes, limits);
    EXPECT_TRUE(ok.read_all());
    limits.max_elements = 8;
    Reader0 over(bytes, limits);
    auto all = over.read_all();
    ASSERT_FALSE(all);
    EXPECT_EQ(all.error(), make_error_code(Errc::too_many_elements));
}

TEST(Limits, StringTableCannotOutgrowTheBudget) {
    Limits limits;
    limits.max_elements = 3;
    const auto bytes = hex("06 03 61 06 03 62 06 03 63 06 03 64");
    Reader3 r(bytes, limits);
    EXPECT_TRUE(r.read());
    EXPECT_TRUE(r.read());
    EXPECT_TRUE(r.read());
    auto fourth = r.read();
    ASSERT_FALSE(fourth);
    EXPECT_EQ(fourth.error(), make_error_code(Errc::too_many_elements));
}

TEST(Limits, ErrorsAreNotFatalAndHaveMessages) {
    const std::error_code ec = make_error_code(Errc::depth_exceeded);
    EXPECT_FALSE(base::is_fatal(ec));
    EXPECT_STREQ(ec.category().name(), "amf");
    EXPECT_EQ(ec.message(), "AMF values are nested deeper than the depth limit");
}

}  // namespace
}  // namespace sluice::amf::test
