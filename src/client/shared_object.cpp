#include "client/shared_object.hpp"

#include <algorithm>
#include <utility>

namespace sluice::client {

using rtmp::SharedObjectEvent;
using rtmp::SharedObjectEventType;

std::string_view to_string(SyncCode code) noexcept {
    switch (code) {
        case SyncCode::change:
            return "change";
        case SyncCode::success:
            return "success";
        case SyncCode::reject:
            return "reject";
        case SyncCode::clear:
            return "clear";
        case SyncCode::remove:
            return "delete";
    }
    return "change";
}

SharedObject::SharedObject(std::string name, bool persistent)
    : name_(std::move(name)), persistent_(persistent) {}

const amf::Value* SharedObject::find(std::string_view name) const noexcept {
    for (const auto& p : properties_)
        if (p.name == name) return &p.value;
    return nullptr;
}

bool SharedObject::pending(std::string_view name) const noexcept {
    return std::any_of(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.name == name; });
}

std::vector<SharedObject::Pending>::iterator SharedObject::find_pending(std::string_view name) {
    return std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.name == name; });
}

amf::Value SharedObject::put(const std::string& name, amf::Value value) {
    for (auto& p : properties_) {
        if (p.name == name) return std::exchange(p.value, std::move(value));
    }
    properties_.push_back(amf::Property{name, std::move(value)});
    return amf::Undefined{};
}

amf::Value SharedObject::erase(std::string_view name) {
    auto it = std::find_if(properties_.begin(), properties_.end(),
                           [&](const amf::Property& p) { return p.name == name; });
    if (it == properties_.end()) return amf::Undefined{};
    amf::Value old = std::move(it->value);
    properties_.erase(it);
    return old;
}

rtmp::SharedObjectMessage SharedObject::message(SharedObjectEvent event) const {
    rtmp::SharedObjectMessage out;
    out.name = name_;
    out.version = version_;
    out.flags = persistent_ ? rtmp::SharedObjectMessage::persistent_flag : 0;
    out.events.push_back(std::move(event));
    return out;
}

rtmp::SharedObjectMessage SharedObject::use() {
    connected_ = false;
    return message(SharedObjectEvent::simple(SharedObjectEventType::use));
}

rtmp::SharedObjectMessage SharedObject::set_property(std::string name, amf::Value value) {
    amf::Value before = put(name, value);
    pending_.push_back(Pending{name, value, false, std::move(before)});
    return message(SharedObjectEvent::request_change(std::move(name), std::move(value)));
}

rtmp::SharedObjectMessage SharedObject::remove_property(std::string name) {
    amf::Value before = erase(name);
    pending_.push_back(Pending{name, amf::Undefined{}, true, std::move(before)});
    return message(SharedObjectEvent::request_remove(std::move(name)));
}

rtmp::SharedObjectMessage SharedObject::send(std::string handler, std::vector<amf::Value> arguments) const {
    return message(SharedObjectEvent::send_message(std::move(handler), std::move(arguments)));
}

rtmp::SharedObjectMessage SharedObject::release() {
    connected_ = false;
    pending_.clear();
    return message(SharedObjectEvent::simple(SharedObjectEventType::release));
}

SharedObjectUpdate SharedObject::apply(const rtmp::SharedObjectMessage& message) {
    SharedObjectUpdate update;
    if (message.name != name_) {
        update.ignored = message.events.size();
        return update;
    }
    version_ = message.version;
    // The server sends a refusal as Status plus the restoring Change/Remove
    // in one message (server/shared_object.hpp); the Status may come first
    // or last, so look for it before classifying the changes.
    const bool refused = std::any_of(
        message.events.begin(), message.events.end(),
        [](const SharedObjectEvent& e) { return e.is(SharedObjectEventType::status) && e.level == "error"; });
    // A restored slot is a reject only when we asked for it; drop the
    // request so that a later Change is another client's again.
    auto restore = [&](const std::string& name, amf::Value old) {
        auto p = refused ? find_pending(name) : pending_.end();
        if (p == pending_.end()) return SyncEntry{SyncCode::change, name, std::move(old)};
        pending_.erase(p);
        return SyncEntry{SyncCode::reject, name, std::move(old)};
    };
    for (const SharedObjectEvent& e : message.events) {
        switch (static_cast<SharedObjectEventType>(e.type)) {
            case SharedObjectEventType::use_success:
                connected_ = true;
                update.use_success = true;
                break;
            case SharedObjectEventType::clear:
                properties_.clear();
                update.sync.push_back(SyncEntry{SyncCode::clear, {}, amf::Undefined{}});
                break;
            case SharedObjectEventType::change:
                for (const amf::Property& slot : e.slots) {
                    amf::Value old = put(slot.name, slot.value);
                    update.sync.push_back(restore(slot.name, std::move(old)));
                }
                break;
            case SharedObjectEventType::remove: {
                amf::Value old = erase(e.name);
                SyncEntry entry = restore(e.name, std::move(old));
                if (entry.code == SyncCode::change) entry.code = SyncCode::remove;
                update.sync.push_back(std::move(entry));
                break;
            }
            case SharedObjectEventType::success: {
                auto p = find_pending(e.name);
                if (p == pending_.end()) {
                    // Not ours to know (a request sent before a reconnect):
                    // still the server's word that the slot is as we set it.
                    update.sync.push_back(SyncEntry{SyncCode::success, e.name, amf::Undefined{}});
                    break;
                }
                // Another client's Change may have landed between our request
                // and its Success; the server applied ours last.
                if (p->remove) {
                    erase(e.name);
                } else {
                    put(e.name, p->requested);
                }
                update.sync.push_back(SyncEntry{SyncCode::success, e.name, std::move(p->before)});
                pending_.erase(p);
                break;
            }
            case SharedObjectEventType::send_message:
                update.calls.push_back(SharedObjectCall{e.name, e.arguments});
                break;
            case SharedObjectEventType::status:
                update.statuses.push_back(SharedObjectStatus{e.code, e.level});
                break;
            case SharedObjectEventType::use:
            case SharedObjectEventType::release:
            case SharedObjectEventType::request_change:
            case SharedObjectEventType::request_remove:
            default:
                ++update.ignored;
                break;
        }
    }
    return update;
}

}  // namespace sluice::client
