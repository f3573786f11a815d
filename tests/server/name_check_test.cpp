// server name checks: every refusal class of check_stream_name() and
// check_app_path() (length, UTF-8, control characters, separators, leading
// dot, ASCII outside the allowed set), valid UTF-8 accepted, and
// escape_name() for log lines.
#include "server/name_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace sluice::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::size_t max_bytes = 256;

// The refusal reason, or "accepted".
std::string stream_verdict(std::string_view name, std::size_t max = max_bytes) {
    return check_stream_name(name, max).value_or("accepted");
}

std::string app_verdict(std::string_view app, std::string_view instance = "_definst_",
                        std::size_t max = max_bytes) {
    return check_app_path(app, instance, max).value_or("accepted");
}

TEST(NameCheck, UsualNamesAreAccepted) {
    for (const char* name : {"live", "cam1", "stream-01_b", "a", "0", "room.1", "a~b:c@d+e=f,g",
                             "ABCXYZabcxyz0123456789", "a.", "a..b", "obs_1080p60", "x.flv", "mp4:clip"}) {
        EXPECT_EQ(stream_verdict(name), "accepted") << name;
    }
}

TEST(NameCheck, EmptyAndTooLong) {
    EXPECT_EQ(stream_verdict(""), "empty");
    EXPECT_EQ(stream_verdict(std::string(256, 'a')), "accepted");
    EXPECT_EQ(stream_verdict(std::string(257, 'a')), "longer than 256 bytes (257)");
    EXPECT_EQ(stream_verdict("abcd", 4), "accepted");
    EXPECT_EQ(stream_verdict("abcde", 4), "longer than 4 bytes (5)");
    // Bytes, not characters: two 2-byte characters are 4 bytes.
    EXPECT_EQ(stream_verdict("\xC3\xA9\xC3\xA9", 4), "accepted");
    EXPECT_EQ(stream_verdict("\xC3\xA9\xC3\xA9"
                             "a",
                             4),
              "longer than 4 bytes (5)");
}

TEST(NameCheck, ControlCharactersAreRefused) {
    EXPECT_EQ(stream_verdict(std::string_view("a\0b", 3)), "contains a control character (0x00)");
    EXPECT_EQ(stream_verdict("a\nb"), "contains a control character (0x0A)");
    EXPECT_EQ(stream_verdict("a\rb"), "contains a control character (0x0D)");
    EXPECT_EQ(stream_verdict("\x1B[31m"), "contains a control character (0x1B)");
    EXPECT_EQ(stream_verdict("a\x1F"), "contains a control character (0x1F)");
    EXPECT_EQ(stream_verdict("a\x7F"), "contains a control character (0x7F)");
    EXPECT_EQ(stream_verdict("a\tb"), "contains a control character (0x09)");
}

TEST(NameCheck, SeparatorsAreRefusedInStreamNames) {
    EXPECT_EQ(stream_verdict("a/b"), "contains the character '/'");
    EXPECT_EQ(stream_verdict("../etc/passwd"), "contains the character '/'");
    EXPECT_EQ(stream_verdict("a\\b"), "contains the character '\\'");
    EXPECT_EQ(stream_verdict("..\\..\\x"), "contains the character '\\'");
}

TEST(NameCheck, LeadingDotIsRefused) {
    EXPECT_EQ(stream_verdict("."), "starts with '.'");
    EXPECT_EQ(stream_verdict(".."), "starts with '.'");
    EXPECT_EQ(stream_verdict(".hidden"), "starts with '.'");
    EXPECT_EQ(stream_verdict("..."), "starts with '.'");
    EXPECT_EQ(stream_verdict("a.b"), "accepted");
}

TEST(NameCheck, AsciiOutsideTheAllowedSetIsRefused) {
    for (char c : std::string_view(" !\"#$%&'()*;<>?[]^`{|}")) {
        const std::string name = std::string("a") + c + "b";
        EXPECT_EQ(stream_verdict(name), std::string("contains the character '") + c + "'") << name;
    }
    for (char c : std::string_view("-_.~:@+=,")) {
        EXPECT_EQ(stream_verdict(std::string("a") + c + "b"), "accepted") << c;
    }
}

