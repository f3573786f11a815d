// Fuzzes rtmp::split_aggregate and rtmp::build_aggregate.
//
// Input: U32 aggregate timestamp, U8 sub-message limit, then the body.
// A body that splits must rebuild into a body that splits to the same
// sub-messages.
#include <cstddef>
#include <cstdint>

#include "rtmp/aggregate.hpp"

using namespace sluice;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 5) return 0;
    const std::uint32_t ts = (std::uint32_t{data[0]} << 24) | (std::uint32_t{data[1]} << 16) |
                             (std::uint32_t{data[2]} << 8) | data[3];
    const std::size_t limit = data[4];
    const rtmp::Message agg{rtmp::MessageType::aggregate, ts, 1,
                            base::Payload::copy_of(base::Bytes(data + 5, size - 5))};
    rtmp::AggregateDiagnostic diag;
    auto subs = rtmp::split_aggregate(agg, limit, &diag);
    if (!subs) {
        if (diag.byte_offset > agg.payload.size()) __builtin_trap();
        return 0;
    }
    if (subs->size() > limit) __builtin_trap();
    for (const rtmp::Message& m : *subs) {
        if (m.payload.size() > 0 &&
            (m.payload.data() < agg.payload.data() ||
             m.payload.data() + m.payload.size() > agg.payload.data() + agg.payload.size())) {
            __builtin_trap();
        }
    }
    auto rebuilt = rtmp::build_aggregate(*subs, 1);
    if (!rebuilt) __builtin_trap();
    auto again = rtmp::split_aggregate(*rebuilt, limit);
    if (!again || *again != *subs) __builtin_trap();
    return 0;
}
