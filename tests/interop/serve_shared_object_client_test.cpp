// Shared objects on `sluice serve` driven by our own client library
// (client::Client + client::SharedObject) and by the `sluice so` command,
// beside serve_shared_object_test.cpp's raw clients:
//  - ten clients, AMF0 and AMF3 alternating, each on its own thread and
//    io_context, edit one object at once (300 operations each: sets of
//    four shared keys and of a key of its own, removes, SendMessages; at
//    most 8 requests in flight). Each then sends a "fin" message; a
//    client that has seen all ten fins has seen every change (the server
//    delivers one object's messages in version order, which is checked
//    too: no client ever gets a version below the one before). At that
//    point every client holds the same properties and version as a fresh
//    client gets from its Use, and every client got every message exactly
//    once, in one common order that keeps each sender's own order;
//  - an AMF0 and an AMF3 client: the sync codes (clear, success, change,
//    delete, reject with SharedObject.NoWriteAccess) and nested values
//    (objects, strict arrays, strings, numbers, booleans, null) crossing
//    both encodings unchanged, as type 19 to the one and type 16 to the
//    other;
//  - `sluice so`: set, then print (`key = value`, amf::debug_string's
//    form) while a --watch process holds the object (a transient object
//    goes with its last user: without one the print is empty), the
//    watcher seeing the other processes' changes, deletes and messages
//    until SIGINT (exit 0); an edit over [shared_objects] max_value_bytes
//    (exit 2, the other edits still made) and --persistent against a
//    transient object in use (BadPersistence, exit 2); a persistent
//    object set over AMF3 read back over AMF0.

// GCC 12 takes the sized operator delete of Asio's coroutine frames for a
// mismatch with their operator new (see tests/client/client_transport_test.cpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "amf/debug_string.hpp"
#include "client/client.hpp"
#include "client/shared_object.hpp"
#include "interop/serve_test.hpp"

namespace sluice::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using client::SyncCode;

/// Runs `operation` on `context` until it finishes; its result, or its exception rethrown.
template <class T>
T run(asio::io_context& context, asio::awaitable<T> operation) {
    auto result = asio::co_spawn(context, std::move(operation), asio::use_future);
    context.restart();
    context.run();
    return result.get();
}

/// A failed expectation inside a coroutine (gtest's ASSERT cannot co_return).
void require(bool condition, const std::string& what) {
    if (!condition) throw std::runtime_error(what);
}