TEST(NameCheck, ValidUtf8IsAccepted) {
    EXPECT_EQ(stream_verdict("caf\xC3\xA9"), "accepted");               // é, 2 bytes
    EXPECT_EQ(stream_verdict("\xE6\x97\xA5\xE6\x9C\xAC"), "accepted");  // 日本, 3 bytes each
    EXPECT_EQ(stream_verdict("\xF0\x9F\x8E\xA5"), "accepted");          // U+1F3A5, 4 bytes
    EXPECT_EQ(stream_verdict("\xC2\x80"), "accepted");                  // U+0080, smallest 2-byte
    EXPECT_EQ(stream_verdict("\xE0\xA0\x80"), "accepted");              // U+0800, smallest 3-byte
    EXPECT_EQ(stream_verdict("\xED\x9F\xBF"), "accepted");              // U+D7FF, below surrogates
    EXPECT_EQ(stream_verdict("\xEE\x80\x80"), "accepted");              // U+E000, above them
    EXPECT_EQ(stream_verdict("\xEF\xBF\xBD"), "accepted");              // U+FFFD
    EXPECT_EQ(stream_verdict("\xF0\x90\x80\x80"), "accepted");          // U+10000, smallest 4-byte
    EXPECT_EQ(stream_verdict("\xF4\x8F\xBF\xBF"), "accepted");          // U+10FFFF, the last
    EXPECT_EQ(stream_verdict("\xC3\xA9tude"), "accepted");  // non-ASCII first: no leading-dot confusion
}

TEST(NameCheck, InvalidUtf8IsRefused) {
    // Overlong forms: '/' as C0 AF, E0 80 AF, F0 80 80 AF; NUL as C0 80.
    EXPECT_EQ(stream_verdict("a\xC0\xAF"), "not valid UTF-8 (byte 1)");
    EXPECT_EQ(stream_verdict("\xC0\x80"), "not valid UTF-8 (byte 0)");
    EXPECT_EQ(stream_verdict("\xC1\xBF"), "not valid UTF-8 (byte 0)");
    EXPECT_EQ(stream_verdict("\xE0\x80\xAF"), "not valid UTF-8 (byte 0)");
    EXPECT_EQ(stream_verdict("\xE0\x9F\xBF"), "not valid UTF-8 (byte 0)");  // U+07FF in 3 bytes
    EXPECT_EQ(stream_verdict("\xF0\x80\x80\xAF"), "not valid UTF-8 (byte 0)");
    EXPECT_EQ(stream_verdict("\xF0\x8F\xBF\xBF"), "not valid UTF-8 (byte 0)");  // U+FFFF in 4 bytes
    // Surrogates, alone or as a CESU-8 pair.
    EXPECT_EQ(stream_verdict("\xED\xA0\x80"), "not valid UTF-8 (byte 0)");  // U+D800
    EXPECT_EQ(stream_verdict("\xED\xBF\xBF"), "not valid UTF-8 (byte 0)");  // U+DFFF
    EXPECT_EQ(stream_verdict("ab\xED\xA0\xBD\xED\xB2\xA9"), "not valid UTF-8 (byte 2)");
    // Above U+10FFFF and bytes that never occur.
    EXPECT_EQ(stream_verdict("\xF4\x90\x80\x80"), "not valid UTF-8 (byte 0)");
    EXPECT_EQ(stream_verdict("\xF5\x80\x80\x80"), "not valid UTF-8 (byte 0)");
    EXPECT_EQ(stream_verdict("a\xFF"), "not valid UTF-8 (byte 1)");
    EXPECT_EQ(stream_verdict("a\xFE"), "not valid UTF-8 (byte 1)");
    // Stray continuation bytes.
    EXPECT_EQ(stream_verdict("\x80"), "not valid UTF-8 (byte 0)");
    EXPECT_EQ(stream_verdict("caf\xC3\xA9\xA9"), "not valid UTF-8 (byte 5)");
    // Truncated sequences, at the end and followed by ASCII.
    EXPECT_EQ(stream_verdict("a\xC3"), "not valid UTF-8 (byte 1)");
    EXPECT_EQ(stream_verdict("a\xE6\x97"), "not valid UTF-8 (byte 1)");
    EXPECT_EQ(stream_verdict("a\xF0\x9F\x8E"), "not valid UTF-8 (byte 1)");
    EXPECT_EQ(stream_verdict("\xC3"
                             "a"),
              "not valid UTF-8 (byte 0)");
    EXPECT_EQ(stream_verdict("\xE6\x97"
                             "a"),
              "not valid UTF-8 (byte 0)");
    EXPECT_EQ(stream_verdict("\xF0\x9F\x8E"
                             "a"),
              "not valid UTF-8 (byte 0)");
}

