#include "rtmp/status.hpp"

#include <array>
#include <cstddef>

namespace sluice::rtmp {
namespace {

constexpr std::array rows{
#define SLUICE_STATUS(name, code, level, description) \
    StatusInfo{Status::name, code, StatusLevel::level, description},
#include "rtmp/status.def"
#undef SLUICE_STATUS
};

}  // namespace

std::string_view to_string(StatusLevel level) noexcept {
    switch (level) {
        case StatusLevel::status:
            return "status";
        case StatusLevel::warning:
            return "warning";
        case StatusLevel::error:
            return "error";
    }
    return "status";
}

std::optional<StatusLevel> parse_status_level(std::string_view text) noexcept {
    if (text == "status") return StatusLevel::status;
    if (text == "warning") return StatusLevel::warning;
    if (text == "error") return StatusLevel::error;
    return std::nullopt;
}

const StatusInfo& status_info(Status s) noexcept {
    return rows[static_cast<std::size_t>(s)];
}

std::optional<Status> find_status(std::string_view code) noexcept {
    for (const auto& row : rows) {
        if (row.code == code) return row.status;
    }
    return std::nullopt;
}

std::size_t status_count() noexcept {
    return rows.size();
}

}  // namespace sluice::rtmp
