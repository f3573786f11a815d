// AMF0 decoding: the worked bytes of REFERENCE.md §2.2, every marker, and
// malformed input per marker.
#include "amf/reader0.hpp"

#include <gtest/gtest.h>

#include <bit>

#include "amf_test_support.hpp"

namespace sluice::amf::test {
namespace {

Value obj(std::initializer_list<std::pair<const char*, Value>> props, std::string class_name = {}) {
    Object o;
    o.class_name = std::move(class_name);
    for (const auto& [k, v] : props) o.properties.push_back(Property{k, v});
    return o;
}

TEST(Reader0, WorkedBytesOfTheReference) {
    // REFERENCE.md §2.2, row by row.
    EXPECT_EQ(*decode0(hex("00 3F F0 00 00 00 00 00 00")), Value(1.0));
    EXPECT_EQ(*decode0(hex("00 40 94 00 00 00 00 00 00")), Value(1280.0));
    EXPECT_EQ(*decode0(hex("01 01")), Value(true));
    EXPECT_EQ(*decode0(cat(hex("02 00 07"), ascii("connect"))), Value("connect"));
    EXPECT_EQ(*decode0(hex("05")), Value(Null{}));
    EXPECT_EQ(*decode0(hex("06")), Value(Undefined{}));
    EXPECT_EQ(*decode0(hex("03 00 03 61 70 70 02 00 04 6C 69 76 65 00 00 09")), obj({{"app", "live"}}));
    const auto ecma = cat(hex("08 00 00 00 02 00 08"), ascii("duration"), hex("00 00 00 00 00 00 00 00 00"),
                          hex("00 05"), ascii("width"), hex("00 40 94 00 00 00 00 00 00 00 00 09"));
    auto e = decode0(ecma);
    ASSERT_TRUE(e);
    EXPECT_EQ(debug_string(*e), "ecma{duration: 0, width: 1280}");
    StrictArray one;
    one.items.push_back(1.0);
    EXPECT_EQ(*decode0(hex("0A 00 00 00 01 00 3F F0 00 00 00 00 00 00")), Value(one));
    EXPECT_EQ(*decode0(hex("0B 00 00 00 00 00 00 00 00 00 00")), Value(Date{0, 0}));
}

TEST(Reader0, The58ByteConnectPayload) {
    const auto bytes = cat(hex("02 00 07"), ascii("connect"), hex("00 3F F0 00 00 00 00 00 00"),
                           hex("03 00 03"), ascii("app"), hex("02 00 04"), ascii("live"), hex("00 05"),
                           ascii("tcUrl"), hex("02 00 0D"), ascii("rtmp://h/live"), hex("00 00 09"));
    ASSERT_EQ(bytes.size(), 58u);
    const sluice::test::GuardPageBuffer guarded(bytes);
    Reader0 r(guarded.bytes());
    auto values = r.read_all();
    ASSERT_TRUE(values) << values.error().message();
    ASSERT_EQ(values->size(), 3u);
    EXPECT_EQ((*values)[0], Value("connect"));
    EXPECT_EQ((*values)[1], Value(1.0));
    EXPECT_EQ(debug_string((*values)[2]), R"({app: "live", tcUrl: "rtmp://h/live"})");
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(r.position(), 58u);
}

TEST(Reader0, CreateStreamResult) {
    const auto bytes = cat(hex("02 00 07"), ascii("_result"), hex("00 40 00 00 00 00 00 00 00 05"),
                           hex("00 3F F0 00 00 00 00 00 00"));
    Reader0 r(bytes);
    auto values = r.read_all();
    ASSERT_TRUE(values);
    ASSERT_EQ(values->size(), 4u);
    EXPECT_EQ((*values)[1], Value(2.0));
    EXPECT_EQ((*values)[2], Value(Null{}));
    EXPECT_EQ((*values)[3], Value(1.0));
}

TEST(Reader0, BooleanAcceptsAnyNonZeroByte) {
    EXPECT_EQ(*decode0(hex("01 00")), Value(false));
    EXPECT_EQ(*decode0(hex("01 7F")), Value(true));
}

TEST(Reader0, TypedObjectLongStringXmlUnsupportedAndTimeZone) {
    auto typed =
        decode0(cat(hex("10 00 03"), ascii("Foo"), hex("00 01 61 00 3F F0 00 00 00 00 00 00 00 00 09")));
    ASSERT_TRUE(typed);
    EXPECT_EQ(debug_string(*typed), "Foo{a: 1}");
    EXPECT_EQ(*decode0(cat(hex("0C 00 00 00 02"), ascii("hi"))), Value("hi"));
    EXPECT_EQ(*decode0(cat(hex("0F 00 00 00 03"), ascii("<a>"))), Value(XmlDocument{"<a>"}));
    EXPECT_EQ(*decode0(hex("0D")), Value(Unsupported{}));
    // FLV writes the local offset in minutes; -60 = FF C4.
    EXPECT_EQ(*decode0(hex("0B 42 77 00 00 00 00 00 00 FF C4")),
              Value(Date{std::bit_cast<double>(std::uint64_t{0x4277000000000000}), -60}));
}

TEST(Reader0, EcmaCountIsOnlyAHint) {
    // Declares 0xFFFFFFFF entries but holds one: accepted, no preallocation.
    auto v = decode0(cat(hex("08 FF FF FF FF 00 01"), ascii("a"), hex("05 00 00 09")));
    ASSERT_TRUE(v);
    EXPECT_EQ(debug_string(*v), "ecma{a: null}");
    auto fewer = decode0(cat(hex("08 00 00 00 00 00 01"), ascii("a"), hex("05 00 00 09")));
    ASSERT_TRUE(fewer);
}

TEST(Reader0, PropertyOrderIsKept) {
    auto v = decode0(cat(hex("03 00 01"), ascii("z"), hex("05 00 01"), ascii("a"), hex("06 00 01"),
                         ascii("m"), hex("01 01 00 00 09")));
    ASSERT_TRUE(v);
    EXPECT_EQ(debug_string(*v), "{z: null, a: undefined, m: true}");
}

TEST(Reader0, EmptyNameBeforeAValueIsAPropertyNamedEmpty) {
    auto v = decode0(hex("03 00 00 05 00 00 09"));
    ASSERT_TRUE(v);
    ASSERT_EQ(v->properties()->size(), 1u);
    EXPECT_EQ(v->properties()->properties[0].name, "");
}

TEST(Reader0, AvmPlusSwitchReadsExactlyOneAmf3Value) {
    // REFERENCE.md §3.4: the anonymous {a:1} inside an AMF0 stream, then
    // AMF0 again (the switch is not sticky): 05 is AMF0 null, not AMF3 true.
    const auto bytes = hex("11 0A 0B 01 03 61 04 01 01 05");
    Reader0 r(bytes);
    auto a = r.read();
    ASSERT_TRUE(a) << a.error().message();
    EXPECT_EQ(debug_string(*a), "{a: int(1)}");
    auto b = r.read();
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, Value(Null{}));
    EXPECT_TRUE(r.at_end());
}

TEST(Reader0, Amf3TablesPersistAcrossSwitchesInOneReader) {
    // Second switch references string 0 ("hi") from the first.
    const auto bytes = hex("11 06 05 68 69 11 06 00");
    Reader0 r(bytes);
    EXPECT_EQ(*r.read(), Value("hi"));
    EXPECT_EQ(*r.read(), Value("hi"));
}

TEST(Reader0, ReferenceIsResolvedToACopy) {
    // [ {a: 1}, ref 1 ] : the strict array is complex value 0, the object 1.
    auto v = decode0(cat(hex("0A 00 00 00 02 03 00 01"), ascii("a"),
                         hex("00 3F F0 00 00 00 00 00 00 00 00 09"), hex("07 00 01")));
    ASSERT_TRUE(v);
    EXPECT_EQ(debug_string(*v), "[{a: 1}, {a: 1}]");
}

TEST(Reader0, ReferenceAcrossTopLevelValues) {
    const auto bytes = cat(hex("03 00 01"), ascii("a"), hex("05 00 00 09 07 00 00"));
    Reader0 r(bytes);
    auto first = r.read();
    auto second = r.read();
    ASSERT_TRUE(first);
    ASSERT_TRUE(second);
    EXPECT_EQ(*first, *second);
}

TEST(Reader0, MalformedInputPerMarker) {
    // Truncated inside every marker's payload.
    for (const char* text : {"00 3F F0", "01", "02 00 05 61 62", "03 00 01 61", "03 00 01 61 05", "03 00 00",
                             "07 00", "08 00 00 00", "08 00 00 00 01 00 01 61 05 00", "0A 00 00 00 02 05",
                             "0B 00 00 00 00 00 00 00 00 00", "0C 00 00 00 05 61", "0F 00 00 01 00",
                             "10 00 03 46", "10 00 01 46 00 00", "11", "11 06 07 61", ""}) {
        SCOPED_TRACE(text);
        EXPECT_EQ(error0(hex(text)), make_error_code(Errc::truncated));
    }
    EXPECT_EQ(error0(hex("04")), make_error_code(Errc::marker_reserved));
    EXPECT_EQ(error0(hex("0E")), make_error_code(Errc::marker_reserved));
    EXPECT_EQ(error0(hex("09")), make_error_code(Errc::object_end_unexpected));
    EXPECT_EQ(error0(hex("12")), make_error_code(Errc::marker_unknown));
    EXPECT_EQ(error0(hex("FF")), make_error_code(Errc::marker_unknown));
    // An object end with a non-empty name before it is a property "a" whose value is a stray 09.
    EXPECT_EQ(error0(hex("03 00 01 61 09")), make_error_code(Errc::object_end_unexpected));
    EXPECT_EQ(error0(hex("11 12")), make_error_code(Errc::marker_unknown));
}

TEST(Reader0, BadReferences) {
    EXPECT_EQ(error0(hex("07 00 00")), make_error_code(Errc::reference_out_of_range));
    // A reference from inside an object to that same object (a cycle).
    EXPECT_EQ(error0(cat(hex("03 00 01"), ascii("a"), hex("07 00 00 00 00 09"))),
              make_error_code(Errc::reference_cycle));
    // Index 1 when only one complex value has started.
    EXPECT_EQ(error0(cat(hex("0A 00 00 00 01 07 00 01"))), make_error_code(Errc::reference_out_of_range));
}

TEST(Reader0, ErrorLatches) {
    const auto bytes = hex("04 05");
    Reader0 r(bytes);
    EXPECT_FALSE(r.read());
    auto again = r.read();
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), make_error_code(Errc::marker_reserved));
    EXPECT_FALSE(r.read_all());
}

TEST(Reader0, EveryPrefixOfTheConnectPayloadIsTruncated) {
    const auto object = cat(hex("03 00 03"), ascii("app"), hex("02 00 04"), ascii("live"), hex("00 05"),
                            ascii("tcUrl"), hex("02 00 0D"), ascii("rtmp://h/live"), hex("00 00 09"));
    expect_prefixes_truncated<Reader0>(object);
}

}  // namespace
}  // namespace sluice::amf::test
