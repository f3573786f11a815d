#include "demux/byte_source.hpp"

#include <gtest/gtest.h>

#include "demux/errors.hpp"
#include "support/hex_literal.hpp"

namespace sluice::demux {
namespace {

using sluice::test::hex;

/// Returns at most 3 bytes per call, as a pread interrupted by signals might.
class DribbleSource final : public ByteSource {
public:
    explicit DribbleSource(base::ByteVector bytes) : inner_(std::move(bytes)) {}
    std::uint64_t size() const noexcept override { return inner_.size(); }
    base::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) override {
        return inner_.read_at(offset, out.first(std::min<std::size_t>(out.size(), 3)));
    }

private:
    MemorySource inner_;
};

TEST(MemorySource, ReadsWithinItsBytesAndShortAtTheEnd) {
    MemorySource source(hex("01 02 03 04 05"));
    EXPECT_EQ(source.size(), 5u);
    std::uint8_t out[4] = {};
    EXPECT_EQ(*source.read_at(1, out), 4u);
    EXPECT_EQ(out[0], 2);
    EXPECT_EQ(out[3], 5);
    EXPECT_EQ(*source.read_at(3, out), 2u);
    EXPECT_EQ(*source.read_at(5, out), 0u);
    EXPECT_EQ(*source.read_at(~std::uint64_t{0}, out), 0u);
    EXPECT_EQ(source.read_count(), 4u);
}

TEST(MemorySource, FailsReadsFromTheInjectedOffset) {
    MemorySource source(hex("01 02 03 04 05"));
    source.fail_from(3, std::make_error_code(std::errc::io_error));
    std::uint8_t out[2] = {};
    EXPECT_TRUE(source.read_at(0, out));
    EXPECT_EQ(source.read_at(2, out).error(), std::errc::io_error);
}

TEST(ReadExact, FillsAcrossShortReadsAndReportsTruncation) {
    DribbleSource source(hex("00 01 02 03 04 05 06 07 08 09"));
    std::uint8_t out[8] = {};
    EXPECT_FALSE(read_exact(source, 1, out));
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[7], 8);
    EXPECT_EQ(read_exact(source, 4, out), Errc::source_truncated);
    EXPECT_TRUE(base::is_fatal(make_error_code(Errc::source_truncated)));
}

}  // namespace
}  // namespace sluice::demux
