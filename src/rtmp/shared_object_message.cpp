#include "rtmp/shared_object_message.hpp"

#include <algorithm>
#include <utility>

#include "amf/debug_string.hpp"
#include "amf/reader0.hpp"
#include "amf/writer0.hpp"
#include "amf/writer3.hpp"
#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "rtmp/errors.hpp"

namespace sluice::rtmp {
namespace {

constexpr std::size_t header_fixed_bytes = 2 + 4 + 4 + 4;
constexpr std::size_t event_header_bytes = 1 + 4;
constexpr std::uint8_t max_known_event = 11;

// U16-length string without marker.
bool read_str(base::ByteReader& r, std::string& out) {
    const std::uint16_t n = r.u16be();
    if (r.failed()) return false;
    const auto chars = r.chars(n);
    if (r.failed()) return false;
    out.assign(chars);
    return true;
}

// One AMF0 value (or 11 + AMF3) from the reader's current position.
bool read_value(base::ByteReader& r, const amf::Limits& limits, amf::Value& out) {
    amf::Reader0 reader(r.rest(), limits);
    auto v = reader.read();
    if (!v) return false;
    r.skip(reader.position());
    out = std::move(*v);
    return true;
}

std::error_code decode_event_data(std::uint8_t type, base::Bytes data, const amf::Limits& limits,
                                  SharedObjectEvent& ev) {
    base::ByteReader r(data);
    bool ok = true;
    switch (static_cast<SharedObjectEventType>(type)) {
        case SharedObjectEventType::use:
        case SharedObjectEventType::release:
        case SharedObjectEventType::clear:
        case SharedObjectEventType::use_success:
            break;
        case SharedObjectEventType::request_change:
            ok = read_str(r, ev.name) && read_value(r, limits, ev.value);
            break;
        case SharedObjectEventType::change:
            while (ok && !r.empty()) {
                amf::Property p;
                ok = read_str(r, p.name) && read_value(r, limits, p.value);
                if (ok) ev.slots.push_back(std::move(p));
            }
            break;
        case SharedObjectEventType::success:
        case SharedObjectEventType::remove:
        case SharedObjectEventType::request_remove:
            ok = read_str(r, ev.name);
            break;
        case SharedObjectEventType::send_message: {
            amf::Value handler;
            ok = read_value(r, limits, handler) && handler.string();
            if (ok) ev.name = *handler.string();
            while (ok && !r.empty()) {
                amf::Value arg;
                ok = read_value(r, limits, arg);
                if (ok) ev.arguments.push_back(std::move(arg));
            }
            break;
        }
        case SharedObjectEventType::status:
            ok = read_str(r, ev.code) && read_str(r, ev.level);
            break;
        default:
            ev.raw.assign(data.begin(), data.end());
            return {};
    }
    if (!ok || !r.empty()) return Errc::shared_object_event_invalid;
    return {};
}

void write_str(base::ByteWriter& w, std::string_view s) {
    const std::size_t n = std::min<std::size_t>(s.size(), 0xFFFF);
    w.u16be(static_cast<std::uint16_t>(n));
    w.chars(s.substr(0, n));
}

void write_value(base::ByteWriter& w, const amf::Value& v, bool amf3) {
    const bool complex = v.is<amf::Object>() || v.is<amf::StrictArray>() || v.is<amf::Integer>() ||
                         v.is<amf::MixedArray>() || v.is<amf::ByteArray>() || v.is<amf::Xml>() ||
                         v.is<amf::VectorInt>() || v.is<amf::VectorUint>() || v.is<amf::VectorDouble>() ||
                         v.is<amf::VectorObject>() || v.is<amf::Dictionary>();
    if (amf3 && complex) {
        w.u8(0x11);
        amf::Writer3(w).write(v);
    } else {
        amf::Writer0(w).write(v);
    }
}

void encode_event_data(const SharedObjectEvent& ev, bool amf3, base::ByteWriter& w) {
    switch (static_cast<SharedObjectEventType>(ev.type)) {
        case SharedObjectEventType::use:
        case SharedObjectEventType::release:
        case SharedObjectEventType::clear:
        case SharedObjectEventType::use_success:
            return;
        case SharedObjectEventType::request_change:
            write_str(w, ev.name);
            write_value(w, ev.value, amf3);
            return;
        case SharedObjectEventType::change:
            for (const auto& p : ev.slots) {
                write_str(w, p.name);
                write_value(w, p.value, amf3);
            }
            return;
        case SharedObjectEventType::success:
        case SharedObjectEventType::remove:
        case SharedObjectEventType::request_remove:
            write_str(w, ev.name);
            return;
        case SharedObjectEventType::send_message:
            amf::Writer0(w).write_string(ev.name);
            for (const auto& a : ev.arguments) write_value(w, a, amf3);
            return;
        case SharedObjectEventType::status:
            write_str(w, ev.code);
            write_str(w, ev.level);
            return;
    }
    w.bytes(ev.raw);
}

SharedObjectEvent with_type(SharedObjectEventType t) {
    SharedObjectEvent e;
    e.type = static_cast<std::uint8_t>(t);
    return e;
}

}  // namespace

SharedObjectEvent SharedObjectEvent::simple(SharedObjectEventType t) {
    return with_type(t);
}
SharedObjectEvent SharedObjectEvent::request_change(std::string name, amf::Value value) {
    auto e = with_type(SharedObjectEventType::request_change);
    e.name = std::move(name);
    e.value = std::move(value);
    return e;
}
SharedObjectEvent SharedObjectEvent::change(std::vector<amf::Property> slots) {
    auto e = with_type(SharedObjectEventType::change);
    e.slots = std::move(slots);
    return e;
}
SharedObjectEvent SharedObjectEvent::success(std::string name) {
    auto e = with_type(SharedObjectEventType::success);
    e.name = std::move(name);
    return e;
}
SharedObjectEvent SharedObjectEvent::send_message(std::string handler, std::vector<amf::Value> arguments) {
    auto e = with_type(SharedObjectEventType::send_message);
    e.name = std::move(handler);
    e.arguments = std::move(arguments);
    return e;
}
SharedObjectEvent SharedObjectEvent::status(std::string code, std::string level) {
    auto e = with_type(SharedObjectEventType::status);
    e.code = std::move(code);
    e.level = std::move(level);
    return e;
}
SharedObjectEvent SharedObjectEvent::remove(std::string name) {
    auto e = with_type(SharedObjectEventType::remove);
    e.name = std::move(name);
    return e;
}
SharedObjectEvent SharedObjectEvent::request_remove(std::string name) {
    auto e = with_type(SharedObjectEventType::request_remove);
    e.name = std::move(name);
    return e;
}

base::Result<SharedObjectMessage> decode_shared_object(const Message& message,
                                                       const SharedObjectOptions& options) {
    if (!is_shared_object(message.type)) return Errc::shared_object_malformed;
    base::ByteReader r(message.payload.bytes());
    if (message.type == MessageType::shared_object_amf3) {
        // Red5 reads 3 here as "AMF3 header strings"; no peer is known to
        // send it, so only the 00 the E-RTMP text defines is accepted.
        if (r.empty()) return Errc::shared_object_truncated;
        if (r.u8() != 0x00) return Errc::shared_object_malformed;
    }
    if (r.remaining() < header_fixed_bytes) return Errc::shared_object_truncated;
    SharedObjectMessage so;
    if (!read_str(r, so.name)) return Errc::shared_object_truncated;
    so.version = r.u32be();
    so.flags = r.u32be();
    so.reserved = r.u32be();
    if (r.failed()) return Errc::shared_object_truncated;
    while (!r.empty()) {
        if (so.events.size() >= options.max_events) return Errc::shared_object_too_many_events;
        if (r.remaining() < event_header_bytes) return Errc::shared_object_truncated;
        SharedObjectEvent ev;
        ev.type = r.u8();
        const std::uint32_t length = r.u32be();
        if (length > r.remaining()) return Errc::shared_object_truncated;
        const base::Bytes data = r.bytes(length);
        if (ev.type == 0 || ev.type > max_known_event) {
            if (!options.keep_unknown_events) return Errc::shared_object_event_unknown;
        }
        if (auto ec = decode_event_data(ev.type, data, options.amf, ev)) return ec;
        so.events.push_back(std::move(ev));
    }
    return so;
}

Message encode_shared_object(const SharedObjectMessage& so, Encoding encoding, MessageStreamId stream_id,
                             base::Timestamp timestamp) {
    const bool amf3 = encoding == Encoding::amf3;
    base::ByteWriter w(64);
    if (amf3) w.u8(0x00);
    write_str(w, so.name);
    w.u32be(so.version);
    w.u32be(so.flags);
    w.u32be(so.reserved);
    base::ByteWriter data;
    for (const auto& ev : so.events) {
        data = base::ByteWriter();
        encode_event_data(ev, amf3, data);
        w.u8(ev.type);
        w.u32be(static_cast<std::uint32_t>(data.size()));
        w.bytes(data.data());
    }
    Message m;
    m.type = amf3 ? MessageType::shared_object_amf3 : MessageType::shared_object_amf0;
    m.timestamp = timestamp;
    m.stream_id = stream_id;
    m.payload = base::Payload::from(w.take());
    return m;
}

std::string debug_string(const SharedObjectMessage& so) {
    std::string out = "so '" + so.name + "' v" + std::to_string(so.version) +
                      " flags=" + std::to_string(so.flags) + "/" + std::to_string(so.reserved);
    for (const auto& ev : so.events) {
        out += " | " + std::to_string(ev.type);
        switch (static_cast<SharedObjectEventType>(ev.type)) {
            case SharedObjectEventType::request_change:
                out += " " + ev.name + "=" + amf::debug_string(ev.value);
                break;
            case SharedObjectEventType::change:
                for (const auto& p : ev.slots) out += " " + p.name + "=" + amf::debug_string(p.value);
                break;
            case SharedObjectEventType::send_message:
                out += " " + ev.name + "(";
                for (std::size_t i = 0; i < ev.arguments.size(); ++i) {
                    if (i) out += ", ";
                    out += amf::debug_string(ev.arguments[i]);
                }
                out += ")";
                break;
            case SharedObjectEventType::status:
                out += " " + ev.code + " " + ev.level;
                break;
            case SharedObjectEventType::success:
            case SharedObjectEventType::remove:
            case SharedObjectEventType::request_remove:
                out += " " + ev.name;
                break;
            case SharedObjectEventType::use:
            case SharedObjectEventType::release:
            case SharedObjectEventType::clear:
            case SharedObjectEventType::use_success:
                break;
            default:
                out += " raw " + std::to_string(ev.raw.size()) + " bytes";
        }
    }
    return out;
}

}  // namespace sluice::rtmp
