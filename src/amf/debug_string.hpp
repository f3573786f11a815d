#pragma once
// amf::debug_string: a stable, compact, single-line text form of a Value,
// used in logs and in golden transcripts (tests/fixtures/*.md). The form is
// part of the contract: changing it breaks other modules' fixtures.
//
// Grammar (no newlines are ever produced):
//   value      := "undefined" | "null" | "unsupported" | "true" | "false"
//               | number                         double: shortest round-trip
//                                                form (1, 0.5, -2, 1e+21,
//                                                nan, inf, -inf)
//               | "int(" decimal ")"              AMF3 Integer: int(300)
//               | string                          "live"
//               | "date(" number ", tz " decimal ")"        date(0, tz 0)
//               | "xmldoc(" string ")" | "xml(" string ")"
//               | "bytes(" count ": " lowercase-hex ")"     bytes(2: dead)
//               | object | "ecma{" members "}"
//               | "[" values "]"                  strict array
//               | "mixed[" values "]{" members "}"
//               | "vector<int" fixed ">[" values "]"   likewise uint, double
//               | "vector<object " string fixed ">[" values "]"
//               | "dict" weak "{" entries "}"
//   object     := class-name? traits? "{" members "}"     {a: 1}, Foo{a: 1}
//   class-name := the class name as a bare word if it is one (letters,
//                 digits, _ $ . and not starting with a digit), else string
//   traits     := "<" one or more of "sealed N", "static", "externalizable"
//                 joined by ", " ">"   only when not the AMF0 default
//                 (sealed 0, dynamic, not externalizable)
//   members    := (name ": " value) joined by ", "    name as class-name
//   values     := value joined by ", "
//   entries    := (value " => " value) joined by ", "
//   fixed      := ", fixed" when the vector is fixed-length, else nothing
//   weak       := "<weak>" when the dictionary has weak keys, else nothing
//   string     := '"' chars '"' with \" \\ \n \r \t escaped and every other
//                 byte outside 0x20..0x7E written as \xNN (lowercase hex)
// Examples: {app: "live", n: 1, ok: true, x: null}, [1, 2], int(300),
//           Foo<sealed 1>{a: 1}, ecma{duration: 0, width: 1280}.
#include <string>

#include "amf/value.hpp"

namespace sluice::amf {

std::string debug_string(const Value& value);

}  // namespace sluice::amf
