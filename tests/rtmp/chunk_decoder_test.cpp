// ChunkDecoder against the spec's examples (§5.3.2.1, §5.3.2.2), REFERENCE.md
// §1.3 bytes, every split point, the extended-timestamp conventions, limits
// and malformed headers.
#include "rtmp/chunk_decoder.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtmp/control.hpp"
#include "rtmp/errors.hpp"
#include "rtmp_test_support.hpp"
#include "support/guard_page_buffer.hpp"
#include "support/hex_literal.hpp"
#include "support/split_feeder.hpp"

namespace sluice::rtmp {
namespace {

using test::cat;
using test::hex;

using test_support::pattern;
using test_support::slice;

struct Outcome {
    std::vector<Message> messages;
    std::error_code error;
};

// Feeds pieces in order, applying Set Chunk Size and Abort as rtmp::Connection will.
Outcome feed(ChunkDecoder& d, const test::Pieces& pieces) {
    Outcome out;
    for (base::Bytes piece : pieces) {
        // Each piece ends right before an inaccessible page: over-reads fault.
        test::GuardPageBuffer guarded(piece);
        base::Bytes in = guarded.bytes();
        while (true) {
            DecodeResult r = d.decode(in);
            EXPECT_LE(r.consumed, in.size());
            in = in.subspan(r.consumed);
            if (r.error) {
                out.error = r.error;
                return out;
            }
            if (!r.message) {
                EXPECT_TRUE(in.empty()) << "no message and no error must mean all input was taken";
                break;
            }
            if (r.message->type == MessageType::set_chunk_size) {
                auto c = decode_set_chunk_size(*r.message);
                if (c) out.error = d.set_chunk_size(c->chunk_size);
            } else if (r.message->type == MessageType::abort) {
                auto a = decode_abort(*r.message);
                if (a) d.abort(a->chunk_stream);
            }
            out.messages.push_back(std::move(*r.message));
            if (out.error) return out;
        }
    }
    return out;
}

Outcome feed_whole(base::Bytes in, Limits l = {}, Leniency n = {}) {
    ChunkDecoder d(l, n);
    return feed(d, {in});
}

Message msg(MessageType t, base::Timestamp ts, MessageStreamId s, const base::ByteVector& p) {
    return Message{t, ts, s, base::Payload::copy_of(p)};
}

// Spec §5.3.2.1: four 32-byte audio messages, msid 12345, ts 1000 + 20k, csid 3.
const base::ByteVector audio = pattern(32, 1);
base::ByteVector spec_example_1() {
    return cat(hex("03 0003E8 000020 08 39300000"), audio, hex("83 000014"), audio, hex("C3"), audio,
               hex("C3"), audio);
}
// Spec §5.3.2.2: one 307-byte video message, msid 12346, ts 1000, csid 4.
const base::ByteVector video = pattern(307, 5);
base::ByteVector spec_example_2() {
    return cat(hex("04 0003E8 000133 09 3A300000"), slice(video, 0, 128), hex("C4"), slice(video, 128, 128),
               hex("C4"), slice(video, 256, 51));
}

TEST(ChunkDecoder, SpecExample1AtEverySplit) {
    const auto input = spec_example_1();
    ASSERT_EQ(input.size(), 44u + 36u + 33u + 33u);
    test::for_each_split(input, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        ChunkDecoder d;
        const Outcome o = feed(d, pieces);
        ASSERT_FALSE(o.error);
        ASSERT_EQ(o.messages.size(), 4u);
        for (std::size_t i = 0; i < 4; ++i) {
            EXPECT_EQ(o.messages[i],
                      msg(MessageType::audio, static_cast<base::Timestamp>(1000 + 20 * i), 12345, audio));
        }
        EXPECT_EQ(d.buffered_bytes(), 0u);
        EXPECT_EQ(d.bytes_consumed(), input.size());
    });
}

TEST(ChunkDecoder, SpecExample2AtEverySplit) {
    const auto input = spec_example_2();
    ASSERT_EQ(input.size(), 140u + 129u + 52u);
    test::for_each_split(input, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        ChunkDecoder d;
        const Outcome o = feed(d, pieces);
        ASSERT_FALSE(o.error);
        ASSERT_EQ(o.messages.size(), 1u);
        EXPECT_EQ(o.messages[0], msg(MessageType::video, 1000, 12346, video));
    });
}

