#pragma once
// client::SharedObject: the client's copy of one remote shared object
// (Flash's SharedObject.getRemote; RTMP 1.0 §7.1.3; REFERENCE.md §6). No
// I/O: the methods build the rtmp::SharedObjectMessage to send (on msid 0,
// with Client::send_shared_object) and apply() takes what the server sent.
//
// Wire sequences (client → server, then what the server answers, as
// Adobe Media Server and Red5 do and `sluice serve` does):
//
//   use()                  Use                 → [UseSuccess, Clear, Change(every slot)]
//   set_property(n, v)     RequestChange(n, v) → Success(n) to us, Change(n, v) to the others;
//                                                refused: Status (level "error") + Change(n,
//                                                server's value) or Remove(n) to us
//   remove_property(n)     RequestRemove(n)    → Success(n) to us, Remove(n) to the others;
//                                                refused: Status + Change restoring the value
//   send(h, args)          SendMessage(h, args) → the same SendMessage to every subscriber, us too
//   release()              Release             → nothing
//
// Every outgoing message carries name(), the version we hold and the
// persistence flag (flags 2 when persistent, else 0); the server refuses a
// flag that differs from its object's (SharedObject.BadPersistence).
//
// Local changes (the simple form of what Flash does): set_property() and
// remove_property() change properties() at once and remember the request
// as pending, with the value the slot had before. Then, per answer:
//   Success(n)             the oldest pending request for n is done; the
//                          slot holds the value we asked for (the server
//                          applied ours after any other client's change);
//                          sync entry "success".
//   Change(n) / Remove(n)  in a message that also carries an error-level
//                          Status, while a request for n is pending: our
//                          request was refused and this is the server's
//                          value; the pending request is dropped and the
//                          entry is "reject" (old value: what we had set).
//   Change(n) otherwise    another client's change: entry "change" with the
//                          value it replaced (Undefined when n was new).
//   Remove(n) otherwise    entry "delete" with the removed value.
//   Clear                  every slot goes; one entry "clear" (name empty).
// Pending requests survive a Change from another client: the later
// Success puts our value back, as the server holds it.
//
// Contract:
//  - apply() never throws; it ignores (counts in Update::ignored) events
//    only a server receives (Use, Release, RequestChange, RequestRemove)
//    and unknown types, and ignores a whole message whose name is not
//    name() (Update::ignored = its event count, nothing changes).
//  - Every server message's version becomes version().
//  - Properties keep the order the server (or we) first set them in
//    (STYLE.md §2 item 4); lookups are linear.
//  - The messages may be built at any time; the server only honours
//    requests after the Use answer (connected()).
//  - release() drops the pending requests and marks the object
//    disconnected; the properties stay as they were (stale).
//  - Not thread-safe; plain value type.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "amf/value.hpp"
#include "rtmp/shared_object_message.hpp"

namespace sluice::client {

/// The `code` of a Flash onSync list entry.
enum class SyncCode : std::uint8_t {
    change,   ///< "change": another client (or the server) set the slot
    success,  ///< "success": our change was accepted
    reject,   ///< "reject": our change was refused; the slot holds the server's value again
    clear,    ///< "clear": every slot was deleted (on use(), for a fresh object)
    remove,   ///< "delete": the slot was deleted
};
/// The Flash spelling: "change", "success", "reject", "clear", "delete".
std::string_view to_string(SyncCode code) noexcept;

/// One onSync list entry.
struct SyncEntry {
    SyncCode code = SyncCode::change;
    std::string name;      ///< the slot; empty for clear
    amf::Value old_value;  ///< the slot's value before (Undefined when there was none)
    friend bool operator==(const SyncEntry&, const SyncEntry&) = default;
};

/// A SendMessage from the server (ours included: it is broadcast).
struct SharedObjectCall {
    std::string handler;
    std::vector<amf::Value> arguments;
    friend bool operator==(const SharedObjectCall&, const SharedObjectCall&) = default;
};

/// A Status event, e.g. {"SharedObject.NoWriteAccess", "error"}.
struct SharedObjectStatus {
    std::string code;
    std::string level;  ///< "error", "warning" or "status"
    friend bool operator==(const SharedObjectStatus&, const SharedObjectStatus&) = default;
};

/// What one server message did; each list in event order.
struct SharedObjectUpdate {
    bool use_success = false;  ///< UseSuccess arrived: the object is connected
    std::vector<SyncEntry> sync;
    std::vector<SharedObjectCall> calls;
    std::vector<SharedObjectStatus> statuses;
    std::size_t ignored = 0;  ///< events a client does not take (see the file comment)

    bool empty() const noexcept { return !use_success && sync.empty() && calls.empty() && statuses.empty(); }
};

class SharedObject {
public:
    explicit SharedObject(std::string name, bool persistent = false);

    const std::string& name() const noexcept { return name_; }
    bool persistent() const noexcept { return persistent_; }
    /// The last version the server sent (0 before any answer).
    std::uint32_t version() const noexcept { return version_; }
    /// UseSuccess arrived and release() was not called since.
    bool connected() const noexcept { return connected_; }
    /// The slots, in the order they were first set.
    const std::vector<amf::Property>& properties() const noexcept { return properties_; }
    /// A slot's value, or nullptr.
    const amf::Value* find(std::string_view name) const noexcept;
    /// Our set/remove requests the server has not answered yet.
    std::size_t pending_count() const noexcept { return pending_.size(); }
    bool pending(std::string_view name) const noexcept;

    /// Use (event 1). Resets connected() until the answer comes.
    rtmp::SharedObjectMessage use();
    /// RequestChange(name, value); sets the slot locally at once.
    rtmp::SharedObjectMessage set_property(std::string name, amf::Value value);
    /// RequestRemove(name); removes the slot locally at once (a request for
    /// a slot that does not exist is still sent: the server answers Success).
    rtmp::SharedObjectMessage remove_property(std::string name);
    /// SendMessage(handler, arguments); no local effect.
    rtmp::SharedObjectMessage send(std::string handler, std::vector<amf::Value> arguments) const;
    /// Release (event 2); see the file comment.
    rtmp::SharedObjectMessage release();

    /// Applies a message from the server (see the file comment).
    SharedObjectUpdate apply(const rtmp::SharedObjectMessage& message);

private:
    struct Pending {
        std::string name;
        amf::Value requested;  ///< Undefined for a remove
        bool remove = false;
        amf::Value before;  ///< the slot before the request (Undefined: absent)
    };

    rtmp::SharedObjectMessage message(rtmp::SharedObjectEvent event) const;
    /// The oldest pending request for `name`, or pending_.end().
    std::vector<Pending>::iterator find_pending(std::string_view name);
    /// Sets the slot (appended when new); returns the value it replaced.
    amf::Value put(const std::string& name, amf::Value value);
    /// Removes the slot; returns its value (Undefined when absent).
    amf::Value erase(std::string_view name);

    std::string name_;
    bool persistent_;
    std::uint32_t version_ = 0;
    bool connected_ = false;
    std::vector<amf::Property> properties_;
    std::vector<Pending> pending_;
};

}  // namespace sluice::client
