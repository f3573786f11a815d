#pragma once
// amf::Reader0: decodes AMF0 values from a byte span (REFERENCE.md §2).
//
// Contract:
//  - Borrows the input; the span must outlive the reader. Values it returns
//    own their data (no views into the input).
//  - read() decodes one value. On error it returns the amf::Errc (as an
//    error_code) and the reader stays failed; later reads fail too.
//    It never throws on input and never allocates in proportion to a
//    declared length or count before the bytes are there.
//  - References (07) are resolved against the complex values started so
//    far in this reader (one RTMP message = one reader). The AVM+ switch
//    (11) reads exactly one AMF3 value with a Reader3 whose tables live as
//    long as this reader.
//  - Reserved markers (04 movieclip, 0E recordset) and a stray object-end
//    (09) are errors.
//
// Layouts (big-endian; REFERENCE.md §2.1):
//
//   object      03 | (u16 len, name, value)* | 00 00 09
//   typed obj   10 | u16 len, class name | (u16 len, name, value)* | 00 00 09
//   ECMA array  08 | u32 count (a hint: ignored, never preallocated) | as object
//   strict arr  0A | u32 count | count x value
//   date        0B | f64 ms | s16 time zone (kept in Date::timezone)
//   string      02 | u16 len | bytes        long string 0C | u32 len | bytes
//   XML doc     0F | u32 len | bytes        reference   07 | u16 index
//
//  - An empty name followed by 09 ends an object; an empty name followed
//    by any other marker is a property named "".
//  - References: complex values (03, 08, 0A, 10) are numbered as they start.
//    A reference yields a copy of the finished value; one to a value still
//    being decoded is Errc::reference_cycle, one past the table is
//    Errc::reference_out_of_range. The copy's elements count against
//    Limits::max_elements, so reference bombs end in too_many_elements.
//  - Errors (amf::Errc, errors.def): truncated (input ends inside a value,
//    including a length or count larger than the bytes left), marker_unknown,
//    marker_reserved, object_end_unexpected, reference_out_of_range,
//    reference_cycle, depth_exceeded, string_too_long, too_many_elements,
//    plus the AMF3 errors of Reader3 for values behind the switch.
//  - Whole-message API: the reader is not incremental. A message cut short
//    is `truncated`; the RTMP layer hands over complete payloads.
#include <cstddef>
#include <memory>
#include <vector>

#include "amf/limits.hpp"
#include "amf/value.hpp"
#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace sluice::amf {

class Reader3;

class Reader0 {
public:
    explicit Reader0(base::Bytes input, Limits limits = {});
    ~Reader0();
    Reader0(Reader0&&) noexcept;
    Reader0& operator=(Reader0&&) noexcept;

    /// Decodes the next value. At the end of the input: Errc::truncated.
    base::Result<Value> read();
    /// Decodes values until the input ends (e.g. a whole command payload);
    /// the first error fails the whole call.
    base::Result<std::vector<Value>> read_all();

    bool at_end() const noexcept;
    /// Byte offset of the next value; after an error, near where it was
    /// found (for error reports).
    std::size_t position() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace sluice::amf
