#pragma once
// amf::Limits: bounds every AMF reader enforces (STYLE.md rule 4).
// Crossing one is a decode error naming the limit, never a crash or an
// allocation in proportion to a length or count the peer declared.
#include <cstddef>

namespace sluice::amf {

struct Limits {
    /// Nesting of objects/arrays/vectors/dictionaries: a container at depth
    /// d (top level = 0) is refused when d >= max_depth (Errc::depth_exceeded);
    /// max_depth = 0 allows scalars only. The AMF3 value behind an AVM+
    /// switch counts one level deeper than the switch.
    /// The readers recurse once per level, so they clamp this to
    /// hard_max_depth whatever the caller asks: a misconfiguration cannot
    /// turn deep input into a stack overflow.
    std::size_t max_depth = 64;
    static constexpr std::size_t hard_max_depth = 1000;
    /// Bytes of one string, XML text or byte array (also property names,
    /// class names and AMF3 vector type names).
    std::size_t max_string_bytes = 1u << 20;
    /// Values decoded by one reader in total, counting every element copied
    /// when a reference is resolved (stops reference bombs). Every value
    /// counts one: a property's value, an array item, a vector item, a
    /// dictionary key and its value, a reference itself. A declared count
    /// above what is left of this budget fails at once, before any item is
    /// read; the AMF3 reference tables can never grow beyond it either.
    std::size_t max_elements = 100'000;
};

}  // namespace sluice::amf
