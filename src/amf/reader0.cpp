#include "amf/reader0.hpp"

#include <algorithm>
#include <string_view>

#include "amf/detail/markers.hpp"
#include "amf/detail/read_values.hpp"
#include "amf/detail/reader3_state.hpp"
#include "amf/detail/small_table.hpp"
#include "amf/errors.hpp"
#include "amf/reader3.hpp"

namespace sluice::amf {

// References (07) are resolved by replaying the referenced bytes, as in
// AMF3 (see detail/reader3_state.hpp): the table keeps where each complex
// value started and whether it has ended, not a copy of it.
struct Reader0::State {
    struct Entry {
        std::size_t begin = 0;  ///< position of the value's marker
        bool done = false;
    };

    State(base::Bytes bytes, Limits l) noexcept : input(bytes), in(bytes), limits(l) {}

    base::Bytes input;
    base::ByteReader in;
    Limits limits;
    std::size_t elements = 0;
    std::error_code error;
    bool replaying = false;
    detail::SmallTable<Entry, 8> complex;
    std::unique_ptr<Reader3> reader3;  ///< created at the first AVM+ switch; its tables persist

    bool fail(Errc e) noexcept {
        if (!error) error = make_error_code(e);
        return false;
    }
    std::size_t max_depth() const noexcept { return std::min(limits.max_depth, Limits::hard_max_depth); }

