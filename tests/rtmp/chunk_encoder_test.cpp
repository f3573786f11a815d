// ChunkEncoder: the spec's two examples byte-exact, header selection policy,
// extended timestamps, GatherList behaviour, and random round trips through
// ChunkDecoder (seeded, deterministic).
#include "rtmp/chunk_encoder.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "rtmp/chunk_decoder.hpp"
#include "rtmp/errors.hpp"
#include "rtmp_test_support.hpp"
#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

using test::cat;
using test::hex;

using test_support::pattern;
using test_support::slice;

std::vector<Message> decode_all(base::Bytes in, std::uint32_t chunk_size = default_chunk_size) {
    ChunkDecoder d;
    EXPECT_FALSE(d.set_chunk_size(chunk_size));
    std::vector<Message> out;
    while (true) {
        DecodeResult r = d.decode(in);
        in = in.subspan(r.consumed);
        EXPECT_FALSE(r.error) << r.error.message();
        if (r.error || !r.message) break;
        out.push_back(std::move(*r.message));
    }
    EXPECT_TRUE(in.empty());
    return out;
}

TEST(ChunkEncoder, SpecExample1ByteExact) {
    const auto audio = pattern(32, 1);
    const auto payload = base::Payload::copy_of(audio);
    ChunkEncoder enc;
    GatherList out;
    std::vector<std::size_t> sizes;
    for (std::uint32_t i = 0; i < 4; ++i) {
        const std::size_t before = out.size_bytes();
        ASSERT_FALSE(enc.encode(Message{MessageType::audio, 1000 + 20 * i, 12345, payload}, 3, out));
        sizes.push_back(out.size_bytes() - before);
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{44, 36, 33, 33}));
    const auto expected = cat(hex("03 0003E8 000020 08 39300000"), audio, hex("83 000014"), audio, hex("C3"),
                              audio, hex("C3"), audio);
    const auto bytes = out.flatten();
    EXPECT_EQ(bytes, expected);
    const auto back = decode_all(bytes);
    ASSERT_EQ(back.size(), 4u);
    EXPECT_EQ(back[3], (Message{MessageType::audio, 1060, 12345, payload}));
}

TEST(ChunkEncoder, SpecExample2ByteExact) {
    const auto video = pattern(307, 5);
    const Message m{MessageType::video, 1000, 12346, base::Payload::copy_of(video)};
    ChunkEncoder enc;
    GatherList out;
    ASSERT_FALSE(enc.encode(m, 4, out));
    EXPECT_EQ(out.size_bytes(), 140u + 129u + 52u);
    EXPECT_EQ(out.flatten(), cat(hex("04 0003E8 000133 09 3A300000"), slice(video, 0, 128), hex("C4"),
                                 slice(video, 128, 128), hex("C4"), slice(video, 256, 51)));
    // Payload segments point into the message's own storage: no copy.
    ASSERT_EQ(out.segment_count(), 6u);
    EXPECT_EQ(out.segment(1).data(), m.payload.data());
    EXPECT_EQ(out.segment(3).data(), m.payload.data() + 128);
    EXPECT_EQ(out.segment(5).data(), m.payload.data() + 256);
    const auto back = decode_all(out.flatten());
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0], m);
}

TEST(ChunkEncoder, ReferenceExtendedTimestampExample) {
    const auto p = pattern(200, 3);
    ChunkEncoder enc;
    GatherList out;
    ASSERT_FALSE(enc.encode(Message{MessageType::audio, 0x01000000, 1, base::Payload::copy_of(p)}, 4, out));
    EXPECT_EQ(out.flatten(), cat(hex("04 FFFFFF 0000C8 08 01000000 01000000"), slice(p, 0, 128),
                                 hex("C4 01000000"), slice(p, 128, 72)));
}

TEST(ChunkEncoder, HeaderSelection) {
    const auto p4 = base::Payload::copy_of(hex("01 02 03 04"));
    const auto p2 = base::Payload::copy_of(hex("05 06"));
    ChunkEncoder enc;
    GatherList out;
    auto header_of = [&](const Message& m) {
        out.clear();
        EXPECT_FALSE(enc.encode(m, 5, out));
        return base::ByteVector(out.segment(0).begin(), out.segment(0).end());
    };
    EXPECT_EQ(header_of({MessageType::video, 100, 1, p4}), hex("05 000064 000004 09 01000000"));
    EXPECT_EQ(header_of({MessageType::video, 140, 1, p2}), hex("45 000028 000002 09"));  // length changed
    EXPECT_EQ(header_of({MessageType::audio, 150, 1, p2}), hex("45 00000A 000002 08"));  // type changed
    EXPECT_EQ(header_of({MessageType::audio, 170, 1, p2}), hex("85 000014"));            // delta changed
    EXPECT_EQ(header_of({MessageType::audio, 190, 1, p2}), hex("C5"));                   // all repeat
    EXPECT_EQ(header_of({MessageType::audio, 180, 1, p2}), hex("05 0000B4 000002 08 01000000"));  // backwards
    EXPECT_EQ(header_of({MessageType::audio, 200, 2, p2}),
              hex("05 0000C8 000002 08 02000000"));                            // other stream
    EXPECT_EQ(header_of({MessageType::audio, 200, 2, p2}), hex("85 000000"));  // delta 0 differs from 200
    EXPECT_EQ(header_of({MessageType::audio, 200, 2, p2}), hex("C5"));
    // Serial arithmetic: 0xFFFFFFF0 -> 0x10 is forward across the wrap.
    EXPECT_EQ(header_of({MessageType::audio, 0xFFFFFFF0u, 2, p2}),
              hex("05 FFFFFF 000002 08 02000000 FFFFFFF0"));
    EXPECT_EQ(header_of({MessageType::audio, 0x10, 2, p2}), hex("85 000020"));
    enc.reset(5);
    EXPECT_EQ(header_of({MessageType::audio, 0x30, 2, p2}), hex("05 000030 000002 08 02000000"));
}

