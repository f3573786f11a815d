#include "amf/reader3.hpp"

#include "amf/detail/markers.hpp"
#include "amf/detail/read_values.hpp"
#include "amf/detail/reader3_state.hpp"

namespace sluice::amf {

Reader3::State::State(base::Bytes bytes, Limits l) noexcept : input(bytes), in(bytes), limits(l) {}

bool Reader3::State::u29(std::uint32_t& out) noexcept {
    // 1 to 4 bytes; the first three carry 7 bits and a continuation flag,
    // the fourth carries 8 bits (REFERENCE.md §3.1).
    std::uint32_t v = 0;
    for (int i = 0; i < 3; ++i) {
        const std::uint8_t b = in.u8();
        if (in.failed()) return fail(Errc::truncated);
        if ((b & 0x80) == 0) {
            out = (v << 7) | b;
            return true;
        }
        v = (v << 7) | (b & 0x7Fu);
    }
    const std::uint8_t b = in.u8();
    if (in.failed()) return fail(Errc::truncated);
    out = (v << 8) | b;
    return true;
}

bool Reader3::State::string_vr(std::string_view& out) {
    std::uint32_t header = 0;
    if (!u29(header)) return false;
    if ((header & 1) == 0) {
        const std::size_t index = header >> 1;
        if (index >= strings.size()) return fail(Errc::reference_out_of_range);
        out = strings[index];
        return true;
    }
    if (!text(out, header)) return false;
    // The empty string is never sent by reference, so never numbered.
    if (!out.empty() && !replaying) {
        if (strings.size() >= limits.max_elements) return fail(Errc::too_many_elements);
        strings.push_back(out);
    }
    return true;
}

bool Reader3::State::text(std::string_view& out, std::uint32_t header) {
    const std::size_t length = header >> 1;
    if (length > limits.max_string_bytes) return fail(Errc::string_too_long);
    if (length > in.remaining()) return fail(Errc::truncated);
    out = in.chars(length);
    return true;
}

bool Reader3::State::register_object(std::size_t begin) {
    if (replaying) return true;
    if (objects.size() >= limits.max_elements) return fail(Errc::too_many_elements);
    objects.push_back(Entry{begin, false});
    return true;
}

bool Reader3::State::resolve(std::size_t index, Value& out, std::size_t depth) {
    if (index >= objects.size()) return fail(Errc::reference_out_of_range);
    if (!objects[index].done) return fail(Errc::reference_cycle);
    // Replay the referenced bytes (see reader3_state.hpp).
    const base::ByteReader saved = in;
    const bool saved_replaying = replaying;
    in = base::ByteReader(input);
    in.skip(objects[index].begin);
    replaying = true;
    const bool ok = value(out, depth);
    replaying = saved_replaying;
    in = saved;
    return ok;
}

bool Reader3::State::value(Value& out, std::size_t depth) {
    if (!take(1)) return false;
    const std::size_t begin = in.position();
    const std::uint8_t marker = in.u8();
    if (in.failed()) return fail(Errc::truncated);
    switch (marker) {
        case amf3::undefined:
            out = Undefined{};
            return true;
        case amf3::null:
            out = Null{};
            return true;
        case amf3::false_:
            out = false;
            return true;
        case amf3::true_:
            out = true;
            return true;
        case amf3::integer: {
            std::uint32_t u = 0;
            if (!u29(u)) return false;
            // 29-bit two's complement: bit 28 is the sign.
            const auto v = static_cast<std::int32_t>(u);
            out = Integer{(u & 0x10000000u) != 0 ? v - 0x20000000 : v};
            return true;
        }
        case amf3::double_: {
            const double d = in.f64be();
            if (in.failed()) return fail(Errc::truncated);
            out = d;
            return true;
        }
        case amf3::string: {
            std::string_view s;
            if (!string_vr(s)) return false;
            out = std::string(s);
            return true;
        }
        default:
            break;
    }
    if (marker > amf3::dictionary) return fail(Errc::marker_unknown);

    // Every other marker is a complex value: U29O-ref or an inline value
    // that takes the next slot of the object table.
    std::uint32_t header = 0;
    if (!u29(header)) return false;
    if ((header & 1) == 0) return resolve(header >> 1, out, depth);
    const bool nests = marker == amf3::array || marker == amf3::object || marker == amf3::vector_object ||
                       marker == amf3::dictionary;
    if (nests && depth >= max_depth()) return fail(Errc::depth_exceeded);
    const std::size_t slot = objects.size();
    if (!register_object(begin)) return false;

    bool ok = false;
    switch (marker) {
        case amf3::xml_document:
        case amf3::xml: {
            std::string_view s;
            ok = text(s, header);
            if (ok && marker == amf3::xml) out = Xml{std::string(s)};
            if (ok && marker == amf3::xml_document) out = XmlDocument{std::string(s)};
            break;
        }
        case amf3::date: {
            const double ms = in.f64be();
            ok = !in.failed() || fail(Errc::truncated);
            if (ok) out = Date{ms, 0};
            break;
        }
        case amf3::byte_array: {
            std::string_view s;
            ok = text(s, header);
            if (ok) out = ByteArray{std::vector<std::uint8_t>(s.begin(), s.end())};
            break;
        }
        case amf3::array:
            ok = array(out, header, depth);
            break;
        case amf3::object:
            ok = object(out, header, depth);
            break;
        case amf3::dictionary:
            ok = dictionary(out, header, depth);
            break;
        default:
            ok = vector(marker, out, header, depth);
            break;
    }
    if (ok && !replaying) objects[slot].done = true;
    return ok;
}

Reader3::Reader3(base::Bytes input, Limits limits) : state_(std::make_unique<State>(input, limits)) {}
Reader3::~Reader3() = default;
Reader3::Reader3(Reader3&&) noexcept = default;
Reader3& Reader3::operator=(Reader3&&) noexcept = default;

base::Result<Value> Reader3::read() {
    return detail::read_one(*state_);
}

base::Result<std::vector<Value>> Reader3::read_all() {
    return detail::read_to_end(*state_);
}

bool Reader3::at_end() const noexcept {
    return state_->in.empty();
}

std::size_t Reader3::position() const noexcept {
    return state_->in.position();
}

}  // namespace sluice::amf