TEST(ChunkDecoder, AtMostOneMessagePerCall) {
    const auto input = spec_example_1();
    ChunkDecoder d;
    DecodeResult r = d.decode(input);
    EXPECT_EQ(r.consumed, 44u);
    ASSERT_TRUE(r.message);
    EXPECT_EQ(r.chunk_stream, 3u);
    r = d.decode(base::Bytes(input).subspan(44));
    EXPECT_EQ(r.consumed, 36u);
    ASSERT_TRUE(r.message);
    EXPECT_EQ(r.message->timestamp, 1020u);
}

TEST(ChunkDecoder, GuardPageInput) {
    test::GuardPageBuffer buf(spec_example_2());
    const Outcome o = feed_whole(buf.bytes());
    ASSERT_FALSE(o.error);
    ASSERT_EQ(o.messages.size(), 1u);
    test::GuardPageBuffer partial(base::Bytes(spec_example_2()).first(150));
    ChunkDecoder d;
    const DecodeResult r = d.decode(partial.bytes());
    EXPECT_EQ(r.consumed, 150u);
    EXPECT_FALSE(r.message);
    EXPECT_FALSE(r.error);
}

TEST(ChunkDecoder, ReferenceVideoExample) {
    // REFERENCE.md §1.3: 300-byte video, csid 6, msid 1, ts 40, chunk size 128.
    const auto v = pattern(300, 9);
    const auto input = cat(hex("06 000028 00012C 09 01000000"), slice(v, 0, 128), hex("C6"),
                           slice(v, 128, 128), hex("C6"), slice(v, 256, 44));
    const Outcome o = feed_whole(input);
    ASSERT_EQ(o.messages.size(), 1u);
    EXPECT_EQ(o.messages[0], msg(MessageType::video, 40, 1, v));
}

TEST(ChunkDecoder, BasicHeaderForms) {
    // csid 64 (2 bytes), 319, 320 and 65599 (3 bytes), one zero-length message each.
    const auto input =
        cat(hex("00 00 000001 000000 12 00000000"), hex("00 FF 000002 000000 12 00000000"),
            hex("01 00 01 000003 000000 12 00000000"), hex("01 FF FF 000004 000000 12 00000000"),
            hex("01 2D 01 000005 000000 12 00000000"), hex("3F 000006 000000 12 00000000"));
    test::for_each_split(input, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        ChunkDecoder d;
        std::vector<ChunkStreamId> ids;
        for (base::Bytes in : pieces) {
            while (true) {
                const DecodeResult r = d.decode(in);
                in = in.subspan(r.consumed);
                ASSERT_FALSE(r.error);
                if (!r.message) break;
                EXPECT_EQ(r.message->payload.size(), 0u);  // zero-length messages are delivered
                EXPECT_EQ(r.message->timestamp, ids.size() + 1);
                ids.push_back(r.chunk_stream);
            }
        }
        EXPECT_EQ(ids, (std::vector<ChunkStreamId>{64, 319, 320, 65599, 365, 63}));
    });
}

// REFERENCE.md §1.3 extended timestamp example, both conventions.
const base::ByteVector ext_payload = pattern(200, 3);
base::ByteVector ext_repeated() {
    return cat(hex("04 FFFFFF 0000C8 08 01000000 01000000"), slice(ext_payload, 0, 128), hex("C4 01000000"),
               slice(ext_payload, 128, 72));
}
base::ByteVector ext_omitted() {
    return cat(hex("04 FFFFFF 0000C8 08 01000000 01000000"), slice(ext_payload, 0, 128), hex("C4"),
               slice(ext_payload, 128, 72));
}

TEST(ChunkDecoder, ExtendedTimestampBothConventionsWhenLenient) {
    for (const auto& input : {ext_repeated(), ext_omitted()}) {
        test::for_each_split(input, [&](const test::Pieces& pieces, const std::string& label) {
            SCOPED_TRACE(label);
            ChunkDecoder d;
            const Outcome o = feed(d, pieces);
            ASSERT_FALSE(o.error);
            ASSERT_EQ(o.messages.size(), 1u);
            EXPECT_EQ(o.messages[0], msg(MessageType::audio, 0x01000000, 1, ext_payload));
        });
    }
}

