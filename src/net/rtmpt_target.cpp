#include "net/rtmpt_target.hpp"

#include <algorithm>

namespace sluice::net {

namespace {

bool is_id_char(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}

std::optional<std::uint64_t> parse_seq(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

}  // namespace

std::optional<RtmptTarget> parse_rtmpt_target(std::string_view target) {
    if (target == "/fcs/ident2" || target == "/fcs/ident") return RtmptTarget{RtmptCommand::ident, {}, 0};
    if (target.size() < 2 || target.front() != '/') return std::nullopt;
    target.remove_prefix(1);
    const std::size_t slash = target.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const std::string_view verb = target.substr(0, slash);
    std::string_view rest = target.substr(slash + 1);
    if (verb == "open") {
        if (!parse_seq(rest)) return std::nullopt;
        return RtmptTarget{RtmptCommand::open, {}, 0};
    }
    RtmptCommand command;
    if (verb == "send") {
        command = RtmptCommand::send;
    } else if (verb == "idle") {
        command = RtmptCommand::idle;
    } else if (verb == "close") {
        command = RtmptCommand::close;
    } else {
        return std::nullopt;
    }
    const std::size_t second = rest.find('/');
    if (second == std::string_view::npos) return std::nullopt;
    const std::string_view id = rest.substr(0, second);
    if (id.empty() || id.size() > 64 || !std::all_of(id.begin(), id.end(), is_id_char)) return std::nullopt;
    const auto seq = parse_seq(rest.substr(second + 1));
    if (!seq) return std::nullopt;
    return RtmptTarget{command, std::string(id), *seq};
}

}  // namespace sluice::net
