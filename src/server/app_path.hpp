#pragma once
// server::AppPath: the `app` property of `connect` split into what the
// server routes on (REFERENCE.md §4.1): "live", "live/room1",
// "live?token=x", "live/room1?token=x". The instance defaults to
// "_definst_" as in Adobe Media Server, so "live" and "live/_definst_" are
// the same place. Stream names may carry a query too ("cam1?key=abc").
#include <string>
#include <string_view>

namespace sluice::server {

inline constexpr std::string_view default_instance = "_definst_";

struct AppPath {
    std::string app;       ///< "live"
    std::string instance;  ///< "room1" or "_definst_"
    std::string query;     ///< after '?', without it ("" when none)
};

/// Splits the connect `app` field. Leading and trailing slashes are ignored.
AppPath parse_app_path(std::string_view app_field);

/// A name without its query ("cam1?key=abc" -> "cam1"); the query goes to
/// `*query` when given.
std::string_view strip_query(std::string_view name, std::string_view* query = nullptr) noexcept;

}  // namespace sluice::server
