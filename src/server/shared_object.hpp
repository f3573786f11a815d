#pragma once
// server::SharedObject: the state of one remote shared object of an
// application instance (RTMP 1.0 §7.1.3; REFERENCE.md §6) and what each
// client request does to it. No locks, no I/O: SharedObjectRegistry holds
// it behind a mutex, delivers the messages it returns and persists it.
//
// Semantics (Adobe Media Server's and Red5's, as REFERENCE.md §6.2 sums
// them up):
//  - Use: the user gets one message [UseSuccess, Clear, Change(every slot)]
//    (the Change only when there are slots) with the current version.
//  - RequestChange: the slot is set and the version goes up by one; the
//    requester gets Success(name), every other subscriber Change(name,
//    value). A refused change (value too large, too many slots) gets the
//    requester Status SharedObject.NoWriteAccess and a Change (or Remove)
//    restoring the server's value, as a Flash client's "reject" expects.
//  - RequestRemove: the slot goes, the version goes up; the requester gets
//    Success(name), the others Remove(name). Removing a slot that does not
//    exist answers Success and changes nothing.
//  - SendMessage: every subscriber, the sender included, gets it.
//  - Release: the subscriber leaves; nothing is sent.
// One request message may hold several events; they are applied in order
// and their answers gathered into at most one message per audience
// (requester, others, everybody), sent in that order. Each carries the
// version after the whole request.
//
// Contract: apply() never throws on any event (unknown types are counted
// and skipped); the slot count and each slot's encoded size stay within
// SharedObjectLimits.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "amf/value.hpp"
#include "rtmp/shared_object_message.hpp"

namespace sluice::server {

/// [shared_objects] bounds (config.hpp).
struct SharedObjectLimits {
    std::size_t max_objects = 1000;           ///< objects per application instance
    std::size_t max_properties = 10'000;      ///< slots per object
    std::size_t max_value_bytes = 64 * 1024;  ///< one slot's value, AMF0-encoded
    std::size_t max_subscribers = 10'000;     ///< connections using one object
    std::size_t max_per_connection = 256;     ///< objects one connection uses at once

    bool operator==(const SharedObjectLimits&) const = default;
};

using SubscriberId = std::uint64_t;

/// What one request makes the server send.
struct SharedObjectReply {
    std::optional<rtmp::SharedObjectMessage> to_requester;
    std::optional<rtmp::SharedObjectMessage> to_others;  ///< every subscriber but the requester
    std::optional<rtmp::SharedObjectMessage> to_all;     ///< every subscriber, the requester too
    bool changed = false;     ///< slots changed (a persistent object must be saved)
    std::size_t unknown = 0;  ///< events of unknown or client-invalid types skipped
    std::size_t refused = 0;  ///< changes refused by the limits
};

class SharedObject {
public:
    SharedObject(std::string name, bool persistent, std::uint32_t version = 0,
                 std::map<std::string, amf::Value> slots = {});

    const std::string& name() const noexcept { return name_; }
    bool persistent() const noexcept { return persistent_; }
    std::uint32_t version() const noexcept { return version_; }
    const std::map<std::string, amf::Value>& slots() const noexcept { return slots_; }
    const std::set<SubscriberId>& subscribers() const noexcept { return subscribers_; }

    /// Use: adds `who` (again is harmless) and returns the initial state message.
    rtmp::SharedObjectMessage use(SubscriberId who);
    /// Release: `who` leaves. True when it was a subscriber.
    bool release(SubscriberId who);
    /// The events of a request from subscriber `who` other than Use and
    /// Release, which the registry handles.
    SharedObjectReply apply(SubscriberId who, const std::vector<rtmp::SharedObjectEvent>& events,
                            const SharedObjectLimits& limits);

    /// A message of this object (name, version, persistence flag) holding `events`.
    rtmp::SharedObjectMessage message(std::vector<rtmp::SharedObjectEvent> events) const;
    /// The whole state as one Change (the persistence format, and Use's answer).
    rtmp::SharedObjectEvent change_all() const;

private:
    std::string name_;
    bool persistent_;
    std::uint32_t version_;
    std::map<std::string, amf::Value> slots_;
    std::set<SubscriberId> subscribers_;
};

/// A message of object `name` with one Status event (errors before the
/// object exists: bad persistence, creation refused).
rtmp::SharedObjectMessage shared_object_status(const std::string& name, bool persistent, std::string code,
                                               std::string level = "error");

/// AMF0-encoded size of `value` (what max_value_bytes bounds).
std::size_t encoded_value_size(const amf::Value& value);

}  // namespace sluice::server
