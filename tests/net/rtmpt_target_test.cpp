// net::parse_rtmpt_target against its contract (rtmpt_target.hpp): every
// command, the id alphabet and its 64-character bound, the 18-digit seq
// bound, and the refusals (query, trailing slash, missing parts, unknown
// verbs).
#include "net/rtmpt_target.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::net {
namespace {

TEST(RtmptTarget, EveryCommand) {
    auto t = parse_rtmpt_target("/fcs/ident2");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->command, RtmptCommand::ident);
    t = parse_rtmpt_target("/fcs/ident");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->command, RtmptCommand::ident);

    t = parse_rtmpt_target("/open/1");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->command, RtmptCommand::open);
    t = parse_rtmpt_target("/open/7");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->command, RtmptCommand::open);

    t = parse_rtmpt_target("/send/3F29A1/4");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->command, RtmptCommand::send);
    EXPECT_EQ(t->session, "3F29A1");
    EXPECT_EQ(t->seq, 4u);

    t = parse_rtmpt_target("/idle/abc_-Z9/0");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->command, RtmptCommand::idle);
    EXPECT_EQ(t->session, "abc_-Z9");
    EXPECT_EQ(t->seq, 0u);

    t = parse_rtmpt_target("/close/X/12345");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->command, RtmptCommand::close);
    EXPECT_EQ(t->session, "X");
    EXPECT_EQ(t->seq, 12345u);
}

TEST(RtmptTarget, IdLength) {
    const std::string id64(64, 'a');
    auto t = parse_rtmpt_target("/send/" + id64 + "/1");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->session, id64);
    EXPECT_FALSE(parse_rtmpt_target("/send/" + std::string(65, 'a') + "/1"));
    EXPECT_FALSE(parse_rtmpt_target("/send//1"));
}

TEST(RtmptTarget, IdCharacters) {
    for (const char* bad : {"/send/a.b/1", "/send/a%20/1", "/send/a b/1", "/send/a+b/1", "/idle/\xc3\xa9/1",
                            "/close/a:b/1", "/send/a\\b/1"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(parse_rtmpt_target(bad));
    }
    // A '/' inside the id leaves a seq that is not a number.
    EXPECT_FALSE(parse_rtmpt_target("/send/a/b/1"));
    std::string nul_in_id = "/send/a";
    nul_in_id += '\0';
    nul_in_id += "b/1";
    EXPECT_FALSE(parse_rtmpt_target(nul_in_id));
}

TEST(RtmptTarget, SeqDigits) {
    auto t = parse_rtmpt_target("/send/A/999999999999999999");  // 18 digits
    ASSERT_TRUE(t);
    EXPECT_EQ(t->seq, 999999999999999999u);
    t = parse_rtmpt_target("/send/A/000000000000000001");  // 18 digits, leading zeros
    ASSERT_TRUE(t);
    EXPECT_EQ(t->seq, 1u);
    EXPECT_FALSE(parse_rtmpt_target("/send/A/1000000000000000000"));   // 19 digits
    EXPECT_FALSE(parse_rtmpt_target("/send/A/0000000000000000001"));   // 19 digits, small value
    EXPECT_FALSE(parse_rtmpt_target("/send/A/18446744073709551616"));  // 2^64
    for (const char* bad : {"/send/A/", "/send/A/-1", "/send/A/+1", "/send/A/1a", "/send/A/ 1", "/send/A/0x1",
                            "/send/A", "/open/", "/open/x", "/open/-1", "/open/1000000000000000000"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(parse_rtmpt_target(bad));
    }
}

TEST(RtmptTarget, NoQueryNoTrailingSlash) {
    for (const char* bad : {"/send/A/1?x=1", "/send/A/1/", "/fcs/ident2/", "/fcs/ident2?x", "/open/1/",
                            "/open/1?", "/idle/A/1#f", "/close/A/1/"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(parse_rtmpt_target(bad));
    }
}

TEST(RtmptTarget, OtherTargets) {
    for (const char* bad : {"", "/", "//", "send/A/1", "/SEND/A/1", "/push/A/1", "/fcs/ident3", "/fcs/",
                            "/open", "http://host/send/A/1", "/send/A/1/2", "/sendA/1"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(parse_rtmpt_target(bad));
    }
}

}  // namespace
}  // namespace sluice::net
