#include "amf/writer0.hpp"

#include <algorithm>
#include <limits>

#include "amf/detail/markers.hpp"
#include "amf/writer3.hpp"

namespace sluice::amf {

namespace {

constexpr std::size_t max_short = std::numeric_limits<std::uint16_t>::max();

void name(base::ByteWriter& out, std::string_view s) {
    s = s.substr(0, max_short);
    out.u16be(static_cast<std::uint16_t>(s.size()));
    out.chars(s);
}

void long_text(base::ByteWriter& out, std::string_view s) {
    s = s.substr(0, std::numeric_limits<std::uint32_t>::max());
    out.u32be(static_cast<std::uint32_t>(s.size()));
    out.chars(s);
}

bool has_amf3_traits(const Object& o) noexcept {
    return o.sealed_count > 0 || !o.dynamic || o.externalizable;
}

struct Visitor {
    Writer0& w;
    base::ByteWriter& out;
    const Value& self;  ///< the value being visited, for the AVM+ switch

    void avm_plus() const {
        out.u8(amf0::avm_plus);
        Writer3 amf3(out, Writer3::Options{false});
        amf3.write(self);
    }
    void properties(const PropertyList& list) const {
        for (const Property& p : list.properties) {
            name(out, p.name);
            w.write(p.value);
        }
        out.u16be(0);
        out.u8(amf0::object_end);
    }

    void operator()(const Undefined&) const { out.u8(amf0::undefined); }
    void operator()(const Null&) const { out.u8(amf0::null); }
    void operator()(const Unsupported&) const { out.u8(amf0::unsupported); }
    void operator()(bool b) const {
        out.u8(amf0::boolean);
        out.u8(b ? 1 : 0);
    }
    void operator()(double d) const { w.write_number(d); }
    void operator()(const Integer& i) const { w.write_number(i.value); }
    void operator()(const std::string& s) const { w.write_string(s); }
    void operator()(const Date& d) const {
        out.u8(amf0::date);
        out.f64be(d.milliseconds);
        out.i16be(d.timezone);
    }
    void operator()(const XmlDocument& x) const {
        out.u8(amf0::xml_document);
        long_text(out, x.text);
    }
    void operator()(const Object& o) const {
        if (has_amf3_traits(o)) {
            avm_plus();
            return;
        }
        if (o.class_name.empty()) {
            out.u8(amf0::object);
        } else {
            out.u8(amf0::typed_object);
            name(out, o.class_name);
        }
        properties(o);
    }
    void operator()(const EcmaArray& e) const {
        out.u8(amf0::ecma_array);
        out.u32be(static_cast<std::uint32_t>(
            std::min<std::size_t>(e.size(), std::numeric_limits<std::uint32_t>::max())));
        properties(e);
    }
    void operator()(const StrictArray& a) const {
        out.u8(amf0::strict_array);
        out.u32be(static_cast<std::uint32_t>(a.items.size()));
        for (const Value& item : a.items) w.write(item);
    }
    // No AMF0 form: one AMF3 value behind the switch.
    void operator()(const Xml&) const { avm_plus(); }
    void operator()(const MixedArray&) const { avm_plus(); }
    void operator()(const ByteArray&) const { avm_plus(); }
    void operator()(const VectorInt&) const { avm_plus(); }
    void operator()(const VectorUint&) const { avm_plus(); }
    void operator()(const VectorDouble&) const { avm_plus(); }
    void operator()(const VectorObject&) const { avm_plus(); }
    void operator()(const Dictionary&) const { avm_plus(); }
};

}  // namespace

void Writer0::write(const Value& value) {
    std::visit(Visitor{*this, out_, value}, value.variant());
}

void Writer0::write_string(std::string_view s) {
    if (s.size() <= max_short) {
        out_.u8(amf0::string);
        out_.u16be(static_cast<std::uint16_t>(s.size()));
        out_.chars(s);
    } else {
        out_.u8(amf0::long_string);
        long_text(out_, s);
    }
}

void Writer0::write_number(double n) {
    out_.u8(amf0::number);
    out_.f64be(n);
}

void Writer0::write_null() {
    out_.u8(amf0::null);
}

}  // namespace sluice::amf
