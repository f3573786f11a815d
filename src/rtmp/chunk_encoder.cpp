#include "rtmp/chunk_encoder.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "base/timestamp.hpp"
#include "rtmp/errors.hpp"

namespace sluice::rtmp {

// ---- GatherList ----

base::Bytes GatherList::segment(std::size_t i) const noexcept {
    const Segment& s = segments_[first_ + i];
    const std::size_t skip = i == 0 ? first_skip_ : 0;
    const std::uint8_t* base =
        s.source == arena_source ? arena_.data() + s.offset : payloads_[s.source].data() + s.offset;
    return {base + skip, s.length - skip};
}

void GatherList::consume(std::size_t n) noexcept {
    n = std::min(n, size_bytes_);
    size_bytes_ -= n;
    while (n != 0) {
        const std::size_t left = segments_[first_].length - first_skip_;
        if (n < left) {
            first_skip_ += n;
            return;
        }
        n -= left;
        ++first_;
        first_skip_ = 0;
    }
    if (size_bytes_ == 0) clear();
}

void GatherList::clear() noexcept {
    arena_.clear();
    payloads_.clear();
    segments_.clear();
    first_ = 0;
    first_skip_ = 0;
    size_bytes_ = 0;
}

base::ByteVector GatherList::flatten() const {
    base::ByteVector out;
    out.reserve(size_bytes_);
    for_each([&](base::Bytes b) { out.insert(out.end(), b.begin(), b.end()); });
    return out;
}

void GatherList::append_bytes(base::Bytes bytes) {
    if (bytes.empty()) return;
    // Adjacent header bytes merge into one segment (fewer iovecs).
    if (!segments_.empty() && segments_.size() > first_ && segments_.back().source == arena_source &&
        segments_.back().offset + segments_.back().length == arena_.size()) {
        segments_.back().length += static_cast<std::uint32_t>(bytes.size());
    } else {
        segments_.push_back({arena_source, static_cast<std::uint32_t>(bytes.size()), arena_.size()});
    }
    arena_.insert(arena_.end(), bytes.begin(), bytes.end());
    size_bytes_ += bytes.size();
}

void GatherList::append_payload(const base::Payload& payload, std::size_t offset, std::size_t length) {
    if (length == 0) return;
    if (payloads_.empty() || payloads_.back().data() != payload.data() ||
        payloads_.back().size() != payload.size()) {
        payloads_.push_back(payload);
    }
    segments_.push_back(
        {static_cast<std::uint32_t>(payloads_.size() - 1), static_cast<std::uint32_t>(length), offset});
    size_bytes_ += length;
}

// ---- ChunkEncoder ----

namespace {

struct PreviousHeader {
    bool valid = false;
    base::Timestamp timestamp = 0;
    std::uint32_t delta = 0;  // what a fmt-3 message header would repeat
    std::uint32_t length = 0;
    std::uint8_t type = 0;
    MessageStreamId stream_id = 0;
};

constexpr std::size_t low_id_count = 64;

}  // namespace

struct ChunkEncoder::Impl {
    std::uint32_t chunk_size = default_chunk_size;
    std::array<PreviousHeader, low_id_count> low{};
    std::vector<std::pair<ChunkStreamId, PreviousHeader>> high;

    PreviousHeader& find(ChunkStreamId id) {
        if (id < low_id_count) return low[id];
        for (auto& [key, h] : high) {
            if (key == id) return h;
        }
        high.emplace_back(id, PreviousHeader{});
        return high.back().second;
    }
};

ChunkEncoder::ChunkEncoder() : impl_(std::make_unique<Impl>()) {}
ChunkEncoder::~ChunkEncoder() = default;
ChunkEncoder::ChunkEncoder(ChunkEncoder&&) noexcept = default;
ChunkEncoder& ChunkEncoder::operator=(ChunkEncoder&&) noexcept = default;

std::error_code ChunkEncoder::set_chunk_size(std::uint32_t size) noexcept {
    if (size == 0 || (size & 0x8000'0000u) != 0) return Errc::chunk_size_invalid;
    if (size > 0xFFFFFF) return Errc::chunk_size_out_of_range;
    impl_->chunk_size = size;
    return {};
}

std::uint32_t ChunkEncoder::chunk_size() const noexcept {
    return impl_->chunk_size;
}

void ChunkEncoder::reset(ChunkStreamId id) noexcept {
    if (id < low_id_count) {
        impl_->low[id] = {};
        return;
    }
    for (auto& [key, h] : impl_->high) {
        if (key == id) h = {};
    }
}

std::error_code ChunkEncoder::encode(const Message& m, ChunkStreamId id, GatherList& out) {
    if (!is_valid_chunk_stream_id(id)) return Errc::chunk_stream_id_invalid;
    if (m.payload.size() > 0xFFFFFF) return Errc::message_too_large;
    PreviousHeader& prev = impl_->find(id);
    const auto length = static_cast<std::uint32_t>(m.payload.size());
    const auto type = static_cast<std::uint8_t>(m.type);

    // FFmpeg's policy (STYLE.md §2 item 10): a delta only on the same message
    // stream with a timestamp that does not go backwards.
    ChunkFormat format = ChunkFormat::full;
    MessageHeaderFields fields{m.timestamp, length, type, m.stream_id};
    if (prev.valid && prev.stream_id == m.stream_id && base::serial_less_equal(prev.timestamp, m.timestamp)) {
        const std::uint32_t delta = m.timestamp - prev.timestamp;
        fields.timestamp_field = delta;
        if (prev.length != length || prev.type != type) {
            format = ChunkFormat::same_stream;
        } else if (prev.delta != delta) {
            format = ChunkFormat::delta_only;
        } else {
            format = ChunkFormat::none;
        }
    }
    const EncodedChunkHeader first = encode_chunk_header(format, id, fields);
    out.append_bytes(first.view());

    prev.valid = true;
    prev.timestamp = m.timestamp;
    prev.delta = fields.timestamp_field;  // after fmt 0: the timestamp itself (§5.3.1.2.4)
    prev.length = length;
    prev.type = type;
    prev.stream_id = m.stream_id;

    const std::size_t chunk = impl_->chunk_size;
    std::size_t offset = std::min<std::size_t>(chunk, length);
    out.append_payload(m.payload, 0, offset);
    if (offset < length) {
        const bool extended = fields.timestamp_field >= extended_timestamp_marker;
        const EncodedChunkHeader cont = encode_continuation_header(id, extended, fields.timestamp_field);
        while (offset < length) {
            const std::size_t n = std::min<std::size_t>(chunk, length - offset);
            out.append_bytes(cont.view());
            out.append_payload(m.payload, offset, n);
            offset += n;
        }
    }
    return {};
}

}  // namespace sluice::rtmp