TEST(ChunkDecoder, ExtendedTimestampStrictReadsTheField) {
    Leniency strict;
    strict.type3_extended_timestamp = false;
    const Outcome ok = feed_whole(ext_repeated(), {}, strict);
    ASSERT_EQ(ok.messages.size(), 1u);
    EXPECT_EQ(ok.messages[0].payload, base::Payload::copy_of(ext_payload));
    // A peer that omits the field is misframed in strict mode: 4 payload
    // bytes are taken as the field and the message stays incomplete.
    ChunkDecoder d({}, strict);
    const auto omitted = ext_omitted();
    const DecodeResult r = d.decode(omitted);
    EXPECT_EQ(r.consumed, omitted.size());
    EXPECT_FALSE(r.message);
    EXPECT_EQ(d.buffered_bytes(), 128u + 68u);
}

TEST(ChunkDecoder, ExtendedTimestampShortLastChunk) {
    // 130-byte message: the last chunk has 2 data bytes, fewer than the field.
    const auto p = pattern(130, 11);
    const auto repeated = cat(hex("04 FFFFFF 000082 08 01000000 01000000"), slice(p, 0, 128),
                              hex("C4 01000000"), slice(p, 128, 2), hex("44 000001 000000 08"));
    const auto omitted = cat(hex("04 FFFFFF 000082 08 01000000 01000000"), slice(p, 0, 128), hex("C4"),
                             slice(p, 128, 2), hex("44 000001 000000 08"));
    for (const auto& input : {repeated, omitted}) {
        test::for_each_split(input, [&](const test::Pieces& pieces, const std::string& label) {
            SCOPED_TRACE(label);
            ChunkDecoder d;
            const Outcome o = feed(d, pieces);
            ASSERT_FALSE(o.error);
            ASSERT_EQ(o.messages.size(), 2u);
            EXPECT_EQ(o.messages[0], msg(MessageType::audio, 0x01000000, 1, p));
            EXPECT_EQ(o.messages[1].timestamp, 0x01000001u);
        });
    }
}

TEST(ChunkDecoder, ExtendedDeltaOnFormats1And2And3) {
    const auto a = pattern(4, 1);
    const auto input = cat(hex("05 000000 000004 08 01000000"), a,  // ts 0
                           hex("45 FFFFFF 000004 08 01000000"), a,  // fmt 1, delta 2^24
                           hex("85 FFFFFF 02000000"), a,            // fmt 2, delta 2^25
                           hex("C5 02000000"), a,                   // fmt 3: same delta, field repeats
                           hex("85 000010"), a);                    // small delta again
    test::for_each_split(input, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        ChunkDecoder d;
        const Outcome o = feed(d, pieces);
        ASSERT_FALSE(o.error);
        ASSERT_EQ(o.messages.size(), 5u);
        EXPECT_EQ(o.messages[0].timestamp, 0u);
        EXPECT_EQ(o.messages[1].timestamp, 0x01000000u);
        EXPECT_EQ(o.messages[2].timestamp, 0x03000000u);
        EXPECT_EQ(o.messages[3].timestamp, 0x05000000u);
        EXPECT_EQ(o.messages[4].timestamp, 0x05000010u);
    });
}

TEST(ChunkDecoder, ExtendedDeltaRepeatedOnContinuationsOfFormat1) {
    // fmt 1 with an extended delta, 200-byte message: the continuation chunk
    // repeats the delta (spec, FFmpeg) or omits it (some encoders).
    const auto p = pattern(200, 21);
    const auto head =
        cat(hex("05 000010 000000 08 01000000"), hex("45 FFFFFF 0000C8 09 01000000"), slice(p, 0, 128));
    const auto repeated = cat(head, hex("C5 01000000"), slice(p, 128, 72));
    const auto omitted = cat(head, hex("C5"), slice(p, 128, 72));
    for (const auto& input : {repeated, omitted}) {
        test::for_each_split(input, [&](const test::Pieces& pieces, const std::string& label) {
            SCOPED_TRACE(label);
            ChunkDecoder d;
            const Outcome o = feed(d, pieces);
            ASSERT_FALSE(o.error);
            ASSERT_EQ(o.messages.size(), 2u);
            EXPECT_EQ(o.messages[1], msg(MessageType::video, 0x01000010, 1, p));
        });
    }
    Leniency strict;
    strict.type3_extended_timestamp = false;
    const Outcome o = feed_whole(repeated, {}, strict);
    ASSERT_EQ(o.messages.size(), 2u);
    EXPECT_EQ(o.messages[1], msg(MessageType::video, 0x01000010, 1, p));
}

