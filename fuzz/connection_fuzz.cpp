// Fuzzes rtmp::Connection: the decoder plus the protocol control it applies
// by itself (chunk size, abort, acknowledgements, peer bandwidth, ping,
// aggregate splitting), with options taken from the first input bytes.
//
// Input: [limits byte][piece-size byte] then the byte stream from the peer.
// Invariants checked (abort on violation: a real bug):
//  - receive() never consumes more than it was given;
//  - a failed connection queues exactly one ProtocolViolation and consumes
//    nothing more;
//  - queued output stays within Limits::max_output_bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "rtmp/connection.hpp"

using namespace sluice;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t knobs = data[0];
    const std::size_t piece = static_cast<std::size_t>(data[1]) + 1;
    base::Bytes input(data + 2, size - 2);

    rtmp::ConnectionOptions options;
    options.limits.max_chunk_streams = (knobs & 0x01) ? 4 : 64;
    options.limits.max_message_bytes = (knobs & 0x02) ? 4096 : 1u << 20;
    options.limits.max_partial_bytes_total = (knobs & 0x04) ? 8192 : 1u << 21;
    options.limits.min_chunk_size = (knobs & 0x08) ? 128 : 1;
    options.limits.max_output_bytes = (knobs & 0x10) ? 256 : 1u << 16;
    options.leniency.type3_extended_timestamp = (knobs & 0x20) != 0;
    options.split_aggregates = (knobs & 0x40) != 0;
    options.max_pending_events = (knobs & 0x80) ? 1 : 64;

    rtmp::Connection conn(options);
    std::size_t violations = 0;
    while (!input.empty()) {
        const base::Bytes chunk = input.first(std::min(piece, input.size()));
        const rtmp::ReceiveResult r = conn.receive(chunk);
        if (r.consumed > chunk.size()) std::abort();
        input = input.subspan(r.consumed);
        while (auto event = conn.next_event()) {
            if (std::holds_alternative<rtmp::ProtocolViolation>(*event)) ++violations;
            // Echo media back, as a relay would, to drive the encoder too.
            if (const auto* video = std::get_if<rtmp::VideoReceived>(&*event)) {
                (void)conn.send(video->message, rtmp::csid::video);
            }
        }
        if (conn.output().size_bytes() > options.limits.max_output_bytes) std::abort();
        // Write half of the output, as a slow socket would.
        conn.consume_output(conn.output().size_bytes() / 2 + 1);
        if (r.error) break;
        if (r.consumed == 0 && !conn.failed() && conn.wants_read()) std::abort();  // no progress
    }
    if (conn.failed()) {
        if (violations != 1) std::abort();
        if (conn.receive(base::Bytes(data, size)).consumed != 0) std::abort();
    } else if (violations != 0) {
        std::abort();
    }
    return 0;
}
