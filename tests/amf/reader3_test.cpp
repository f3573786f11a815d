// AMF3 decoding: REFERENCE.md §3.1 U29 boundaries, §3.4 worked bytes, the
// reference tables, traits, externalizable Flex classes, and malformed
// input per marker.
#include "amf/reader3.hpp"

#include <gtest/gtest.h>

#include "amf_test_support.hpp"

namespace sluice::amf::test {
namespace {

TEST(Reader3, U29Boundaries) {
    // §3.1: the unsigned U29 through the integer type's low values, and the
    // 29-bit sign for -1 and -2^28.
    const std::pair<const char*, std::int32_t> rows[] = {
        {"00", 0},
        {"7F", 127},
        {"81 00", 128},
        {"82 2C", 300},
        {"FF 7F", 16383},
        {"81 80 00", 16384},
        {"FF FF 7F", 0x1FFFFF},
        {"80 C0 80 00", 0x200000},
        {"BF FF FF FF", 0x0FFFFFFF},
        {"FF FF FF FF", -1},
        {"C0 80 80 00", -(1 << 28)},
    };
    for (const auto& [bytes, expected] : rows) {
        SCOPED_TRACE(bytes);
        auto v = decode3(cat(hex("04"), hex(bytes)));
        ASSERT_TRUE(v) << v.error().message();
        EXPECT_EQ(*v, Value(Integer{expected}));
        EXPECT_EQ(encode3(Integer{expected}), cat(hex("04"), hex(bytes)));
    }
}

TEST(Reader3, WorkedBytesOfTheReference) {
    EXPECT_EQ(*decode3(hex("03")), Value(true));
    EXPECT_EQ(*decode3(hex("01")), Value(Null{}));
    EXPECT_EQ(*decode3(hex("04 82 2C")), Value(Integer{300}));
    EXPECT_EQ(*decode3(hex("06 05 68 69")), Value("hi"));
    EXPECT_EQ(debug_string(*decode3(hex("09 05 01 04 01 04 02"))), "[int(1), int(2)]");
    EXPECT_EQ(debug_string(*decode3(hex("0A 0B 01 03 61 04 01 01"))), "{a: int(1)}");
    EXPECT_EQ(*decode3(hex("0C 05 DE AD")), Value(ByteArray{{0xDE, 0xAD}}));
    EXPECT_EQ(*decode3(hex("08 01 00 00 00 00 00 00 00 00")), Value(Date{0, 0}));
}

TEST(Reader3, SecondOccurrenceOfAStringIsAReference) {
    const auto bytes = hex("06 05 68 69 06 00");
    Reader3 r(bytes);
    EXPECT_EQ(*r.read(), Value("hi"));
    EXPECT_EQ(*r.read(), Value("hi"));
    EXPECT_TRUE(r.at_end());
}

TEST(Reader3, EmptyStringIsNeverNumbered) {
    // "" then "a": "a" is index 0, not 1.
    const auto bytes = hex("06 01 06 03 61 06 00");
    Reader3 r(bytes);
    EXPECT_EQ(*r.read(), Value(""));
    EXPECT_EQ(*r.read(), Value("a"));
    EXPECT_EQ(*r.read(), Value("a"));
}

TEST(Reader3, EveryScalarMarker) {
    EXPECT_EQ(*decode3(hex("00")), Value(Undefined{}));
    EXPECT_EQ(*decode3(hex("02")), Value(false));
    EXPECT_EQ(*decode3(hex("05 3F F0 00 00 00 00 00 00")), Value(1.0));
    EXPECT_EQ(*decode3(cat(hex("07 07"), ascii("<a>"))), Value(XmlDocument{"<a>"}));
    EXPECT_EQ(*decode3(cat(hex("0B 07"), ascii("<a>"))), Value(Xml{"<a>"}));
}

TEST(Reader3, MixedArrayAndVectorsAndDictionary) {
    EXPECT_EQ(debug_string(*decode3(hex("09 03 03 6B 04 05 01 06 03 76"))), R"(mixed["v"]{k: int(5)})");
    EXPECT_EQ(debug_string(*decode3(hex("0D 05 01 00 00 00 01 FF FF FF FF"))), "vector<int, fixed>[1, -1]");
    EXPECT_EQ(debug_string(*decode3(hex("0E 03 00 FF FF FF FF"))), "vector<uint>[4294967295]");
    EXPECT_EQ(debug_string(*decode3(hex("0F 03 00 3F F0 00 00 00 00 00 00"))), "vector<double>[1]");
    EXPECT_EQ(debug_string(*decode3(hex("10 05 00 03 2A 04 01 01"))), R"(vector<object "*">[int(1), null])");
    EXPECT_EQ(debug_string(*decode3(hex("11 03 01 06 03 6B 03"))), R"(dict<weak>{"k" => true})");
}

TEST(Reader3, SealedTraitsAndTraitReferences) {
    // [ Point{x:1,y:2} sealed, Point{x:3,y:4} by traits reference ]
    const auto bytes = cat(hex("09 05 01"), hex("0A 23 0B"), ascii("Point"), hex("03 78 03 79 04 01 04 02"),
                           hex("0A 01 04 03 04 04"));
    auto v = decode3(bytes);
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(
        debug_string(*v),
        "[Point<sealed 2, static>{x: int(1), y: int(2)}, Point<sealed 2, static>{x: int(3), y: int(4)}]");
    expect_prefixes_truncated<Reader3>(bytes);
}

TEST(Reader3, ObjectReferencesResolveToCopies) {
    // [ {a:1}, ref object 1 ]: the array is object 0, the inner object 1.
    auto v = decode3(hex("09 05 01 0A 0B 01 03 61 04 01 01 0A 02"));
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(debug_string(*v), "[{a: int(1)}, {a: int(1)}]");
    // Dates, byte arrays and XML are in the object table too.
    auto d = decode3(hex("09 07 01 08 01 00 00 00 00 00 00 00 00 0C 03 AA 08 02"));
    ASSERT_TRUE(d) << d.error().message();
    EXPECT_EQ(debug_string(*d), "[date(0, tz 0), bytes(1: aa), date(0, tz 0)]");
    EXPECT_EQ(error3(hex("09 05 01 0C 03 AA 0C 06")), make_error_code(Errc::reference_out_of_range));
}

TEST(Reader3, ExternalizableFlexClasses) {
    // ArrayCollection wrapping [1]: 0A 07 class-name, then the array.
    const auto bytes =
        cat(hex("0A 07 43"), ascii("flex.messaging.io.ArrayCollection"), hex("09 03 01 04 01"));
    auto v = decode3(bytes);
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(debug_string(*v),
              "flex.messaging.io.ArrayCollection<static, externalizable>{source: [int(1)]}");
    EXPECT_EQ(encode3(*v), bytes);
    const auto proxy =
        cat(hex("0A 07 3B"), ascii("flex.messaging.io.ObjectProxy"), hex("0A 0B 01 03 61 04 01 01"));
    auto p = decode3(proxy);
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_EQ(debug_string(*p->find("source")), "{a: int(1)}");
    const auto list = cat(hex("0A 07 31"), ascii("mx.collections.ArrayList"), hex("09 01 01"));
    EXPECT_TRUE(decode3(list));
    EXPECT_EQ(error3(cat(hex("0A 07 07"), ascii("Foo"), hex("00"))),
              make_error_code(Errc::externalizable_unsupported));
}

TEST(Reader3, MalformedInputPerMarker) {
    for (const char* text : {"",
                             "04",
                             "04 FF",
                             "04 FF FF FF",
                             "05 00 00",
                             "06",
                             "06 07 61",
                             "07 07 61",
                             "08",
                             "08 01 00",
                             "09 03",
                             "09 03 01",
                             "09 01 03 61",
                             "0A",
                             "0A 0B",
                             "0A 0B 01 03 61",
                             "0A 0B 01 03 61 04 01",
                             "0A 13 01",
                             "0B 05 61",
                             "0C 05 DE",
                             "0D 05 00 00 00 00 01",
                             "0D 03",
                             "0E 03 00 FF",
                             "0F 03 00 3F",
                             "10 03 00",
                             "10 03 00 03 2A",
                             "11 03 00 06 01",
                             "11 03"}) {
        SCOPED_TRACE(text);
        EXPECT_EQ(error3(hex(text)), make_error_code(Errc::truncated));
    }
    EXPECT_EQ(error3(hex("12")), make_error_code(Errc::marker_unknown));
    EXPECT_EQ(error3(hex("FF")), make_error_code(Errc::marker_unknown));
}

TEST(Reader3, BadReferences) {
    EXPECT_EQ(error3(hex("06 00")), make_error_code(Errc::reference_out_of_range));
    EXPECT_EQ(error3(hex("06 FF FF FF FE")), make_error_code(Errc::reference_out_of_range));
    EXPECT_EQ(error3(hex("0A 00")), make_error_code(Errc::reference_out_of_range));
    EXPECT_EQ(error3(hex("0A 05")), make_error_code(Errc::reference_out_of_range));  // traits ref 1, none yet
    EXPECT_EQ(error3(hex("0A 01")), make_error_code(Errc::reference_out_of_range));  // traits ref 0, none yet
    // An array holding a reference to itself (object 0 is still open).
    EXPECT_EQ(error3(hex("09 03 01 09 00")), make_error_code(Errc::reference_cycle));
    // A dynamic member that refers to its own object.
    EXPECT_EQ(error3(hex("0A 0B 01 03 61 0A 00 01")), make_error_code(Errc::reference_cycle));
    for (const char m : {'\x07', '\x08', '\x0B', '\x0C', '\x0D', '\x0E', '\x0F', '\x10', '\x11'}) {
        const base::ByteVector bytes{static_cast<std::uint8_t>(m), 0x02};
        EXPECT_EQ(error3(bytes), make_error_code(Errc::reference_out_of_range)) << int(m);
    }
}

TEST(Reader3, EveryPrefixOfNestedValuesIsTruncated) {
    expect_prefixes_truncated<Reader3>(hex("09 05 01 0A 0B 01 03 61 04 01 01 0A 02"));
    expect_prefixes_truncated<Reader3>(hex("11 05 00 06 03 6B 09 03 01 06 00 04 01 0C 03 AA"));
}

}  // namespace
}  // namespace sluice::amf::test
