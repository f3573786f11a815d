#include "amf/debug_string.hpp"

#include <array>
#include <charconv>

namespace sluice::amf {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void number(std::string& out, double d) {
    std::array<char, 32> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), d);
    out.append(buf.data(), r.ptr);
}

void quoted(std::string& out, std::string_view s) {
    out += '"';
    for (const char c : s) {
        const auto b = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (b < 0x20 || b > 0x7E) {
                    out += "\\x";
                    out += hex_digits[b >> 4];
                    out += hex_digits[b & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

bool is_word(std::string_view s) noexcept {
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == '$' || c == '.';
        if (!ok) return false;
    }
    return true;
}

void name(std::string& out, std::string_view s) {
    if (is_word(s)) {
        out += s;
    } else {
        quoted(out, s);
    }
}

void value(std::string& out, const Value& v);

void members(std::string& out, const PropertyList& list) {
    out += '{';
    bool first = true;
    for (const Property& p : list.properties) {
        if (!first) out += ", ";
        first = false;
        name(out, p.name);
        out += ": ";
        value(out, p.value);
    }
    out += '}';
}

template <class Items, class Each>
void list(std::string& out, const Items& items, Each each) {
    out += '[';
    bool first = true;
    for (const auto& item : items) {
        if (!first) out += ", ";
        first = false;
        each(item);
    }
    out += ']';
}

struct Visitor {
    std::string& out;

    void operator()(const Undefined&) const { out += "undefined"; }
    void operator()(const Null&) const { out += "null"; }
    void operator()(const Unsupported&) const { out += "unsupported"; }
    void operator()(bool b) const { out += b ? "true" : "false"; }
    void operator()(double d) const { number(out, d); }
    void operator()(const Integer& i) const { out += "int(" + std::to_string(i.value) + ")"; }
    void operator()(const std::string& s) const { quoted(out, s); }
    void operator()(const Date& d) const {
        out += "date(";
        number(out, d.milliseconds);
        out += ", tz " + std::to_string(d.timezone) + ")";
    }
    void operator()(const XmlDocument& x) const {
        out += "xmldoc(";
        quoted(out, x.text);
        out += ')';
    }
    void operator()(const Xml& x) const {
        out += "xml(";
        quoted(out, x.text);
        out += ')';
    }
    void operator()(const Object& o) const {
        if (!o.class_name.empty()) name(out, o.class_name);
        if (o.sealed_count > 0 || !o.dynamic || o.externalizable) {
            std::string traits;
            if (o.sealed_count > 0) traits += "sealed " + std::to_string(o.sealed_count);
            if (!o.dynamic) traits += std::string(traits.empty() ? "" : ", ") + "static";
            if (o.externalizable) traits += std::string(traits.empty() ? "" : ", ") + "externalizable";
            out += "<" + traits + ">";
        }
        members(out, o);
    }
    void operator()(const EcmaArray& e) const {
        out += "ecma";
        members(out, e);
    }
    void operator()(const StrictArray& a) const { values(a.items); }
    void operator()(const MixedArray& m) const {
        out += "mixed";
        values(m.dense);
        members(out, m);
    }
    void operator()(const ByteArray& b) const {
        out += "bytes(" + std::to_string(b.bytes.size()) + ": ";
        for (const std::uint8_t byte : b.bytes) {
            out += hex_digits[byte >> 4];
            out += hex_digits[byte & 0xF];
        }
        out += ')';
    }
    void operator()(const VectorInt& v) const {
        out += v.fixed ? "vector<int, fixed>" : "vector<int>";
        list(out, v.items, [this](std::int32_t i) { out += std::to_string(i); });
    }
    void operator()(const VectorUint& v) const {
        out += v.fixed ? "vector<uint, fixed>" : "vector<uint>";
        list(out, v.items, [this](std::uint32_t i) { out += std::to_string(i); });
    }
    void operator()(const VectorDouble& v) const {
        out += v.fixed ? "vector<double, fixed>" : "vector<double>";
        list(out, v.items, [this](double d) { number(out, d); });
    }
    void operator()(const VectorObject& v) const {
        out += "vector<object ";
        quoted(out, v.type_name);
        out += v.fixed ? ", fixed>" : ">";
        values(v.items);
    }
    void operator()(const Dictionary& d) const {
        out += d.weak_keys ? "dict<weak>{" : "dict{";
        bool first = true;
        for (const DictionaryEntry& e : d.entries) {
            if (!first) out += ", ";
            first = false;
            value(out, e.key);
            out += " => ";
            value(out, e.value);
        }
        out += '}';
    }
    void values(const std::vector<Value>& items) const {
        list(out, items, [this](const Value& item) { value(out, item); });
    }
};

void value(std::string& out, const Value& v) {
    std::visit(Visitor{out}, v.variant());
}

}  // namespace

std::string debug_string(const Value& v) {
    std::string out;
    value(out, v);
    return out;
}

}  // namespace sluice::amf