TEST(ChunkEncoder, ExtendedDeltaRepeatsOnFormat3Messages) {
    const auto p = base::Payload::copy_of(pattern(3, 1));
    ChunkEncoder enc;
    GatherList out;
    ASSERT_FALSE(enc.encode({MessageType::audio, 0, 1, p}, 5, out));
    ASSERT_FALSE(enc.encode({MessageType::audio, 0x01000000, 1, p}, 5, out));
    ASSERT_FALSE(enc.encode({MessageType::audio, 0x02000000, 1, p}, 5, out));
    EXPECT_EQ(out.flatten(), cat(hex("05 000000 000003 08 01000000"), p.bytes(), hex("85 FFFFFF 01000000"),
                                 p.bytes(), hex("C5 01000000"), p.bytes()));
    const auto back = decode_all(out.flatten());
    ASSERT_EQ(back.size(), 3u);
    EXPECT_EQ(back[2].timestamp, 0x02000000u);
}

TEST(ChunkEncoder, Errors) {
    ChunkEncoder enc;
    GatherList out;
    EXPECT_EQ(enc.encode({MessageType::audio, 0, 1, {}}, 1, out), Errc::chunk_stream_id_invalid);
    EXPECT_EQ(enc.encode({MessageType::audio, 0, 1, {}}, 65600, out), Errc::chunk_stream_id_invalid);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(enc.set_chunk_size(0), Errc::chunk_size_invalid);
    EXPECT_EQ(enc.set_chunk_size(0x80000000u), Errc::chunk_size_invalid);
    EXPECT_EQ(enc.set_chunk_size(0x1000000u), Errc::chunk_size_out_of_range);
    EXPECT_FALSE(enc.set_chunk_size(1));
    // Zero-length message: one header, no data.
    ASSERT_FALSE(enc.encode({MessageType::data_amf0, 7, 0, {}}, 65599, out));
    EXPECT_EQ(out.flatten(), hex("01 FF FF 000007 000000 12 00000000"));
}

TEST(ChunkEncoder, GatherListConsume) {
    const auto p = base::Payload::copy_of(pattern(300, 1));
    ChunkEncoder enc;
    GatherList out;
    ASSERT_FALSE(enc.encode({MessageType::video, 40, 1, p}, 6, out));
    const auto all = out.flatten();
    ASSERT_EQ(all.size(), 12u + 300u + 2u);
    EXPECT_EQ(p.use_count(), 2);  // one reference for all slices
    out.consume(5);
    EXPECT_EQ(out.flatten(), slice(all, 5, all.size() - 5));
    out.consume(150);
    EXPECT_EQ(out.flatten(), slice(all, 155, all.size() - 155));
    out.consume(1000);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(out.segment_count(), 0u);
    EXPECT_EQ(p.use_count(), 1);
}

TEST(ChunkEncoder, RandomRoundTrips) {
    std::mt19937 rng(20261124);
    auto next = [&] { return static_cast<std::uint32_t>(rng()); };
    for (int round = 0; round < 40; ++round) {
        ChunkEncoder enc;
        const std::uint32_t chunk_size = std::uniform_int_distribution<std::uint32_t>(1, 600)(rng);
        ASSERT_FALSE(enc.set_chunk_size(chunk_size));
        std::vector<Message> sent;
        GatherList out;
        base::Timestamp ts[4] = {0, 0, 0, 0};
        const ChunkStreamId ids[4] = {3, 63, 300, 65599};
        for (int i = 0; i < 60; ++i) {
            const unsigned k = next() % 4;
            const unsigned roll = next() % 10;
            if (roll < 6) {
                ts[k] += next() % 50;
            } else if (roll < 7) {
                ts[k] -= next() % 1000;  // backwards
            } else if (roll < 8) {
                ts[k] += 0xFFFFFF + next() % 3;  // extended delta
            } else {
                ts[k] = static_cast<base::Timestamp>(next());  // anywhere, often extended
            }
            const std::size_t len = next() % 4 == 0 ? next() % 2000 : next() % 40;
            base::ByteVector bytes(len);
            for (auto& b : bytes) b = static_cast<std::uint8_t>(next());
            Message m{static_cast<MessageType>(1 + next() % 22), ts[k], next() % 3,
                      base::Payload::from(std::move(bytes))};
            ASSERT_FALSE(enc.encode(m, ids[k], out));
            sent.push_back(std::move(m));
        }
        const auto wire = out.flatten();
        // Decode in random-sized pieces.
        ChunkDecoder dec;
        ASSERT_FALSE(dec.set_chunk_size(chunk_size));
        std::vector<Message> got;
        base::Bytes rest(wire);
        while (!rest.empty()) {
            const std::size_t n = std::min<std::size_t>(rest.size(), 1 + next() % 700);
            base::Bytes piece = rest.first(n);
            rest = rest.subspan(n);
            while (true) {
                DecodeResult r = dec.decode(piece);
                piece = piece.subspan(r.consumed);
                ASSERT_FALSE(r.error) << r.error.message();
                if (!r.message) break;
                got.push_back(std::move(*r.message));
            }
        }
        ASSERT_EQ(got.size(), sent.size()) << "round " << round;
        for (std::size_t i = 0; i < sent.size(); ++i)
            ASSERT_EQ(got[i], sent[i]) << "round " << round << " #" << i;
    }
}

}  // namespace
}  // namespace sluice::rtmp
