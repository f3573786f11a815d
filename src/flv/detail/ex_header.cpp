#include "flv/detail/ex_header.hpp"

#include "flv/errors.hpp"

namespace sluice::flv::detail {

std::error_code read_mod_ex(base::ByteReader& in, std::uint8_t& packet_type, std::uint32_t& nano_offset,
                            std::error_code truncated) {
    for (int blocks = 0; packet_type == mod_ex_packet_type; ++blocks) {
        if (blocks == max_mod_ex_blocks) return Errc::mod_ex_invalid;
        std::size_t size = std::size_t{in.u8()} + 1;
        if (size == 256) size = std::size_t{in.u16be()} + 1;
        const base::Bytes data = in.bytes(size);
        const std::uint8_t next = in.u8();
        if (in.failed()) return truncated;
        const std::uint8_t mod_ex_type = next >> 4;
        packet_type = next & 0x0F;
        if (mod_ex_type == 0) {  // TimestampOffsetNano
            if (data.size() != 3) return Errc::mod_ex_invalid;
            base::ByteReader nano(data);
            nano_offset = nano.u24be();
            if (nano_offset > 999'999) return Errc::mod_ex_invalid;
        }
    }
    return {};
}

}  // namespace sluice::flv::detail
