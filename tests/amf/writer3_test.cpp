// AMF3 encoding: byte-exact against REFERENCE.md §3.4, the references the
// writer emits, and a round trip for every marker.
#include "amf/writer3.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "amf_test_support.hpp"

namespace sluice::amf::test {
namespace {

Object dynamic_object(std::initializer_list<std::pair<const char*, Value>> props,
                      std::string class_name = {}) {
    Object o;
    o.class_name = std::move(class_name);
    for (const auto& [k, v] : props) o.properties.push_back(Property{k, v});
    return o;
}

TEST(Writer3, WorkedBytesOfTheReference) {
    EXPECT_EQ(encode3(true), hex("03"));
    EXPECT_EQ(encode3(Null{}), hex("01"));
    EXPECT_EQ(encode3(Integer{300}), hex("04 82 2C"));
    EXPECT_EQ(encode3("hi"), hex("06 05 68 69"));
    EXPECT_EQ(encode3(StrictArray{{Integer{1}, Integer{2}}}), hex("09 05 01 04 01 04 02"));
    EXPECT_EQ(encode3(dynamic_object({{"a", Integer{1}}})), hex("0A 0B 01 03 61 04 01 01"));
    EXPECT_EQ(encode3(ByteArray{{0xDE, 0xAD}}), hex("0C 05 DE AD"));
    EXPECT_EQ(encode3(Date{0, 0}), hex("08 01 00 00 00 00 00 00 00 00"));
}

TEST(Writer3, RepeatedStringsAreReferences) {
    base::ByteWriter out;
    Writer3 w(out);
    w.write("hi");
    w.write("hi");
    w.write("");
    w.write("");
    EXPECT_EQ(out.data(), hex("06 05 68 69 06 00 06 01 06 01"));
}

TEST(Writer3, PropertyNamesShareTheStringTable) {
    // {hi: "hi"}: the value "hi" is a reference to the name.
    EXPECT_EQ(encode3(dynamic_object({{"hi", "hi"}})), hex("0A 0B 01 05 68 69 06 00 01"));
}

TEST(Writer3, RepeatedTraitsAreReferences) {
    Object p1 = dynamic_object({{"x", Integer{1}}, {"y", Integer{2}}}, "Point");
    p1.sealed_count = 2;
    p1.dynamic = false;
    Object p2 = dynamic_object({{"x", Integer{3}}, {"y", Integer{4}}}, "Point");
    p2.sealed_count = 2;
    p2.dynamic = false;
    const auto bytes = encode3(StrictArray{{p1, p2}});
    EXPECT_EQ(bytes, cat(hex("09 05 01"), hex("0A 23 0B"), ascii("Point"), hex("03 78 03 79 04 01 04 02"),
                         hex("0A 01 04 03 04 04")));
    expect_round_trip3(StrictArray{{p1, p2}});
}

TEST(Writer3, IntegersOutsideTwentyNineBitsBecomeDoubles) {
    EXPECT_EQ(encode3(Integer{(1 << 28) - 1}), hex("04 BF FF FF FF"));
    EXPECT_EQ(encode3(Integer{1 << 28}), hex("05 41 B0 00 00 00 00 00 00"));
    EXPECT_EQ(encode3(Integer{-(1 << 28) - 1})[0], 0x05);
}

TEST(Writer3, Amf0OnlyKindsMapToAmf3) {
    EcmaArray e;
    e.properties = {{"k", Integer{5}}};
    EXPECT_EQ(encode3(e), hex("09 01 03 6B 04 05 01"));
    EXPECT_EQ(encode3(Unsupported{}), hex("00"));
    EXPECT_EQ(encode3(XmlDocument{"<a>"}), cat(hex("07 07"), ascii("<a>")));
}

TEST(Writer3, SkipsWhatCannotBeRepresented) {
    // An empty dynamic member name would end the member list: skipped.
    EXPECT_EQ(encode3(dynamic_object({{"", 1}, {"a", Integer{1}}})), hex("0A 0B 01 03 61 04 01 01"));
}

TEST(Writer3, RoundTripOfEveryMarker) {
    expect_round_trip3(Undefined{});
    expect_round_trip3(Null{});
    expect_round_trip3(false);
    expect_round_trip3(true);
    for (std::int32_t i : {0, 127, 128, 16383, 16384, 0x1FFFFF, 0x200000, 0x0FFFFFFF, -1, -(1 << 28)}) {
        expect_round_trip3(Integer{i});
    }
    expect_round_trip3(1.25);
    expect_round_trip3(std::nan(""));
    expect_round_trip3("");
    expect_round_trip3(std::string(300, 's'));
    expect_round_trip3(XmlDocument{"<doc/>"});
    expect_round_trip3(Date{1.7e12, 0});
    expect_round_trip3(StrictArray{{Integer{1}, "a", "a", StrictArray{}}});
    MixedArray mixed;
    mixed.properties = {{"k", "v"}, {"v", "k"}};
    mixed.dense = {Null{}, "k"};
    expect_round_trip3(mixed);
    Object anon = dynamic_object({{"a", Integer{1}}, {"b", dynamic_object({{"a", "a"}})}});
    expect_round_trip3(anon);
    Object sealed_dynamic = dynamic_object({{"s", 1.0}, {"d", true}}, "Thing");
    sealed_dynamic.sealed_count = 1;
    expect_round_trip3(StrictArray{{sealed_dynamic, sealed_dynamic, anon}});
    Object ext = dynamic_object({{"source", StrictArray{{Integer{1}}}}}, "flex.messaging.io.ArrayCollection");
    ext.externalizable = true;
    ext.dynamic = false;
    expect_round_trip3(StrictArray{{ext, ext}});
    expect_round_trip3(Xml{"<e4x/>"});
    expect_round_trip3(ByteArray{{0, 1, 0xFF}});
    expect_round_trip3(ByteArray{});
    expect_round_trip3(VectorInt{false, {0, -1, 0x7FFFFFFF}});
    expect_round_trip3(VectorUint{true, {0xFFFFFFFFu}});
    expect_round_trip3(VectorDouble{false, {1.5, std::nan("")}});
    expect_round_trip3(VectorObject{true, "com.Foo", {Null{}, anon}});
    expect_round_trip3(VectorObject{});
    expect_round_trip3(Dictionary{true, {{"k", Integer{1}}, {anon, "x"}}});
}

TEST(Writer3, TablesPersistAcrossWrites) {
    base::ByteWriter out;
    Writer3 w(out);
    w.write(dynamic_object({{"a", Integer{1}}}));
    w.write(dynamic_object({{"a", Integer{2}}}));
    // Second object: traits reference 0 (0A 01), name "a" was only in the
    // dynamic part, so it is a string reference (00).
    EXPECT_EQ(out.data(), hex("0A 0B 01 03 61 04 01 01 0A 01 00 04 02 01"));
    Reader3 r(out.data());
    EXPECT_EQ(debug_string(*r.read()), "{a: int(1)}");
    EXPECT_EQ(debug_string(*r.read()), "{a: int(2)}");
}

TEST(Writer3, WithoutReferencesEverythingIsInline) {
    base::ByteWriter out;
    Writer3 w(out, Writer3::Options{false});
    w.write("hi");
    w.write("hi");
    EXPECT_EQ(out.data(), hex("06 05 68 69 06 05 68 69"));
}

}  // namespace
}  // namespace sluice::amf::test

namespace sluice::amf::test {
namespace {

TEST(Writer3, LargeStringTablesStillReferenceCorrectly) {
    // Past the linear-search size the writer switches to a hash index; the
    // indexes must stay those the reader assigns.
    StrictArray a;
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 100; ++i) a.items.push_back("s" + std::to_string(i));
    }
    const auto bytes = encode3(a);
    // 09 83 11 01, 100 inline strings, then 100 references (marker + 1 or 2 bytes).
    const auto back = decode3(bytes);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, Value(a));
    const std::size_t inline_bytes = 10 * 4 + 90 * 5;  // "s0".."s9": 06 05 s d; "s10".."s99": 06 07 s d d
    EXPECT_EQ(bytes.size(), 4u + inline_bytes + 64 * 2 + 36 * 3);
}

}  // namespace
}  // namespace sluice::amf::test
