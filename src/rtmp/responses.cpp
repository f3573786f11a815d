#include "rtmp/responses.hpp"

#include <utility>

#include "rtmp/detail/command_args.hpp"

namespace sluice::rtmp {
namespace {

bool is_status_property(std::string_view n) noexcept {
    return n == "level" || n == "code" || n == "description" || n == "details" || n == "clientid";
}

std::error_code expect_result_name(const Command& c, std::string_view want, std::string* why) {
    return detail::expect_name(c, want, why);
}

}  // namespace

// ---- StatusObject ----

StatusObject StatusObject::from(Status s, std::string_view description) {
    const StatusInfo& row = status_info(s);
    StatusObject o;
    o.level = std::string(to_string(row.level));
    o.code = std::string(row.code);
    o.description = std::string(description.empty() ? row.description : description);
    return o;
}

base::Result<StatusObject> StatusObject::from_value(const amf::Value& v, std::string_view command,
                                                    std::string* why) {
    const amf::PropertyList* p = v.properties();
    if (!p) {
        return detail::fail(
            why, v.is_null_or_undefined() ? Errc::command_argument_missing : Errc::command_argument_type,
            command, "the info object must be an Object, got " + std::string(detail::amf_type_name(v)));
    }
    StatusObject out;
    std::optional<std::string> level, code, description;
    std::error_code ec;
    if ((ec = detail::prop_string(*p, command, "level", level, why)) ||
        (ec = detail::prop_string(*p, command, "code", code, why)) ||
        (ec = detail::prop_string(*p, command, "description", description, why)) ||
        (ec = detail::prop_string(*p, command, "details", out.details, why))) {
        return ec;
    }
    if (!code)
        return detail::fail(why, Errc::command_argument_missing, command, "property 'code' is missing");
    out.code = std::move(*code);
    out.level = level ? std::move(*level) : std::string();
    out.description = description ? std::move(*description) : std::string();
    if (const amf::Value* id = p->find("clientid")) out.client_id = *id;
    for (const auto& prop : p->properties) {
        if (!is_status_property(prop.name)) out.other_properties.properties.push_back(prop);
    }
    return out;
}

amf::Object StatusObject::to_object() const {
    amf::Object o;
    detail::put_value(o, "level", level);
    detail::put_value(o, "code", code);
    detail::put_value(o, "description", description);
    detail::put(o, "details", details);
    if (client_id) detail::put_value(o, "clientid", *client_id);
    for (const auto& p : other_properties.properties) o.properties.push_back(p);
    return o;
}

// ---- ConnectResult ----

base::Result<ConnectResult> ConnectResult::decode(const Command& c, std::string* why) {
    if (auto ec = expect_result_name(c, command_name::result, why)) return ec;
    ConnectResult out;
    out.transaction_id = c.transaction_id;
    out.mode.reset();
    out.object_encoding.reset();
    if (const amf::PropertyList* props = c.command_object.properties()) {
        std::optional<std::string> fms_ver;
        std::optional<double> caps;
        std::error_code ec;
        if ((ec = detail::prop_string(*props, c.name, "fmsVer", fms_ver, why)) ||
            (ec = detail::prop_number(*props, c.name, "capabilities", caps, why)) ||
            (ec = detail::prop_number(*props, c.name, "mode", out.mode, why)) ||
            (ec = detail::prop_number(*props, c.name, "capsEx", out.caps_ex, why))) {
            return ec;
        }
        out.fms_ver = fms_ver.value_or("");
        out.capabilities = caps.value_or(0);
        if ((ec = detail::decode_fourcc_map(*props, c.name, "videoFourCcInfoMap", out.video_fourcc_info_map,
                                            why)) ||
            (ec = detail::decode_fourcc_map(*props, c.name, "audioFourCcInfoMap", out.audio_fourcc_info_map,
                                            why))) {
            return ec;
        }
    } else {
        out.fms_ver.clear();
        out.capabilities = 0;
    }
    const amf::Value* info = detail::arg(c, 0);
    if (!info)
        return detail::fail(why, Errc::command_argument_missing, c.name,
                            "argument 1 (information) is missing");
    auto status = StatusObject::from_value(*info, c.name, why);
    if (!status) return status.error();
    out.information = std::move(*status);
    auto& others = out.information.other_properties.properties;
    for (auto it = others.begin(); it != others.end();) {
        if (it->name == "objectEncoding") {
            double n = 0;
            if (!it->value.number(n)) {
                return detail::fail(why, Errc::command_argument_type, c.name,
                                    "property 'objectEncoding' must be a Number");
            }
            out.object_encoding = n;
            it = others.erase(it);
        } else if (it->name == "data") {
            out.data = std::move(it->value);
            it = others.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

Command ConnectResult::to_command() const {
    amf::Object props;
    detail::put_value(props, "fmsVer", fms_ver);
    detail::put_value(props, "capabilities", capabilities);
    detail::put(props, "mode", mode);
    if (video_fourcc_info_map)
        detail::put_value(props, "videoFourCcInfoMap", detail::encode_fourcc_map(*video_fourcc_info_map));
    if (audio_fourcc_info_map)
        detail::put_value(props, "audioFourCcInfoMap", detail::encode_fourcc_map(*audio_fourcc_info_map));
    detail::put(props, "capsEx", caps_ex);
    amf::Object info = information.to_object();
    // objectEncoding and data follow description in FFmpeg's and SRS's
    // answers; keep that order ahead of any other extra property.
    std::vector<amf::Property> tail = std::move(info.properties);
    info.properties.clear();
    std::size_t fixed = 3 + (information.details ? 1 : 0) + (information.client_id ? 1 : 0);
    for (std::size_t i = 0; i < fixed && i < tail.size(); ++i) info.properties.push_back(std::move(tail[i]));
    detail::put(info, "objectEncoding", object_encoding);
    if (data) detail::put_value(info, "data", *data);
    for (std::size_t i = fixed; i < tail.size(); ++i) info.properties.push_back(std::move(tail[i]));
    return Command{std::string(command_name::result), transaction_id, std::move(props), {std::move(info)}};
}

// ---- ErrorResponse ----

ErrorResponse ErrorResponse::connect_error(Status s, std::string_view description, double transaction_id) {
    ErrorResponse e;
    e.transaction_id = transaction_id;
    e.information = StatusObject::from(s, description);
    e.information.level = "error";
    return e;
}

base::Result<ErrorResponse> ErrorResponse::decode(const Command& c, std::string* why) {
    if (auto ec = expect_result_name(c, command_name::error, why)) return ec;
    const amf::Value* info = detail::arg(c, 0);
    if (!info)
        return detail::fail(why, Errc::command_argument_missing, c.name,
                            "argument 1 (information) is missing");
    auto status = StatusObject::from_value(*info, c.name, why);
    if (!status) return status.error();
    return ErrorResponse{c.transaction_id, std::move(*status)};
}

Command ErrorResponse::to_command() const {
    return Command{std::string(command_name::error), transaction_id, amf::Null{}, {information.to_object()}};
}

// ---- CreateStreamResult ----

base::Result<CreateStreamResult> CreateStreamResult::decode(const Command& c, std::string* why) {
    if (auto ec = expect_result_name(c, command_name::result, why)) return ec;
    CreateStreamResult out;
    out.transaction_id = c.transaction_id;
    if (auto ec = detail::required_number(c, 0, "streamId", out.stream_id, why)) return ec;
    return out;
}

Command CreateStreamResult::to_command() const {
    return Command{std::string(command_name::result), transaction_id, amf::Null{}, {stream_id}};
}

// ---- CallResult ----

CallResult CallResult::undefined_result(double transaction_id) {
    return CallResult{false, transaction_id, amf::Null{}, {amf::Undefined{}}};
}
CallResult CallResult::check_bw_result(double transaction_id) {
    return CallResult{false, transaction_id, amf::Null{}, {amf::Null{}}};
}
CallResult CallResult::stream_length(double transaction_id, double seconds) {
    return CallResult{false, transaction_id, amf::Null{}, {seconds}};
}

base::Result<CallResult> CallResult::decode(const Command& c, std::string* why) {
    if (c.name != command_name::result && c.name != command_name::error) {
        return detail::fail(why, Errc::command_malformed, "_result/_error",
                            "the command is named '" + c.name + "'");
    }
    return CallResult{c.name == command_name::error, c.transaction_id, c.command_object, c.arguments};
}

Command CallResult::to_command() const {
    return Command{std::string(is_error ? command_name::error : command_name::result), transaction_id,
                   command_object, values};
}

// ---- OnStatus ----

OnStatus OnStatus::make(Status s, std::string_view description, std::optional<std::string> details,
                        std::optional<amf::Value> client_id) {
    OnStatus o;
    o.information = StatusObject::from(s, description);
    o.information.details = std::move(details);
    o.information.client_id = std::move(client_id);
    return o;
}

base::Result<OnStatus> OnStatus::decode(const Command& c, std::string* why) {
    if (auto ec = detail::expect_name(c, command_name::on_status, why)) return ec;
    const amf::Value* info = detail::arg(c, 0);
    if (!info)
        return detail::fail(why, Errc::command_argument_missing, c.name,
                            "argument 1 (information) is missing");
    auto status = StatusObject::from_value(*info, c.name, why);
    if (!status) return status.error();
    return OnStatus{c.transaction_id, std::move(*status)};
}

Command OnStatus::to_command() const {
    return Command{
        std::string(command_name::on_status), transaction_id, amf::Null{}, {information.to_object()}};
}

// ---- OnFcStatus ----

namespace {
std::string_view fc_name(OnFcStatus::Kind k) noexcept {
    switch (k) {
        case OnFcStatus::Kind::publish:
            return command_name::on_fc_publish;
        case OnFcStatus::Kind::unpublish:
            return command_name::on_fc_unpublish;
        case OnFcStatus::Kind::subscribe:
            return command_name::on_fc_subscribe;
    }
    return command_name::on_fc_publish;
}
}  // namespace

OnFcStatus OnFcStatus::make(Kind kind, std::string_view stream_name) {
    const Status s = kind == Kind::unpublish ? Status::unpublish_success
                     : kind == Kind::publish ? Status::publish_start
                                             : Status::play_start;
    OnFcStatus o;
    o.kind = kind;
    o.code = std::string(status_code(s));
    o.description = std::string(stream_name);
    return o;
}

base::Result<OnFcStatus> OnFcStatus::decode(const Command& c, std::string* why) {
    OnFcStatus out;
    if (c.name == command_name::on_fc_publish) {
        out.kind = Kind::publish;
    } else if (c.name == command_name::on_fc_unpublish) {
        out.kind = Kind::unpublish;
    } else if (c.name == command_name::on_fc_subscribe) {
        out.kind = Kind::subscribe;
    } else {
        return detail::fail(why, Errc::command_malformed, "onFCPublish",
                            "the command is named '" + c.name + "'");
    }
    const amf::Value* info = detail::arg(c, 0);
    if (!info || info->is_null_or_undefined()) return out;
    const amf::PropertyList* p = info->properties();
    if (!p) {
        return detail::fail(
            why, Errc::command_argument_type, c.name,
            "argument 1 (information) must be an Object, got " + std::string(detail::amf_type_name(*info)));
    }
    std::error_code ec;
    if ((ec = detail::prop_string(*p, c.name, "code", out.code, why)) ||
        (ec = detail::prop_string(*p, c.name, "description", out.description, why))) {
        return ec;
    }
    return out;
}

Command OnFcStatus::to_command() const {
    Command c{std::string(fc_name(kind)), 0, amf::Null{}, {}};
    if (code || description) {
        amf::Object o;
        detail::put(o, "code", code);
        detail::put(o, "description", description);
        c.arguments.emplace_back(std::move(o));
    }
    return c;
}

// ---- OnBwDone ----

base::Result<OnBwDone> OnBwDone::decode(const Command& c, std::string* why) {
    if (auto ec = detail::expect_name(c, command_name::on_bw_done, why)) return ec;
    OnBwDone out;
    out.transaction_id = c.transaction_id;
    const amf::Value* v = detail::arg(c, 0);
    if (v && !v->is_null_or_undefined()) {
        double kbps = 0;
        if (auto ec = detail::required_number(c, 0, "kbps", kbps, why)) return ec;
        out.kbps = kbps;
    }
    return out;
}

Command OnBwDone::to_command() const {
    Command c{std::string(command_name::on_bw_done), transaction_id, amf::Null{}, {}};
    if (kbps) c.arguments.emplace_back(*kbps);
    return c;
}

}  // namespace sluice::rtmp
