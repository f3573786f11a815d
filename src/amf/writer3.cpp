#include "amf/writer3.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "amf/detail/markers.hpp"

namespace sluice::amf {

struct Writer3::State {
    struct TraitsKey {
        std::string class_name;
        std::vector<std::string> members;
        bool dynamic = false;
        bool externalizable = false;
    };

    State(base::ByteWriter& o, Options opt) : out(o), options(opt) {}

    base::ByteWriter& out;
    Options options;
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    /// Small tables are searched linearly (a message has a handful of
    /// strings); past this size a hash index takes over.
    static constexpr std::size_t linear_strings = 32;

    // Mirrors of the reader's tables: the index a reader gives each entry.
    std::vector<std::string> strings;
    std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> string_index;
    std::vector<TraitsKey> traits;

    /// Index of `s` in the string table, or -1.
    long long find_string(std::string_view s) const {
        if (strings.size() <= linear_strings) {
            for (std::size_t i = 0; i < strings.size(); ++i) {
                if (strings[i] == s) return static_cast<long long>(i);
            }
            return -1;
        }
        const auto it = string_index.find(s);
        return it == string_index.end() ? -1 : static_cast<long long>(it->second);
    }
    void add_string(std::string_view s) {
        if (strings.size() >= (amf3::u29_max >> 1)) return;  // no index left to refer to it
        if (strings.empty()) strings.reserve(16);
        strings.emplace_back(s);
        if (strings.size() == linear_strings + 1) {
            for (std::size_t i = 0; i < strings.size(); ++i)
                string_index.emplace(strings[i], static_cast<std::uint32_t>(i));
        } else if (strings.size() > linear_strings + 1) {
            string_index.emplace(strings.back(), static_cast<std::uint32_t>(strings.size() - 1));
        }
    }

    void u29(std::uint32_t v) {
        v &= amf3::u29_max;
        if (v < 0x80) {
            out.u8(static_cast<std::uint8_t>(v));
        } else if (v < 0x4000) {
            out.u8(static_cast<std::uint8_t>((v >> 7) | 0x80));
            out.u8(static_cast<std::uint8_t>(v & 0x7F));
        } else if (v < 0x200000) {
            out.u8(static_cast<std::uint8_t>((v >> 14) | 0x80));
            out.u8(static_cast<std::uint8_t>(((v >> 7) & 0x7F) | 0x80));
            out.u8(static_cast<std::uint8_t>(v & 0x7F));
        } else {
            out.u8(static_cast<std::uint8_t>((v >> 22) | 0x80));
            out.u8(static_cast<std::uint8_t>(((v >> 15) & 0x7F) | 0x80));
            out.u8(static_cast<std::uint8_t>(((v >> 8) & 0x7F) | 0x80));
            out.u8(static_cast<std::uint8_t>(v & 0xFF));
        }
    }
    /// An inline-value header: (n << 1) | 1, with n clamped to the U29 range.
    void inline_header(std::size_t n) {
        u29((static_cast<std::uint32_t>(std::min<std::size_t>(n, amf3::u29_max >> 1)) << 1) | 1);
    }
    void text(std::string_view s) {
        const std::size_t n = std::min<std::size_t>(s.size(), amf3::u29_max >> 1);
        inline_header(n);
        out.chars(s.substr(0, n));
    }
    void string_vr(std::string_view s) {
        if (s.empty()) {
            out.u8(0x01);  // never referenced
            return;
        }
        if (options.references) {
            if (const long long index = find_string(s); index >= 0) {
                u29(static_cast<std::uint32_t>(index) << 1);
                return;
            }
            add_string(s);
        }
        text(s);
    }
    /// Index of the traits of `o` (its first `sealed` property names) if
    /// already sent, or -1 after registering them.
    long long find_or_add_traits(const Object& o, std::size_t sealed) {
        if (!options.references) return -1;
        for (std::size_t i = 0; i < traits.size(); ++i) {
            const TraitsKey& t = traits[i];
            if (t.externalizable != o.externalizable || t.class_name != o.class_name) continue;
            if (o.externalizable) return static_cast<long long>(i);
            if (t.dynamic != o.dynamic || t.members.size() != sealed) continue;
            bool same = true;
            for (std::size_t m = 0; same && m < sealed; ++m) same = t.members[m] == o.properties[m].name;
            if (same) return static_cast<long long>(i);
        }
        if (traits.size() >= (amf3::u29_max >> 2)) return -1;
        TraitsKey key{o.class_name, {}, o.externalizable ? false : o.dynamic, o.externalizable};
        key.members.reserve(sealed);
        for (std::size_t m = 0; m < sealed; ++m) key.members.push_back(o.properties[m].name);
        traits.push_back(std::move(key));
        return -1;
    }

