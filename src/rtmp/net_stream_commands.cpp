#include "rtmp/net_stream_commands.hpp"

#include <cctype>

#include "rtmp/detail/command_args.hpp"

namespace sluice::rtmp {
namespace {

bool equals_ignore_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

Command make(std::string_view name, double txn, std::vector<amf::Value> args) {
    return Command{std::string(name), txn, amf::Null{}, std::move(args)};
}

}  // namespace

std::string_view to_string(PublishMode mode) noexcept {
    switch (mode) {
        case PublishMode::live:
            return "live";
        case PublishMode::record:
            return "record";
        case PublishMode::append:
            return "append";
    }
    return "live";
}

base::Result<PlayCommand> PlayCommand::decode(const Command& c, std::string* why) {
    if (auto ec = detail::expect_name(c, command_name::play, why)) return ec;
    PlayCommand out;
    out.transaction_id = c.transaction_id;
    std::error_code ec;
    if ((ec = detail::required_string(c, 0, "streamName", out.stream_name, why)) ||
        (ec = detail::optional_number(c, 1, "start", out.start, why)) ||
        (ec = detail::optional_number(c, 2, "duration", out.duration, why))) {
        return ec;
    }
    if (const amf::Value* r = detail::arg(c, 3); r && !r->is_null_or_undefined()) {
        if ((ec = detail::required_bool(c, 3, "reset", out.reset, why))) return ec;
    }
    return out;
}

Command PlayCommand::to_command() const {
    return make(command_name::play, transaction_id, {stream_name, start, duration, reset});
}

base::Result<Play2Command> Play2Command::decode(const Command& c, std::string* why) {
    if (auto ec = detail::expect_name(c, command_name::play2, why)) return ec;
    const amf::Value* v = detail::arg(c, 0);
    if (!v)
        return detail::fail(why, Errc::command_argument_missing, c.name,
                            "argument 1 (parameters) is missing");
    const amf::PropertyList* p = v->properties();
    if (!p) {
        return detail::fail(
            why, Errc::command_argument_type, c.name,
            "argument 1 (parameters) must be an Object, got " + std::string(detail::amf_type_name(*v)));
    }
    Play2Command out;
    out.transaction_id = c.transaction_id;
    auto& o = out.options;
    std::error_code ec;
    if ((ec = detail::prop_string(*p, c.name, "streamName", o.stream_name, why)) ||
        (ec = detail::prop_string(*p, c.name, "oldStreamName", o.old_stream_name, why)) ||
        (ec = detail::prop_number(*p, c.name, "start", o.start, why)) ||
        (ec = detail::prop_number(*p, c.name, "len", o.len, why)) ||
        (ec = detail::prop_number(*p, c.name, "offset", o.offset, why)) ||
        (ec = detail::prop_string(*p, c.name, "transition", o.transition, why))) {
        return ec;
    }
    for (const auto& prop : p->properties) {
        const auto& n = prop.name;
        if (n != "streamName" && n != "oldStreamName" && n != "start" && n != "len" && n != "offset" &&
            n != "transition") {
            o.other_properties.properties.push_back(prop);
        }
    }
    return out;
}

Command Play2Command::to_command() const {
    amf::Object p;
    detail::put(p, "streamName", options.stream_name);
    detail::put(p, "oldStreamName", options.old_stream_name);
    detail::put(p, "start", options.start);
    detail::put(p, "len", options.len);
    detail::put(p, "offset", options.offset);
    detail::put(p, "transition", options.transition);
    for (const auto& prop : options.other_properties.properties) p.properties.push_back(prop);
    return make(command_name::play2, transaction_id, {std::move(p)});
}

base::Result<DeleteStreamCommand> DeleteStreamCommand::decode(const Command& c, std::string* why) {
    if (auto ec = detail::expect_name(c, command_name::delete_stream, why)) return ec;
    DeleteStreamCommand out;
    out.transaction_id = c.transaction_id;
    if (auto ec = detail::required_number(c, 0, "streamId", out.stream_id, why)) return ec;
    return out;
}

Command DeleteStreamCommand::to_command() const {
    return make(command_name::delete_stream, transaction_id, {stream_id});
}

base::Result<ReceiveMediaCommand> ReceiveMediaCommand::decode(const Command& c, std::string* why) {
    ReceiveMediaCommand out;
    if (c.name == command_name::receive_audio) {
        out.kind = Kind::audio;
    } else if (c.name == command_name::receive_video) {
        out.kind = Kind::video;
    } else {
        return detail::fail(why, Errc::command_malformed, "receiveAudio/receiveVideo",
                            "the command is named '" + c.name + "'");
    }
    out.transaction_id = c.transaction_id;
    if (auto ec = detail::required_bool(c, 0, "flag", out.enable, why)) return ec;
    return out;
}

Command ReceiveMediaCommand::to_command() const {
    return make(kind == Kind::audio ? command_name::receive_audio : command_name::receive_video,
                transaction_id, {enable});
}

base::Result<PublishCommand> PublishCommand::decode(const Command& c, std::string* why) {
    if (auto ec = detail::expect_name(c, command_name::publish, why)) return ec;
    PublishCommand out;
    out.transaction_id = c.transaction_id;
    if (auto ec = detail::required_string(c, 0, "publishingName", out.stream_name, why)) return ec;
    const amf::Value* t = detail::arg(c, 1);
    if (!t || t->is_null_or_undefined()) return out;
    const std::string* s = t->string();
    if (!s) {
        return detail::fail(
            why, Errc::command_argument_type, c.name,
            "argument 2 (publishingType) must be a String, got " + std::string(detail::amf_type_name(*t)));
    }
    for (auto mode : {PublishMode::live, PublishMode::record, PublishMode::append}) {
        if (equals_ignore_case(*s, to_string(mode))) {
            out.mode = mode;
            return out;
        }
    }
    return detail::fail(why, Errc::command_argument_type, c.name,
                        "argument 2 (publishingType) must be live, record or append, got '" + *s + "'");
}

Command PublishCommand::to_command() const {
    return make(command_name::publish, transaction_id, {stream_name, to_string(mode)});
}

base::Result<SeekCommand> SeekCommand::decode(const Command& c, std::string* why) {
    if (auto ec = detail::expect_name(c, command_name::seek, why)) return ec;
    SeekCommand out;
    out.transaction_id = c.transaction_id;
    if (auto ec = detail::required_number(c, 0, "milliSeconds", out.milliseconds, why)) return ec;
    return out;
}

Command SeekCommand::to_command() const {
    return make(command_name::seek, transaction_id, {milliseconds});
}

base::Result<PauseCommand> PauseCommand::decode(const Command& c, std::string* why) {
    if (auto ec = detail::expect_name(c, command_name::pause, why)) return ec;
    PauseCommand out;
    out.transaction_id = c.transaction_id;
    std::error_code ec;
    if ((ec = detail::required_bool(c, 0, "pause", out.pause, why)) ||
        (ec = detail::optional_number(c, 1, "milliSeconds", out.milliseconds, why))) {
        return ec;
    }
    return out;
}

Command PauseCommand::to_command() const {
    return make(command_name::pause, transaction_id, {pause, milliseconds});
}

}  // namespace sluice::rtmp
