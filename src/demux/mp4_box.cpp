#include "demux/mp4_box.hpp"

#include "demux/errors.hpp"

namespace sluice::demux {

base::Result<BoxHeader> parse_box_header(base::Bytes bytes, std::uint64_t available, bool allow_to_end) {
    if (available < 8 || bytes.size() < 8) return Errc::box_truncated;
    base::ByteReader r(bytes);
    BoxHeader h;
    const std::uint32_t size32 = r.u32be();
    h.type = r.u32be();
    h.size = size32;
    if (size32 == 1) {
        if (available < 16 || bytes.size() < 16) return Errc::box_truncated;
        h.size = r.u64be();
        h.header_size = 16;
    }
    if (h.type == box_type("uuid")) {
        h.header_size += 16;
        if (available < h.header_size || bytes.size() < h.header_size) return Errc::box_truncated;
    }
    if (size32 == 0) {
        if (!allow_to_end) return Errc::box_size_zero_not_allowed;
        h.size = available;
        h.to_end = true;
    }
    if (h.size < h.header_size) return Errc::box_size_invalid;
    if (h.size > available) return Errc::box_exceeds_parent;
    return h;
}

}  // namespace sluice::demux
