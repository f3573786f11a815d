#pragma once
// amf::Errc: every error the AMF readers report, generated from errors.def,
// bridged to std::error_code. None is fatal (base::is_fatal is false): an
// AMF error refuses one message; the caller decides what that means for
// the connection. See base/error.hpp for the table pattern.
#include <system_error>

#include "base/error.hpp"

namespace sluice::amf {

enum class Errc {
    ok = 0,
#define SLUICE_ERROR(name, fatal, description) name,
#include "amf/errors.def"
#undef SLUICE_ERROR
};

/// The "amf" category; messages come from errors.def.
const base::TableCategory& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

}  // namespace sluice::amf

template <>
struct std::is_error_code_enum<sluice::amf::Errc> : std::true_type {};
