// Fuzzes the HTTP side of the RTMPT gateway without the gateway:
// net::HttpRequestReader fed arbitrary bytes, each request's target through
// net::parse_rtmpt_target and its body through net::format_response.
//
// Input: 2 option bytes, then the stream.
//   byte 0   seed for the piece sizes (1..64 bytes each, 1 when 0)
//   byte 1   bit 0: small limits (head 256, body 512) instead of the defaults
// Checks: a failed reader says why and answers 400, 413 or 431 and stays
// failed; the reader never holds more than its limits plus the piece just
// fed; a parsed target keeps to its contract (id 1..64 of [0-9A-Za-z_-],
// seq below 10^18); a response carries the body verbatim at its end.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "net/http_message.hpp"
#include "net/rtmpt_target.hpp"

using namespace sluice;

namespace {

void check_target(const std::string& text) {
    const auto target = net::parse_rtmpt_target(text);
    if (!target) return;
    const bool has_session = target->command == net::RtmptCommand::send ||
                             target->command == net::RtmptCommand::idle ||
                             target->command == net::RtmptCommand::close;
    if (!has_session) {
        if (!target->session.empty()) std::abort();
        return;
    }
    if (target->session.empty() || target->session.size() > 64) std::abort();
    for (char c : target->session) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        c == '_' || c == '-';
        if (!ok) std::abort();
    }
    if (target->seq >= 1000000000000000000u) std::abort();
    if (text.find('?') != std::string::npos) std::abort();
}

void check_response(const net::HttpRequest& request) {
    const std::string response =
        net::format_response(200, request.content_type, request.body, request.keep_alive);
    if (response.size() < request.body.size()) std::abort();
    // Compared as bytes: std::string's char is signed here.
    const auto* tail =
        reinterpret_cast<const std::uint8_t*>(response.data()) + response.size() - request.body.size();
    if (!std::equal(request.body.begin(), request.body.end(), tail)) std::abort();
    if (response.compare(0, 16, "HTTP/1.1 200 OK\r") != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    std::uint32_t seed = data[0];
    net::HttpLimits limits;
    if (data[1] & 1) limits = net::HttpLimits{256, 512};
    net::HttpRequestReader reader(limits);

    base::Bytes rest(data + 2, size - 2);
    while (!rest.empty()) {
        seed = seed * 1103515245u + 12345u;
        const std::size_t n = data[0] == 0 ? 1 : std::min<std::size_t>(rest.size(), 1 + (seed >> 16) % 64);
        reader.feed(rest.first(n));
        rest = rest.subspan(n);
        while (auto request = reader.next()) {
            if (reader.failed()) std::abort();
            check_target(request->target);
            check_response(*request);
        }
        if (reader.failed()) {
            const unsigned status = reader.status();
            if (status != 400 && status != 413 && status != 431) std::abort();
            if (reader.error().empty() || net::reason_phrase(status) == "Error") std::abort();
            if (reader.buffered() != 0) std::abort();
        } else if (reader.buffered() > limits.header_bytes + limits.body_bytes + n) {
            std::abort();  // the memory bound of the contract
        }
    }
    return 0;
}
