#pragma once
// amf::Writer3: encodes AMF3 values (REFERENCE.md §3), emitting references
// where the format allows: repeated non-empty strings (string table) and
// repeated traits (traits table) within one writer's lifetime. The empty
// string is never referenced.
//
// Objects are never written as references. An AMF3 object reference means
// "the same instance", and amf::Value has no identity, only equality:
// referencing two equal but distinct objects would merge them into one
// instance on a Flash/AIR peer, where changing one would change the other.
// Strings and traits are immutable, so sharing them changes nothing.
//
// Contract: appends to a caller-owned ByteWriter; never fails. Integers
// outside the 29-bit range are written as doubles. A Value of an AMF0-only
// kind maps to its AMF3 counterpart (EcmaArray -> array with associative
// part, Unsupported -> undefined, XmlDocument -> 07).
//
// Mapping details:
//  - Object: sealed members are the first min(sealed_count, size())
//    properties; the rest are dynamic members, written only when `dynamic`
//    (a sealed-only Object drops them). Dynamic members and associative
//    array entries with an empty name cannot be represented (the empty name
//    ends the list) and are skipped.
//  - Externalizable Object: written as `0A 07 class-name` (or a traits
//    reference) followed by its "source" property as one AMF3 value (null
//    when missing): the Flex wrappers' format. Reader3 only reads back the
//    Flex classes listed in value.hpp.
//  - Date: the time-zone field has no AMF3 form and is dropped.
//  - Lengths and counts above 2^28 - 1 (the U29 limit) are truncated.
#include <memory>

#include "amf/value.hpp"
#include "base/byte_writer.hpp"

namespace sluice::amf {

class Writer3 {
public:
    struct Options {
        /// false: never emit string or traits references (everything
        /// inline). Writer0 uses this behind the AVM+ switch so its output
        /// means the same whether a peer keeps AMF3 tables across switches
        /// or resets them at each one.
        bool references = true;
    };

    explicit Writer3(base::ByteWriter& out);
    Writer3(base::ByteWriter& out, Options options);
    ~Writer3();
    Writer3(const Writer3&) = delete;
    Writer3& operator=(const Writer3&) = delete;

    void write(const Value& value);

private:
    struct State;  // holds the output writer and the reference tables
    std::unique_ptr<State> state_;
};

}  // namespace sluice::amf
