#include "rtmp/chunk_header.hpp"

#include "base/byte_writer.hpp"

namespace sluice::rtmp {

BasicHeader decode_basic_header(base::Bytes bytes) noexcept {
    base::ByteReader in(bytes);
    const std::uint8_t first = in.u8();
    BasicHeader h;
    h.format = static_cast<ChunkFormat>(first >> 6);
    switch (first & 0x3Fu) {
        case 0:
            h.chunk_stream = 64u + in.u8();
            break;
        case 1: {
            // The 3-byte form stores (id - 64) little-endian (REFERENCE.md §1.3).
            const std::uint32_t low = in.u8();
            const std::uint32_t high = in.u8();
            h.chunk_stream = 64u + low + (high << 8);
            break;
        }
        default:
            h.chunk_stream = first & 0x3Fu;
            break;
    }
    return h;
}

MessageHeaderFields decode_message_header(ChunkFormat f, base::Bytes bytes) noexcept {
    base::ByteReader in(bytes);
    MessageHeaderFields m;
    if (f == ChunkFormat::none) return m;
    m.timestamp_field = in.u24be();
    if (f == ChunkFormat::delta_only) return m;
    m.length = in.u24be();
    m.type = in.u8();
    if (f == ChunkFormat::same_stream) return m;
    m.stream_id = in.u32le();
    return m;
}

namespace {

void write_basic_header(base::SpanWriter& out, ChunkFormat f, ChunkStreamId id) noexcept {
    const auto fmt_bits = static_cast<std::uint8_t>(static_cast<unsigned>(f) << 6);
    if (id <= 63) {
        out.u8(static_cast<std::uint8_t>(fmt_bits | id));
    } else if (id <= 319) {
        out.u8(fmt_bits);
        out.u8(static_cast<std::uint8_t>(id - 64));
    } else {
        out.u8(static_cast<std::uint8_t>(fmt_bits | 1u));
        out.u16le(static_cast<std::uint16_t>(id - 64));
    }
}

}  // namespace

EncodedChunkHeader encode_chunk_header(ChunkFormat f, ChunkStreamId id,
                                       const MessageHeaderFields& fields) noexcept {
    EncodedChunkHeader h;
    base::SpanWriter out(h.bytes);
    write_basic_header(out, f, id);
    const bool extended = fields.timestamp_field >= extended_timestamp_marker;
    if (f != ChunkFormat::none) {
        out.u24be(extended ? extended_timestamp_marker : fields.timestamp_field);
        if (f != ChunkFormat::delta_only) {
            out.u24be(fields.length & 0xFFFFFFu);
            out.u8(fields.type);
            if (f == ChunkFormat::full) out.u32le(fields.stream_id);
        }
    }
    if (extended) out.u32be(fields.timestamp_field);
    h.size = out.size();
    return h;
}

EncodedChunkHeader encode_continuation_header(ChunkStreamId id, bool with_extended,
                                              std::uint32_t extended_timestamp) noexcept {
    EncodedChunkHeader h;
    base::SpanWriter out(h.bytes);
    write_basic_header(out, ChunkFormat::none, id);
    if (with_extended) out.u32be(extended_timestamp);
    h.size = out.size();
    return h;
}

}  // namespace sluice::rtmp
