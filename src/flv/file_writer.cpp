#include "flv/file_writer.hpp"

#include "flv/errors.hpp"

namespace sluice::flv {

std::array<std::uint8_t, FileHeader::size_with_first_trailer> FileWriter::header(const FileHeader& h) {
    bytes_ += FileHeader::size_with_first_trailer;
    return h.encode();
}

base::Result<FileWriter::Framing> FileWriter::frame(std::uint8_t type, base::Timestamp timestamp,
                                                    std::size_t data_size) {
    if (data_size > max_data_size) return Errc::tag_too_large;
    Framing f;
    TagHeader h;
    h.type = type;
    h.data_size = static_cast<std::uint32_t>(data_size);
    h.timestamp = timestamp;
    base::SpanWriter head(f.header);
    h.encode(head);
    base::SpanWriter tail(f.trailer);
    tail.u32be(static_cast<std::uint32_t>(TagHeader::size + data_size));
    bytes_ += TagHeader::size + data_size + trailer_size;
    ++tags_;
    return f;
}

base::Status FileWriter::write_tag(base::ByteWriter& out, std::uint8_t type, base::Timestamp timestamp,
                                   base::Bytes data) {
    auto f = frame(type, timestamp, data.size());
    if (!f) return f.error();
    out.bytes(f->header);
    out.bytes(data);
    out.bytes(f->trailer);
    return {};
}

}  // namespace sluice::flv