std::chrono::milliseconds left(Clock::time_point deadline) {
    return std::max(1ms, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

/// Reads until a message for `so` arrives and applies it; throws past the
/// deadline or when the server closes. `type`, when given, gets its message type.
asio::awaitable<client::SharedObjectUpdate> next_update(client::Client& c, client::SharedObject& so,
                                                        Clock::time_point deadline,
                                                        rtmp::MessageType* type = nullptr) {
    for (;;) {
        require(Clock::now() < deadline, "no message for '" + so.name() + "' in time");
        client::Incoming in = co_await c.next(left(deadline));
        require(in.kind != client::Incoming::Kind::closed, "the server closed the connection");
        require(in.kind != client::Incoming::Kind::other || !rtmp::is_shared_object(in.message.type),
                "a shared-object message that does not decode");
        if (in.kind != client::Incoming::Kind::shared_object || in.shared_object->name != so.name()) continue;
        if (type) *type = in.message.type;
        co_return so.apply(*in.shared_object);
    }
}

/// Connects and uses `so`; the update that carried UseSuccess.
asio::awaitable<client::SharedObjectUpdate> connect_and_use(client::Client& c, client::SharedObject& so,
                                                            std::string url, Clock::time_point deadline) {
    const auto parsed = rtmp::Url::parse(url);
    require(static_cast<bool>(parsed), "bad url " + url);
    co_await c.connect(*parsed);
    co_await c.send_shared_object(so.use());
    for (;;) {
        client::SharedObjectUpdate update = co_await next_update(c, so, deadline);
        require(update.statuses.empty(),
                "use refused: " + (update.statuses.empty() ? std::string() : update.statuses[0].code));
        if (update.use_success) co_return update;
    }
}

client::ClientOptions options_for(int object_encoding) {
    client::ClientOptions options;
    options.object_encoding = object_encoding;
    options.step_timeout = 10s;
    return options;
}

/// Properties as a map: clients list them in the order they first saw
/// them, which differs between clients (a client's own set is local at
/// once), so only names and values are compared.
std::map<std::string, amf::Value> as_map(const client::SharedObject& so) {
    std::map<std::string, amf::Value> out;
    for (const amf::Property& p : so.properties()) out.emplace(p.name, p.value);
    return out;
}

std::string describe(const std::map<std::string, amf::Value>& slots) {
    std::string out;
    for (const auto& [name, value] : slots) out += name + " = " + amf::debug_string(value) + "\n";
    return out;
}

std::vector<std::string> sluice_argv(std::vector<std::string> args) {
    args.insert(args.begin(), serve_binary());
    return args;
}

class ServeSharedObjectClient : public ServeTest {
protected:
    void SetUp() override {
        const std::string config = dir_.file("sluice.toml");
        std::ofstream(config) << "[shared_objects]\nmax_value_bytes = " << max_value_bytes << "\n";
        start_server({"--config", config, "--shared-objects", dir_.file("so")});
    }

    std::string url() const { return "rtmp://127.0.0.1:" + std::to_string(server_->port()) + "/live"; }

    /// Runs `sluice so url() args...` to completion with its own log; the exit code.
    std::optional<int> so_command(const std::string& log, std::vector<std::string> args) {
        args.insert(args.begin(), {"so", url()});
        return run_process(sluice_argv(std::move(args)), dir_.file(log), 30s);
    }

    /// Waits (polling the file, 20 ms apart) until `log` holds `text`.
    bool wait_for_text(const std::string& log, const std::string& text, Clock::time_point deadline) {
        while (Clock::now() < deadline) {
            if (read_file(dir_.file(log)).find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(20ms);
        }
        return read_file(dir_.file(log)).find(text) != std::string::npos;
    }

    static constexpr int max_value_bytes = 256;
};

// ---------------------------------------------------------------------------
// Ten concurrent editors.

constexpr int editors = 10;
constexpr int operations = 300;
constexpr std::size_t window = 8;

/// One editor: its connection on its own io_context, and what it saw.
struct Editor {
    explicit Editor(int i)
        : index(i), client(context.get_executor(), options_for(i % 2 == 0 ? 0 : 3)), so("board") {}
    int index;
    asio::io_context context;
    client::Client client;
    client::SharedObject so;
    std::vector<client::SharedObjectCall> calls;
    std::vector<std::string> regressions;  ///< a message older than the one before it (the first 5)
    std::string error;
};

/// Operation k of editor i: a message every 20th, a remove every 10th, a
/// set of its own key every 5th, else a set of one of four shared keys to a
/// number, a string or an object.
rtmp::SharedObjectMessage operation(client::SharedObject& so, int i, int k) {
    const std::string shared = "k" + std::to_string((i + k) % 4);
    if (k % 20 == 7) return so.send("note", {amf::Value(double(i)), amf::Value(double(k))});
    if (k % 10 == 3) return so.remove_property(shared);
    if (k % 5 == 0) return so.set_property("own" + std::to_string(i), double(k));
    switch (k % 3) {
        case 0:
            return so.set_property(shared, double(i * 1000 + k));
        case 1:
            return so.set_property(shared, "e" + std::to_string(i) + "-" + std::to_string(k));
        default: {
            amf::Object o;
            o.set("by", double(i));
            o.set("k", double(k));
            o.set("tags", amf::StrictArray{{amf::Value("x"), amf::Value(true), amf::Null{}}});
            return so.set_property(shared, std::move(o));
        }
    }
}

/// Sends the editor's operations (at most `window` requests unanswered),
/// then "fin" once they are all answered, and reads until every editor's
/// fin arrived.
asio::awaitable<void> edit(Editor& e, Clock::time_point deadline) {
    int k = 0;
    int fins = 0;
    bool fin_sent = false;
    while (fins < editors) {
        if (k < operations && e.so.pending_count() < window) {
            co_await e.client.send_shared_object(operation(e.so, e.index, k++));
            continue;
        }
        if (k == operations && !fin_sent && e.so.pending_count() == 0) {
            // Built outside the co_await: GCC 12 rejects a braced list inside one.
            std::vector<amf::Value> arguments{amf::Value(double(e.index))};
            co_await e.client.send_shared_object(e.so.send("fin", std::move(arguments)));
            fin_sent = true;
            continue;
        }
        const std::uint32_t before = e.so.version();
        client::SharedObjectUpdate update = co_await next_update(e.client, e.so, deadline);
        if (e.so.version() < before && e.regressions.size() < 5)
            e.regressions.push_back(std::to_string(before) + " -> " + std::to_string(e.so.version()));
        for (const auto& s : update.statuses) require(false, "status " + s.code + " " + s.level);
        for (const auto& entry : update.sync)
            require(entry.code != SyncCode::reject, "change of " + entry.name + " refused");
        for (auto& call : update.calls) {
            if (call.handler == "fin") ++fins;
            e.calls.push_back(std::move(call));
        }
    }
}

/// Runs `body(editor)` for every editor, each on its own thread, and joins them.
template <class Body>
void on_every_editor(std::vector<std::unique_ptr<Editor>>& all, Body body) {
    std::vector<std::thread> threads;
    for (auto& e : all) {
        threads.emplace_back([&e, &body] {
            try {
                run(e->context, body(*e));
            } catch (const std::exception& ex) {
                if (e->error.empty()) e->error = ex.what();
            }
        });
    }
    for (auto& t : threads) t.join();
}

TEST_F(ServeSharedObjectClient, TenMixedEncodingEditorsEndWithOneState) {
    const auto deadline = Clock::now() + 25s;
    std::vector<std::unique_ptr<Editor>> all;
    for (int i = 0; i < editors; ++i) all.push_back(std::make_unique<Editor>(i));

    // Everyone uses the object before anyone edits, so that every message reaches all ten.
    const std::string where = url();
    on_every_editor(all, [&](Editor& e) { return connect_and_use(e.client, e.so, where, deadline); });
    for (const auto& e : all) ASSERT_EQ(e->error, "") << "editor " << e->index << " (use)";
    on_every_editor(all, [&](Editor& e) { return edit(e, deadline); });
    for (const auto& e : all) ASSERT_EQ(e->error, "") << "editor " << e->index << " (edits)";

    // A newcomer's view after Use is the reference.
    asio::io_context context;
    client::Client fresh_client(context.get_executor(), options_for(0));
    client::SharedObject fresh("board");
    run(context, connect_and_use(fresh_client, fresh, url(), deadline));
    const auto expected = as_map(fresh);
    for (int i = 0; i < editors; ++i) {
        EXPECT_TRUE(expected.contains("own" + std::to_string(i))) << describe(expected);
        EXPECT_EQ(expected.at("own" + std::to_string(i)), amf::Value(double(operations - 5)));
    }
    EXPECT_GT(fresh.version(), 0u);

    const auto& reference = all[0]->calls;
    for (const auto& e : all) {
        EXPECT_EQ(e->so.pending_count(), 0u) << "editor " << e->index;
        EXPECT_EQ(e->so.version(), fresh.version()) << "editor " << e->index;
        const auto got = as_map(e->so);
        EXPECT_EQ(got, expected) << "editor " << e->index << " holds\n"
                                 << describe(got) << "a newcomer got\n"
                                 << describe(expected);
        EXPECT_EQ(e->regressions, std::vector<std::string>{})
            << "editor " << e->index << ": versions went back";
        EXPECT_TRUE(e->calls == reference) << "editor " << e->index << " saw the messages in another order";
    }

    // The common order holds every message exactly once, each sender's in its own order.
    std::map<int, std::vector<int>> notes_by_sender;
    std::map<int, int> fins;
    for (const auto& call : reference) {
        ASSERT_FALSE(call.arguments.empty());
        const int sender = static_cast<int>(*call.arguments[0].get_if<double>());
        if (call.handler == "fin") {
            ++fins[sender];
        } else {
            ASSERT_EQ(call.handler, "note");
            ASSERT_EQ(call.arguments.size(), 2u);
            notes_by_sender[sender].push_back(static_cast<int>(*call.arguments[1].get_if<double>()));
        }
    }
    std::vector<int> sent;
    for (int k = 0; k < operations; ++k)
        if (k % 20 == 7) sent.push_back(k);
    for (int i = 0; i < editors; ++i) {
        EXPECT_EQ(fins[i], 1) << "editor " << i;
        EXPECT_EQ(notes_by_sender[i], sent) << "editor " << i << "'s notes";
    }
    EXPECT_EQ(reference.size(), std::size_t(editors) * (sent.size() + 1));
    run(context, fresh_client.close());
}

// ---------------------------------------------------------------------------
// An AMF0 and an AMF3 client: sync codes and nested values.

amf::Value nested_object() {
    amf::Object inner;
    inner.set("ok", false);
    inner.set("none", amf::Null{});
    amf::Object o;
    o.set("title", "caf\xc3\xa9 \"quoted\"");
    o.set("n", -12.5);
    o.set("big", 1e300);
    o.set("yes", true);
    o.set("nothing", amf::Null{});
    o.set("list", amf::StrictArray{{amf::Value(1.0), amf::Value("two"), amf::Value(true), amf::Null{},
                                    amf::Value(inner)}});
    o.set("inner", inner);
    return o;
}

amf::Value nested_array() {
    amf::Object point;
    point.set("x", 3.0);
    point.set("y", -4.0);
    return amf::StrictArray{{amf::Value(point), amf::StrictArray{{amf::Value("a"), amf::StrictArray{}}},
                             amf::Value(0.0), amf::Value(""), amf::Value(false), amf::Null{}}};
}

/// The sync entries of `update` as text ("success doc; change n was 3"), for readable failures.
std::string sync_text(const client::SharedObjectUpdate& update) {
    std::string out;
    for (const client::SyncEntry& e : update.sync) {
        out += out.empty() ? "" : "; ";
        out += std::string(client::to_string(e.code)) + (e.name.empty() ? "" : " " + e.name);
        if (!e.old_value.is<amf::Undefined>()) out += " was " + amf::debug_string(e.old_value);
    }
    return out;
}

/// The AMF0 client a, the AMF3 client b (and a newcomer c) on one
/// io_context; see the file comment.
asio::awaitable<void> exercise_sync(asio::io_context& context, std::string url, std::size_t limit) {
    client::Client a_client(context.get_executor(), options_for(0));
    client::Client b_client(context.get_executor(), options_for(3));
    client::SharedObject a("sync");
    client::SharedObject b("sync");
    const auto deadline = Clock::now() + 20s;
    const amf::Value object = nested_object();
    const amf::Value array = nested_array();
    const amf::Value big_x = std::string(2 * limit, 'x');
    const amf::Value big_y = std::string(2 * limit, 'y');

    rtmp::MessageType type{};
    // A fresh object: UseSuccess and Clear.
    const auto a_use = co_await connect_and_use(a_client, a, url, deadline);
    EXPECT_EQ(a_use.sync, std::vector<client::SyncEntry>({{SyncCode::clear, "", amf::Undefined{}}}));
    co_await connect_and_use(b_client, b, url, deadline);

    // AMF0 sets an object: success to it, change to the AMF3 client as type 16.
    co_await a_client.send_shared_object(a.set_property("doc", object));
    auto update = co_await next_update(a_client, a, deadline, &type);
    EXPECT_EQ(type, rtmp::MessageType::shared_object_amf0);
    EXPECT_EQ(sync_text(update), "success doc");
    update = co_await next_update(b_client, b, deadline, &type);
    EXPECT_EQ(type, rtmp::MessageType::shared_object_amf3);
    EXPECT_EQ(sync_text(update), "change doc");
    require(b.find("doc") != nullptr, "b has no doc");
    EXPECT_EQ(*b.find("doc"), object) << amf::debug_string(*b.find("doc"));

    // AMF3 replaces it with an array: the AMF0 client gets the change with the old value.
    co_await b_client.send_shared_object(b.set_property("doc", array));
    // (A success carries the value the slot held before our request.)
    update = co_await next_update(b_client, b, deadline);
    EXPECT_EQ(sync_text(update), "success doc was " + amf::debug_string(object));
    update = co_await next_update(a_client, a, deadline);
    EXPECT_EQ(sync_text(update), "change doc was " + amf::debug_string(object));
    require(a.find("doc") != nullptr, "a has no doc");
    EXPECT_EQ(*a.find("doc"), array) << amf::debug_string(*a.find("doc"));

    // Scalars from the AMF3 side.
    const std::vector<amf::Value> scalars{amf::Value("text"), amf::Value(42.0), amf::Value(true),
                                          amf::Value(amf::Null{})};
    std::string was;
    for (const amf::Value& v : scalars) {
        co_await b_client.send_shared_object(b.set_property("scalar", v));
        update = co_await next_update(b_client, b, deadline);
        EXPECT_EQ(sync_text(update), "success scalar" + was);
        update = co_await next_update(a_client, a, deadline);
        EXPECT_EQ(sync_text(update), "change scalar" + was);
        was = " was " + amf::debug_string(v);
        require(a.find("scalar") != nullptr, "a has no scalar");
        EXPECT_EQ(*a.find("scalar"), v) << amf::debug_string(*a.find("scalar"));
    }

    // Over limit: NoWriteAccess and reject; the slot is back
    // to the server's value; the other client hears nothing of it.
    co_await b_client.send_shared_object(b.set_property("doc", big_x));
    update = co_await next_update(b_client, b, deadline);
    EXPECT_EQ(update.statuses,
              std::vector<client::SharedObjectStatus>({{"SharedObject.NoWriteAccess", "error"}}));
    EXPECT_EQ(sync_text(update), "reject doc was " + amf::debug_string(big_x));
    require(b.find("doc") != nullptr, "the reject did not restore doc");
    EXPECT_EQ(*b.find("doc"), array);
    EXPECT_EQ(b.pending_count(), 0u);
    co_await b_client.send_shared_object(b.set_property("fresh", big_y));
    update = co_await next_update(b_client, b, deadline);
    EXPECT_EQ(sync_text(update), "reject fresh was " + amf::debug_string(big_y));
    EXPECT_EQ(b.find("fresh"), nullptr);

    // AMF0 removes doc: success to it, delete (with the old value) to the AMF3 client,
    // which saw nothing of its own refused changes in between.
    co_await a_client.send_shared_object(a.remove_property("doc"));
    update = co_await next_update(a_client, a, deadline);
    EXPECT_EQ(sync_text(update), "success doc was " + amf::debug_string(array));
    EXPECT_EQ(a.find("doc"), nullptr);
    update = co_await next_update(b_client, b, deadline);
    EXPECT_EQ(sync_text(update), "delete doc was " + amf::debug_string(array));
    EXPECT_EQ(b.find("doc"), nullptr);

    // A message with nested arguments reaches both, the sender too.
    const std::vector<amf::Value> arguments{object, array, amf::Value(7.0)};
    co_await a_client.send_shared_object(a.send("show", arguments));
    for (auto* side : {&a, &b}) {
        auto& c = side == &a ? a_client : b_client;
        update = co_await next_update(c, *side, deadline);
        EXPECT_EQ(update.calls, std::vector<client::SharedObjectCall>({{"show", arguments}}));
    }
    EXPECT_EQ(a.version(), b.version());
    EXPECT_EQ(as_map(a), as_map(b));

    // A third client (AMF3) joining an object with slots: clear, then a change per slot.
    client::Client c_client(context.get_executor(), options_for(3));
    client::SharedObject c("sync");
    const auto c_use = co_await connect_and_use(c_client, c, url, deadline);
    require(!c_use.sync.empty(), "no sync entries on use");
    EXPECT_EQ(c_use.sync[0].code, SyncCode::clear);
    EXPECT_EQ(c_use.sync.size(), 1 + a.properties().size());
    EXPECT_EQ(as_map(c), as_map(a));
    EXPECT_EQ(c.version(), a.version());
    co_await c_client.close();
    co_await a_client.close();
    co_await b_client.close();
}

TEST_F(ServeSharedObjectClient, SyncCodesAndNestedValuesCrossBothEncodings) {
    asio::io_context context;
    run(context, exercise_sync(context, url(), max_value_bytes));
}

// ---------------------------------------------------------------------------
// `sluice so`.

TEST_F(ServeSharedObjectClient, SoCommandSetsPrintsAndWatches) {
    EXPECT_EQ(so_command("set.log", {"chat", "--set", "msg=hi", "--set", "n=3"}), std::optional<int>(0))
        << read_file(dir_.file("set.log"));
    EXPECT_EQ(so_command("print.log", {"chat"}), std::optional<int>(0));
    // The object is transient and nobody held it between the two commands: it is gone.
    const std::string print = read_file(dir_.file("print.log"));
    EXPECT_EQ(print.find("msg = "), std::string::npos) << print;

    // Held by a watcher, it outlives the setter.
    Process watcher(sluice_argv({"so", url(), "chat", "--watch"}), dir_.file("watch.log"));
    const auto deadline = Clock::now() + 20s;
    ASSERT_TRUE(wait_for_text("watch.log", "'chat' on ", deadline)) << read_file(dir_.file("watch.log"));
    EXPECT_EQ(so_command("set2.log", {"chat", "--set", "msg=hi", "--set", "n=3"}), std::optional<int>(0))
        << read_file(dir_.file("set2.log"));
    EXPECT_EQ(so_command("print2.log", {"chat"}), std::optional<int>(0));
    const std::string printed = read_file(dir_.file("print2.log"));
    EXPECT_NE(printed.find("\nmsg = \"hi\"\n"), std::string::npos) << printed;
    EXPECT_NE(printed.find("\nn = 3\n"), std::string::npos) << printed;

    EXPECT_EQ(so_command("set3.log", {"chat", "--set", "msg=bye", "--remove", "n", "--send", "say", "hello"}),
              std::optional<int>(0))
        << read_file(dir_.file("set3.log"));
    EXPECT_TRUE(wait_for_text("watch.log", "message say(\"hello\")", deadline));
    watcher.signal(SIGINT);
    EXPECT_EQ(watcher.wait(Clock::now() + 10s), std::optional<int>(0));
    const std::string watched = read_file(dir_.file("watch.log"));
    for (const char* line :
         {"change msg = \"hi\" (new)\n", "change n = 3 (new)\n", "change msg = \"bye\" (was \"hi\")\n",
          "delete n (was 3)\n", "message say(\"hello\")\n"})
        EXPECT_NE(watched.find(line), std::string::npos) << line << " not in\n" << watched;
    // In that order.
    EXPECT_LT(watched.find("change msg = \"hi\""), watched.find("change msg = \"bye\""));
    EXPECT_LT(watched.find("delete n"), watched.find("message say"));
}

TEST_F(ServeSharedObjectClient, SoCommandRefusalsExitTwo) {
    // A value over max_value_bytes: refused, exit 2, the other edit still made.
    const std::string big = std::string(2 * max_value_bytes, 'z');
    Process holder(sluice_argv({"so", url(), "room", "--watch"}), dir_.file("hold.log"));
    const auto deadline = Clock::now() + 20s;
    ASSERT_TRUE(wait_for_text("hold.log", "'room' on ", deadline)) << read_file(dir_.file("hold.log"));
    EXPECT_EQ(so_command("big.log", {"room", "--set", "big=" + big, "--set", "small=1"}),
              std::optional<int>(2));
    const std::string refused = read_file(dir_.file("big.log"));
    EXPECT_NE(refused.find("SharedObject.NoWriteAccess"), std::string::npos) << refused;
    EXPECT_TRUE(wait_for_text("hold.log", "change small = 1 (new)", deadline))
        << read_file(dir_.file("hold.log"));
    EXPECT_EQ(read_file(dir_.file("hold.log")).find("big"), std::string::npos);

    // --persistent on the transient object the holder uses.
    EXPECT_EQ(so_command("persist.log", {"room", "--persistent", "--set", "x=1"}), std::optional<int>(2));
    const std::string bad = read_file(dir_.file("persist.log"));
    EXPECT_NE(bad.find("SharedObject.BadPersistence"), std::string::npos) << bad;
    holder.signal(SIGINT);
    EXPECT_EQ(holder.wait(Clock::now() + 10s), std::optional<int>(0));
    EXPECT_EQ(read_file(dir_.file("hold.log")).find("change x"), std::string::npos);

    // The AMF3 spelling reaches the same object; --persistent on a fresh name works.
    EXPECT_EQ(so_command("persistent.log", {"saved", "--persistent", "--amf3", "--set", "k=\"v\""}),
              std::optional<int>(0))
        << read_file(dir_.file("persistent.log"));
    EXPECT_EQ(so_command("persistent2.log", {"saved", "--persistent"}), std::optional<int>(0));
    EXPECT_NE(read_file(dir_.file("persistent2.log")).find("\nk = \"v\"\n"), std::string::npos)
        << read_file(dir_.file("persistent2.log"));
}

}  // namespace
}  // namespace sluice::test
