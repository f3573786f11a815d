// AMF3 arrays, objects, vectors and dictionaries (REFERENCE.md §3.2, §3.3).
// Counts are checked against the bytes left and the element budget before
// anything is reserved, and reservations are capped, so a declared count of
// 2^28 over three bytes of input fails at once without allocating.
#include <algorithm>
#include <array>

#include "amf/detail/markers.hpp"
#include "amf/detail/reader3_state.hpp"

namespace sluice::amf {

namespace {

/// Vectors grow past this by doubling, as items actually arrive.
constexpr std::size_t max_reserve = 64;

/// The externalizable classes whose private format is one AMF3 value.
constexpr std::array<std::string_view, 3> flex_classes = {
    "flex.messaging.io.ArrayCollection",
    "flex.messaging.io.ObjectProxy",
    "mx.collections.ArrayList",
};

}  // namespace

bool Reader3::State::array(Value& out, std::uint32_t header, std::size_t depth) {
    const std::size_t dense_count = header >> 1;
    std::vector<Property> assoc;
    for (;;) {
        std::string_view name;
        if (!string_vr(name)) return false;
        if (name.empty()) break;  // the associative part ends with an empty name
        assoc.emplace_back();
        assoc.back().name = name;
        if (!value(assoc.back().value, depth + 1)) return false;
    }
    if (dense_count > in.remaining()) return fail(Errc::truncated);  // each item needs a marker byte
    if (dense_count > limits.max_elements - *elements) return fail(Errc::too_many_elements);
    std::vector<Value> dense;
    dense.reserve(std::min(dense_count, max_reserve));
    for (std::size_t i = 0; i < dense_count; ++i) {
        dense.emplace_back();
        if (!value(dense.back(), depth + 1)) return false;
    }
    if (assoc.empty()) {
        out = StrictArray{std::move(dense)};
    } else {
        MixedArray mixed;
        mixed.properties = std::move(assoc);
        mixed.dense = std::move(dense);
        out = std::move(mixed);
    }
    return true;
}

bool Reader3::State::object(Value& out, std::uint32_t header, std::size_t depth) {
    // Header bits after the inline-object bit (§3.3): x1 = traits reference,
    // 111 = externalizable, 011 = inline traits (bit 3 dynamic, rest count).
    // The traits are used through their table index, not copied: the table
    // may grow (and move) while members are decoded, so never hold a
    // reference across a value() call. A replay does not register inline
    // traits and uses `local` instead.
    Traits local;
    std::size_t index = 0;
    bool use_local = false;
    if ((header & 2) == 0) {
        index = header >> 2;
        if (index >= traits.size()) return fail(Errc::reference_out_of_range);
    } else {
        local.externalizable = (header & 4) != 0;
        std::size_t sealed = 0;
        if (!local.externalizable) {
            local.dynamic = (header & 8) != 0;
            sealed = header >> 4;
            if (sealed > in.remaining()) return fail(Errc::truncated);  // a name is at least one byte
            if (sealed > limits.max_elements - *elements) return fail(Errc::too_many_elements);
        }
        if (!string_vr(local.class_name)) return false;
        local.members.reserve(sealed);  // bounded by the bytes present (checked above)
        for (std::size_t i = 0; i < sealed; ++i) {
            local.members.emplace_back();
            if (!string_vr(local.members.back())) return false;
        }
        if (replaying) {
            use_local = true;
        } else {
            if (traits.size() >= limits.max_elements) return fail(Errc::too_many_elements);
            index = traits.size();
            traits.push_back(std::move(local));
        }
    }
    const auto current = [&]() -> const Traits& { return use_local ? local : traits[index]; };

    Object& obj = out.variant().emplace<Object>();
    obj.class_name = current().class_name;
    if (current().externalizable) {
        // Only the Flex wrappers have a format we know: one AMF3 value.
        if (std::find(flex_classes.begin(), flex_classes.end(), current().class_name) == flex_classes.end()) {
            return fail(Errc::externalizable_unsupported);
        }
        obj.externalizable = true;
        obj.dynamic = false;
        obj.properties.emplace_back();
        obj.properties.back().name = "source";
        return value(obj.properties.back().value, depth + 1);
    }
    const bool dynamic = current().dynamic;
    const std::size_t sealed = current().members.size();
    obj.dynamic = dynamic;
    obj.sealed_count = sealed;
    obj.properties.reserve(sealed + (dynamic ? 8 : 0));
    for (std::size_t i = 0; i < sealed; ++i) {
        obj.properties.emplace_back();
        obj.properties.back().name = current().members[i];
        if (!value(obj.properties.back().value, depth + 1)) return false;
    }
    if (!dynamic) return true;
    for (;;) {
        std::string_view name;
        if (!string_vr(name)) return false;
        if (name.empty()) return true;
        obj.properties.emplace_back();
        obj.properties.back().name = name;
        if (!value(obj.properties.back().value, depth + 1)) return false;
    }
}

bool Reader3::State::vector(std::uint8_t marker, Value& out, std::uint32_t header, std::size_t depth) {
    const std::size_t count = header >> 1;
    const bool fixed = in.u8() != 0;
    if (in.failed()) return fail(Errc::truncated);
    const auto read_scalars = [this, count](auto& v, auto read_one) {
        if (count > in.remaining() / sizeof(v.items[0])) return fail(Errc::truncated);
        if (!take(count)) return false;
        v.items.reserve(count);  // the bytes for every item are present
        for (std::size_t i = 0; i < count; ++i) v.items.push_back(read_one(in));
        return true;
    };
    switch (marker) {
        case amf3::vector_int: {
            VectorInt& v = out.variant().emplace<VectorInt>();
            v.fixed = fixed;
            return read_scalars(v, [](base::ByteReader& r) { return r.i32be(); });
        }
        case amf3::vector_uint: {
            VectorUint& v = out.variant().emplace<VectorUint>();
            v.fixed = fixed;
            return read_scalars(v, [](base::ByteReader& r) { return r.u32be(); });
        }
        case amf3::vector_double: {
            VectorDouble& v = out.variant().emplace<VectorDouble>();
            v.fixed = fixed;
            return read_scalars(v, [](base::ByteReader& r) { return r.f64be(); });
        }
        default:
            break;
    }
    VectorObject& v = out.variant().emplace<VectorObject>();
    v.fixed = fixed;
    std::string_view type_name;
    if (!string_vr(type_name)) return false;
    v.type_name = type_name;
    if (count > in.remaining()) return fail(Errc::truncated);
    if (count > limits.max_elements - *elements) return fail(Errc::too_many_elements);
    v.items.reserve(std::min(count, max_reserve));
    for (std::size_t i = 0; i < count; ++i) {
        v.items.emplace_back();
        if (!value(v.items.back(), depth + 1)) return false;
    }
    return true;
}

bool Reader3::State::dictionary(Value& out, std::uint32_t header, std::size_t depth) {
    const std::size_t count = header >> 1;
    Dictionary& d = out.variant().emplace<Dictionary>();
    d.weak_keys = in.u8() != 0;
    if (in.failed()) return fail(Errc::truncated);
    if (count > in.remaining() / 2) return fail(Errc::truncated);  // a key and a value: two markers
    if (count > (limits.max_elements - *elements) / 2) return fail(Errc::too_many_elements);
    d.entries.reserve(std::min(count, max_reserve));
    for (std::size_t i = 0; i < count; ++i) {
        d.entries.emplace_back();
        if (!value(d.entries.back().key, depth + 1)) return false;
        if (!value(d.entries.back().value, depth + 1)) return false;
    }
    return true;
}

}  // namespace sluice::amf
