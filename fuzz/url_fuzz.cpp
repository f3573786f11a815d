// Fuzzes rtmp::Url::parse. Whatever parses must print back (to_string) to
// a URL that parses to the same fields: the split of app and stream is a
// fixed point, and the port/host survive bracket and colon handling.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rtmp/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT: fuzz input is bytes
    std::string why;
    auto url = sluice::rtmp::Url::parse(text, &why);
    if (!url) {
        if (why.empty()) std::abort();  // every refusal explains itself
        return 0;
    }
    auto again = sluice::rtmp::Url::parse(url->to_string());
    if (!again) std::abort();
    auto expected = *url;
    // to_string() writes the port only when given; the value is the same either way.
    if (again->host != expected.host || again->port != expected.port || again->app != expected.app ||
        again->stream != expected.stream || again->scheme != expected.scheme)
        std::abort();
    return 0;
}
