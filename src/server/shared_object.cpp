#include "server/shared_object.hpp"

#include "amf/writer0.hpp"
#include "base/byte_writer.hpp"

namespace sluice::server {

using EventType = rtmp::SharedObjectEventType;
using rtmp::SharedObjectEvent;

std::size_t encoded_value_size(const amf::Value& value) {
    base::ByteWriter w;
    amf::Writer0(w).write(value);
    return w.size();
}

rtmp::SharedObjectMessage shared_object_status(const std::string& name, bool persistent, std::string code,
                                               std::string level) {
    rtmp::SharedObjectMessage m;
    m.name = name;
    m.flags = persistent ? rtmp::SharedObjectMessage::persistent_flag : 0;
    m.events.push_back(SharedObjectEvent::status(std::move(code), std::move(level)));
    return m;
}

SharedObject::SharedObject(std::string name, bool persistent, std::uint32_t version,
                           std::map<std::string, amf::Value> slots)
    : name_(std::move(name)), persistent_(persistent), version_(version), slots_(std::move(slots)) {}

rtmp::SharedObjectMessage SharedObject::message(std::vector<SharedObjectEvent> events) const {
    rtmp::SharedObjectMessage m;
    m.name = name_;
    m.version = version_;
    m.flags = persistent_ ? rtmp::SharedObjectMessage::persistent_flag : 0;
    m.events = std::move(events);
    return m;
}

SharedObjectEvent SharedObject::change_all() const {
    std::vector<amf::Property> all;
    all.reserve(slots_.size());
    for (const auto& [name, value] : slots_) all.push_back(amf::Property{name, value});
    return SharedObjectEvent::change(std::move(all));
}

rtmp::SharedObjectMessage SharedObject::use(SubscriberId who) {
    subscribers_.insert(who);
    std::vector<SharedObjectEvent> events{SharedObjectEvent::simple(EventType::use_success),
                                          SharedObjectEvent::simple(EventType::clear)};
    if (!slots_.empty()) events.push_back(change_all());
    return message(std::move(events));
}

bool SharedObject::release(SubscriberId who) {
    return subscribers_.erase(who) != 0;
}

SharedObjectReply SharedObject::apply(SubscriberId who, const std::vector<SharedObjectEvent>& events,
                                      const SharedObjectLimits& limits) {
    std::vector<SharedObjectEvent> to_requester;
    std::vector<amf::Property> changed_slots;  // for the others, in request order
    std::vector<SharedObjectEvent> removals;
    std::vector<SharedObjectEvent> to_all;
    SharedObjectReply reply;

    // The others learn the final value of each slot once; a later event on
    // the same slot replaces an earlier one in their Change.
    auto note_change = [&](const std::string& name, const amf::Value* value) {
        std::erase_if(changed_slots, [&](const amf::Property& p) { return p.name == name; });
        std::erase_if(removals, [&](const SharedObjectEvent& e) { return e.name == name; });
        if (value) {
            changed_slots.push_back(amf::Property{name, *value});
        } else {
            removals.push_back(SharedObjectEvent::remove(name));
        }
    };
    auto restore = [&](const std::string& name) {
        const auto it = slots_.find(name);
        if (it == slots_.end()) {
            to_requester.push_back(SharedObjectEvent::remove(name));
        } else {
            to_requester.push_back(SharedObjectEvent::change({amf::Property{name, it->second}}));
        }
    };

    for (const SharedObjectEvent& event : events) {
        if (event.is(EventType::request_change)) {
            const bool is_new = slots_.find(event.name) == slots_.end();
            if (encoded_value_size(event.value) > limits.max_value_bytes ||
                (is_new && slots_.size() >= limits.max_properties)) {
                ++reply.refused;
                to_requester.push_back(SharedObjectEvent::status("SharedObject.NoWriteAccess", "error"));
                restore(event.name);
                continue;
            }
            slots_[event.name] = event.value;
            ++version_;
            reply.changed = true;
            to_requester.push_back(SharedObjectEvent::success(event.name));
            note_change(event.name, &event.value);
        } else if (event.is(EventType::request_remove)) {
            if (slots_.erase(event.name) != 0) {
                ++version_;
                reply.changed = true;
                note_change(event.name, nullptr);
            }
            to_requester.push_back(SharedObjectEvent::success(event.name));
        } else if (event.is(EventType::send_message)) {
            to_all.push_back(event);
        } else {
            // Server-to-client types (Change, Success, Status, ...) and
            // unknown ones mean nothing coming from a client.
            ++reply.unknown;
        }
    }

    if (!to_requester.empty()) reply.to_requester = message(std::move(to_requester));
    std::vector<SharedObjectEvent> others;
    if (!changed_slots.empty()) others.push_back(SharedObjectEvent::change(std::move(changed_slots)));
    for (auto& r : removals) others.push_back(std::move(r));
    if (!others.empty() && subscribers_.size() > (subscribers_.count(who) ? 1u : 0u)) {
        reply.to_others = message(std::move(others));
    }
    if (!to_all.empty()) reply.to_all = message(std::move(to_all));
    return reply;
}

}  // namespace sluice::server