    void value(const Value& v);
    void object(const Object& o);
    void assoc(const PropertyList& list) {
        for (const Property& p : list.properties) {
            if (p.name.empty()) continue;  // not representable: the empty name ends the list
            string_vr(p.name);
            value(p.value);
        }
        out.u8(0x01);
    }
};

void Writer3::State::object(const Object& o) {
    out.u8(amf3::object);
    if (o.externalizable) {
        const long long index = find_or_add_traits(o, 0);
        if (index >= 0) {
            u29((static_cast<std::uint32_t>(index) << 2) | 1);
        } else {
            out.u8(0x07);
            string_vr(o.class_name);
        }
        if (const Value* source = o.find("source")) {
            value(*source);
        } else {
            out.u8(amf3::null);
        }
        return;
    }
    const std::size_t sealed = std::min(o.sealed_count, o.properties.size());
    const long long index = find_or_add_traits(o, sealed);
    if (index >= 0) {
        u29((static_cast<std::uint32_t>(index) << 2) | 1);
    } else {
        u29((static_cast<std::uint32_t>(sealed) << 4) | (o.dynamic ? 0x08u : 0u) | 0x03u);
        string_vr(o.class_name);
        for (std::size_t i = 0; i < sealed; ++i) string_vr(o.properties[i].name);
    }
    for (std::size_t i = 0; i < sealed; ++i) value(o.properties[i].value);
    if (!o.dynamic) return;
    for (std::size_t i = sealed; i < o.properties.size(); ++i) {
        const Property& p = o.properties[i];
        if (p.name.empty()) continue;
        string_vr(p.name);
        value(p.value);
    }
    out.u8(0x01);
}

void Writer3::State::value(const Value& v) {
    struct Visitor {
        State& s;
        void operator()(const Undefined&) const { s.out.u8(amf3::undefined); }
        void operator()(const Null&) const { s.out.u8(amf3::null); }
        void operator()(const Unsupported&) const { s.out.u8(amf3::undefined); }
        void operator()(bool b) const { s.out.u8(b ? amf3::true_ : amf3::false_); }
        void operator()(double d) const {
            s.out.u8(amf3::double_);
            s.out.f64be(d);
        }
        void operator()(const Integer& i) const {
            if (i.value < amf3::integer_min || i.value > amf3::integer_max) {
                (*this)(static_cast<double>(i.value));
                return;
            }
            s.out.u8(amf3::integer);
            s.u29(static_cast<std::uint32_t>(i.value) & amf3::u29_max);
        }
        void operator()(const std::string& str) const {
            s.out.u8(amf3::string);
            s.string_vr(str);
        }
        void operator()(const Date& d) const {
            s.out.u8(amf3::date);
            s.out.u8(0x01);
            s.out.f64be(d.milliseconds);
        }
        void operator()(const XmlDocument& x) const {
            s.out.u8(amf3::xml_document);
            s.text(x.text);
        }
        void operator()(const Xml& x) const {
            s.out.u8(amf3::xml);
            s.text(x.text);
        }
        void operator()(const Object& o) const { s.object(o); }
        void operator()(const EcmaArray& e) const {
            s.out.u8(amf3::array);
            s.out.u8(0x01);  // no dense part
            s.assoc(e);
        }
        void operator()(const StrictArray& a) const {
            s.out.u8(amf3::array);
            s.inline_header(a.items.size());
            s.out.u8(0x01);  // no associative part
            for (const Value& item : a.items) s.value(item);
        }
        void operator()(const MixedArray& m) const {
            s.out.u8(amf3::array);
            s.inline_header(m.dense.size());
            s.assoc(m);
            for (const Value& item : m.dense) s.value(item);
        }
        void operator()(const ByteArray& b) const {
            s.out.u8(amf3::byte_array);
            const std::size_t n = std::min<std::size_t>(b.bytes.size(), amf3::u29_max >> 1);
            s.inline_header(n);
            s.out.bytes(base::Bytes(b.bytes).first(n));
        }
        void operator()(const VectorInt& v) const {
            header(amf3::vector_int, v.items.size(), v.fixed);
            for (std::int32_t i : v.items) s.out.i32be(i);
        }
        void operator()(const VectorUint& v) const {
            header(amf3::vector_uint, v.items.size(), v.fixed);
            for (std::uint32_t i : v.items) s.out.u32be(i);
        }
        void operator()(const VectorDouble& v) const {
            header(amf3::vector_double, v.items.size(), v.fixed);
            for (double d : v.items) s.out.f64be(d);
        }
        void operator()(const VectorObject& v) const {
            header(amf3::vector_object, v.items.size(), v.fixed);
            s.string_vr(v.type_name);
            for (const Value& item : v.items) s.value(item);
        }
        void operator()(const Dictionary& d) const {
            s.out.u8(amf3::dictionary);
            s.inline_header(d.entries.size());
            s.out.u8(d.weak_keys ? 1 : 0);
            for (const DictionaryEntry& e : d.entries) {
                s.value(e.key);
                s.value(e.value);
            }
        }
        void header(std::uint8_t marker, std::size_t count, bool fixed) const {
            s.out.u8(marker);
            s.inline_header(count);
            s.out.u8(fixed ? 1 : 0);
        }
    };
    std::visit(Visitor{*this}, v.variant());
}

Writer3::Writer3(base::ByteWriter& out) : Writer3(out, Options{}) {}
Writer3::Writer3(base::ByteWriter& out, Options options) : state_(std::make_unique<State>(out, options)) {}
Writer3::~Writer3() = default;

void Writer3::write(const Value& value) {
    state_->value(value);
}

}  // namespace sluice::amf
