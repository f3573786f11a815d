#pragma once
// The AMF3 decoding state behind amf::Reader3, shared with Reader0 for the
// AVM+ switch. Private to the amf module (STYLE.md: detail/).
//
// References are resolved by *replay*: each entry of the object table
// records where its complex value starts in the input and whether it is
// finished. A reference re-decodes those bytes (with table registration
// switched off), which yields an equal copy without keeping a copy of every
// complex value around just in case it is referenced. Everything the replay
// produces counts against Limits::max_elements again, so reference bombs
// stop at the element limit. A reference always points to bytes strictly
// before itself, so replays cannot loop.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <vector>

#include "amf/detail/small_table.hpp"
#include "amf/errors.hpp"
#include "amf/limits.hpp"
#include "amf/reader3.hpp"
#include "amf/value.hpp"
#include "base/byte_reader.hpp"

namespace sluice::amf {

struct Reader3::State {
    struct Traits {
        std::string_view class_name;
        std::vector<std::string_view> members;  ///< sealed member names
        bool dynamic = false;
        bool externalizable = false;
    };
    struct Entry {
        std::size_t begin = 0;  ///< position of the value's marker in `input`
        bool done = false;
    };

    State(base::Bytes bytes, Limits l) noexcept;

    base::Bytes input;  ///< the whole input; every position is relative to it
    base::ByteReader in;
    Limits limits;
    std::size_t own_elements = 0;
    std::size_t* elements = &own_elements;  ///< Reader0 points this at its own budget
    std::error_code error;
    bool replaying = false;  ///< true while a reference is re-decoded: tables frozen

    detail::SmallTable<std::string_view, 16> strings;  ///< views into `input`
    detail::SmallTable<Traits, 4> traits;
    detail::SmallTable<Entry, 8> objects;

    bool fail(Errc e) noexcept {
        if (!error) error = make_error_code(e);
        return false;
    }
    /// Takes `n` elements from the budget.
    bool take(std::size_t n) noexcept {
        if (n > limits.max_elements - *elements) return fail(Errc::too_many_elements);
        *elements += n;
        return true;
    }
    std::size_t max_depth() const noexcept {
        return limits.max_depth < Limits::hard_max_depth ? limits.max_depth : Limits::hard_max_depth;
    }

    /// Decodes one value (marker included) at nesting `depth`.
    bool value(Value& out, std::size_t depth);

    // Pieces, in reader3.cpp (scalars) and detail/reader3_complex.cpp.
    bool u29(std::uint32_t& out) noexcept;
    bool string_vr(std::string_view& out);
    bool text(std::string_view& out, std::uint32_t header);
    /// Decodes a copy of object-table entry `index` by replaying its bytes.
    bool resolve(std::size_t index, Value& out, std::size_t depth);
    bool register_object(std::size_t begin);
    bool array(Value& out, std::uint32_t header, std::size_t depth);
    bool object(Value& out, std::uint32_t header, std::size_t depth);
    bool vector(std::uint8_t marker, Value& out, std::uint32_t header, std::size_t depth);
    bool dictionary(Value& out, std::uint32_t header, std::size_t depth);
};

}  // namespace sluice::amf
