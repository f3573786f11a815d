#include "server/app_path.hpp"

namespace sluice::server {

std::string_view strip_query(std::string_view name, std::string_view* query) noexcept {
    const std::size_t mark = name.find('?');
    if (query) *query = mark == std::string_view::npos ? std::string_view{} : name.substr(mark + 1);
    return name.substr(0, mark);
}

AppPath parse_app_path(std::string_view app_field) {
    std::string_view query;
    std::string_view path = strip_query(app_field, &query);
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    AppPath out;
    out.query = std::string(query);
    const std::size_t slash = path.find('/');
    out.app = std::string(path.substr(0, slash));
    out.instance =
        slash == std::string_view::npos ? std::string(default_instance) : std::string(path.substr(slash + 1));
    if (out.instance.empty()) out.instance = std::string(default_instance);
    return out;
}

}  // namespace sluice::server
