#pragma once
// base::Result<T>: a value or an error_code (std::expected is C++23; Debian
// 12's GCC 12 lacks it). Decoders return it; they never throw on peer input.
//
//   Result<Value> r = reader.read();
//   if (!r) log(r.error().message());
//   else use(*r);
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace sluice::base {

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}     // NOLINT: implicit by design
    Result(std::error_code error) : state_(std::in_place_index<1>, error) {}  // NOLINT
    template <class E, class = std::enable_if_t<std::is_error_code_enum_v<E>>>
    Result(E error) : state_(std::in_place_index<1>, make_error_code(error)) {}  // NOLINT

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    /// The value; only valid when ok().
    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    /// The error; an empty error_code when ok().
    std::error_code error() const noexcept { return ok() ? std::error_code{} : std::get<1>(state_); }

private:
    std::variant<T, std::error_code> state_;
};

/// Result of an operation that yields nothing but success or an error.
using Status = std::error_code;

}  // namespace sluice::base
