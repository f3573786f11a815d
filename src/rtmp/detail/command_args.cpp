#include "rtmp/detail/command_args.hpp"

#include <utility>

namespace sluice::rtmp::detail {

std::string_view amf_type_name(const amf::Value& v) noexcept {
    static constexpr std::string_view names[] = {"Undefined",   "Null",         "Unsupported",  "Boolean",
                                                 "Number",      "Integer",      "String",       "Date",
                                                 "XMLDocument", "XML",          "Object",       "ECMAArray",
                                                 "StrictArray", "MixedArray",   "ByteArray",    "VectorInt",
                                                 "VectorUint",  "VectorDouble", "VectorObject", "Dictionary"};
    const auto i = v.variant().index();
    return i < std::size(names) ? names[i] : "?";
}

std::error_code fail(std::string* why, Errc errc, std::string_view command, std::string text) {
    if (why) {
        why->assign(command);
        why->append(": ");
        why->append(text);
    }
    return errc;
}

std::error_code expect_name(const Command& c, std::string_view expected, std::string* why) {
    if (c.name == expected) return {};
    return fail(why, Errc::command_malformed, expected, "the command is named '" + c.name + "'");
}

namespace {
std::string arg_label(std::size_t index, std::string_view arg_name) {
    return "argument " + std::to_string(index + 1) + " (" + std::string(arg_name) + ")";
}
std::error_code missing(const Command& c, std::size_t index, std::string_view arg_name, std::string* why) {
    return fail(why, Errc::command_argument_missing, c.name, arg_label(index, arg_name) + " is missing");
}
std::error_code wrong(const Command& c, std::size_t index, std::string_view arg_name, std::string_view want,
                      const amf::Value& got, std::string* why) {
    return fail(why, Errc::command_argument_type, c.name,
                arg_label(index, arg_name) + " must be a " + std::string(want) + ", got " +
                    std::string(amf_type_name(got)));
}
}  // namespace

std::error_code required_string(const Command& c, std::size_t index, std::string_view arg_name,
                                std::string& out, std::string* why) {
    const amf::Value* v = arg(c, index);
    if (!v) return missing(c, index, arg_name, why);
    if (!v->string()) return wrong(c, index, arg_name, "String", *v, why);
    out = *v->string();
    return {};
}

std::error_code required_number(const Command& c, std::size_t index, std::string_view arg_name, double& out,
                                std::string* why) {
    const amf::Value* v = arg(c, index);
    if (!v) return missing(c, index, arg_name, why);
    if (!v->number(out)) return wrong(c, index, arg_name, "Number", *v, why);
    return {};
}

std::error_code optional_number(const Command& c, std::size_t index, std::string_view arg_name, double& out,
                                std::string* why) {
    const amf::Value* v = arg(c, index);
    if (!v || v->is_null_or_undefined()) return {};
    if (!v->number(out)) return wrong(c, index, arg_name, "Number", *v, why);
    return {};
}

std::error_code required_bool(const Command& c, std::size_t index, std::string_view arg_name, bool& out,
                              std::string* why, bool accept_number) {
    const amf::Value* v = arg(c, index);
    if (!v) return missing(c, index, arg_name, why);
    if (const bool* b = v->get_if<bool>()) {
        out = *b;
        return {};
    }
    double n = 0;
    if (accept_number && v->number(n)) {
        out = n != 0;
        return {};
    }
    return wrong(c, index, arg_name, "Boolean", *v, why);
}

namespace {
std::error_code wrong_prop(std::string_view command, std::string_view name, std::string_view want,
                           const amf::Value& got, std::string* why) {
    return fail(why, Errc::command_argument_type, command,
                "property '" + std::string(name) + "' must be a " + std::string(want) + ", got " +
                    std::string(amf_type_name(got)));
}
}  // namespace

std::error_code prop_string(const amf::PropertyList& p, std::string_view command, std::string_view name,
                            std::optional<std::string>& out, std::string* why) {
    const amf::Value* v = p.find(name);
    if (!v || v->is_null_or_undefined()) return {};
    if (!v->string()) return wrong_prop(command, name, "String", *v, why);
    out = *v->string();
    return {};
}

std::error_code prop_number(const amf::PropertyList& p, std::string_view command, std::string_view name,
                            std::optional<double>& out, std::string* why) {
    const amf::Value* v = p.find(name);
    if (!v || v->is_null_or_undefined()) return {};
    double n = 0;
    if (!v->number(n)) return wrong_prop(command, name, "Number", *v, why);
    out = n;
    return {};
}

std::error_code prop_bool(const amf::PropertyList& p, std::string_view command, std::string_view name,
                          std::optional<bool>& out, std::string* why) {
    const amf::Value* v = p.find(name);
    if (!v || v->is_null_or_undefined()) return {};
    if (const bool* b = v->get_if<bool>()) {
        out = *b;
        return {};
    }
    return wrong_prop(command, name, "Boolean", *v, why);
}

void put(amf::PropertyList& p, std::string_view name, const std::optional<std::string>& value) {
    if (value) p.properties.push_back({std::string(name), amf::Value(*value)});
}
void put(amf::PropertyList& p, std::string_view name, const std::optional<double>& value) {
    if (value) p.properties.push_back({std::string(name), amf::Value(*value)});
}
void put(amf::PropertyList& p, std::string_view name, const std::optional<bool>& value) {
    if (value) p.properties.push_back({std::string(name), amf::Value(*value)});
}
void put_value(amf::PropertyList& p, std::string_view name, amf::Value value) {
    p.properties.push_back({std::string(name), std::move(value)});
}

std::error_code decode_fourcc_map(const amf::PropertyList& obj, std::string_view command,
                                  std::string_view name, std::optional<FourCcInfoMap>& out,
                                  std::string* why) {
    const amf::Value* v = obj.find(name);
    if (!v || v->is_null_or_undefined()) return {};
    const amf::PropertyList* map = v->properties();
    if (!map) {
        return fail(
            why, Errc::command_argument_type, command,
            "property '" + std::string(name) + "' must be an Object, got " + std::string(amf_type_name(*v)));
    }
    FourCcInfoMap result;
    result.reserve(map->size());
    for (const auto& p : map->properties) {
        double mask = 0;
        if (!p.value.number(mask)) {
            return fail(why, Errc::command_argument_type, command,
                        "property '" + std::string(name) + "." + p.name + "' must be a Number");
        }
        result.emplace_back(p.name, mask);
    }
    out = std::move(result);
    return {};
}

amf::Value encode_fourcc_map(const FourCcInfoMap& map) {
    amf::Object o;
    for (const auto& [fourcc, mask] : map) put_value(o, fourcc, mask);
    return o;
}

}  // namespace sluice::rtmp::detail
