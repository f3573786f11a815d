// Remote method calls between client::Client and an in-process `sluice
// serve`: methods an application registers (server/methods.hpp), answered
// at once or from a coroutine that calls the client back
// (CallContext::call_client, answered by Client::on_call), errors, unknown
// names, the built-in methods, and a client that never answers.
#include <gtest/gtest.h>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "client/blocking_client.hpp"
#include "client/in_process_server.hpp"
#include "server/application.hpp"

namespace sluice::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using server::CallContext;
using server::MethodError;
using server::MethodOutcome;
using server::MethodReply;

ClientOptions quick() {
    ClientOptions options;
    options.step_timeout = 5s;
    return options;
}

server::MethodTable& methods(InProcessServer& s) {
    server::Application* app = s.server().find_app("live");
    EXPECT_NE(app, nullptr);
    return app->methods();
}

double number_of(const amf::Value& v) {
    double n = -1;
    EXPECT_TRUE(v.number(n));
    return n;
}

TEST(ClientCalls, AnApplicationMethodAnswersAtOnce) {
    InProcessServer server;
    methods(server).add("add", [](std::shared_ptr<CallContext>, std::vector<amf::Value> args) {
        double sum = 0;
        for (const auto& a : args) {
            double n = 0;
            if (!a.number(n)) return MethodOutcome(MethodReply(MethodError{"add takes numbers"}));
            sum += n;
        }
        return MethodOutcome(MethodReply(std::vector<amf::Value>{sum}));
    });
    BlockingClient client(quick());
    client.connect(server.url("live"));
    const rtmp::CallResult sum = client.call("add", {1.0, 2.0, 4.5});
    ASSERT_FALSE(sum.is_error);
    ASSERT_EQ(sum.values.size(), 1u);
    EXPECT_EQ(number_of(sum.values[0]), 7.5);

    const rtmp::CallResult refused = client.call("add", {amf::Value(std::string("x"))});
    ASSERT_TRUE(refused.is_error);
    ASSERT_FALSE(refused.values.empty());
    const amf::Value* description = refused.values[0].find("description");
    ASSERT_NE(description, nullptr);
    EXPECT_EQ(*description->string(), "add takes numbers");
    const amf::Value* code = refused.values[0].find("code");
    ASSERT_NE(code, nullptr);
    EXPECT_EQ(*code->string(), "NetConnection.Call.Failed");
}

TEST(ClientCalls, ACoroutineMethodCallsTheClientBack) {
    InProcessServer server;
    methods(server).add("greet", [](std::shared_ptr<CallContext> caller, std::vector<amf::Value>) {
        auto run = [](std::shared_ptr<CallContext> c) -> asio::awaitable<MethodReply> {
            auto asking = c->call_client("whoami", {amf::Value(std::string("please"))});
            MethodReply who = co_await std::move(asking);
            const auto* values = std::get_if<std::vector<amf::Value>>(&who);
            if (!values || values->empty() || !values->front().string()) co_return MethodError{"no name"};
            co_return std::vector<amf::Value>{amf::Value("hello " + *values->front().string() + " on " +
                                                         c->application().name() + "/" + c->instance())};
        };
        return MethodOutcome(run(std::move(caller)));
    });
    BlockingClient client(quick());
    std::vector<amf::Value> asked;
    client.client().on_call("whoami", [&](const std::vector<amf::Value>& args) {
        asked = args;
        return Client::CallReply(std::vector<amf::Value>{amf::Value(std::string("alice"))});
    });
    client.connect(server.url("live/room1/x"));  // app live, instance room1
    const rtmp::CallResult greeting = client.call("greet", {});
    ASSERT_FALSE(greeting.is_error);
    ASSERT_EQ(greeting.values.size(), 1u);
    EXPECT_EQ(*greeting.values[0].string(), "hello alice on live/room1");
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(*asked[0].string(), "please");
}

TEST(ClientCalls, TheClientsErrorReachesTheMethod) {
    InProcessServer server;
    methods(server).add("ask", [](std::shared_ptr<CallContext> caller, std::vector<amf::Value>) {
        auto run = [](std::shared_ptr<CallContext> c) -> asio::awaitable<MethodReply> {
            auto asking = c->call_client("question", {});
            MethodReply answer = co_await std::move(asking);
            if (const auto* error = std::get_if<MethodError>(&answer)) {
                co_return std::vector<amf::Value>{amf::Value("client said: " + error->description)};
            }
            co_return MethodError{"expected an error"};
        };
        return MethodOutcome(run(std::move(caller)));
    });
    BlockingClient client(quick());
    client.client().on_call(
        "question", [](const std::vector<amf::Value>&) { return Client::CallReply(std::string("no idea")); });
    client.connect(server.url("live"));
    const rtmp::CallResult answer = client.call("ask", {});
    ASSERT_FALSE(answer.is_error);
    EXPECT_EQ(*answer.values.at(0).string(), "client said: no idea");
}

