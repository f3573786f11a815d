// Fuzzes rtmp::ChunkDecoder the way rtmp::Connection drives it.
//
// Input: 8 option bytes, then the chunk stream.
//   byte 0      bit 0: Leniency::type3_extended_timestamp; bits 1-7: seed for piece sizes
//   byte 1      Limits::max_chunk_streams = 1 + b % 64
//   bytes 2-4   Limits::max_message_bytes (U24; 0 keeps the default)
//   bytes 5-6   Limits::max_partial_bytes_total = 64 * U16 (0 keeps the default)
//   byte 7      initial chunk size (0 keeps 128)
// The stream is fed in pseudo-random pieces; decoded Set Chunk Size and Abort
// messages are applied (and, now and then, an Abort between two reads); every decoded message is re-encoded
// with ChunkEncoder, and the re-encoded stream must decode to the same messages.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtmp/chunk_decoder.hpp"
#include "rtmp/chunk_encoder.hpp"
#include "rtmp/control.hpp"

using namespace sluice;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return 0;
    rtmp::Limits limits;
    rtmp::Leniency leniency;
    leniency.type3_extended_timestamp = (data[0] & 1) != 0;
    std::uint32_t seed = data[0] >> 1;
    limits.max_chunk_streams = 1 + data[1] % 64;
    const std::uint32_t max_message =
        (std::uint32_t{data[2]} << 16) | (std::uint32_t{data[3]} << 8) | data[4];
    if (max_message != 0) limits.max_message_bytes = max_message;
    const std::size_t partial = 64 * ((std::size_t{data[5]} << 8) | data[6]);
    if (partial != 0) limits.max_partial_bytes_total = partial;

    rtmp::ChunkDecoder decoder(limits, leniency);
    if (data[7] != 0 && decoder.set_chunk_size(data[7])) return 0;

    std::vector<rtmp::Message> messages;
    std::vector<rtmp::ChunkStreamId> ids;
    base::Bytes rest(data + 8, size - 8);
    while (!rest.empty()) {
        seed = seed * 1103515245u + 12345u;
        const std::size_t n = std::min<std::size_t>(rest.size(), 1 + (seed >> 16) % 64);
        base::Bytes piece = rest.first(n);
        rest = rest.subspan(n);
        while (true) {
            rtmp::DecodeResult r = decoder.decode(piece);
            if (r.consumed > piece.size()) __builtin_trap();
            piece = piece.subspan(r.consumed);
            if (r.error) {
                if (!decoder.failed()) __builtin_trap();
                rest = {};
                break;
            }
            if (!r.message) {
                if (!piece.empty()) __builtin_trap();
                // Now and then an Abort lands between two reads, mid-chunk.
                if (((seed >> 8) & 31) == 0) decoder.abort(r.chunk_stream);
                break;
            }
            if (r.message->type == rtmp::MessageType::set_chunk_size) {
                if (auto c = rtmp::decode_set_chunk_size(*r.message))
                    (void)decoder.set_chunk_size(c->chunk_size);
            } else if (r.message->type == rtmp::MessageType::abort) {
                if (auto a = rtmp::decode_abort(*r.message)) decoder.abort(a->chunk_stream);
            }
            (void)rtmp::decode_control(*r.message);
            ids.push_back(r.chunk_stream);
            messages.push_back(std::move(*r.message));
        }
    }
    if (decoder.buffered_bytes() > limits.max_partial_bytes_total) __builtin_trap();

    // Re-encode and decode again: the same messages must come back.
    rtmp::ChunkEncoder encoder;
    (void)encoder.set_chunk_size(1 + seed % 300);
    rtmp::GatherList out;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        if (encoder.encode(messages[i], ids[i], out)) __builtin_trap();
    }
    const base::ByteVector wire = out.flatten();
    rtmp::Limits wide;
    wide.max_chunk_streams = 65600;
    wide.max_message_bytes = 0xFFFFFF;
    wide.max_partial_bytes_total = std::size_t{1} << 30;
    rtmp::ChunkDecoder again(wide);
    if (again.set_chunk_size(encoder.chunk_size())) __builtin_trap();
    base::Bytes in(wire);
    std::size_t index = 0;
    while (true) {
        rtmp::DecodeResult r = again.decode(in);
        in = in.subspan(r.consumed);
        if (r.error) __builtin_trap();
        if (!r.message) break;
        if (index >= messages.size() || !(*r.message == messages[index])) __builtin_trap();
        ++index;
    }
    if (index != messages.size() || !in.empty()) __builtin_trap();
    return 0;
}
