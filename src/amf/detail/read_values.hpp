#pragma once
// The read()/read_all() loop Reader0 and Reader3 share. `State` provides
// `error` (std::error_code, latched), `in` (base::ByteReader) and
// `bool value(Value&, std::size_t depth)`.
#include <vector>

#include "amf/value.hpp"
#include "base/result.hpp"

namespace sluice::amf::detail {

template <class State>
base::Result<Value> read_one(State& s) {
    if (s.error) return s.error;
    Value v;
    if (!s.value(v, 0)) return s.error;
    return v;
}

template <class State>
base::Result<std::vector<Value>> read_to_end(State& s) {
    std::vector<Value> values;
    values.reserve(4);  // a command: name, transaction id, object, argument
    if (s.error) return s.error;
    while (!s.in.empty()) {
        values.emplace_back();  // decoded in place: no move of the tree
        if (!s.value(values.back(), 0)) return s.error;
    }
    return values;
}

}  // namespace sluice::amf::detail
