#pragma once
// Shared by amf0_fuzz.cpp and amf3_fuzz.cpp: the first four input bytes
// choose the amf::Limits (the options are fuzzed too, STYLE.md rule 9), the
// rest is AMF data; round_trip() is the whole check both targets run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "amf/debug_string.hpp"
#include "amf/limits.hpp"
#include "amf/value.hpp"
#include "base/byte_writer.hpp"

namespace sluice::amf::fuzz {

inline constexpr std::size_t option_bytes = 4;

/// byte 0: max_depth 0..99; byte 1: max_string_bytes 2^(b % 21);
/// bytes 2-3: max_elements 1 + 8 * big-endian u16.
inline Limits limits_from(const std::uint8_t* data) {
    Limits limits;
    limits.max_depth = data[0] % 100u;
    limits.max_string_bytes = std::size_t{1} << (data[1] % 21u);
    limits.max_elements = 1 + 8 * ((std::size_t{data[2]} << 8) | data[3]);
    return limits;
}

/// Limits for decoding what the writer produced from an accepted value:
/// references are expanded by then and AVM+ switches may add a level, so
/// only the string limit stays as it was.
inline Limits relaxed(Limits limits) {
    limits.max_depth = Limits::hard_max_depth;
    limits.max_elements = std::numeric_limits<std::size_t>::max() / 2;
    return limits;
}

/// True when `v` holds an AMF3 Integer, or a name longer than an AMF0 short
/// string: the two things Writer0 changes (Integer becomes a number, long
/// names are cut).
inline bool amf0_lossy(const Value& v) {
    if (v.is<Integer>()) return true;
    if (const auto* o = v.get_if<Object>(); o && o->class_name.size() > 65535) return true;
    if (const auto* list = v.properties()) {
        for (const auto& p : list->properties) {
            if (p.name.size() > 65535 || amf0_lossy(p.value)) return true;
        }
    }
    const std::vector<Value>* items = nullptr;
    if (const auto* a = v.get_if<StrictArray>()) items = &a->items;
    if (const auto* m = v.get_if<MixedArray>()) items = &m->dense;
    if (const auto* vo = v.get_if<VectorObject>()) items = &vo->items;
    if (items) {
        for (const auto& item : *items) {
            if (amf0_lossy(item)) return true;
        }
    }
    if (const auto* d = v.get_if<Dictionary>()) {
        for (const auto& e : d->entries) {
            if (amf0_lossy(e.key) || amf0_lossy(e.value)) return true;
        }
    }
    return false;
}

[[noreturn]] inline void mismatch(const char* what, const Value& a, const Value& b) {
    std::fprintf(stderr, "AMF round trip mismatch (%s):\n  %s\n  %s\n", what, debug_string(a).c_str(),
                 debug_string(b).c_str());
    std::abort();
}

[[noreturn]] inline void failure(const char* what) {
    std::fprintf(stderr, "AMF round trip failure: %s\n", what);
    std::abort();
}

/// Decodes `data` (options first) with Reader under fuzzed limits; when that
/// succeeds, re-encodes with one Writer, decodes again and aborts on any
/// disagreement: the re-encoded bytes must decode to equal values (except
/// those `may_change` says the writer maps lossily) and encode again to the
/// same bytes.
template <class Reader, class Writer>
int round_trip(const std::uint8_t* data, std::size_t size, bool (*may_change)(const Value&)) {
    if (size < option_bytes) return 0;
    const Limits limits = limits_from(data);
    const base::Bytes input(data + option_bytes, size - option_bytes);
    const auto encode = [](const std::vector<Value>& values) {
        base::ByteWriter out;
        Writer w(out);
        for (const auto& v : values) w.write(v);
        return out.take();
    };

    Reader first(input, limits);
    auto v1 = first.read_all();
    if (!v1) return 0;

    const auto b2 = encode(*v1);
    Reader second(b2, relaxed(limits));
    auto v2 = second.read_all();
    if (!v2) failure(v2.error().message().c_str());
    if (v2->size() != v1->size()) failure("value count changed");
    for (std::size_t i = 0; i < v1->size(); ++i) {
        if (!(may_change && may_change((*v1)[i])) && !((*v1)[i] == (*v2)[i])) {
            mismatch("decode(encode(v)) != v", (*v1)[i], (*v2)[i]);
        }
    }
    if (encode(*v2) != b2) failure("encoding is not stable after one round trip");
    return 0;
}

}  // namespace sluice::amf::fuzz
