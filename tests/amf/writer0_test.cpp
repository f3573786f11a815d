// AMF0 encoding: byte-exact against REFERENCE.md §2.2, and a round trip
// (with every prefix truncated) for every marker the writer produces.
#include "amf/writer0.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "amf_test_support.hpp"

namespace sluice::amf::test {
namespace {

Object object_of(std::initializer_list<std::pair<const char*, Value>> props) {
    Object o;
    for (const auto& [k, v] : props) o.properties.push_back(Property{k, v});
    return o;
}

TEST(Writer0, WorkedBytesOfTheReference) {
    EXPECT_EQ(encode0(1.0), hex("00 3F F0 00 00 00 00 00 00"));
    EXPECT_EQ(encode0(1280), hex("00 40 94 00 00 00 00 00 00"));
    EXPECT_EQ(encode0(true), hex("01 01"));
    EXPECT_EQ(encode0("connect"), cat(hex("02 00 07"), ascii("connect")));
    EXPECT_EQ(encode0(Null{}), hex("05"));
    EXPECT_EQ(encode0(Undefined{}), hex("06"));
    EXPECT_EQ(encode0(object_of({{"app", "live"}})), hex("03 00 03 61 70 70 02 00 04 6C 69 76 65 00 00 09"));
    EcmaArray ecma;
    ecma.properties = {{"duration", 0}, {"width", 1280}};
    EXPECT_EQ(encode0(ecma),
              cat(hex("08 00 00 00 02 00 08"), ascii("duration"), hex("00 00 00 00 00 00 00 00 00"),
                  hex("00 05"), ascii("width"), hex("00 40 94 00 00 00 00 00 00 00 00 09")));
    EXPECT_EQ(encode0(StrictArray{{1.0}}), hex("0A 00 00 00 01 00 3F F0 00 00 00 00 00 00"));
    EXPECT_EQ(encode0(Date{0, 0}), hex("0B 00 00 00 00 00 00 00 00 00 00"));
}

TEST(Writer0, The58ByteConnectPayload) {
    base::ByteWriter out;
    Writer0 w(out);
    w.write_string("connect");
    w.write_number(1);
    w.write(object_of({{"app", "live"}, {"tcUrl", "rtmp://h/live"}}));
    const auto expected = cat(hex("02 00 07"), ascii("connect"), hex("00 3F F0 00 00 00 00 00 00"),
                              hex("03 00 03"), ascii("app"), hex("02 00 04"), ascii("live"), hex("00 05"),
                              ascii("tcUrl"), hex("02 00 0D"), ascii("rtmp://h/live"), hex("00 00 09"));
    EXPECT_EQ(out.data(), expected);
    EXPECT_EQ(out.size(), 58u);
}

TEST(Writer0, CreateStreamResult) {
    base::ByteWriter out;
    Writer0 w(out);
    w.write_string("_result");
    w.write_number(2);
    w.write_null();
    w.write_number(1);
    EXPECT_EQ(out.data(), cat(hex("02 00 07"), ascii("_result"), hex("00 40 00 00 00 00 00 00 00 05"),
                              hex("00 3F F0 00 00 00 00 00 00")));
}

TEST(Writer0, LongStringAtTheBoundary) {
    const std::string short_max(65535, 'x');
    const std::string long_min(65536, 'x');
    EXPECT_EQ(encode0(short_max)[0], 0x02);
    EXPECT_EQ(encode0(long_min)[0], 0x0C);
    EXPECT_EQ(encode0(long_min).size(), 1u + 4u + 65536u);
    expect_round_trip0(short_max);
    expect_round_trip0(long_min);
}

TEST(Writer0, IntegerIsWrittenAsANumber) {
    EXPECT_EQ(encode0(Integer{1}), hex("00 3F F0 00 00 00 00 00 00"));
}

TEST(Writer0, TypedObjectUnsupportedXmlDocumentAndTimeZone) {
    Object foo = object_of({{"a", 1}});
    foo.class_name = "Foo";
    EXPECT_EQ(encode0(foo),
              cat(hex("10 00 03"), ascii("Foo"), hex("00 01 61 00 3F F0 00 00 00 00 00 00 00 00 09")));
    EXPECT_EQ(encode0(Unsupported{}), hex("0D"));
    EXPECT_EQ(encode0(XmlDocument{"<a/>"}), cat(hex("0F 00 00 00 04"), ascii("<a/>")));
    EXPECT_EQ(encode0(Date{0, -60}), hex("0B 00 00 00 00 00 00 00 00 FF C4"));
}

TEST(Writer0, ValuesWithoutAnAmf0FormGoBehindTheSwitch) {
    // REFERENCE.md §3.4 ByteArray [DE AD] behind 11.
    EXPECT_EQ(encode0(ByteArray{{0xDE, 0xAD}}), hex("11 0C 05 DE AD"));
    EXPECT_EQ(encode0(Xml{"<a/>"}), cat(hex("11 0B 09"), ascii("<a/>")));
    // A sealed object keeps its traits by going through AMF3.
    Object sealed = object_of({{"a", Integer{1}}});
    sealed.sealed_count = 1;
    sealed.dynamic = false;
    EXPECT_EQ(encode0(sealed), hex("11 0A 13 01 03 61 04 01"));
}

TEST(Writer0, SwitchedValuesNeverUseAmf3References) {
    // Two switched values with the same string: both inline, so a reader
    // that resets AMF3 tables per switch reads the same thing.
    base::ByteWriter out;
    Writer0 w(out);
    MixedArray m;
    m.properties = {{"k", "v"}};
    w.write(m);
    w.write(m);
    EXPECT_EQ(out.data(), hex("11 09 01 03 6B 06 03 76 01 11 09 01 03 6B 06 03 76 01"));
    Reader0 r(out.data());
    EXPECT_EQ(*r.read(), Value(m));
    EXPECT_EQ(*r.read(), Value(m));
}

TEST(Writer0, RoundTripOfEveryMarker) {
    expect_round_trip0(0.0);
    expect_round_trip0(-1.5);
    expect_round_trip0(std::numeric_limits<double>::infinity());
    expect_round_trip0(std::nan(""));
    expect_round_trip0(true);
    expect_round_trip0(false);
    expect_round_trip0("");
    expect_round_trip0("h\xC3\xA9llo");
    expect_round_trip0(object_of({{"app", "live"}, {"n", 1}, {"nested", object_of({{"x", Null{}}})}}));
    expect_round_trip0(Object{});
    expect_round_trip0(Null{});
    expect_round_trip0(Undefined{});
    EcmaArray ecma;
    ecma.properties = {{"duration", 0}, {"", "empty name"}};
    expect_round_trip0(ecma);
    expect_round_trip0(EcmaArray{});
    expect_round_trip0(StrictArray{{1, "two", StrictArray{}, Null{}}});
    expect_round_trip0(Date{1.5e12, 120});
    expect_round_trip0(std::string(70000, 'L'));
    expect_round_trip0(Unsupported{});
    expect_round_trip0(XmlDocument{"<x>1</x>"});
    Object typed = object_of({{"b", false}});
    typed.class_name = "flex.Typed";
    expect_round_trip0(typed);
    // AVM+ switch with AMF3-only values.
    expect_round_trip0(ByteArray{{1, 2, 3}});
    expect_round_trip0(Xml{"<e4x/>"});
    expect_round_trip0(VectorInt{true, {1, -1}});
    expect_round_trip0(StrictArray{{ByteArray{}, Dictionary{false, {{"k", 1}}}}});
}

}  // namespace
}  // namespace sluice::amf::test
