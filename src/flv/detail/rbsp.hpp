#pragma once
// NAL unit payload -> RBSP: removes emulation-prevention bytes (00 00 03 ->
// 00 00; H.264 §7.4.1, H.265 §7.4.2). Private to src/flv. The output is at
// most as long as the input (allocation bounded by bytes present), and at
// most `max_bytes` long: parameter sets are parsed from their start, so a
// prefix is enough.
#include <cstddef>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"

namespace sluice::flv::detail {

inline base::ByteVector to_rbsp(base::Bytes nal, std::size_t max_bytes) {
    base::ByteVector out;
    out.reserve(nal.size() < max_bytes ? nal.size() : max_bytes);
    std::size_t zeros = 0;
    for (std::size_t i = 0; i < nal.size() && out.size() < max_bytes; ++i) {
        const std::uint8_t b = nal[i];
        if (zeros >= 2 && b == 3) {
            zeros = 0;
            continue;
        }
        zeros = b == 0 ? zeros + 1 : 0;
        out.push_back(b);
    }
    return out;
}

}  // namespace sluice::flv::detail
