#pragma once
// server::SharedObjectRegistry: the shared objects of one application, by
// instance and name, and the connections using each (REFERENCE.md §6;
// semantics in shared_object.hpp).
//
// Threads: any worker calls in. A registry mutex guards the object table
// (held briefly: lookups, creation, a persistent object's load); each
// object has its own mutex, held while a request is applied, saved and its
// answers handed to the subscribers. Subscribers' deliver_shared_object()
// is called under that lock, so every subscriber sees one object's
// messages in version order; it must only queue (post to its worker).
//
// Lifetime: transient objects exist while someone uses them; the last
// release drops them (as Adobe Media Server does). Persistent objects are
// saved after every change, before its Success goes out, so a change whose
// Success a client saw survives a crash; they are loaded from their file
// on first use (lazily: an object nobody uses costs no memory) and dropped
// from memory at the last release.
//
// Refusals are Status events to the requester (never a closed connection):
//  - SharedObject.BadPersistence: the Use's persistence flag differs from
//    the object's (in memory, or a transient Use of a name saved on disk).
//  - SharedObject.ObjectCreationFailed: limits.max_objects objects in the
//    instance, limits.max_subscribers users of the object, or a saved
//    file that does not load (logged).
//  - SharedObject.NoWriteAccess: a request from a connection that did not
//    Use the object, or a change over the limits (shared_object.hpp).
// TODO(shared objects): fsync per change runs on the calling worker; a
// write-behind thread would lift the persistent change rate.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rtmp/command.hpp"
#include "rtmp/shared_object_message.hpp"
#include "server/shared_object.hpp"

namespace sluice::server {

/// A connection using shared objects (the session).
class SharedObjectSubscriber {
public:
    /// Any thread, under the object's lock: queue `message` for the peer.
    virtual void deliver_shared_object(rtmp::Message message) = 0;

protected:
    ~SharedObjectSubscriber() = default;
};

/// A subscriber as a request names it.
struct SharedObjectUser {
    SubscriberId id = 0;
    std::weak_ptr<SharedObjectSubscriber> sink;
    rtmp::Encoding encoding = rtmp::Encoding::amf0;  ///< type 19 (amf0) or 16 (amf3) messages
};

class SharedObjectRegistry {
public:
    /// `dir`: the persistent objects' folder; its files are
    /// shared_object_path(dir, app, ...). Empty: persistent objects are
    /// refused (ObjectCreationFailed).
    SharedObjectRegistry(std::string app, std::filesystem::path dir, SharedObjectLimits limits);
    ~SharedObjectRegistry();

    /// Use: true when `user` now uses the object (it got the initial state),
    /// false when refused (it got a Status).
    bool use(const SharedObjectUser& user, const std::string& instance, const std::string& name,
             bool persistent);
    /// Release (also when the connection closes). Unknown names are ignored.
    void release(SubscriberId id, const std::string& instance, const std::string& name);
    /// Request Change, Request Remove and Send Message events of one message.
    void request(const SharedObjectUser& user, const std::string& instance, const std::string& name,
                 const std::vector<rtmp::SharedObjectEvent>& events);

    const SharedObjectLimits& limits() const noexcept { return limits_; }
    /// Objects in memory (tests, metrics).
    std::size_t size() const;

private:
    struct Entry;
    using Key = std::pair<std::string, std::string>;  ///< instance, name

    std::shared_ptr<Entry> find(const Key& key) const;
    static void send_to(const SharedObjectUser& user, const rtmp::SharedObjectMessage& message);

    std::string app_;
    std::filesystem::path dir_;
    SharedObjectLimits limits_;
    mutable std::mutex mutex_;
    std::map<Key, std::shared_ptr<Entry>> objects_;
};

}  // namespace sluice::server
