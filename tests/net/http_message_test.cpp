// net::HttpRequestReader and format_response against their contract
// (http_message.hpp): pipelined requests cut at every byte boundary come
// out the same and in order; keep-alive and close; a short body is
// incomplete, not an error; body, head and syntax failures answer 413, 431
// and 400 and stay failed; chunked bodies; exact response bytes.
#include "net/http_message.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/split_feeder.hpp"

namespace sluice::net {
namespace {

using Bytes = std::vector<std::uint8_t>;
using namespace std::string_view_literals;

base::Bytes view(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

Bytes bytes_of(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

/// Feeds `pieces` one at a time, taking every request that completes.
std::vector<HttpRequest> read_all(HttpRequestReader& reader, const test::Pieces& pieces) {
    std::vector<HttpRequest> out;
    for (const auto& piece : pieces) {
        reader.feed(piece);
        while (auto request = reader.next()) out.push_back(std::move(*request));
    }
    return out;
}

std::vector<HttpRequest> read_whole(std::string_view text, HttpLimits limits = {}) {
    HttpRequestReader reader(limits);
    return read_all(reader, {view(text)});
}

constexpr std::string_view pipelined =
    "POST /send/AB12/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-fcs\r\n"
    "Content-Length: 5\r\n\r\nhello"
    "POST /idle/AB12/2 HTTP/1.1\r\nContent-Type: application/x-fcs\r\nContent-Length: 1\r\n\r\n\0"
    "POST /fcs/ident2 HTTP/1.1\r\nContent-Length: 0\r\n\r\n"sv;

TEST(HttpRequestReader, PipelinedRequestsAtEverySplitComeOutTheSame) {
    const std::string input(pipelined.data(), pipelined.size());
    test::for_each_split(view(input), [](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        HttpRequestReader reader;
        const auto requests = read_all(reader, pieces);
        ASSERT_EQ(requests.size(), 3u);
        EXPECT_EQ(requests[0].method, "POST");
        EXPECT_EQ(requests[0].target, "/send/AB12/1");
        EXPECT_EQ(requests[0].content_type, "application/x-fcs");
        EXPECT_EQ(requests[0].body, bytes_of("hello"));
        EXPECT_EQ(requests[1].target, "/idle/AB12/2");
        EXPECT_EQ(requests[1].body, Bytes{0});
        EXPECT_EQ(requests[2].target, "/fcs/ident2");
        EXPECT_TRUE(requests[2].body.empty());
        EXPECT_TRUE(requests[2].content_type.empty());
        for (const auto& r : requests) EXPECT_TRUE(r.keep_alive);
        EXPECT_FALSE(reader.failed());
        EXPECT_EQ(reader.status(), 0u);
        EXPECT_EQ(reader.buffered(), 0u);
    });
}

TEST(HttpRequestReader, KeepAliveFollowsVersionAndConnectionHeader) {
    auto r = read_whole("POST /a HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_FALSE(r[0].keep_alive);
    r = read_whole("POST /a HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_FALSE(r[0].keep_alive);
    r = read_whole("POST /a HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].keep_alive);
    r = read_whole("GET /a HTTP/1.1\r\n\r\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].keep_alive);
    EXPECT_EQ(r[0].method, "GET");
}

TEST(HttpRequestReader, ShortBodyIsIncompleteNotFailed) {
    HttpRequestReader reader;
    reader.feed(view("POST /send/A/1 HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"));
    EXPECT_FALSE(reader.next());
    EXPECT_FALSE(reader.failed());
    EXPECT_EQ(reader.status(), 0u);
    EXPECT_TRUE(reader.error().empty());
    reader.feed(view("defghij"));
    auto request = reader.next();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->body, bytes_of("abcdefghij"));
}

TEST(HttpRequestReader, BytesBeyondTheLengthStartTheNextRequestAndFailWhenNotHttp) {
    HttpRequestReader reader;
    reader.feed(view("POST /send/A/1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcNOT HTTP AT ALL\r\n\r\n"));
    auto request = reader.next();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->body, bytes_of("abc"));
    EXPECT_FALSE(reader.next());
    EXPECT_TRUE(reader.failed());
    EXPECT_EQ(reader.status(), 400u);
}

TEST(HttpRequestReader, DeclaredBodyOverTheLimitIs413) {
    HttpRequestReader reader(HttpLimits{8 * 1024, 100});
    reader.feed(view("POST /send/A/1 HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n"));
    EXPECT_FALSE(reader.next());
    EXPECT_TRUE(reader.failed());
    EXPECT_EQ(reader.status(), 413u);
    EXPECT_NE(reader.error().find("100"), std::string::npos) << reader.error();
    EXPECT_EQ(reader.buffered(), 0u);
}

TEST(HttpRequestReader, ChunkedBodyOverTheLimitIs413) {
    HttpRequestReader reader(HttpLimits{8 * 1024, 10});
    reader.feed(view("POST /send/A/1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n"));
    EXPECT_FALSE(reader.next());
    EXPECT_FALSE(reader.failed());
    reader.feed(view("8\r\n12345678\r\n0\r\n\r\n"));
    EXPECT_FALSE(reader.next());
    EXPECT_TRUE(reader.failed());
    EXPECT_EQ(reader.status(), 413u);
    EXPECT_FALSE(reader.error().empty());
}

TEST(HttpRequestReader, HeadOverTheLimitIs431) {
    // Whole in one piece, and a head that keeps coming without an end.
    const std::string head = "POST /a HTTP/1.1\r\nX-Pad: " + std::string(300, 'p') + "\r\n\r\n";
    HttpRequestReader whole(HttpLimits{128, 1024});
    whole.feed(view(head));
    EXPECT_FALSE(whole.next());
    EXPECT_EQ(whole.status(), 431u);
    EXPECT_FALSE(whole.error().empty());

    HttpRequestReader endless(HttpLimits{128, 1024});
    endless.feed(view("POST /a HTTP/1.1\r\nX-Pad: "));
    for (int i = 0; i < 100 && !endless.failed(); ++i) {
        endless.feed(view("pppppppppp"));
        EXPECT_FALSE(endless.next());
        EXPECT_LE(endless.buffered(), 128u + 1024u);
    }
    EXPECT_TRUE(endless.failed());
    EXPECT_EQ(endless.status(), 431u);
}

TEST(HttpRequestReader, ChunkLineThatNeverEndsIsBounded) {
    // The memory bound holds inside a chunked body too: a chunk-size line
    // (with an extension) that never ends must not grow the buffer forever.
    HttpRequestReader reader(HttpLimits{256, 512});
    reader.feed(view("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;ext="));
    const std::string more(100, 'e');
    for (int i = 0; i < 100 && !reader.failed(); ++i) {
        reader.feed(view(more));
        EXPECT_FALSE(reader.next());
        ASSERT_LE(reader.buffered(), 256u + 512u) << "after " << i + 1 << " pieces";
    }
    EXPECT_TRUE(reader.failed());
}

TEST(HttpRequestReader, GarbageIs400AndStaysFailed) {
    for (std::string_view garbage : {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"sv,
                                     std::string_view("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
                                     std::string_view("POST /a HTTP/1.1\r\nBad Header\r\n\r\n"),
                                     std::string_view("POST /a HTTP/1.1\r\nContent-Length: x\r\n\r\n")}) {
        SCOPED_TRACE(std::string(garbage));
        HttpRequestReader reader;
        reader.feed(view(garbage));
        EXPECT_FALSE(reader.next());
        EXPECT_TRUE(reader.failed());
        EXPECT_EQ(reader.status(), 400u);
        EXPECT_FALSE(reader.error().empty());
        // A failed reader stays failed, whatever comes next.
        reader.feed(view("POST /a HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
        EXPECT_FALSE(reader.next());
        EXPECT_TRUE(reader.failed());
        EXPECT_EQ(reader.status(), 400u);
    }
}

TEST(HttpRequestReader, ChunkedBodyAtEverySplit) {
    const std::string input =
        "POST /send/A/7 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n"
        "POST /idle/A/8 HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
    test::for_each_split(view(input), [](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        HttpRequestReader reader;
        const auto requests = read_all(reader, pieces);
        ASSERT_EQ(requests.size(), 2u);
        EXPECT_EQ(requests[0].body, bytes_of("abc0123456789"));
        EXPECT_EQ(requests[1].target, "/idle/A/8");
        EXPECT_FALSE(reader.failed());
    });
}

TEST(FormatResponse, ExactBytes) {
    const Bytes body{1, 'x', 0};
    const std::string expected =
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-fcs\r\nContent-Length: 3\r\n"
        "Cache-Control: no-cache\r\nServer: sluice\r\nConnection: Keep-Alive\r\n\r\n" +
        std::string("\x01x\x00", 3);
    EXPECT_EQ(format_response(200, "application/x-fcs", body), expected);

    EXPECT_EQ(format_response(404, "text/plain", view("gone"), false),
              "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n"
              "Cache-Control: no-cache\r\nServer: sluice\r\nConnection: close\r\n\r\ngone");
}

TEST(FormatResponse, ReasonPhrases) {
    EXPECT_EQ(reason_phrase(200), "OK");
    EXPECT_EQ(reason_phrase(400), "Bad Request");
    EXPECT_EQ(reason_phrase(404), "Not Found");
    EXPECT_EQ(reason_phrase(413), "Payload Too Large");
    EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
    EXPECT_EQ(reason_phrase(503), "Service Unavailable");
}

TEST(FormatResponse, WhatItWritesReadsBackAsHttp) {
    // The response parses as one HTTP message with exactly the body given,
    // checked with a request reader by swapping the status line for a request
    // line (same header grammar).
    const std::string response = format_response(200, "application/x-fcs", view("abcdef"));
    const std::string as_request = "POST /x HTTP/1.1" + response.substr(response.find("\r\n"));
    auto requests = read_whole(as_request);
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].body, bytes_of("abcdef"));
    EXPECT_EQ(requests[0].content_type, "application/x-fcs");
}

}  // namespace
}  // namespace sluice::net
