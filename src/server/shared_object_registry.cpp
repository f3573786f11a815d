#include "server/shared_object_registry.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "server/name_check.hpp"
#include "server/shared_object_file.hpp"

namespace sluice::server {

namespace {

/// One message encoded at most once per encoding, however many subscribers get it.
class EncodedOnce {
public:
    explicit EncodedOnce(const rtmp::SharedObjectMessage& message) : message_(message) {}

    const rtmp::Message& get(rtmp::Encoding encoding) {
        std::optional<rtmp::Message>& slot = encoding == rtmp::Encoding::amf3 ? amf3_ : amf0_;
        if (!slot) slot = rtmp::encode_shared_object(message_, encoding);
        return *slot;
    }

private:
    const rtmp::SharedObjectMessage& message_;
    std::optional<rtmp::Message> amf0_;
    std::optional<rtmp::Message> amf3_;
};

}  // namespace

struct SharedObjectRegistry::Entry {
    explicit Entry(SharedObject o) : object(std::move(o)) {}

    std::mutex mutex;
    SharedObject object;
    std::map<SubscriberId, SharedObjectUser> users;
    std::filesystem::path path;  ///< persistent objects' file
    bool dead = false;           ///< dropped from the table; a caller holding it must look again
};

SharedObjectRegistry::SharedObjectRegistry(std::string app, std::filesystem::path dir,
                                           SharedObjectLimits limits)
    : app_(std::move(app)), dir_(std::move(dir)), limits_(limits) {}

SharedObjectRegistry::~SharedObjectRegistry() = default;

std::size_t SharedObjectRegistry::size() const {
    const std::lock_guard lock(mutex_);
    return objects_.size();
}

std::shared_ptr<SharedObjectRegistry::Entry> SharedObjectRegistry::find(const Key& key) const {
    const std::lock_guard lock(mutex_);
    const auto it = objects_.find(key);
    return it == objects_.end() ? nullptr : it->second;
}

void SharedObjectRegistry::send_to(const SharedObjectUser& user, const rtmp::SharedObjectMessage& message) {
    if (auto sink = user.sink.lock())
        sink->deliver_shared_object(rtmp::encode_shared_object(message, user.encoding));
}

bool SharedObjectRegistry::use(const SharedObjectUser& user, const std::string& instance,
                               const std::string& name, bool persistent) {
    const Key key{instance, name};
    auto refuse = [&](const char* code) {
        send_to(user, shared_object_status(name, persistent, code));
        return false;
    };
    for (;;) {
        std::shared_ptr<Entry> entry;
        {
            const std::lock_guard lock(mutex_);
            auto it = objects_.find(key);
            if (it == objects_.end()) {
                const auto first = objects_.lower_bound(Key{instance, ""});
                std::size_t in_instance = 0;
                for (auto i = first; i != objects_.end() && i->first.first == instance; ++i) {
                    if (++in_instance >= limits_.max_objects) break;
                }
                if (in_instance >= limits_.max_objects) {
                    spdlog::warn(
                        "app={} shared object \"{}\" refused: {} objects in use (shared_objects.max_objects)",
                        app_, escape_name(name), in_instance);
                    return refuse("SharedObject.ObjectCreationFailed");
                }
                const auto path =
                    dir_.empty() ? std::filesystem::path{} : shared_object_path(dir_, app_, instance, name);
                std::error_code exists_error;
                const bool saved = !path.empty() && std::filesystem::exists(path, exists_error);
                std::optional<SharedObject> object;
                if (!persistent) {
                    // The name belongs to a persistent object that nobody uses now.
                    if (saved) return refuse("SharedObject.BadPersistence");
                    object.emplace(name, false);
                } else if (path.empty()) {
                    return refuse("SharedObject.ObjectCreationFailed");
                } else if (!saved) {
                    object.emplace(name, true);
                } else {
                    auto loaded = load_shared_object(path, limits_);
                    if (!loaded || loaded->name() != name || !loaded->persistent()) {
                        spdlog::warn("app={} shared object \"{}\": {} does not load: {}", app_,
                                     escape_name(name), path.string(),
                                     loaded ? "other name or flags" : loaded.error().message());
                        return refuse("SharedObject.ObjectCreationFailed");
                    }
                    object.emplace(std::move(*loaded));
                }
                auto created = std::make_shared<Entry>(std::move(*object));
                created->path = path;
                it = objects_.emplace(key, std::move(created)).first;
            }
            entry = it->second;
        }
        const std::lock_guard lock(entry->mutex);
        if (entry->dead) continue;  // released to nobody between the two locks: look again
        if (entry->object.persistent() != persistent) return refuse("SharedObject.BadPersistence");
        if (!entry->users.contains(user.id) && entry->users.size() >= limits_.max_subscribers) {
            spdlog::warn("app={} shared object \"{}\" refused: {} users (shared_objects.max_subscribers)",
                         app_, escape_name(name), entry->users.size());
            return refuse("SharedObject.ObjectCreationFailed");
        }
        entry->users[user.id] = user;
        send_to(user, entry->object.use(user.id));
        return true;
    }
}

void SharedObjectRegistry::release(SubscriberId id, const std::string& instance, const std::string& name) {
    const std::lock_guard lock(mutex_);
    const auto it = objects_.find(Key{instance, name});
    if (it == objects_.end()) return;
    // Kept beyond the erase below: the lock must not outlive its mutex.
    const std::shared_ptr<Entry> keep = it->second;
    Entry& entry = *keep;
    const std::lock_guard entry_lock(entry.mutex);
    entry.object.release(id);
    entry.users.erase(id);
    if (entry.users.empty()) {
        entry.dead = true;
        objects_.erase(it);
    }
}

void SharedObjectRegistry::request(const SharedObjectUser& user, const std::string& instance,
                                   const std::string& name,
                                   const std::vector<rtmp::SharedObjectEvent>& events) {
    const std::shared_ptr<Entry> entry = find(Key{instance, name});
    if (entry) {
        const std::lock_guard lock(entry->mutex);
        if (!entry->dead && entry->users.contains(user.id)) {
            SharedObjectReply reply = entry->object.apply(user.id, events, limits_);
            if (reply.unknown != 0) {
                spdlog::debug("app={} shared object \"{}\": {} event(s) a client may not send skipped", app_,
                              escape_name(name), reply.unknown);
            }
            if (reply.changed && entry->object.persistent()) {
                if (const auto error = save_shared_object(entry->path, entry->object)) {
                    spdlog::warn("app={} shared object \"{}\" not saved to {}: {}", app_, escape_name(name),
                                 entry->path.string(), error.message());
                }
            }
            if (reply.to_requester) send_to(user, *reply.to_requester);
            if (reply.to_others) {
                EncodedOnce encoded(*reply.to_others);
                for (const auto& [id, other] : entry->users) {
                    if (id == user.id) continue;
                    if (auto sink = other.sink.lock())
                        sink->deliver_shared_object(encoded.get(other.encoding));
                }
            }
            if (reply.to_all) {
                EncodedOnce encoded(*reply.to_all);
                for (const auto& [id, other] : entry->users) {
                    if (auto sink = other.sink.lock())
                        sink->deliver_shared_object(encoded.get(other.encoding));
                }
            }
            return;
        }
    }
    // Flash clients always Use first; anything else is a confused or hostile peer.
    send_to(user, shared_object_status(name, false, "SharedObject.NoWriteAccess"));
}

}  // namespace sluice::server
