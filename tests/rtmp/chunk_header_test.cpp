// Basic and message header encode/decode against REFERENCE.md §1.3 bytes.
#include "rtmp/chunk_header.hpp"

#include <gtest/gtest.h>

#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

using test::hex;

base::ByteVector basic(ChunkFormat f, ChunkStreamId id) {
    const auto h = encode_continuation_header(id, false, 0);
    base::ByteVector v(h.view().begin(), h.view().end());
    v[0] = static_cast<std::uint8_t>((v[0] & 0x3F) | (static_cast<unsigned>(f) << 6));
    return v;
}

TEST(ChunkHeader, BasicHeaderReferenceExamples) {
    EXPECT_EQ(basic(ChunkFormat::full, 3), hex("03"));
    EXPECT_EQ(basic(ChunkFormat::none, 3), hex("C3"));
    EXPECT_EQ(basic(ChunkFormat::full, 64), hex("00 00"));
    EXPECT_EQ(basic(ChunkFormat::same_stream, 319), hex("40 FF"));
    EXPECT_EQ(basic(ChunkFormat::full, 320), hex("01 00 01"));
    EXPECT_EQ(basic(ChunkFormat::full, 365), hex("01 2D 01"));
    EXPECT_EQ(basic(ChunkFormat::full, 65599), hex("01 FF FF"));
    EXPECT_EQ(basic(ChunkFormat::full, 2), hex("02"));
    EXPECT_EQ(basic(ChunkFormat::delta_only, 63), hex("BF"));
}

TEST(ChunkHeader, BasicHeaderSizes) {
    EXPECT_EQ(basic_header_size(2), 1u);
    EXPECT_EQ(basic_header_size(63), 1u);
    EXPECT_EQ(basic_header_size(64), 2u);
    EXPECT_EQ(basic_header_size(319), 2u);
    EXPECT_EQ(basic_header_size(320), 3u);
    EXPECT_EQ(basic_header_size(65599), 3u);
    EXPECT_EQ(basic_header_size_from_first_byte(0x00), 2u);
    EXPECT_EQ(basic_header_size_from_first_byte(0xC1), 3u);
    EXPECT_EQ(basic_header_size_from_first_byte(0x82), 1u);
    EXPECT_FALSE(is_valid_chunk_stream_id(0));
    EXPECT_FALSE(is_valid_chunk_stream_id(1));
    EXPECT_FALSE(is_valid_chunk_stream_id(65600));
}

TEST(ChunkHeader, EveryIdAndFormatRoundTrips) {
    for (ChunkStreamId id = min_chunk_stream_id; id <= max_chunk_stream_id; ++id) {
        for (unsigned f = 0; f < 4; ++f) {
            const auto bytes = basic(static_cast<ChunkFormat>(f), id);
            ASSERT_EQ(bytes.size(), basic_header_size(id));
            ASSERT_EQ(basic_header_size_from_first_byte(bytes[0]), bytes.size());
            const BasicHeader h = decode_basic_header(bytes);
            ASSERT_EQ(h.chunk_stream, id);
            ASSERT_EQ(static_cast<unsigned>(h.format), f);
        }
    }
}

TEST(ChunkHeader, FullHeaderReferenceExample) {
    // 300-byte video on csid 6, msid 1, ts 40: `06 000028 00012C 09 01000000`.
    const auto h = encode_chunk_header(ChunkFormat::full, 6, {40, 300, 9, 1});
    EXPECT_EQ(base::ByteVector(h.view().begin(), h.view().end()), hex("06 000028 00012C 09 01000000"));
    const auto f = decode_message_header(ChunkFormat::full, h.view().subspan(1));
    EXPECT_EQ(f.timestamp_field, 40u);
    EXPECT_EQ(f.length, 300u);
    EXPECT_EQ(f.type, 9u);
    EXPECT_EQ(f.stream_id, 1u);
}

TEST(ChunkHeader, ExtendedTimestampReferenceExample) {
    const auto h = encode_chunk_header(ChunkFormat::full, 4, {0x01000000, 200, 8, 1});
    EXPECT_EQ(base::ByteVector(h.view().begin(), h.view().end()),
              hex("04 FFFFFF 0000C8 08 01000000 01000000"));
    const auto c = encode_continuation_header(4, true, 0x01000000);
    EXPECT_EQ(base::ByteVector(c.view().begin(), c.view().end()), hex("C4 01000000"));
    // Exactly 0xFFFFFF also needs the extended field (the marker is taken).
    const auto m = encode_chunk_header(ChunkFormat::delta_only, 4, {0xFFFFFF, 0, 0, 0});
    EXPECT_EQ(base::ByteVector(m.view().begin(), m.view().end()), hex("84 FFFFFF 00FFFFFF"));
}

TEST(ChunkHeader, ShorterFormats) {
    const auto h1 = encode_chunk_header(ChunkFormat::same_stream, 3, {20, 32, 8, 99});
    EXPECT_EQ(base::ByteVector(h1.view().begin(), h1.view().end()), hex("43 000014 000020 08"));
    const auto f1 = decode_message_header(ChunkFormat::same_stream, h1.view().subspan(1));
    EXPECT_EQ(f1.timestamp_field, 20u);
    EXPECT_EQ(f1.length, 32u);
    EXPECT_EQ(f1.stream_id, 0u);
    const auto h2 = encode_chunk_header(ChunkFormat::delta_only, 3, {20, 32, 8, 99});
    EXPECT_EQ(base::ByteVector(h2.view().begin(), h2.view().end()), hex("83 000014"));
    const auto h3 = encode_chunk_header(ChunkFormat::none, 3, {20, 32, 8, 99});
    EXPECT_EQ(base::ByteVector(h3.view().begin(), h3.view().end()), hex("C3"));
    EXPECT_EQ(message_header_size(ChunkFormat::full), 11u);
    EXPECT_EQ(message_header_size(ChunkFormat::same_stream), 7u);
    EXPECT_EQ(message_header_size(ChunkFormat::delta_only), 3u);
    EXPECT_EQ(message_header_size(ChunkFormat::none), 0u);
}

}  // namespace
}  // namespace sluice::rtmp