TEST(ClientCalls, AClientThatNeverAnswersTimesOut) {
    InProcessServer server([](server::ServerConfig& c) { c.limits.call_timeout = 300ms; });
    methods(server).add("ask", [](std::shared_ptr<CallContext> caller, std::vector<amf::Value>) {
        auto run = [](std::shared_ptr<CallContext> c) -> asio::awaitable<MethodReply> {
            auto asking = c->call_client("nobodyHome", {});
            MethodReply answer = co_await std::move(asking);
            if (const auto* error = std::get_if<MethodError>(&answer))
                co_return MethodError{error->description};
            co_return std::vector<amf::Value>{};
        };
        return MethodOutcome(run(std::move(caller)));
    });
    BlockingClient client(quick());
    client.connect(server.url("live"));
    const auto start = std::chrono::steady_clock::now();
    const rtmp::CallResult answer = client.call("ask", {});
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
    ASSERT_TRUE(answer.is_error);
    const amf::Value* description = answer.values.at(0).find("description");
    ASSERT_NE(description, nullptr);
    EXPECT_NE(description->string()->find("did not answer"), std::string::npos) << *description->string();
    // The unanswered call is the caller's to see (after connect's StreamBegin, onBWDone & co.).
    Incoming in = client.next(1s);
    while (in.name != "nobodyHome" && in.kind != Incoming::Kind::closed) in = client.next(1s);
    EXPECT_EQ(in.kind, Incoming::Kind::command);
    EXPECT_EQ(in.name, "nobodyHome");
}

TEST(ClientCalls, BuiltInMethodsGoThroughTheTableAndCanBeReplaced) {
    InProcessServer server;
    BlockingClient client(quick());
    client.connect(server.url("live"));
    const rtmp::CallResult length = client.call("getStreamLength", {amf::Value(std::string("x"))});
    ASSERT_FALSE(length.is_error);
    EXPECT_EQ(number_of(length.values.at(0)), 0);  // live: no length
    const rtmp::CallResult check = client.call("_checkbw", {});
    ASSERT_FALSE(check.is_error);
    EXPECT_TRUE(check.values.at(0).is<amf::Null>());
    const rtmp::CallResult fc = client.call("FCSubscribe", {amf::Value(std::string("x"))});
    ASSERT_FALSE(fc.is_error);
    EXPECT_TRUE(fc.values.at(0).is<amf::Undefined>());

    methods(server).add("getStreamLength", [](std::shared_ptr<CallContext>, std::vector<amf::Value>) {
        return MethodOutcome(MethodReply(std::vector<amf::Value>{42.0}));
    });
    EXPECT_EQ(number_of(client.call("getStreamLength", {amf::Value(std::string("x"))}).values.at(0)), 42);
    methods(server).remove("getStreamLength");
    EXPECT_TRUE(client.call("getStreamLength", {}).is_error);
}

TEST(ClientCalls, CallsToTheClientInFlightAreBounded) {
    InProcessServer server([](server::ServerConfig& c) { c.limits.max_calls_in_flight = 1; });
    methods(server).add("twice", [](std::shared_ptr<CallContext> caller, std::vector<amf::Value>) {
        auto run = [](std::shared_ptr<CallContext> c) -> asio::awaitable<MethodReply> {
            using namespace asio::experimental::awaitable_operators;
            // Two calls at once: the second finds the one slot taken.
            auto first = c->call_client("echo", {amf::Value(std::string("one"))});
            auto second = c->call_client("echo", {amf::Value(std::string("two"))});
            auto both = std::move(first) && std::move(second);
            auto [a, b] = co_await std::move(both);
            auto text = [](const MethodReply& r) {
                if (const auto* e = std::get_if<MethodError>(&r)) return "error: " + e->description;
                return *std::get<std::vector<amf::Value>>(r).at(0).string();
            };
            co_return std::vector<amf::Value>{amf::Value(text(a)), amf::Value(text(b))};
        };
        return MethodOutcome(run(std::move(caller)));
    });
    BlockingClient client(quick());
    client.client().on_call("echo",
                            [](const std::vector<amf::Value>& args) { return Client::CallReply(args); });
    client.connect(server.url("live"));
    const rtmp::CallResult answer = client.call("twice", {});
    ASSERT_FALSE(answer.is_error);
    ASSERT_EQ(answer.values.size(), 2u);
    EXPECT_EQ(*answer.values[0].string(), "one");
    EXPECT_EQ(*answer.values[1].string(), "error: too many calls to the client in flight");
}

}  // namespace
}  // namespace sluice::client
