#include "rtmp/command.hpp"

#include <utility>

#include "amf/debug_string.hpp"
#include "rtmp/detail/amf_payload.hpp"
#include "rtmp/errors.hpp"

namespace sluice::rtmp {

base::Result<Command> decode_command(const Message& message, const CommandOptions& options) {
    if (!is_command(message.type)) return Errc::command_malformed;
    auto values =
        detail::read_amf_values(message.payload.bytes(), message.type == MessageType::command_amf3, options);
    if (!values) return values.error();
    auto& v = *values;
    Command command;
    if (v.empty() || !v[0].string()) return Errc::command_malformed;
    command.name = std::move(*v[0].get_if<std::string>());
    if (v.size() < 2 || !v[1].number(command.transaction_id)) return Errc::command_malformed;
    if (v.size() >= 3) command.command_object = std::move(v[2]);
    if (v.size() > 3) {
        command.arguments.reserve(v.size() - 3);
        for (std::size_t i = 3; i < v.size(); ++i) command.arguments.push_back(std::move(v[i]));
    }
    return command;
}

Message encode_command(const Command& command, Encoding encoding, MessageStreamId stream_id,
                       base::Timestamp timestamp) {
    const bool amf3 = encoding == Encoding::amf3;
    detail::AmfPayloadWriter w(amf3);
    w.string(command.name);
    w.number(command.transaction_id);
    w.value(command.command_object);
    for (const auto& a : command.arguments) w.value(a);
    Message m;
    m.type = amf3 ? MessageType::command_amf3 : MessageType::command_amf0;
    m.timestamp = timestamp;
    m.stream_id = stream_id;
    m.payload = w.finish();
    return m;
}

std::string debug_string(const Command& command) {
    std::string out = command.name;
    out += " txn=";
    out += amf::debug_string(amf::Value(command.transaction_id));
    out += " obj=";
    out += amf::debug_string(command.command_object);
    out += " args=[";
    for (std::size_t i = 0; i < command.arguments.size(); ++i) {
        if (i) out += ", ";
        out += amf::debug_string(command.arguments[i]);
    }
    out += ']';
    return out;
}

}  // namespace sluice::rtmp
