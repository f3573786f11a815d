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
//
// Layouts (REFERENCE.md §3.1-§3.3). U29 = 1-4 bytes, 7+7+7+8 bits. Every
// complex value (07 08 09 0A 0B 0C 0D 0E 0F 10 11) starts with a U29 whose
// low bit 0 means "reference: index = U29 >> 1 into the object table".
//
//   string     06 | U29 (len << 1 | 1) bytes    or U29 (index << 1) into strings
//   array      09 | U29 (dense << 1 | 1) | (name, value)* | 01 | dense x value
//   object     0A | U29 traits header | [class name, sealed names] | sealed
//                   values | [(name, value)* 01 if dynamic]
//                   header ...0011: inline traits, bit 3 dynamic, >> 4 count
//                   header ...0001: traits reference, index = U29 >> 2
//                   header ...0111: externalizable (Flex classes only)
//   vector     0D-0F | U29 (count << 1 | 1) | u8 fixed | count x s32/u32/f64
//              10 | U29 | u8 fixed | type name | count x value
//   dictionary 11 | U29 (count << 1 | 1) | u8 weak keys | count x (key, value)
//
//  - Results: integer 04 -> Integer (29-bit sign extended); array with no
//    associative part -> StrictArray, else MixedArray; object -> Object with
//    sealed_count / dynamic / class_name from its traits; Flex
//    externalizable -> Object{externalizable, "source": the wrapped value};
//    date -> Date (timezone 0).
//  - Tables: strings (every inline non-empty string, names included),
//    objects (every inline complex value, numbered when it starts) and
//    traits (every inline traits block). Each is bounded by
//    Limits::max_elements. A reference yields a copy whose elements count
//    against the limit (reference bombs end in too_many_elements).
//  - Errors (amf::Errc): truncated, marker_unknown, reference_out_of_range,
//    reference_cycle, depth_exceeded, string_too_long, too_many_elements,
//    externalizable_unsupported. A declared count or length larger than the
//    bytes left fails at once (truncated), before anything is allocated.
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
