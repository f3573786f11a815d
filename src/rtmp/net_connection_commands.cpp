#include "rtmp/net_connection_commands.hpp"

#include <cstdint>
#include <iterator>

#include "rtmp/detail/command_args.hpp"

namespace sluice::rtmp {
namespace {

constexpr std::string_view known_connect_properties[] = {"app",
                                                         "flashVer",
                                                         "swfUrl",
                                                         "tcUrl",
                                                         "fpad",
                                                         "capabilities",
                                                         "audioCodecs",
                                                         "videoCodecs",
                                                         "videoFunction",
                                                         "pageUrl",
                                                         "objectEncoding",
                                                         "type",
                                                         "fourCcList",
                                                         "videoFourCcInfoMap",
                                                         "audioFourCcInfoMap",
                                                         "capsEx"};

// Index into known_connect_properties, or -1.
int known_index(std::string_view name) noexcept {
    for (std::size_t i = 0; i < std::size(known_connect_properties); ++i) {
        if (known_connect_properties[i] == name) return static_cast<int>(i);
    }
    return -1;
}

std::error_code wrong_type(std::string_view name, std::string_view want, const amf::Value& got,
                           std::string* why) {
    return detail::fail(why, Errc::command_argument_type, command_name::connect,
                        "property '" + std::string(name) + "' must be a " + std::string(want) + ", got " +
                            std::string(detail::amf_type_name(got)));
}

std::error_code value_string(const amf::Value& v, std::string_view name, std::optional<std::string>& out,
                             std::string* why) {
    const std::string* s = v.string();
    if (!s) return wrong_type(name, "String", v, why);
    out = *s;
    return {};
}

std::error_code value_number(const amf::Value& v, std::string_view name, std::optional<double>& out,
                             std::string* why) {
    double n = 0;
    if (!v.number(n)) return wrong_type(name, "Number", v, why);
    out = n;
    return {};
}

std::error_code decode_fourcc_list(const amf::Value& v, std::optional<std::vector<std::string>>& out,
                                   std::string* why) {
    const auto* array = v.get_if<amf::StrictArray>();
    if (!array) return wrong_type("fourCcList", "StrictArray", v, why);
    std::vector<std::string> fourccs;
    fourccs.reserve(array->items.size());
    for (const auto& item : array->items) {
        if (!item.string()) {
            return detail::fail(
                why, Errc::command_argument_type, command_name::connect,
                "property 'fourCcList' must hold Strings, got " + std::string(detail::amf_type_name(item)));
        }
        fourccs.push_back(*item.string());
    }
    out = std::move(fourccs);
    return {};
}

}  // namespace

base::Result<ConnectCommand> ConnectCommand::decode(const Command& c, std::string* why) {
    if (auto ec = detail::expect_name(c, command_name::connect, why)) return ec;
    const amf::PropertyList* obj = c.command_object.properties();
    if (!obj) {
        if (c.command_object.is_null_or_undefined()) {
            return detail::fail(why, Errc::command_argument_missing, c.name, "the command object is missing");
        }
        return detail::fail(why, Errc::command_argument_type, c.name,
                            "the command object must be an Object, got " +
                                std::string(detail::amf_type_name(c.command_object)));
    }
    ConnectCommand out;
    out.transaction_id = c.transaction_id;
    bool have_app = false;
    // One pass over the properties (the hot path of every connection's
    // first message): the first occurrence of a known name wins, later
    // duplicates are dropped, unknown names are kept in order.
    std::uint32_t seen = 0;
    for (const auto& p : obj->properties) {
        const std::string_view n = p.name;
        const int known = known_index(n);
        if (known < 0) {
            out.other_properties.properties.push_back(p);
            continue;
        }
        const std::uint32_t bit = 1u << known;
        if (seen & bit) continue;
        seen |= bit;
        const amf::Value& v = p.value;
        if (v.is_null_or_undefined()) continue;
        std::error_code ec;
        if (n == "app") {
            std::optional<std::string> app;
            ec = value_string(v, n, app, why);
            if (app) {
                out.app = std::move(*app);
                have_app = true;
            }
        } else if (n == "flashVer") {
            ec = value_string(v, n, out.flash_ver, why);
        } else if (n == "swfUrl") {
            ec = value_string(v, n, out.swf_url, why);
        } else if (n == "tcUrl") {
            ec = value_string(v, n, out.tc_url, why);
        } else if (n == "fpad") {
            if (const bool* b = v.get_if<bool>()) {
                out.fpad = *b;
            } else {
                ec = wrong_type(n, "Boolean", v, why);
            }
        } else if (n == "capabilities") {
            ec = value_number(v, n, out.capabilities, why);
        } else if (n == "audioCodecs") {
            ec = value_number(v, n, out.audio_codecs, why);
        } else if (n == "videoCodecs") {
            ec = value_number(v, n, out.video_codecs, why);
        } else if (n == "videoFunction") {
            ec = value_number(v, n, out.video_function, why);
        } else if (n == "pageUrl") {
            ec = value_string(v, n, out.page_url, why);
        } else if (n == "objectEncoding") {
            ec = value_number(v, n, out.object_encoding, why);
        } else if (n == "type") {
            ec = value_string(v, n, out.type, why);
        } else if (n == "capsEx") {
            ec = value_number(v, n, out.caps_ex, why);
        } else if (n == "videoFourCcInfoMap") {
            ec = detail::decode_fourcc_map(*obj, c.name, n, out.video_fourcc_info_map, why);
        } else if (n == "audioFourCcInfoMap") {
            ec = detail::decode_fourcc_map(*obj, c.name, n, out.audio_fourcc_info_map, why);
        } else if (n == "fourCcList") {
            ec = decode_fourcc_list(v, out.fourcc_list, why);
        }
        if (ec) return ec;
    }
    if (!have_app)
        return detail::fail(why, Errc::command_argument_missing, c.name, "property 'app' is missing");
    out.user_arguments = c.arguments;
    return out;
}

Command ConnectCommand::to_command() const {
    amf::Object o;
    detail::put_value(o, "app", app);
    if (fourcc_list) {
        amf::StrictArray list;
        for (const auto& f : *fourcc_list) list.items.emplace_back(f);
        detail::put_value(o, "fourCcList", std::move(list));
    }
    detail::put(o, "type", type);
    detail::put(o, "flashVer", flash_ver);
    detail::put(o, "swfUrl", swf_url);
    detail::put(o, "tcUrl", tc_url);
    detail::put(o, "fpad", fpad);
    detail::put(o, "capabilities", capabilities);
    detail::put(o, "audioCodecs", audio_codecs);
    detail::put(o, "videoCodecs", video_codecs);
    detail::put(o, "videoFunction", video_function);
    detail::put(o, "pageUrl", page_url);
    detail::put(o, "objectEncoding", object_encoding);
    if (video_fourcc_info_map)
        detail::put_value(o, "videoFourCcInfoMap", detail::encode_fourcc_map(*video_fourcc_info_map));
    if (audio_fourcc_info_map)
        detail::put_value(o, "audioFourCcInfoMap", detail::encode_fourcc_map(*audio_fourcc_info_map));
    detail::put(o, "capsEx", caps_ex);
    for (const auto& p : other_properties.properties) o.properties.push_back(p);
    return Command{std::string(command_name::connect), transaction_id, std::move(o), user_arguments};
}

base::Result<CallCommand> CallCommand::decode(const Command& c, std::string*) {
    return CallCommand{c.name, c.transaction_id, c.command_object, c.arguments};
}

Command CallCommand::to_command() const {
    return Command{procedure_name, transaction_id, command_object, arguments};
}

namespace detail {

std::error_code decode_bare(const Command& c, std::string_view name, double& txn, std::string* why) {
    if (auto ec = expect_name(c, name, why)) return ec;
    txn = c.transaction_id;
    return {};
}

std::error_code decode_stream_name(const Command& c, std::string_view name, double& txn, std::string& stream,
                                   std::string* why) {
    if (auto ec = expect_name(c, name, why)) return ec;
    txn = c.transaction_id;
    return required_string(c, 0, "streamName", stream, why);
}

}  // namespace detail
}  // namespace sluice::rtmp