    bool value(Value& out, std::size_t depth);
    bool short_string(std::string_view& out);
    bool long_text(std::string_view& out);
    bool properties(PropertyList& list, std::size_t depth);
    bool resolve(std::size_t index, Value& out, std::size_t depth);
    bool avm_plus(Value& out, std::size_t depth);
};

bool Reader0::State::short_string(std::string_view& out) {
    const std::size_t length = in.u16be();
    if (in.failed()) return fail(Errc::truncated);
    if (length > limits.max_string_bytes) return fail(Errc::string_too_long);
    out = in.chars(length);
    return !in.failed() || fail(Errc::truncated);
}

bool Reader0::State::long_text(std::string_view& out) {
    const std::size_t length = in.u32be();
    if (in.failed()) return fail(Errc::truncated);
    if (length > limits.max_string_bytes) return fail(Errc::string_too_long);
    out = in.chars(length);
    return !in.failed() || fail(Errc::truncated);
}

bool Reader0::State::properties(PropertyList& list, std::size_t depth) {
    // Most objects on the wire (connect, onStatus, onMetaData) have a
    // handful of members; one reservation avoids regrowth for them.
    list.properties.reserve(8);
    for (;;) {
        std::string_view name;
        if (!short_string(name)) return false;
        if (name.empty()) {
            // `00 00 09` ends the list; an empty name before any other
            // marker is a property named "".
            const std::uint8_t next = in.peek_u8();
            if (in.failed()) return fail(Errc::truncated);
            if (next == amf0::object_end) {
                in.skip(1);
                return true;
            }
        }
        list.properties.emplace_back();
        Property& p = list.properties.back();
        p.name = name;
        if (!value(p.value, depth + 1)) return false;
    }
}

bool Reader0::State::resolve(std::size_t index, Value& out, std::size_t depth) {
    if (index >= complex.size()) return fail(Errc::reference_out_of_range);
    if (!complex[index].done) return fail(Errc::reference_cycle);
    const base::ByteReader saved = in;
    const bool saved_replaying = replaying;
    in = base::ByteReader(input);
    in.skip(complex[index].begin);
    replaying = true;
    const bool ok = value(out, depth);
    replaying = saved_replaying;
    in = saved;
    return ok;
}

bool Reader0::State::avm_plus(Value& out, std::size_t depth) {
    // No depth check here: AMF3 cannot switch back, so switches cannot nest
    // by themselves; the AMF3 value counts one level deeper instead.
    if (!reader3) {
        reader3 = std::make_unique<Reader3>(input, limits);
        reader3->state_->elements = &elements;  // one element budget for the whole message
    }
    Reader3::State& s = *reader3->state_;
    // The AMF3 reader continues at our cursor and hands it back after one
    // value: the switch is not sticky (REFERENCE.md §3.5).
    s.in = in;
    const bool saved_replaying = s.replaying;
    s.replaying = replaying;
    // The element for the switch itself was already counted; the AMF3
    // value counts its own.
    const bool ok = s.value(out, depth + 1);
    s.replaying = saved_replaying;
    in = s.in;
    if (!ok) {
        error = s.error;
        s.error.clear();
    }
    return ok;
}

bool Reader0::State::value(Value& out, std::size_t depth) {
    if (elements >= limits.max_elements) return fail(Errc::too_many_elements);
    ++elements;
    const std::size_t begin = in.position();
    const std::uint8_t marker = in.u8();
    if (in.failed()) return fail(Errc::truncated);
    switch (marker) {
        case amf0::number: {
            const double d = in.f64be();
            if (in.failed()) return fail(Errc::truncated);
            out = d;
            return true;
        }
        case amf0::boolean: {
            const std::uint8_t b = in.u8();
            if (in.failed()) return fail(Errc::truncated);
            out = b != 0;
            return true;
        }
        case amf0::string:
        case amf0::long_string: {
            std::string_view s;
            if (!(marker == amf0::string ? short_string(s) : long_text(s))) return false;
            out.variant().emplace<std::string>(s);
            return true;
        }
        case amf0::null:
            out = Null{};
            return true;
        case amf0::undefined:
            out = Undefined{};
            return true;
        case amf0::unsupported:
            out = Unsupported{};
            return true;
        case amf0::date: {
            const double ms = in.f64be();
            const std::int16_t tz = in.i16be();
            if (in.failed()) return fail(Errc::truncated);
            out = Date{ms, tz};
            return true;
        }
        case amf0::xml_document: {
            std::string_view s;
            if (!long_text(s)) return false;
            out = XmlDocument{std::string(s)};
            return true;
        }
        case amf0::reference: {
            const std::size_t index = in.u16be();
            if (in.failed()) return fail(Errc::truncated);
            return resolve(index, out, depth);
        }
        case amf0::avm_plus:
            return avm_plus(out, depth);
        case amf0::movieclip:
        case amf0::recordset:
            return fail(Errc::marker_reserved);
        case amf0::object_end:
            return fail(Errc::object_end_unexpected);
        case amf0::object:
        case amf0::ecma_array:
        case amf0::strict_array:
        case amf0::typed_object:
            break;
        default:
            return fail(Errc::marker_unknown);
    }

    // Complex values take the next table slot when they start (§2.1).
    if (depth >= max_depth()) return fail(Errc::depth_exceeded);
    const std::size_t slot = complex.size();
    if (!replaying) {
        if (complex.size() >= limits.max_elements) return fail(Errc::too_many_elements);
        complex.push_back(Entry{begin, false});
    }
    bool ok = false;
    switch (marker) {
        case amf0::object:
            ok = properties(out.variant().emplace<Object>(), depth);
            break;
        case amf0::typed_object: {
            std::string_view class_name;
            if (!short_string(class_name)) return false;
            Object& obj = out.variant().emplace<Object>();
            obj.class_name = class_name;
            ok = properties(obj, depth);
            break;
        }
        case amf0::ecma_array: {
            // The count is only a hint (FLV calls it approximate): ignore it.
            in.u32be();
            if (in.failed()) return fail(Errc::truncated);
            ok = properties(out.variant().emplace<EcmaArray>(), depth);
            break;
        }
        default: {  // strict array
            const std::size_t count = in.u32be();
            if (in.failed()) return fail(Errc::truncated);
            if (count > in.remaining()) return fail(Errc::truncated);  // each item has a marker byte
            if (count > limits.max_elements - elements) return fail(Errc::too_many_elements);
            StrictArray& arr = out.variant().emplace<StrictArray>();
            arr.items.reserve(std::min<std::size_t>(count, 64));
            ok = true;
            for (std::size_t i = 0; ok && i < count; ++i) {
                arr.items.emplace_back();
                ok = value(arr.items.back(), depth + 1);
            }
            break;
        }
    }
    if (ok && !replaying) complex[slot].done = true;
    return ok;
}

Reader0::Reader0(base::Bytes input, Limits limits) : state_(std::make_unique<State>(input, limits)) {}
Reader0::~Reader0() = default;
Reader0::Reader0(Reader0&&) noexcept = default;
Reader0& Reader0::operator=(Reader0&&) noexcept = default;

base::Result<Value> Reader0::read() {
    return detail::read_one(*state_);
}

base::Result<std::vector<Value>> Reader0::read_all() {
    return detail::read_to_end(*state_);
}

bool Reader0::at_end() const noexcept {
    return state_->in.empty();
}

std::size_t Reader0::position() const noexcept {
    return state_->in.position();
}

}  // namespace sluice::amf
