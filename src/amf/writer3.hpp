#pragma once
// amf::Writer3: encodes AMF3 values (REFERENCE.md §3), emitting references
// where the format allows: repeated non-empty strings (string table),
// repeated traits (traits table) and repeated equal complex values (object
// table) within one writer's lifetime. The empty string is never referenced.
//
// Contract: appends to a caller-owned ByteWriter; never fails. Integers
// outside the 29-bit range are written as doubles. A Value of an AMF0-only
// kind maps to its AMF3 counterpart (EcmaArray -> array with associative
// part, Unsupported -> undefined, XmlDocument -> 07).
#include <memory>

#include "amf/value.hpp"
#include "base/byte_writer.hpp"

namespace sluice::amf {

class Writer3 {
public:
    explicit Writer3(base::ByteWriter& out);
    ~Writer3();

    void write(const Value& value);

private:
    struct State;
    base::ByteWriter& out_;
    std::unique_ptr<State> state_;
};

}  // namespace sluice::amf
