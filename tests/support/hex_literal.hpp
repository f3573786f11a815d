#pragma once
// hex("03 | 00 00 00 ...") -> bytes, for tests that paste REFERENCE.md bytes.
// Throws on malformed text: a broken literal is a bug in the test itself.
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/byte_writer.hpp"
#include "base/hex.hpp"

namespace sluice::test {

inline base::ByteVector hex(std::string_view text) {
    auto bytes = base::from_hex(text);
    if (!bytes) throw std::invalid_argument("bad hex literal in test: " + std::string(text));
    return *bytes;
}

/// Bytes of an ASCII string (no terminator), for 'abc' parts of a literal.
inline base::ByteVector ascii(std::string_view text) {
    return {text.begin(), text.end()};
}

/// Concatenation helper: cat(hex("02 00 07"), ascii("connect")).
template <class... Parts>
base::ByteVector cat(const Parts&... parts) {
    base::ByteVector out;
    (out.insert(out.end(), parts.begin(), parts.end()), ...);
    return out;
}

}  // namespace sluice::test