TEST(ChunkDecoder, TimestampWraps) {
    const auto a = pattern(2, 1);
    const auto input =
        cat(hex("05 FFFFFF 000002 08 01000000 FFFFFFF0"), a, hex("85 000020"), a, hex("C5"), a);
    const Outcome o = feed_whole(input);
    ASSERT_EQ(o.messages.size(), 3u);
    EXPECT_EQ(o.messages[0].timestamp, 0xFFFFFFF0u);
    EXPECT_EQ(o.messages[1].timestamp, 0x10u);
    EXPECT_EQ(o.messages[2].timestamp, 0x30u);
}

TEST(ChunkDecoder, Format3AfterFormat0ReusesTimestampAsDelta) {
    const auto a = pattern(3, 1);
    const Outcome o = feed_whole(cat(hex("03 000064 000003 14 00000000"), a, hex("C3"), a));
    ASSERT_EQ(o.messages.size(), 2u);
    EXPECT_EQ(o.messages[1].timestamp, 200u);  // §5.3.1.2.4
}

TEST(ChunkDecoder, SetChunkSizeValidation) {
    {
        ChunkDecoder d;
        EXPECT_EQ(d.set_chunk_size(0), Errc::chunk_size_invalid);
        EXPECT_TRUE(d.failed());
        const DecodeResult r = d.decode(spec_example_1());
        EXPECT_EQ(r.error, Errc::chunk_size_invalid);
        EXPECT_EQ(r.consumed, 0u);
    }
    {
        ChunkDecoder d;
        EXPECT_EQ(d.set_chunk_size(0x80000000u), Errc::chunk_size_invalid);
    }
    {
        ChunkDecoder d;
        EXPECT_FALSE(d.set_chunk_size(0x7FFFFFFF));
        EXPECT_EQ(d.chunk_size(), 0xFFFFFFu);
        EXPECT_FALSE(d.set_chunk_size(1));
        EXPECT_EQ(d.chunk_size(), 1u);
    }
    Limits l;
    l.min_chunk_size = 128;
    l.max_chunk_size = 65536;
    {
        ChunkDecoder d(l);
        EXPECT_EQ(d.set_chunk_size(64), Errc::chunk_size_out_of_range);
    }
    {
        ChunkDecoder d(l);
        EXPECT_EQ(d.set_chunk_size(0x7FFFFFFF), Errc::chunk_size_out_of_range);
    }
    {
        ChunkDecoder d(l);
        EXPECT_FALSE(d.set_chunk_size(65536));
    }
}

TEST(ChunkDecoder, ChunkSizeOneAndSetChunkSizeMessage) {
    // Set Chunk Size 1 on csid 2, then a 3-byte message in three 1-byte chunks,
    // then Set Chunk Size 4096 (in 1-byte chunks) and a 300-byte message in one chunk.
    const auto v = pattern(300, 2);
    const auto input =
        cat(hex("02 000000 000004 01 00000000 00000001"), hex("03 000000 000003 14 00000000 AA"),
            hex("C3 BB C3 CC"), hex("02 000000 000004 01 00000000 00"), hex("C2 00 C2 10 C2 00"),
            hex("06 000028 00012C 09 01000000"), v);
    test::for_each_split(input, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        ChunkDecoder d;
        const Outcome o = feed(d, pieces);
        ASSERT_FALSE(o.error);
        ASSERT_EQ(o.messages.size(), 4u);
        EXPECT_EQ(o.messages[1].payload, base::Payload::copy_of(hex("AA BB CC")));
        EXPECT_EQ(o.messages[3], msg(MessageType::video, 40, 1, v));
        EXPECT_EQ(d.chunk_size(), 4096u);
    });
}

TEST(ChunkDecoder, AbortMidMessage) {
    const auto v = pattern(300, 4);
    const auto input = cat(hex("06 000028 00012C 09 01000000"), slice(v, 0, 128),  // first chunk only
                           hex("02 000000 000004 02 00000000 00000006"),           // Abort(6)
                           hex("06 000050 000002 09 01000000 0102"));              // new message on 6
    test::for_each_split(input, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        ChunkDecoder d;
        const Outcome o = feed(d, pieces);
        ASSERT_FALSE(o.error);
        ASSERT_EQ(o.messages.size(), 2u);
        EXPECT_EQ(o.messages[0].type, MessageType::abort);
        EXPECT_EQ(o.messages[1], msg(MessageType::video, 80, 1, hex("01 02")));
        EXPECT_EQ(d.buffered_bytes(), 0u);
    });
    // Without the Abort the new header is refused.
    const Outcome bad = feed_whole(
        cat(hex("06 000028 00012C 09 01000000"), slice(v, 0, 128), hex("06 000050 000002 09 01000000")));
    EXPECT_EQ(bad.error, Errc::message_length_changed);
}

