#pragma once
// Hex text <-> bytes, for logs, golden transcripts and tests.
#include <optional>
#include <string>
#include <string_view>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"

namespace sluice::base {

/// Lower-case hex, optionally with a separator between bytes ("0a 0b").
std::string to_hex(Bytes bytes, std::string_view separator = "");

/// Parses hex digits, ignoring ASCII white space, '|' and ':' (so that
/// REFERENCE.md-style "03 | 00 00 00" strings paste in). nullopt on an odd
/// digit count or a non-hex character.
std::optional<ByteVector> from_hex(std::string_view text);

}  // namespace sluice::base
