#pragma once
// net::parse_rtmpt_target: what an RTMPT request asks for, from its target
// (REFERENCE.md §11.1): /fcs/ident2, /open/1, /send/<id>/<seq>,
// /idle/<id>/<seq>, /close/<id>/<seq>.
//
// Contract: nullopt for anything else. Ids are 1..64 characters of
// [0-9A-Za-z_-]; seq is a decimal number below 2^63 (at most 18 digits).
// "/fcs/ident" is ident too; "/open/<n>" accepts any n (Flash sends 1).
// A query string or a trailing slash is not accepted.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::net {

enum class RtmptCommand : std::uint8_t { ident, open, send, idle, close };

struct RtmptTarget {
    RtmptCommand command = RtmptCommand::open;
    std::string session;    ///< send, idle, close
    std::uint64_t seq = 0;  ///< send, idle, close
};

std::optional<RtmptTarget> parse_rtmpt_target(std::string_view target);

}  // namespace sluice::net
