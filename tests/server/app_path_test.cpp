#include "server/app_path.hpp"

#include <gtest/gtest.h>

namespace sluice::server {
namespace {

TEST(AppPath, PlainAppUsesTheDefaultInstance) {
    const AppPath p = parse_app_path("live");
    EXPECT_EQ(p.app, "live");
    EXPECT_EQ(p.instance, "_definst_");
    EXPECT_EQ(p.query, "");
}

TEST(AppPath, InstanceAndQuery) {
    const AppPath p = parse_app_path("live/room1?token=abc&x=1");
    EXPECT_EQ(p.app, "live");
    EXPECT_EQ(p.instance, "room1");
    EXPECT_EQ(p.query, "token=abc&x=1");
}

TEST(AppPath, QueryWithoutInstanceAndStraySlashes) {
    const AppPath p = parse_app_path("/live/?key=1");
    EXPECT_EQ(p.app, "live");
    EXPECT_EQ(p.instance, "_definst_");
    EXPECT_EQ(p.query, "key=1");
}

TEST(AppPath, NestedInstanceKeepsTheRest) {
    const AppPath p = parse_app_path("live/a/b");
    EXPECT_EQ(p.app, "live");
    EXPECT_EQ(p.instance, "a/b");
}

TEST(AppPath, StripQuery) {
    std::string_view query;
    EXPECT_EQ(strip_query("cam1?key=abc", &query), "cam1");
    EXPECT_EQ(query, "key=abc");
    EXPECT_EQ(strip_query("cam1", &query), "cam1");
    EXPECT_EQ(query, "");
    EXPECT_EQ(strip_query("?only", &query), "");
    EXPECT_EQ(query, "only");
}

}  // namespace
}  // namespace sluice::server
