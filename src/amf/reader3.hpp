#pragma once
// amf::Reader3: decodes AMF3 values (REFERENCE.md §3) with the string,
// object and traits reference tables, which persist across read() calls on
// the same reader (one RTMP message or one AVM+ switch context).
//
// Contract: as Reader0 (borrowed input, owned results, never throws,
// bounded by Limits, failed state latches). A reference index out of range,
// a reference to an object still being decoded (a cycle), an unknown
// marker, an externalizable class other than the Flex ones listed in
// value.hpp, and a U29 string length past the input are errors.
#include <cstddef>
#include <memory>
#include <vector>

#include "amf/limits.hpp"
#include "amf/value.hpp"
#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace sluice::amf {

class Reader3 {
public:
    explicit Reader3(base::Bytes input, Limits limits = {});
    ~Reader3();
    Reader3(Reader3&&) noexcept;
    Reader3& operator=(Reader3&&) noexcept;

    base::Result<Value> read();
    base::Result<std::vector<Value>> read_all();

    bool at_end() const noexcept;
    std::size_t position() const noexcept;

private:
    friend class Reader0;  // AVM+ switch: Reader0 drives a Reader3 over its own cursor
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace sluice::amf
