#pragma once
// Internal helpers shared by the typed command decoders: checked access to
// a Command's arguments and to object properties, producing the specific
// errors of REFERENCE.md §4 decoding (command_argument_missing,
// command_argument_type, command_malformed) plus a detail string that names
// the command and the argument, e.g.
//   "publish: argument 1 (publishingName) must be a String, got Number".
// Not part of the public API (detail/: other modules must not include it;
// used by net_*_commands.cpp, responses.cpp,
// data_message.cpp).
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "amf/value.hpp"
#include "rtmp/command.hpp"
#include "rtmp/errors.hpp"
#include "rtmp/net_connection_commands.hpp"

namespace sluice::rtmp::detail {

/// Short AMF type name for detail strings ("String", "Number", "Object"...).
std::string_view amf_type_name(const amf::Value& v) noexcept;

/// Sets *why (when non-null) and returns `errc`.
std::error_code fail(std::string* why, Errc errc, std::string_view command, std::string text);

/// Checks command.name == expected; command_malformed otherwise.
std::error_code expect_name(const Command& c, std::string_view expected, std::string* why);

/// Argument `index` (0 = first after the command object), or nullptr when absent.
inline const amf::Value* arg(const Command& c, std::size_t index) noexcept {
    return index < c.arguments.size() ? &c.arguments[index] : nullptr;
}

/// Required String argument.
std::error_code required_string(const Command& c, std::size_t index, std::string_view arg_name,
                                std::string& out, std::string* why);
/// Required Number argument (AMF0 Number or AMF3 Integer).
std::error_code required_number(const Command& c, std::size_t index, std::string_view arg_name, double& out,
                                std::string* why);
/// Optional Number: absent, null or undefined keeps `out` (the spec default).
std::error_code optional_number(const Command& c, std::size_t index, std::string_view arg_name, double& out,
                                std::string* why);
/// Required Boolean. `accept_number`: a Number counts as true when non-zero
/// (some encoders send 0/1 for pause and receiveAudio; FFmpeg writes booleans).
std::error_code required_bool(const Command& c, std::size_t index, std::string_view arg_name, bool& out,
                              std::string* why, bool accept_number = true);

/// Typed property access on an object (Object, ECMA array, mixed array).
/// Absent or null leaves `out` empty; a wrong type is command_argument_type.
std::error_code prop_string(const amf::PropertyList& p, std::string_view command, std::string_view name,
                            std::optional<std::string>& out, std::string* why);
std::error_code prop_number(const amf::PropertyList& p, std::string_view command, std::string_view name,
                            std::optional<double>& out, std::string* why);
std::error_code prop_bool(const amf::PropertyList& p, std::string_view command, std::string_view name,
                          std::optional<bool>& out, std::string* why);

/// Appends `name: value` when `value` is set.
void put(amf::PropertyList& p, std::string_view name, const std::optional<std::string>& value);
void put(amf::PropertyList& p, std::string_view name, const std::optional<double>& value);
void put(amf::PropertyList& p, std::string_view name, const std::optional<bool>& value);
void put_value(amf::PropertyList& p, std::string_view name, amf::Value value);

/// E-RTMP FourCC info map property `name` of `obj` (absent/null: `out`
/// untouched). Not an Object, or a non-Number mask: command_argument_type.
std::error_code decode_fourcc_map(const amf::PropertyList& obj, std::string_view command,
                                  std::string_view name, std::optional<FourCcInfoMap>& out, std::string* why);
amf::Value encode_fourcc_map(const FourCcInfoMap& map);

}  // namespace sluice::rtmp::detail