TEST(NameCheck, FirstProblemIsReported) {
    // Length is judged before content, content left to right.
    EXPECT_THAT(stream_verdict(std::string(300, '/')), StartsWith("longer than"));
    EXPECT_EQ(stream_verdict("a b\n"), "contains the character ' '");
    EXPECT_EQ(stream_verdict(".a/b"), "contains the character '/'");
}

TEST(NameCheck, AppPathChecksEverySegment) {
    EXPECT_EQ(app_verdict("live"), "accepted");
    EXPECT_EQ(app_verdict("live", "room1"), "accepted");
    EXPECT_EQ(app_verdict("live", "room1/sub-2"), "accepted");
    EXPECT_EQ(app_verdict("caf\xC3\xA9", "salle"), "accepted");

    EXPECT_EQ(app_verdict(""), "application empty");
    EXPECT_EQ(app_verdict(".."), "application starts with '.'");
    EXPECT_EQ(app_verdict("li ve"), "application contains the character ' '");
    EXPECT_EQ(app_verdict("live\\x"), "application contains the character '\\'");
    EXPECT_EQ(app_verdict(std::string(257, 'a')), "application longer than 256 bytes (257)");
    EXPECT_EQ(app_verdict("live", ".."), "instance starts with '.'");
    EXPECT_EQ(app_verdict("live", "room1/.."), "instance starts with '.'");
    EXPECT_EQ(app_verdict("live", "room1//a"), "instance empty");
    EXPECT_EQ(app_verdict("live", "room1/"), "instance empty");
    EXPECT_EQ(app_verdict("live", "a\x01"), "instance contains a control character (0x01)");
    EXPECT_EQ(app_verdict("live", "\xED\xA0\x80"), "instance not valid UTF-8 (byte 0)");
    // The limit is per segment, not for the whole path.
    EXPECT_EQ(app_verdict("abcd", "abcd/abcd", 4), "accepted");
    EXPECT_EQ(app_verdict("abcd", "abcd/abcde", 4), "instance longer than 4 bytes (5)");
}

TEST(NameCheck, EscapeNameForLogs) {
    EXPECT_EQ(escape_name("cam1"), "cam1");
    EXPECT_EQ(escape_name(std::string_view("a\0b", 3)), "a\\x00b");
    EXPECT_EQ(escape_name("a\nb\x1B"), "a\\x0Ab\\x1B");
    EXPECT_EQ(escape_name("caf\xC3\xA9"), "caf\\xC3\\xA9");
    EXPECT_EQ(escape_name("a\"b\\c"), "a\\\"b\\\\c");
    EXPECT_EQ(escape_name("a\x7F"), "a\\x7F");
    EXPECT_EQ(escape_name("abcdef", 4), "abcd...");
    EXPECT_EQ(escape_name("abcd", 4), "abcd");
    const std::string escaped = escape_name(std::string(1000, '\n'));
    EXPECT_THAT(escaped, HasSubstr("\\x0A"));
    EXPECT_EQ(escaped.find('\n'), std::string::npos);
    EXPECT_EQ(escaped.size(), 300u * 4u + 3u);
}

}  // namespace
}  // namespace sluice::server
