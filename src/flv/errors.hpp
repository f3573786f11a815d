#pragma once
// flv::Errc: every error the FLV layer reports, generated from errors.def,
// bridged to std::error_code and classified fatal or not (base::is_fatal).
// See base/error.hpp for the table pattern.
#include <system_error>

#include "base/error.hpp"

namespace sluice::flv {

enum class Errc {
    ok = 0,
#define SLUICE_ERROR(name, fatal, description) name,
#include "flv/errors.def"
#undef SLUICE_ERROR
};

const base::TableCategory& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

}  // namespace sluice::flv

template <>
struct std::is_error_code_enum<sluice::flv::Errc> : std::true_type {};