TEST(ChunkDecoder, AbortBetweenCallsInsideAChunk) {
    const auto v = pattern(300, 4);
    const auto input = cat(hex("06 000028 00012C 09 01000000"), slice(v, 0, 128), hex("C6"),
                           slice(v, 128, 128), hex("06 000050 000001 09 01000000 77"));
    ChunkDecoder d;
    const std::size_t cut = 12 + 128 + 1 + 50;  // inside the second chunk
    DecodeResult r = d.decode(base::Bytes(input).first(cut));
    ASSERT_EQ(r.consumed, cut);
    d.abort(6);
    d.abort(9999);  // unknown ids are fine
    EXPECT_EQ(d.buffered_bytes(), 0u);
    r = d.decode(base::Bytes(input).subspan(cut));
    ASSERT_FALSE(r.error);
    ASSERT_TRUE(r.message);
    EXPECT_EQ(r.message->payload, base::Payload::copy_of(hex("77")));
}

TEST(ChunkDecoder, AbortWhileReadingARepeatedExtendedTimestamp) {
    for (bool lenient : {true, false}) {
        SCOPED_TRACE(lenient ? "lenient" : "strict");
        Leniency n;
        n.type3_extended_timestamp = lenient;
        const auto input = cat(ext_repeated(), hex("04 000005 000001 08 01000000 99"));
        const std::size_t cut = 16 + 128 + 1 + 2;  // two bytes into the repeated field
        ChunkDecoder d({}, n);
        DecodeResult r = d.decode(base::Bytes(input).first(cut));
        ASSERT_EQ(r.consumed, cut);
        ASSERT_FALSE(r.message);
        d.abort(4);
        r = d.decode(base::Bytes(input).subspan(cut));
        ASSERT_FALSE(r.error);
        ASSERT_TRUE(r.message);  // the rest of the aborted chunk was skipped
        EXPECT_EQ(r.message->timestamp, 5u);
        EXPECT_EQ(r.message->payload, base::Payload::copy_of(hex("99")));
        EXPECT_EQ(d.buffered_bytes(), 0u);
    }
}

TEST(ChunkDecoder, NewHeaderMidMessageIsRefused) {
    const auto v = pattern(128, 4);
    for (const char* next : {"46 000001 000002 09", "86 000001", "06 000001 00012C 09 01000000"}) {
        const Outcome o = feed_whole(cat(hex("06 000028 00012C 09 01000000"), v, hex(next)));
        EXPECT_EQ(o.error, Errc::message_length_changed) << next;
    }
}

TEST(ChunkDecoder, NotStartedChunkStream) {
    for (const char* h : {"83 000000 00", "C3 00"}) {
        const Outcome o = feed_whole(hex(h));
        EXPECT_EQ(o.error, Errc::chunk_stream_not_started) << h;
    }
    // Format 1 opens a chunk stream (librtmp's first user control on csid 2
    // can be one), unless the leniency is off.
    ChunkDecoder lenient;
    const Outcome opened = feed(lenient, {hex("42 000005 000006 04 001B 0001 0203")});
    ASSERT_FALSE(opened.error) << opened.error.message();
    ASSERT_EQ(opened.messages.size(), 1u);
    EXPECT_EQ(opened.messages[0].type, MessageType::user_control);
    EXPECT_EQ(opened.messages[0].stream_id, 0u);
    EXPECT_EQ(opened.messages[0].timestamp, 5u);
    Leniency strict;
    strict.type1_opens_chunk_stream = false;
    ChunkDecoder spec(Limits{}, strict);
    EXPECT_EQ(feed(spec, {hex("43 000000 000001 08 00")}).error, Errc::chunk_stream_not_started);
}

