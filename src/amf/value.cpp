#include "amf/value.hpp"

#include <cmath>

namespace sluice::amf {

namespace {

// NaN equals NaN so that a value read twice compares equal (fuzz round
// trips, golden tests); otherwise plain numeric equality (0.0 == -0.0).
bool same_number(double a, double b) noexcept {
    return a == b || (std::isnan(a) && std::isnan(b));
}

struct SameAlternative {
    template <class T>
    bool operator()(const T& a, const T& b) const {
        return a == b;
    }
    bool operator()(double a, double b) const noexcept { return same_number(a, b); }
};

}  // namespace

const Value* PropertyList::find(std::string_view name) const noexcept {
    for (const auto& p : properties) {
        if (p.name == name) return &p.value;
    }
    return nullptr;
}

Value* PropertyList::find(std::string_view name) noexcept {
    for (auto& p : properties) {
        if (p.name == name) return &p.value;
    }
    return nullptr;
}

void PropertyList::set(std::string name, Value value) {
    if (Value* existing = find(name)) {
        *existing = std::move(value);
        return;
    }
    properties.push_back(Property{std::move(name), std::move(value)});
}

bool Value::number(double& out) const noexcept {
    if (const auto* d = get_if<double>()) {
        out = *d;
        return true;
    }
    if (const auto* i = get_if<Integer>()) {
        out = i->value;
        return true;
    }
    return false;
}

const PropertyList* Value::properties() const noexcept {
    if (const auto* o = get_if<Object>()) return o;
    if (const auto* e = get_if<EcmaArray>()) return e;
    if (const auto* m = get_if<MixedArray>()) return m;
    return nullptr;
}

PropertyList* Value::properties() noexcept {
    if (auto* o = get_if<Object>()) return o;
    if (auto* e = get_if<EcmaArray>()) return e;
    if (auto* m = get_if<MixedArray>()) return m;
    return nullptr;
}

const Value* Value::find(std::string_view name) const noexcept {
    const PropertyList* list = properties();
    return list ? list->find(name) : nullptr;
}

bool operator==(const Value& a, const Value& b) {
    if (a.v_.index() != b.v_.index()) return false;
    return std::visit(
        [&b](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            return SameAlternative{}(x, *std::get_if<T>(&b.v_));
        },
        a.v_);
}

bool operator==(const Date& a, const Date& b) noexcept {
    return same_number(a.milliseconds, b.milliseconds) && a.timezone == b.timezone;
}

bool operator==(const PropertyList& a, const PropertyList& b) {
    return a.properties == b.properties;
}

bool operator==(const Object& a, const Object& b) {
    return a.class_name == b.class_name && a.sealed_count == b.sealed_count && a.dynamic == b.dynamic &&
           a.externalizable == b.externalizable && a.properties == b.properties;
}

bool operator==(const EcmaArray& a, const EcmaArray& b) {
    return a.properties == b.properties;
}

bool operator==(const StrictArray& a, const StrictArray& b) {
    return a.items == b.items;
}

bool operator==(const MixedArray& a, const MixedArray& b) {
    return a.dense == b.dense && a.properties == b.properties;
}

bool operator==(const VectorDouble& a, const VectorDouble& b) {
    if (a.fixed != b.fixed || a.items.size() != b.items.size()) return false;
    for (std::size_t i = 0; i < a.items.size(); ++i) {
        if (!same_number(a.items[i], b.items[i])) return false;
    }
    return true;
}

bool operator==(const VectorObject& a, const VectorObject& b) {
    return a.fixed == b.fixed && a.type_name == b.type_name && a.items == b.items;
}

bool operator==(const Dictionary& a, const Dictionary& b) {
    return a.weak_keys == b.weak_keys && a.entries == b.entries;
}

}  // namespace sluice::amf
