// Fuzzes client::parse_connect_arguments (librtmp's conn= syntax from the
// command line). Input: items separated by '\n'. A refusal must explain
// itself; a success yields at most one top-level value per item, and
// parsing the same items again gives the same values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "client/connect_arguments.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> items(1);
    for (std::size_t i = 0; i < size; ++i) {
        const char c = static_cast<char>(data[i]);
        if (c == '\n') {
            items.emplace_back();
        } else {
            items.back() += c;
        }
    }
    std::string why;
    auto parsed = sluice::client::parse_connect_arguments(items, &why);
    if (!parsed) {
        if (why.empty()) std::abort();
        return 0;
    }
    if (parsed->size() > items.size()) std::abort();
    auto again = sluice::client::parse_connect_arguments(items);
    if (!again || *again != *parsed) std::abort();
    return 0;
}
