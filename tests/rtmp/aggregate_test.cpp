// Aggregate messages: REFERENCE.md §1.7 example byte-exact, the timestamp
// offset rule, stream id override, malformed bodies, limits, no-copy slices.
#include "rtmp/aggregate.hpp"

#include <gtest/gtest.h>

#include <string>

#include "rtmp/errors.hpp"
#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

using test::cat;
using test::hex;

Message aggregate(base::Timestamp ts, MessageStreamId s, const base::ByteVector& body) {
    return Message{MessageType::aggregate, ts, s, base::Payload::copy_of(body)};
}

const char* reference_body = "08 000004 0003E8 00 000000 AF 01 21 10 0000000F";

TEST(Aggregate, ReferenceExample) {
    const Message agg = aggregate(1000, 1, hex(reference_body));
    auto subs = split_aggregate(agg);
    ASSERT_TRUE(subs) << subs.error().message();
    ASSERT_EQ(subs->size(), 1u);
    const Message& m = (*subs)[0];
    EXPECT_EQ(m.type, MessageType::audio);
    EXPECT_EQ(m.timestamp, 1000u);
    EXPECT_EQ(m.stream_id, 1u);
    EXPECT_EQ(m.payload, base::Payload::copy_of(hex("AF 01 21 10")));
    EXPECT_EQ(m.payload.data(), agg.payload.data() + 11);  // a slice, not a copy

    auto built = build_aggregate(*subs, 1);
    ASSERT_TRUE(built);
    EXPECT_EQ(built->type, MessageType::aggregate);
    EXPECT_EQ(built->timestamp, 1000u);
    EXPECT_EQ(built->stream_id, 1u);
    EXPECT_EQ(built->payload, base::Payload::copy_of(hex(reference_body)));
}

TEST(Aggregate, TimestampOffsetAndStreamOverride) {
    // Sub-messages at 1000 and 1040 (sub stream id 5), aggregate at 5000 on stream 3.
    const auto body =
        cat(hex("09 000002 0003E8 00 000005 17 00 0000000D"), hex("08 000001 000410 00 000005 AF 0000000C"));
    auto subs = split_aggregate(aggregate(5000, 3, body));
    ASSERT_TRUE(subs);
    ASSERT_EQ(subs->size(), 2u);
    EXPECT_EQ((*subs)[0].timestamp, 5000u);
    EXPECT_EQ((*subs)[1].timestamp, 5040u);
    EXPECT_EQ((*subs)[0].stream_id, 3u);
    EXPECT_EQ((*subs)[1].stream_id, 3u);
    EXPECT_EQ((*subs)[0].type, MessageType::video);
    // Offset across the wrap: aggregate at 10, first sub at 0xFFFFFFF0 (high byte FF).
    const auto wrap =
        cat(hex("08 000001 FFFFF0 FF 000000 AF 0000000C"), hex("08 000001 000010 00 000000 AF 0000000C"));
    auto w = split_aggregate(aggregate(10, 1, wrap));
    ASSERT_TRUE(w);
    EXPECT_EQ((*w)[0].timestamp, 10u);
    EXPECT_EQ((*w)[1].timestamp, 10u + 0x20u);
}

TEST(Aggregate, EmptyBodyIsNoMessages) {
    auto subs = split_aggregate(aggregate(0, 1, {}));
    ASSERT_TRUE(subs);
    EXPECT_TRUE(subs->empty());
}

TEST(Aggregate, Malformed) {
    struct Case {
        const char* body;
        std::size_t index;
        std::string reason_part;
    };
    const Case cases[] = {
        {"08 000004 0003E8 00 000000 AF 01 21 10 00000010", 0, "back pointer"},  // 16 != 15
        {"08 000004 0003E8 00 000000 AF 01 21 10", 0, "back pointer missing"},   // no back pointer
        {"08 000004 0003E8 00 000000 AF 01 21 10 000000", 0, "back pointer missing"},
        {"08 000005 0003E8 00 000000 AF 01 21 10", 0, "exceeds"},  // size past the end
        {"08 FFFFFF 0003E8 00 000000 AF", 0, "exceeds"},
        {"08 000004 0003E8 00", 0, "truncated"},
        {"08 000004 0003E8 00 000000 AF 01 21 10 0000000F 08", 1, "truncated"},  // trailing byte
        {"08 000000 0003E8 00 000000 0000000B 08 000001 0003E8 00 000000 AF 0000000B", 1, "back pointer"},
    };
    for (const Case& c : cases) {
        AggregateDiagnostic diag;
        auto r = split_aggregate(aggregate(1000, 1, hex(c.body)), 1024, &diag);
        ASSERT_FALSE(r) << c.body;
        EXPECT_EQ(r.error(), Errc::aggregate_malformed) << c.body;
        EXPECT_EQ(diag.sub_message_index, c.index) << c.body;
        EXPECT_NE(std::string(diag.reason).find(c.reason_part), std::string::npos) << diag.reason;
    }
}

TEST(Aggregate, SubMessageLimit) {
    base::ByteVector body;
    for (int i = 0; i < 5; ++i) body = cat(body, hex("08 000000 000000 00 000000 0000000B"));
    EXPECT_TRUE(split_aggregate(aggregate(0, 1, body), 5));
    AggregateDiagnostic diag;
    auto r = split_aggregate(aggregate(0, 1, body), 4, &diag);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::aggregate_too_many_messages);
    EXPECT_EQ(diag.sub_message_index, 4u);
    EXPECT_FALSE(base::is_fatal(r.error()));
}

TEST(Aggregate, BuildSplitRoundTrip) {
    std::vector<Message> subs;
    for (std::uint32_t i = 0; i < 20; ++i) {
        base::ByteVector p(i * 13 % 50);
        for (std::size_t k = 0; k < p.size(); ++k) p[k] = static_cast<std::uint8_t>(i + k);
        subs.push_back({i % 2 ? MessageType::audio : MessageType::video, 0x00FFFFF0u + i * 10, 9,
                        base::Payload::from(std::move(p))});
    }
    auto agg = build_aggregate(subs, 9);
    ASSERT_TRUE(agg);
    auto back = split_aggregate(*agg);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, subs);
}

}  // namespace
}  // namespace sluice::rtmp
