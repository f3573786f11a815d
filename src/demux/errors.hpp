#pragma once
// demux::Errc: every error the file demuxers report, generated from
// errors.def, bridged to std::error_code and classified fatal or not
// (base::is_fatal). errors.def also says how the server maps them to
// NetStream.Play.* status codes.
#include <system_error>

#include "base/error.hpp"

namespace sluice::demux {

enum class Errc {
    ok = 0,
#define SLUICE_ERROR(name, fatal, description) name,
#include "demux/errors.def"
#undef SLUICE_ERROR
};

const base::TableCategory& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

}  // namespace sluice::demux

template <>
struct std::is_error_code_enum<sluice::demux::Errc> : std::true_type {};
