// client::parse_connect_arguments: librtmp's conn= syntax to AMF values.
#include "client/connect_arguments.hpp"

#include <gtest/gtest.h>

#include "client/errors.hpp"

namespace sluice::client {
namespace {

TEST(ConnectArguments, ScalarsInOrder) {
    auto args = parse_connect_arguments({"B:1", "N:1.5", "S:secret:with:colons", "Z:", "B:0"});
    ASSERT_TRUE(args);
    const std::vector<amf::Value> expected{amf::Value(true), amf::Value(1.5),
                                           amf::Value(std::string("secret:with:colons")),
                                           amf::Value(amf::Null{}), amf::Value(false)};
    EXPECT_EQ(*args, expected);
}

TEST(ConnectArguments, NestedNamedObjects) {
    auto args = parse_connect_arguments(
        {"O:1", "NS:user:bob", "NO:inner:1", "NN:n:3", "O:0", "NB:ok:1", "O:0", "S:after"});
    ASSERT_TRUE(args);
    ASSERT_EQ(args->size(), 2u);
    const auto* object = args->front().get_if<amf::Object>();
    ASSERT_NE(object, nullptr);
    ASSERT_EQ(object->size(), 3u);
    EXPECT_EQ(*object->find("user"), amf::Value(std::string("bob")));
    EXPECT_EQ(*object->find("ok"), amf::Value(true));
    const auto* inner = object->find("inner")->get_if<amf::Object>();
    ASSERT_NE(inner, nullptr);
    EXPECT_EQ(*inner->find("n"), amf::Value(3.0));
    EXPECT_EQ(args->back(), amf::Value(std::string("after")));
}

TEST(ConnectArguments, RefusalsSayWhy) {
    for (const std::vector<std::string>& bad :
         std::vector<std::vector<std::string>>{{"X:1"},
                                               {"B:2"},
                                               {"N:abc"},
                                               {"N:inf"},
                                               {"S"},
                                               {"NS:user:bob"},
                                               {"O:1", "S:unnamed", "O:0"},
                                               {"O:0"},
                                               {"O:1"},
                                               {"O:2"},
                                               {"NS:nocolon"}}) {
        std::string why;
        auto args = parse_connect_arguments(bad, &why);
        EXPECT_EQ(args.error(), make_error_code(Errc::connect_argument_invalid)) << bad.front();
        EXPECT_NE(why.find("--conn"), std::string::npos) << why;
    }
}

TEST(ConnectArguments, DepthIsBounded) {
    std::vector<std::string> deep{"O:1"};
    for (int i = 0; i < 20; ++i) deep.push_back("NO:x:1");
    EXPECT_FALSE(parse_connect_arguments(deep));
}

}  // namespace
}  // namespace sluice::client
