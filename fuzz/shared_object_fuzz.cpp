// Fuzzes decode_shared_object. Input: selector byte + payload. Selector
// bit 0: type 19 (0) or 16 (1); bit 1: reject unknown event types; bits
// 2-3: max_events 1024 / 1 / 4 / 16. What decodes must re-encode in both
// encodings and reach a byte fixed point after one trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "rtmp/shared_object_message.hpp"

namespace {

using namespace sluice;
using namespace sluice::rtmp;

void check(bool ok) {
    if (!ok) std::abort();
}

void fixed_point(const SharedObjectMessage& so, Encoding e, const SharedObjectOptions& o) {
    const Message m1 = encode_shared_object(so, e);
    auto so1 = decode_shared_object(m1, o);
    if (!so1) return;  // e.g. an AVM+ switch adds a depth level
    const Message m2 = encode_shared_object(*so1, e);
    auto so2 = decode_shared_object(m2, o);
    check(so2.ok());
    check(encode_shared_object(*so2, e).payload == m2.payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t selector = data[0];
    static constexpr std::size_t event_limits[] = {1024, 1, 4, 16};
    SharedObjectOptions o;
    o.keep_unknown_events = (selector & 2) == 0;
    o.max_events = event_limits[(selector >> 2) & 3];
    Message m;
    m.type = (selector & 1) ? MessageType::shared_object_amf3 : MessageType::shared_object_amf0;
    m.payload = base::Payload::copy_of(base::Bytes(data + 1, size - 1));
    auto so = decode_shared_object(m, o);
    if (!so) return 0;
    check(so->events.size() <= o.max_events);
    (void)debug_string(*so);
    fixed_point(*so, Encoding::amf0, o);
    fixed_point(*so, Encoding::amf3, o);
    return 0;
}