TEST(ChunkDecoder, TooManyChunkStreams) {
    Limits l;
    l.max_chunk_streams = 2;
    const auto input = cat(hex("03 000000 000000 14 00000000"), hex("04 000000 000000 14 00000000"),
                           hex("03 000000 000000 14 00000000"), hex("01 00 01 000000 000000 14 00000000"));
    ChunkDecoder d(l);
    const Outcome o = feed(d, {input});
    EXPECT_EQ(o.messages.size(), 3u);
    EXPECT_EQ(o.error, Errc::too_many_chunk_streams);
    EXPECT_EQ(d.error_offset(), 36u);
    EXPECT_EQ(d.chunk_stream_count(), 2u);
}

TEST(ChunkDecoder, MessageTooLargeBeforeAnyAllocation) {
    Limits l;
    l.max_message_bytes = 100;
    EXPECT_FALSE(feed_whole(hex("03 000000 000064 14 00000000"), l).error);
    const Outcome o = feed_whole(hex("03 000000 000065 14 00000000"), l);
    EXPECT_EQ(o.error, Errc::message_too_large);
    const Outcome o1 = feed_whole(hex("03 000000 000001 14 00000000 00 43 000000 000065 14"), l);
    EXPECT_EQ(o1.error, Errc::message_too_large);
}

TEST(ChunkDecoder, PartialBytesLimit) {
    Limits l;
    l.max_partial_bytes_total = 200;
    const auto v = pattern(128, 1);
    const auto input = cat(hex("03 000000 000100 14 00000000"), v, hex("04 000000 000100 14 00000000"), v);
    ChunkDecoder d(l);
    const Outcome o = feed(d, {input});
    EXPECT_EQ(o.error, Errc::partial_bytes_exceeded);
    EXPECT_EQ(d.error_offset(), 12u + 128u);
}

TEST(ChunkDecoder, HugeDeclaredLengthsDoNotAllocate) {
    // 64 chunk streams each declare the largest allowed message (8 MiB) and
    // send only their first 128-byte chunk: 512 MiB declared, 8 KiB arrived.
    const auto data = pattern(128, 1);
    base::ByteVector input;
    for (ChunkStreamId id = 2; id < 66; ++id) {
        const auto h = id < 64 ? base::ByteVector{static_cast<std::uint8_t>(id)}
                               : base::ByteVector{0x00, static_cast<std::uint8_t>(id - 64)};
        input = cat(input, h, hex("000000 800000 09 01000000"), data);
    }
    ChunkDecoder d;
    const Outcome o = feed(d, {input});
    ASSERT_FALSE(o.error);
    EXPECT_TRUE(o.messages.empty());
    EXPECT_EQ(d.chunk_stream_count(), 64u);
    EXPECT_EQ(d.buffered_bytes(), 64u * 128u);
    // Held memory: at most one small first reservation (4 KiB) per stream.
    EXPECT_LE(d.reserved_bytes(), 64u * 4096u);
    // A 65th chunk stream is refused.
    EXPECT_EQ(feed(d, {hex("00 40 000000 000000 09 01000000")}).error, Errc::too_many_chunk_streams);
}

TEST(ChunkDecoder, BufferGrowsWithArrivedBytesOnly) {
    // A 8 MiB message arriving in 1-byte chunks: capacity tracks what arrived.
    ChunkDecoder d;
    ASSERT_FALSE(d.set_chunk_size(1));
    ASSERT_FALSE(feed(d, {hex("03 000000 800000 09 01000000 AA")}).error);
    EXPECT_EQ(d.buffered_bytes(), 1u);
    EXPECT_LE(d.reserved_bytes(), 4096u);
    base::ByteVector more;
    for (int i = 0; i < 5000; ++i) more = cat(more, hex("C3 55"));
    ASSERT_FALSE(feed(d, {more}).error);
    EXPECT_EQ(d.buffered_bytes(), 5001u);
    EXPECT_LE(d.reserved_bytes(), 2u * 5001u);
}

TEST(ChunkDecoder, FailedDecoderStaysFailed) {
    ChunkDecoder d;
    const auto good = spec_example_1();
    const auto input = cat(good, hex("87 000000"));  // fmt 2 on never-started csid 7
    const Outcome o = feed(d, {input});
    EXPECT_EQ(o.messages.size(), 4u);
    EXPECT_EQ(o.error, Errc::chunk_stream_not_started);
    EXPECT_EQ(d.error_offset(), good.size());
    EXPECT_EQ(d.state(), ChunkDecoder::State::failed);
    const DecodeResult r = d.decode(good);
    EXPECT_EQ(r.error, Errc::chunk_stream_not_started);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_FALSE(r.message);
}

}  // namespace
}  // namespace sluice::rtmp
