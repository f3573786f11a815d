#include "flv/tag_header.hpp"

namespace sluice::flv {

std::optional<TagHeader> TagHeader::decode(base::ByteReader& in) noexcept {
    if (in.remaining() < size) {
        in.skip(size);  // latch failed() so callers checking the cursor see it
        return std::nullopt;
    }
    TagHeader h;
    const std::uint8_t first = in.u8();
    h.filter = (first & 0x20) != 0;
    h.type = first & 0x1F;
    h.data_size = in.u24be();
    const std::uint32_t low = in.u24be();
    const std::uint32_t high = in.u8();
    h.timestamp = (high << 24) | low;
    h.stream_id = in.u24be();
    return h;
}

}  // namespace sluice::flv
