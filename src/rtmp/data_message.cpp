#include "rtmp/data_message.hpp"

#include <utility>

#include "amf/debug_string.hpp"
#include "rtmp/detail/amf_payload.hpp"
#include "rtmp/detail/command_args.hpp"

namespace sluice::rtmp {

base::Result<DataMessage> decode_data_message(const Message& message, const CommandOptions& options) {
    if (!is_data(message.type)) return Errc::data_message_malformed;
    const bool amf3 = message.type == MessageType::data_amf3;
    if (amf3 && (message.payload.empty() || message.payload.bytes()[0] != 0x00)) {
        return Errc::data_message_malformed;
    }
    auto values = detail::read_amf_values(message.payload.bytes(), amf3, options);
    if (!values) return values.error();
    auto& v = *values;
    if (v.empty() || !v[0].string()) return Errc::data_message_malformed;
    DataMessage out;
    out.handler = std::move(*v[0].get_if<std::string>());
    out.values.reserve(v.size() - 1);
    for (std::size_t i = 1; i < v.size(); ++i) out.values.push_back(std::move(v[i]));
    return out;
}

Message encode_data_message(const DataMessage& data, Encoding encoding, MessageStreamId stream_id,
                            base::Timestamp timestamp) {
    const bool amf3 = encoding == Encoding::amf3;
    detail::AmfPayloadWriter w(amf3);
    w.string(data.handler);
    for (const auto& v : data.values) w.value(v);
    Message m;
    m.type = amf3 ? MessageType::data_amf3 : MessageType::data_amf0;
    m.timestamp = timestamp;
    m.stream_id = stream_id;
    m.payload = w.finish();
    return m;
}

std::string debug_string(const DataMessage& data) {
    std::string out = data.handler;
    out += " [";
    for (std::size_t i = 0; i < data.values.size(); ++i) {
        if (i) out += ", ";
        out += amf::debug_string(data.values[i]);
    }
    out += ']';
    return out;
}

std::optional<DataMessage> strip_set_data_frame(const DataMessage& data) {
    if (data.handler != data_handler::set_data_frame || data.values.empty() || !data.values[0].string()) {
        return std::nullopt;
    }
    DataMessage out;
    out.handler = *data.values[0].string();
    out.values.assign(data.values.begin() + 1, data.values.end());
    return out;
}

// ---- MetaData ----

base::Result<MetaData> MetaData::decode(const DataMessage& d, std::string* why) {
    const DataMessage* m = &d;
    std::optional<DataMessage> stripped;
    if (d.handler == data_handler::set_data_frame) {
        stripped = strip_set_data_frame(d);
        if (!stripped) {
            return detail::fail(why, Errc::command_argument_missing, d.handler,
                                "the wrapped handler name is missing");
        }
        m = &*stripped;
    }
    if (m->handler != data_handler::on_meta_data) {
        return detail::fail(why, Errc::command_malformed, data_handler::on_meta_data,
                            "the handler is named '" + m->handler + "'");
    }
    if (m->values.empty()) {
        return detail::fail(why, Errc::command_argument_missing, m->handler, "the metadata array is missing");
    }
    const amf::PropertyList* p = m->values[0].properties();
    if (!p) {
        return detail::fail(why, Errc::command_argument_type, m->handler,
                            "the metadata must be an ECMA array or Object, got " +
                                std::string(detail::amf_type_name(m->values[0])));
    }
    MetaData out;
    out.properties.properties = p->properties;
    return out;
}

DataMessage MetaData::to_data() const {
    return DataMessage{std::string(data_handler::on_meta_data), {properties}};
}

DataMessage MetaData::to_set_data_frame() const {
    return DataMessage{std::string(data_handler::set_data_frame),
                       {std::string(data_handler::on_meta_data), properties}};
}

DataMessage make_clear_data_frame() {
    return DataMessage{std::string(data_handler::clear_data_frame),
                       {std::string(data_handler::on_meta_data)}};
}

bool is_clear_data_frame(const DataMessage& d) noexcept {
    return d.handler == data_handler::clear_data_frame;
}

DataMessage make_data_start() {
    amf::Object info;
    info.set("code", std::string(status_code(Status::data_start)));
    return DataMessage{std::string(data_handler::on_status), {std::move(info)}};
}

// ---- SampleAccess ----

base::Result<SampleAccess> SampleAccess::decode(const DataMessage& d, std::string* why) {
    if (d.handler != data_handler::sample_access) {
        return detail::fail(why, Errc::command_malformed, data_handler::sample_access,
                            "the handler is named '" + d.handler + "'");
    }
    Command as_command{d.handler, 0, amf::Null{}, d.values};
    SampleAccess out;
    std::error_code ec;
    if ((ec = detail::required_bool(as_command, 0, "first", out.first, why)) ||
        (ec = detail::required_bool(as_command, 1, "second", out.second, why))) {
        return ec;
    }
    return out;
}

DataMessage SampleAccess::to_data() const {
    return DataMessage{std::string(data_handler::sample_access), {first, second}};
}

// ---- OnPlayStatus ----

OnPlayStatus OnPlayStatus::make(Status s, std::optional<double> duration, std::optional<double> bytes) {
    OnPlayStatus o;
    o.information = StatusObject::from(s);
    detail::put(o.information.other_properties, "duration", duration);
    detail::put(o.information.other_properties, "bytes", bytes);
    return o;
}

base::Result<OnPlayStatus> OnPlayStatus::decode(const DataMessage& d, std::string* why) {
    if (d.handler != data_handler::on_play_status) {
        return detail::fail(why, Errc::command_malformed, data_handler::on_play_status,
                            "the handler is named '" + d.handler + "'");
    }
    if (d.values.empty()) {
        return detail::fail(why, Errc::command_argument_missing, d.handler, "the info object is missing");
    }
    auto info = StatusObject::from_value(d.values[0], d.handler, why);
    if (!info) return info.error();
    return OnPlayStatus{std::move(*info)};
}

DataMessage OnPlayStatus::to_data() const {
    return DataMessage{std::string(data_handler::on_play_status), {information.to_object()}};
}

}  // namespace sluice::rtmp
