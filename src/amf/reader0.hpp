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

    /// Decodes the next value.
    base::Result<Value> read();
    /// Decodes values until the input ends (e.g. a whole command payload).
    base::Result<std::vector<Value>> read_all();

    bool at_end() const noexcept;
    /// Byte offset of the next value (for error reports).
    std::size_t position() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace sluice::amf
