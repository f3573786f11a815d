// amf::debug_string: the stable text form others use in golden transcripts.
#include "amf/debug_string.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "amf_test_support.hpp"

namespace sluice::amf::test {
namespace {

TEST(DebugString, GrammarExamples) {
    Object o;
    o.properties = {{"app", "live"}, {"n", 1}, {"ok", true}, {"x", Null{}}};
    EXPECT_EQ(debug_string(o), R"({app: "live", n: 1, ok: true, x: null})");
    o.class_name = "Foo";
    EXPECT_EQ(debug_string(o), R"(Foo{app: "live", n: 1, ok: true, x: null})");
    EcmaArray e;
    e.properties = {{"duration", 0}, {"width", 1280}};
    EXPECT_EQ(debug_string(e), "ecma{duration: 0, width: 1280}");
    EXPECT_EQ(debug_string(StrictArray{{1, 2}}), "[1, 2]");
    EXPECT_EQ(debug_string(Date{0, 0}), "date(0, tz 0)");
    EXPECT_EQ(debug_string(ByteArray{{0xDE, 0xAD}}), "bytes(2: dead)");
    EXPECT_EQ(debug_string(Integer{300}), "int(300)");
    EXPECT_EQ(debug_string(Undefined{}), "undefined");
    EXPECT_EQ(debug_string(Unsupported{}), "unsupported");
    EXPECT_EQ(debug_string(0.5), "0.5");
    EXPECT_EQ(debug_string(-2.0), "-2");
    EXPECT_EQ(debug_string(1e21), "1e+21");
    EXPECT_EQ(debug_string(std::nan("")), "nan");
    EXPECT_EQ(debug_string(-INFINITY), "-inf");
    EXPECT_EQ(debug_string(XmlDocument{"<a/>"}), R"(xmldoc("<a/>"))");
    EXPECT_EQ(debug_string(Xml{"<a/>"}), R"(xml("<a/>"))");
}

TEST(DebugString, EscapesAndNames) {
    EXPECT_EQ(debug_string("a\"b\\c\nd\te\r\x01\xC3\xA9"), R"("a\"b\\c\nd\te\r\x01\xc3\xa9")");
    Object o;
    o.properties = {{"my key", 1}, {"", 2}, {"9lives", 3}, {"flash.x_$", 4}};
    EXPECT_EQ(debug_string(o), R"({"my key": 1, "": 2, "9lives": 3, flash.x_$: 4})");
    o.class_name = "has space";
    EXPECT_EQ(debug_string(o).substr(0, 11), R"("has space")");
}

TEST(DebugString, Amf3Kinds) {
    Object sealed;
    sealed.class_name = "Point";
    sealed.properties = {{"x", Integer{1}}};
    sealed.sealed_count = 1;
    sealed.dynamic = false;
    EXPECT_EQ(debug_string(sealed), "Point<sealed 1, static>{x: int(1)}");
    MixedArray m;
    m.dense = {1};
    m.properties = {{"k", "v"}};
    EXPECT_EQ(debug_string(m), R"(mixed[1]{k: "v"})");
    EXPECT_EQ(debug_string(VectorInt{true, {1, -1}}), "vector<int, fixed>[1, -1]");
    EXPECT_EQ(debug_string(VectorUint{false, {7}}), "vector<uint>[7]");
    EXPECT_EQ(debug_string(VectorDouble{false, {0.25}}), "vector<double>[0.25]");
    EXPECT_EQ(debug_string(VectorObject{false, "*", {Null{}}}), R"(vector<object "*">[null])");
    EXPECT_EQ(debug_string(Dictionary{false, {{1, "one"}}}), R"(dict{1 => "one"})");
    EXPECT_EQ(debug_string(Dictionary{true, {}}), "dict<weak>{}");
}

// tests/fixtures/amf/decode.md: lines "amf0|amf3 <hex> => <debug_string>".
TEST(DebugString, GoldenFixtures) {
    std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/amf/decode.md");
    ASSERT_TRUE(in) << "missing fixture";
    std::string line;
    int checked = 0;
    while (std::getline(in, line)) {
        if (line.rfind("    amf", 0) != 0) continue;
        const auto arrow = line.find(" => ");
        ASSERT_NE(arrow, std::string::npos) << line;
        const std::string version = line.substr(4, 4);
        const auto bytes = hex(line.substr(9, arrow - 9));
        const std::string expected = line.substr(arrow + 4);
        SCOPED_TRACE(line);
        const auto v = version == "amf0" ? decode0(bytes) : decode3(bytes);
        if (expected.rfind("error ", 0) == 0) {
            ASSERT_FALSE(v);
            EXPECT_EQ(error_category().info(v.error().value())->name, expected.substr(6));
        } else {
            ASSERT_TRUE(v) << v.error().message();
            EXPECT_EQ(debug_string(*v), expected);
        }
        ++checked;
    }
    EXPECT_GE(checked, 20);
}

}  // namespace
}  // namespace sluice::amf::test
