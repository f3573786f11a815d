#include "rtmp/aggregate.hpp"

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/timestamp.hpp"
#include "flv/tag_header.hpp"
#include "rtmp/errors.hpp"

namespace sluice::rtmp {

namespace {

constexpr std::size_t back_pointer_size = 4;

base::Result<std::vector<Message>> malformed(AggregateDiagnostic* d, std::size_t index, std::size_t offset,
                                             const char* reason, Errc e = Errc::aggregate_malformed) {
    if (d != nullptr) *d = {index, offset, reason};
    return e;
}

}  // namespace

base::Result<std::vector<Message>> split_aggregate(const Message& aggregate, std::size_t max_messages,
                                                   AggregateDiagnostic* diagnostic) {
    const base::Payload& body = aggregate.payload;
    base::ByteReader in(body.bytes());
    std::vector<Message> out;
    std::uint32_t offset_ms = 0;
    while (!in.empty()) {
        const std::size_t index = out.size();
        const std::size_t start = in.position();
        if (index == max_messages) {
            return malformed(diagnostic, index, start, "more sub-messages than the limit",
                             Errc::aggregate_too_many_messages);
        }
        auto header = flv::TagHeader::decode(in);
        if (!header) return malformed(diagnostic, index, start, "sub-message header truncated");
        // Check against what is left before slicing: the size is the peer's claim.
        if (header->data_size > in.remaining()) {
            return malformed(diagnostic, index, start, "sub-message data size exceeds the aggregate");
        }
        const std::size_t data_at = in.position();
        in.skip(header->data_size);
        const std::uint32_t back_pointer = in.u32be();
        if (in.failed()) return malformed(diagnostic, index, start, "back pointer missing");
        if (back_pointer != flv::TagHeader::size + header->data_size) {
            return malformed(diagnostic, index, start, "back pointer is not 11 + data size");
        }
        // RTMP §7.1.6: offset = aggregate timestamp - first sub-message timestamp.
        if (index == 0) offset_ms = aggregate.timestamp - header->timestamp;
        out.push_back(Message{static_cast<MessageType>(header->type),
                              base::serial_add(header->timestamp, offset_ms), aggregate.stream_id,
                              body.slice(data_at, header->data_size)});
    }
    return out;
}

base::Result<Message> build_aggregate(std::span<const Message> messages, MessageStreamId stream_id) {
    std::size_t total = 0;
    for (const Message& m : messages) {
        if (m.payload.size() > 0xFFFFFF) return Errc::aggregate_malformed;
        total += flv::TagHeader::size + m.payload.size() + back_pointer_size;
    }
    base::ByteWriter w(total);
    for (const Message& m : messages) {
        flv::TagHeader h;
        h.type = static_cast<std::uint8_t>(m.type);
        h.data_size = static_cast<std::uint32_t>(m.payload.size());
        h.timestamp = m.timestamp;
        h.stream_id = 0;
        h.encode(w);
        w.bytes(m.payload.bytes());
        w.u32be(static_cast<std::uint32_t>(flv::TagHeader::size + m.payload.size()));
    }
    const base::Timestamp ts = messages.empty() ? 0 : messages.front().timestamp;
    return Message{MessageType::aggregate, ts, stream_id, base::Payload::from(w.take())};
}

}  // namespace sluice::rtmp
