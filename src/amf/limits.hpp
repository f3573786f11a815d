#pragma once
// amf::Limits: bounds every AMF reader enforces (STYLE.md rule 4).
// Crossing one is a decode error naming the limit, never a crash or an
// allocation in proportion to a length or count the peer declared.
#include <cstddef>

namespace sluice::amf {

struct Limits {
    /// Nesting of objects/arrays/vectors/dictionaries (and AVM+ switches).
    std::size_t max_depth = 64;
    /// Bytes of one string, XML text or byte array.
    std::size_t max_string_bytes = 1u << 20;
    /// Values decoded by one reader in total, counting every element copied
    /// when a reference is resolved (stops reference bombs).
    std::size_t max_elements = 100'000;
};

}  // namespace sluice::amf
