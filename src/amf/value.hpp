#pragma once
// amf::Value: one AMF value. AMF0 and AMF3 share this model.
//
// Contract:
//  - A Value is a plain tree with value semantics: copying copies the tree.
//    AMF references (AMF0 marker 07, AMF3 reference headers) are resolved by
//    the readers into copies, so a Value never contains a cycle; a reference
//    to a value that is still being read (a cycle on the wire) is a decode
//    error. Readers count copied elements against amf::Limits, so a
//    reference bomb cannot blow up memory.
//  - Objects keep their properties in wire order (STYLE.md §2 item 4):
//    never a sorted map. Lookups are linear; AMF objects are small.
//  - The alternatives and what produces them:
//      Undefined      AMF0 06, AMF3 00
//      Null           AMF0 05, AMF3 01
//      Unsupported    AMF0 0D (written back as 0D; AMF3 has none: writes undefined)
//      bool           AMF0 01, AMF3 02/03
//      double         AMF0 00, AMF3 05
//      Integer        AMF3 04 (29-bit signed); AMF0 writes it as a number
//      std::string    AMF0 02/0C (long form chosen by length), AMF3 06
//      Date           AMF0 0B (with its time-zone field), AMF3 08
//      XmlDocument    AMF0 0F, AMF3 07
//      Xml            AMF3 0B (E4X); AMF0 writes it as XML document
//      Object         AMF0 03 (anonymous) / 10 (typed), AMF3 0A
//      EcmaArray      AMF0 08
//      StrictArray    AMF0 0A; AMF3 09 with no associative part
//      MixedArray     AMF3 09 with an associative part (and maybe dense items)
//      ByteArray      AMF3 0C
//      VectorInt / VectorUint / VectorDouble / VectorObject   AMF3 0D/0E/0F/10
//      Dictionary     AMF3 11
//    A value with no AMF0 form is written by Writer0 behind the AVM+ switch
//    (marker 11) as one AMF3 value.
//  - Equality (operator==) compares the whole tree, including the AMF3
//    traits fields of Object. Numbers compare by value except that NaN
//    equals NaN (so a decoded value equals its own re-decoded copy).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::amf {

class Value;
struct Property;

struct Undefined {
    friend bool operator==(Undefined, Undefined) noexcept { return true; }
};
struct Null {
    friend bool operator==(Null, Null) noexcept { return true; }
};
struct Unsupported {
    friend bool operator==(Unsupported, Unsupported) noexcept { return true; }
};

/// AMF3 integer (U29, 29-bit two's complement: -2^28 .. 2^28-1).
struct Integer {
    std::int32_t value = 0;
    friend bool operator==(Integer, Integer) noexcept = default;
};

struct Date {
    double milliseconds = 0;    ///< since 1970-01-01 UTC
    std::int16_t timezone = 0;  ///< AMF0 only: minutes (reserved by the spec; FLV: local offset)
    /// NaN milliseconds equal NaN milliseconds (see the file comment).
    friend bool operator==(const Date&, const Date&) noexcept;
};

struct XmlDocument {
    std::string text;
    friend bool operator==(const XmlDocument&, const XmlDocument&) = default;
};
struct Xml {
    std::string text;
    friend bool operator==(const Xml&, const Xml&) = default;
};

struct ByteArray {
    std::vector<std::uint8_t> bytes;
    friend bool operator==(const ByteArray&, const ByteArray&) = default;
};

/// Ordered name/value pairs, shared by Object, EcmaArray and MixedArray.
struct PropertyList {
    std::vector<Property> properties;

    /// The first property with `name`, or nullptr.
    const Value* find(std::string_view name) const noexcept;
    Value* find(std::string_view name) noexcept;
    /// Replaces the first property named `name`, or appends it.
    void set(std::string name, Value value);
    std::size_t size() const noexcept;  // defined below, once Property is complete
    bool empty() const noexcept;
};

/// AMF0 object / typed object; AMF3 object with its traits.
struct Object : PropertyList {
    /// "" = anonymous. AMF0 typed object (10) or AMF3 traits class name.
    std::string class_name;
    /// AMF3 traits: the first `sealed_count` properties are sealed members
    /// (written in the traits), the rest dynamic. AMF0 ignores both fields.
    std::size_t sealed_count = 0;
    bool dynamic = true;
    /// AMF3 externalizable classes: the readers understand the Flex classes
    /// flex.messaging.io.ArrayCollection, flex.messaging.io.ObjectProxy and
    /// mx.collections.ArrayList, whose externalized form is one AMF3 value,
    /// kept as the single property "source". Any other externalizable class
    /// is a decode error (its bytes have a format only that class knows).
    bool externalizable = false;
};

