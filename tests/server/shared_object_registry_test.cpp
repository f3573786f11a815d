// server::SharedObjectRegistry and the persistent object files: who gets
// which message, refusals, persistence across a restart, and concurrent
// editors from several threads.
#include "server/shared_object_registry.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "server/shared_object_file.hpp"

namespace sluice::server {
namespace {

using Ev = rtmp::SharedObjectEvent;
using T = rtmp::SharedObjectEventType;

/// Records what the registry delivers, decoded.
class FakeSubscriber final : public SharedObjectSubscriber {
public:
    void deliver_shared_object(rtmp::Message message) override {
        const std::lock_guard lock(mutex_);
        types_.push_back(message.type);
        auto decoded = rtmp::decode_shared_object(message);
        ASSERT_TRUE(decoded) << decoded.error().message();
        messages_.push_back(std::move(*decoded));
    }
    std::vector<rtmp::SharedObjectMessage> messages() const {
        const std::lock_guard lock(mutex_);
        return messages_;
    }
    std::vector<rtmp::MessageType> types() const {
        const std::lock_guard lock(mutex_);
        return types_;
    }
    /// The codes of the Status events received.
    std::vector<std::string> statuses() const {
        std::vector<std::string> codes;
        for (const auto& m : messages()) {
            for (const auto& e : m.events) {
                if (e.is(T::status)) codes.push_back(e.code);
            }
        }
        return codes;
    }

private:
    mutable std::mutex mutex_;
    std::vector<rtmp::SharedObjectMessage> messages_;
    std::vector<rtmp::MessageType> types_;
};

struct User {
    explicit User(SubscriberId id, rtmp::Encoding encoding = rtmp::Encoding::amf0)
        : sink(std::make_shared<FakeSubscriber>()), user{id, sink, encoding} {}
    std::shared_ptr<FakeSubscriber> sink;
    SharedObjectUser user;
};

class TempDir {
public:
    TempDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("sluice-so-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

TEST(SharedObjectRegistry, ChangesReachTheOthersInTheirEncoding) {
    SharedObjectRegistry registry("live", "", {});
    User a(1), b(2, rtmp::Encoding::amf3);
    ASSERT_TRUE(registry.use(a.user, "", "chat", false));
    ASSERT_TRUE(registry.use(b.user, "", "chat", false));
    registry.request(a.user, "", "chat", {Ev::request_change("msg", std::string("hi"))});

    const auto to_a = a.sink->messages();
    ASSERT_EQ(to_a.size(), 2u);  // use answer, Success
    EXPECT_TRUE(to_a[1].events.at(0).is(T::success));
    const auto to_b = b.sink->messages();
    ASSERT_EQ(to_b.size(), 2u);  // use answer, Change
    EXPECT_TRUE(to_b[0].events.at(0).is(T::use_success));
    ASSERT_TRUE(to_b[1].events.at(0).is(T::change));
    EXPECT_EQ(to_b[1].events[0].slots.at(0).value, amf::Value(std::string("hi")));
    EXPECT_EQ(to_b[1].version, 1u);
    for (auto type : b.sink->types()) EXPECT_EQ(type, rtmp::MessageType::shared_object_amf3);
    for (auto type : a.sink->types()) EXPECT_EQ(type, rtmp::MessageType::shared_object_amf0);
}

TEST(SharedObjectRegistry, TransientObjectsGoWithTheirLastUser) {
    SharedObjectRegistry registry("live", "", {});
    User a(1);
    ASSERT_TRUE(registry.use(a.user, "room", "chat", false));
    registry.request(a.user, "room", "chat", {Ev::request_change("x", 1.0)});
    EXPECT_EQ(registry.size(), 1u);
    registry.release(1, "room", "chat");
    EXPECT_EQ(registry.size(), 0u);
    ASSERT_TRUE(registry.use(a.user, "room", "chat", false));
    const auto last = a.sink->messages().back();
    EXPECT_EQ(last.events.size(), 2u);  // UseSuccess, Clear: no slots left
    EXPECT_EQ(last.version, 0u);
}

TEST(SharedObjectRegistry, InstancesHaveTheirOwnObjects) {
    SharedObjectRegistry registry("live", "", {});
    User a(1), b(2);
    ASSERT_TRUE(registry.use(a.user, "room1", "chat", false));
    ASSERT_TRUE(registry.use(b.user, "room2", "chat", false));
    registry.request(a.user, "room1", "chat", {Ev::request_change("x", 1.0)});
    EXPECT_EQ(b.sink->messages().size(), 1u);
    EXPECT_EQ(registry.size(), 2u);
}

TEST(SharedObjectRegistry, RequestsWithoutUseAreRefused) {
    SharedObjectRegistry registry("live", "", {});
    User a(1), b(2);
    ASSERT_TRUE(registry.use(a.user, "", "chat", false));
    registry.request(b.user, "", "chat", {Ev::request_change("x", 1.0)});
    registry.request(b.user, "", "other", {Ev::request_change("x", 1.0)});
    EXPECT_EQ(b.sink->statuses(),
              (std::vector<std::string>{"SharedObject.NoWriteAccess", "SharedObject.NoWriteAccess"}));
    EXPECT_EQ(a.sink->messages().size(), 1u);
}

TEST(SharedObjectRegistry, PersistenceMustMatch) {
    TempDir dir;
    SharedObjectRegistry registry("live", dir.path(), {});
    User a(1), b(2), c(3);
    ASSERT_TRUE(registry.use(a.user, "", "scores", true));
    EXPECT_FALSE(registry.use(b.user, "", "scores", false));
    ASSERT_TRUE(registry.use(a.user, "", "chat", false));
    EXPECT_FALSE(registry.use(c.user, "", "chat", true));
    EXPECT_EQ(b.sink->statuses(), std::vector<std::string>{"SharedObject.BadPersistence"});
    EXPECT_EQ(c.sink->statuses(), std::vector<std::string>{"SharedObject.BadPersistence"});
}

TEST(SharedObjectRegistry, WithoutAFolderPersistentObjectsAreRefused) {
    SharedObjectRegistry registry("live", "", {});
    User a(1);
    EXPECT_FALSE(registry.use(a.user, "", "scores", true));
    EXPECT_EQ(a.sink->statuses(), std::vector<std::string>{"SharedObject.ObjectCreationFailed"});
}

TEST(SharedObjectRegistry, PersistentObjectsSurviveARestart) {
    TempDir dir;
    {
        SharedObjectRegistry registry("live", dir.path(), {});
        User a(1);
        ASSERT_TRUE(registry.use(a.user, "room", "scores", true));
        registry.request(a.user, "room", "scores",
                         {Ev::request_change("alice", 3.0), Ev::request_change("bob", std::string("two")),
                          Ev::request_change("carol", 1.0)});
        registry.request(a.user, "room", "scores", {Ev::request_remove("carol")});
        registry.release(1, "room", "scores");
        EXPECT_EQ(registry.size(), 0u);
    }
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "live" / "room" / "scores.so"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "live" / "room" / "scores.so.tmp"));
    SharedObjectRegistry restarted("live", dir.path(), {});
    User b(2);
    ASSERT_TRUE(restarted.use(b.user, "room", "scores", true));
    const auto initial = b.sink->messages().at(0);
    EXPECT_EQ(initial.version, 4u);
    ASSERT_EQ(initial.events.size(), 3u);
    ASSERT_TRUE(initial.events[2].is(T::change));
    const auto& slots = initial.events[2].slots;
    ASSERT_EQ(slots.size(), 2u);
    EXPECT_EQ(slots[0].name, "alice");
    EXPECT_EQ(slots[0].value, amf::Value(3.0));
    EXPECT_EQ(slots[1].value, amf::Value(std::string("two")));
    // A transient Use of a saved name is a persistence mismatch.
    User c(3);
    restarted.release(2, "room", "scores");
    EXPECT_FALSE(restarted.use(c.user, "room", "scores", false));
}

TEST(SharedObjectRegistry, ADamagedFileIsRefusedNotLoaded) {
    TempDir dir;
    const auto path = shared_object_path(dir.path(), "live", "", "scores");
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << "SLUICESO\x00\x00\x00\x40 too short";
    SharedObjectRegistry registry("live", dir.path(), {});
    User a(1);
    EXPECT_FALSE(registry.use(a.user, "", "scores", true));
    EXPECT_EQ(a.sink->statuses(), std::vector<std::string>{"SharedObject.ObjectCreationFailed"});
    EXPECT_EQ(registry.size(), 0u);
}

TEST(SharedObjectRegistry, ObjectAndSubscriberLimits) {
    SharedObjectLimits limits;
    limits.max_objects = 3;
    limits.max_subscribers = 2;
    SharedObjectRegistry registry("live", "", limits);
    User a(1), b(2), c(3);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(registry.use(a.user, "", "so" + std::to_string(i), false));
    EXPECT_FALSE(registry.use(a.user, "", "so3", false));
    EXPECT_TRUE(registry.use(a.user, "other", "so3", false));  // another instance has its own count
    EXPECT_TRUE(registry.use(b.user, "", "so0", false));
    EXPECT_FALSE(registry.use(c.user, "", "so0", false));
    EXPECT_EQ(a.sink->statuses(), std::vector<std::string>{"SharedObject.ObjectCreationFailed"});
    EXPECT_EQ(c.sink->statuses(), std::vector<std::string>{"SharedObject.ObjectCreationFailed"});
}

TEST(SharedObjectRegistry, GoneSubscribersAreSkipped) {
    SharedObjectRegistry registry("live", "", {});
    User a(1);
    auto b = std::make_unique<User>(2);
    ASSERT_TRUE(registry.use(a.user, "", "chat", false));
    ASSERT_TRUE(registry.use(b->user, "", "chat", false));
    b.reset();  // a session destroyed before its release
    registry.request(a.user, "", "chat", {Ev::request_change("x", 1.0)});
    EXPECT_EQ(a.sink->messages().size(), 2u);
}

// Ten editors on ten threads: every subscriber sees the versions in order
// and ends with the registry's state.
TEST(SharedObjectRegistry, ConcurrentEditorsSeeOneHistory) {
    TempDir dir;
    SharedObjectRegistry registry("live", dir.path(), {});
    constexpr int editors = 10;
    constexpr int changes = 20;
    std::vector<std::unique_ptr<User>> users;
    for (int i = 0; i < editors; ++i) {
        users.push_back(std::make_unique<User>(i + 1, i % 2 ? rtmp::Encoding::amf3 : rtmp::Encoding::amf0));
        ASSERT_TRUE(registry.use(users.back()->user, "", "board", true));
    }
    std::vector<std::thread> threads;
    for (int i = 0; i < editors; ++i) {
        threads.emplace_back([&, i] {
            for (int n = 0; n < changes; ++n) {
                registry.request(users[i]->user, "", "board",
                                 {Ev::request_change("slot" + std::to_string(n % 7), double(i * 1000 + n))});
            }
        });
    }
    for (auto& t : threads) t.join();

    // Each view: the initial state, then others' Changes and our own
    // accepted values (Success), in the order delivered.
    std::map<std::string, amf::Value> final_view;
    for (int i = 0; i < editors; ++i) {
        std::map<std::string, amf::Value> view;
        std::uint32_t last_version = 0;
        int mine = 0;
        for (const auto& m : users[i]->sink->messages()) {
            EXPECT_GE(m.version, last_version);
            last_version = m.version;
            for (const auto& e : m.events) {
                if (e.is(T::change)) {
                    for (const auto& s : e.slots) view[s.name] = s.value;
                } else if (e.is(T::success)) {
                    view[e.name] = amf::Value(double(i * 1000 + mine));
                    ++mine;
                }
            }
        }
        EXPECT_EQ(mine, changes);
        EXPECT_EQ(last_version, std::uint32_t(editors * changes));
        if (i == 0) final_view = view;
        EXPECT_EQ(view, final_view) << "editor " << i;
    }
    // The saved file holds the same state.
    auto saved = load_shared_object(shared_object_path(dir.path(), "live", "", "board"), {});
    ASSERT_TRUE(saved);
    EXPECT_EQ(saved->version(), std::uint32_t(editors * changes));
    EXPECT_EQ(saved->slots(), final_view);
}

TEST(SharedObjectFile, NamesAreSafePathSegments) {
    EXPECT_FALSE(check_shared_object_name("chat", 256));
    EXPECT_FALSE(check_shared_object_name("rooms/lobby", 256));
    EXPECT_TRUE(check_shared_object_name("", 256));
    EXPECT_TRUE(check_shared_object_name("../etc", 256));
    EXPECT_TRUE(check_shared_object_name("a//b", 256));
    EXPECT_TRUE(check_shared_object_name("/abs", 256));
    EXPECT_TRUE(check_shared_object_name("a/", 256));
    EXPECT_TRUE(check_shared_object_name("x\ny", 256));
    EXPECT_TRUE(check_shared_object_name(std::string(300, 'a'), 256));
    EXPECT_EQ(shared_object_path("/d", "live", "", "rooms/lobby"),
              std::filesystem::path("/d/live/_definst_/rooms/lobby.so"));
}

TEST(SharedObjectFile, SaveAndLoadKeepEveryValue) {
    TempDir dir;
    amf::Object nested;
    nested.properties.push_back({"score", amf::Value(12.0)});
    SharedObject so(
        "scores", true, 7,
        {{"a", amf::Value(std::string("x"))}, {"b", amf::Value(nested)}, {"c", amf::Value(amf::Null{})}});
    const auto path = shared_object_path(dir.path(), "live", "i", "scores");
    ASSERT_FALSE(save_shared_object(path, so));
    auto loaded = load_shared_object(path, {});
    ASSERT_TRUE(loaded) << loaded.error().message();
    EXPECT_EQ(loaded->name(), "scores");
    EXPECT_EQ(loaded->version(), 7u);
    EXPECT_TRUE(loaded->persistent());
    EXPECT_EQ(loaded->slots(), so.slots());

    SharedObjectLimits tight;
    tight.max_properties = 2;
    EXPECT_EQ(load_shared_object(path, tight).error(), std::make_error_code(std::errc::file_too_large));
    EXPECT_EQ(load_shared_object(dir.path() / "missing.so", {}).error(),
              std::make_error_code(std::errc::no_such_file_or_directory));
    // Trailing bytes (a file appended to by something else) are refused.
    std::ofstream(path, std::ios::binary | std::ios::app) << "x";
    EXPECT_FALSE(load_shared_object(path, {}));
}

}  // namespace
}  // namespace sluice::server
