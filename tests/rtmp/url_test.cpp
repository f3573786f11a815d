// rtmp::Url: the split of app, instance and stream that FFmpeg's and
// librtmp's users rely on, default ports per scheme, tcUrl, and refusals.
#include "rtmp/url.hpp"

#include <gtest/gtest.h>

#include "rtmp/errors.hpp"

namespace sluice::rtmp {
namespace {

Url parse_ok(std::string_view text) {
    std::string why;
    auto url = Url::parse(text, &why);
    EXPECT_TRUE(url) << text << ": " << why;
    return url ? *url : Url{};
}

TEST(Url, AppAndStream) {
    const Url url = parse_ok("rtmp://127.0.0.1/live/cam1");
    EXPECT_EQ(url.scheme, UrlScheme::rtmp);
    EXPECT_EQ(url.host, "127.0.0.1");
    EXPECT_EQ(url.port, 1935);
    EXPECT_FALSE(url.port_given);
    EXPECT_EQ(url.app, "live");
    EXPECT_EQ(url.stream, "cam1");
    EXPECT_EQ(url.tc_url(), "rtmp://127.0.0.1/live");
    EXPECT_EQ(url.to_string(), "rtmp://127.0.0.1/live/cam1");
}

TEST(Url, InstanceWithThreeSegments) {
    const Url url = parse_ok("rtmp://h:1936/live/inst/cam1");
    EXPECT_EQ(url.port, 1936);
    EXPECT_TRUE(url.port_given);
    EXPECT_EQ(url.app, "live/inst");
    EXPECT_EQ(url.stream, "cam1");
    EXPECT_EQ(url.tc_url(), "rtmp://h:1936/live/inst");
}

TEST(Url, PrefixedStreamKeepsItsSlashes) {
    const Url url = parse_ok("rtmp://h/vod/mp4:dir/clip.mp4");
    EXPECT_EQ(url.app, "vod");
    EXPECT_EQ(url.stream, "mp4:dir/clip.mp4");
    // Without a prefix, three segments are app/instance + stream.
    EXPECT_EQ(parse_ok("rtmp://h/vod/dir/clip.flv").app, "vod/dir");
}

TEST(Url, QueriesStayWithTheirPart) {
    const Url url = parse_ok("rtmp://h/live?token=x/cam1?key=y");
    EXPECT_EQ(url.app, "live?token=x");
    EXPECT_EQ(url.stream, "cam1?key=y");
    EXPECT_EQ(url.tc_url(), "rtmp://h/live?token=x");
}

TEST(Url, AppOnlyAndTrailingSlash) {
    EXPECT_EQ(parse_ok("rtmp://h/live").stream, "");
    const Url url = parse_ok("rtmp://h/live/");
    EXPECT_EQ(url.app, "live");
    EXPECT_EQ(url.stream, "");
}

TEST(Url, Ipv6Literal) {
    const Url url = parse_ok("rtmp://[::1]:1940/live/x");
    EXPECT_EQ(url.host, "::1");
    EXPECT_EQ(url.port, 1940);
    EXPECT_EQ(url.tc_url(), "rtmp://[::1]:1940/live");
}

TEST(Url, SchemesAndDefaultPorts) {
    EXPECT_EQ(parse_ok("RTMPS://h/a/s").scheme, UrlScheme::rtmps);
    EXPECT_EQ(parse_ok("rtmps://h/a/s").port, 443);
    EXPECT_EQ(parse_ok("rtmpt://h/a/s").port, 80);
    EXPECT_EQ(parse_ok("rtmpts://h/a/s").port, 443);
    EXPECT_EQ(parse_ok("rtmpe://h/a/s").port, 1935);
    EXPECT_EQ(parse_ok("rtmpte://h/a/s").port, 80);
    EXPECT_EQ(parse_ok("rtmpte://h/a/s").tc_url(), "rtmpte://h/a");
}

TEST(Url, Refusals) {
    std::string why;
    EXPECT_EQ(Url::parse("http://h/a/s", &why).error(), make_error_code(Errc::url_scheme_unsupported));
    EXPECT_NE(why.find("http"), std::string::npos);
    for (std::string_view bad :
         {"rtmp:/h/a", "rtmp://", "rtmp:///live/x", "rtmp://h", "rtmp://h/", "rtmp://h:0/a",
          "rtmp://h:65536/a", "rtmp://h:12x/a", "rtmp://[::1/a", "rtmp://[::1]x/a", "rtmp://h/a b/s",
          "rtmp://h/a/\ns", "rtmp://::1/a", "rtmp://a]:1/b"}) {
        EXPECT_EQ(Url::parse(bad).error(), make_error_code(Errc::url_malformed)) << bad;
    }
}

}  // namespace
}  // namespace sluice::rtmp
