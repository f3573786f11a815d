#pragma once
// amf::Writer0: encodes AMF0 values (REFERENCE.md §2).
//
// Contract:
//  - Appends to a caller-owned ByteWriter; never fails.
//  - Strings longer than 65535 bytes use the long-string marker (0C).
//    Integer is written as a number. Values with no AMF0 form (ByteArray,
//    Xml, MixedArray, vectors, Dictionary) are written behind the AVM+
//    switch (11) as one AMF3 value with fresh AMF3 tables.
//  - Object with a class name is a typed object (10); EcmaArray writes its
//    count as the number of properties.
//  - Property order is kept.
//  - An Object with AMF3-only traits (sealed_count > 0, not dynamic, or
//    externalizable) is written behind the AVM+ switch too, so they survive.
//  - Behind the switch the AMF3 value is written without string or traits
//    references (Writer3::Options::references = false): the bytes mean the
//    same to a reader that keeps AMF3 tables across switches (Reader0) and
//    to one that resets them at each switch.
//  - Property names longer than 65535 bytes cannot be represented and are
//    cut to 65535 bytes.
#include <string_view>

#include "amf/value.hpp"
#include "base/byte_writer.hpp"

namespace sluice::amf {

class Writer0 {
public:
    explicit Writer0(base::ByteWriter& out) noexcept : out_(out) {}

    void write(const Value& value);
    /// Convenience for command payloads.
    void write_string(std::string_view s);
    void write_number(double n);
    void write_null();

private:
    base::ByteWriter& out_;
};

}  // namespace sluice::amf