struct EcmaArray : PropertyList {};

struct StrictArray {
    std::vector<Value> items;
};

struct MixedArray : PropertyList {
    std::vector<Value> dense;
};

template <class T>
struct Vector {
    bool fixed = false;
    std::vector<T> items;
};
using VectorInt = Vector<std::int32_t>;
using VectorUint = Vector<std::uint32_t>;
using VectorDouble = Vector<double>;
struct VectorObject {
    bool fixed = false;
    std::string type_name = "*";  ///< "*" = any
    std::vector<Value> items;
};

struct DictionaryEntry;
struct Dictionary {
    bool weak_keys = false;
    std::vector<DictionaryEntry> entries;
};

class Value {
public:
    using Variant = std::variant<Undefined, Null, Unsupported, bool, double, Integer, std::string, Date,
                                 XmlDocument, Xml, Object, EcmaArray, StrictArray, MixedArray, ByteArray,
                                 VectorInt, VectorUint, VectorDouble, VectorObject, Dictionary>;

    Value() = default;  // undefined
    template <class T, class = std::enable_if_t<std::is_constructible_v<Variant, T&&> &&
                                                !std::is_same_v<std::decay_t<T>, Value>>>
    Value(T&& v) : v_(std::forward<T>(v)) {}  // NOLINT: implicit by design
    // Defined below, once Property and DictionaryEntry are complete (clang
    // instantiates the variant's destructors here otherwise).
    Value(const char* s);       // NOLINT: avoid const char* -> bool
    Value(std::string_view s);  // NOLINT
    Value(int n);               // NOLINT: numbers are doubles in AMF0

    template <class T>
    bool is() const noexcept {
        return std::holds_alternative<T>(v_);
    }
    template <class T>
    const T* get_if() const noexcept {
        return std::get_if<T>(&v_);
    }
    template <class T>
    T* get_if() noexcept {
        return std::get_if<T>(&v_);
    }
    const Variant& variant() const noexcept { return v_; }
    Variant& variant() noexcept { return v_; }

    bool is_null_or_undefined() const noexcept { return is<Null>() || is<Undefined>(); }
    /// double or Integer as a double; nullptr-like: returns false when neither.
    bool number(double& out) const noexcept;
    /// The string, or nullptr.
    const std::string* string() const noexcept { return get_if<std::string>(); }
    /// The properties of an Object, EcmaArray or MixedArray, or nullptr.
    const PropertyList* properties() const noexcept;
    PropertyList* properties() noexcept;
    /// Shortcut: properties()->find(name), nullptr when not a property list.
    const Value* find(std::string_view name) const noexcept;

    friend bool operator==(const Value& a, const Value& b);

private:
    Variant v_;
};

struct Property {
    std::string name;
    Value value;
    friend bool operator==(const Property&, const Property&) = default;
};

struct DictionaryEntry {
    Value key;
    Value value;
    friend bool operator==(const DictionaryEntry&, const DictionaryEntry&) = default;
};

inline Value::Value(const char* s) : v_(std::string(s)) {}
inline Value::Value(std::string_view s) : v_(std::string(s)) {}
inline Value::Value(int n) : v_(static_cast<double>(n)) {}
inline std::size_t PropertyList::size() const noexcept {
    return properties.size();
}
inline bool PropertyList::empty() const noexcept {
    return properties.empty();
}

bool operator==(const PropertyList& a, const PropertyList& b);
bool operator==(const Object& a, const Object& b);
bool operator==(const EcmaArray& a, const EcmaArray& b);
bool operator==(const StrictArray& a, const StrictArray& b);
bool operator==(const MixedArray& a, const MixedArray& b);
bool operator==(const VectorObject& a, const VectorObject& b);
bool operator==(const Dictionary& a, const Dictionary& b);
/// NaN items equal NaN items (see the file comment).
bool operator==(const VectorDouble& a, const VectorDouble& b);
template <class T>
bool operator==(const Vector<T>& a, const Vector<T>& b) {
    return a.fixed == b.fixed && a.items == b.items;
}

}  // namespace sluice::amf
