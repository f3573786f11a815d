#pragma once
// rtmp::Status: the one catalogue of info-object codes used by `onStatus`,
// `_result`/`_error` information objects, `onPlayStatus` and shared-object
// Status events (REFERENCE.md §5; RTMP 1.0 §7.2.2 lists a few, the rest are
// de facto from AS3/FMS, Red5, nginx-rtmp and SRS).
//
// Contract:
//  - Generated from status.def (rows: enumerator, wire code, level, default
//    description), so the enum, the wire string and the level never drift.
//  - Lookups are constant-time by enum and a linear scan by code string
//    (about 50 rows; only used when decoding a peer's status object).
//  - The wire code of an unknown status (a peer may send any code) stays a
//    string in the decoded structs; find_status() returns nullopt for it.
#include <cstddef>
#include <optional>
#include <string_view>

namespace sluice::rtmp {

/// The `level` property of an info object.
enum class StatusLevel { status, warning, error };

/// Wire text of a level: "status", "warning", "error".
std::string_view to_string(StatusLevel level) noexcept;
/// Parses a level string (exact, lower case); nullopt when unknown.
std::optional<StatusLevel> parse_status_level(std::string_view text) noexcept;

enum class Status {
#define SLUICE_STATUS(name, code, level, description) name,
#include "rtmp/status.def"
#undef SLUICE_STATUS
};

/// One catalogue row.
struct StatusInfo {
    Status status;
    std::string_view code;  ///< e.g. "NetStream.Publish.Start"
    StatusLevel level;
    std::string_view description;  ///< default human-readable description
};

/// The row of `s` (always valid for an enumerator of Status).
const StatusInfo& status_info(Status s) noexcept;
inline std::string_view status_code(Status s) noexcept {
    return status_info(s).code;
}
inline StatusLevel status_level(Status s) noexcept {
    return status_info(s).level;
}
inline std::string_view status_description(Status s) noexcept {
    return status_info(s).description;
}

/// The enumerator whose wire code equals `code` (case-sensitive, as Flash
/// compares them), or nullopt.
std::optional<Status> find_status(std::string_view code) noexcept;

/// Number of rows in the catalogue.
std::size_t status_count() noexcept;

}  // namespace sluice::rtmp
