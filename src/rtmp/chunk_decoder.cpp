#include "rtmp/chunk_decoder.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "rtmp/errors.hpp"

namespace sluice::rtmp {

namespace {

/// What the decoder remembers per chunk stream (§5.3.1.2: later headers
/// inherit these fields).
struct StreamState {
    bool open = false;            // a format-0 header has been seen
    bool in_message = false;      // a message is partly received
    bool extended = false;        // the latest fmt 0/1/2 header used an extended timestamp
    std::uint32_t ext_value = 0;  // value of the extended field of the current message's header
    base::Timestamp timestamp = 0;
    std::uint32_t delta = 0;
    std::uint32_t length = 0;
    std::uint8_t type = 0;
    MessageStreamId stream_id = 0;
    base::ByteVector buffer;
};

// Ids 2..63 (one-byte basic header) are the ones real peers use: a flat
// array makes their lookup an index. Higher ids live in a capped vector.
constexpr std::size_t low_id_count = 64;

// First reservation for a message buffer once its bytes start to arrive:
// small enough that many streams with huge declared lengths hold little,
// large enough that typical audio/command messages need one allocation.
constexpr std::size_t initial_reserve = 4096;

}  // namespace

struct ChunkDecoder::Impl {
    Limits limits;
    Leniency leniency;
    std::uint32_t chunk_size = default_chunk_size;
    State state = State::basic_header;
    std::error_code error;
    std::uint64_t error_offset = 0;
    std::uint64_t total = 0;

    // Header bytes that arrived split across decode() calls.
    std::array<std::uint8_t, max_chunk_header_size> scratch{};
    std::size_t scratch_len = 0;

    // The chunk being parsed.
    ChunkFormat format = ChunkFormat::full;
    ChunkStreamId csid = 0;
    StreamState* cur = nullptr;
    std::uint64_t chunk_start = 0;
    std::uint32_t ts_field = 0;       // 24-bit field of the current header
    std::size_t ext_need = 4;         // extended-timestamp bytes still to read
    bool ext_is_header = false;       // the extended value sets the timestamp/delta
    bool discard_chunk = false;       // an Abort arrived mid-chunk: drop its data
    std::size_t chunk_remaining = 0;  // data bytes of this chunk not read yet

    std::array<StreamState, low_id_count> low{};
    std::vector<std::pair<ChunkStreamId, std::unique_ptr<StreamState>>> high;
    std::size_t open_count = 0;
    std::size_t buffered = 0;

    Impl(Limits l, Leniency n) : limits(l), leniency(n) {}

    StreamState* find(ChunkStreamId id) noexcept {
        if (id < low_id_count) return &low[id];
        for (auto& [key, s] : high) {
            if (key == id) return s.get();
        }
        return nullptr;
    }

    // Returns `size` header bytes once all have arrived, straight from the
    // input when they are contiguous there, else via `scratch`.
    const std::uint8_t* take(base::Bytes in, std::size_t& pos, std::size_t size) noexcept {
        const std::size_t avail = in.size() - pos;
        if (scratch_len == 0 && avail >= size) {
            const std::uint8_t* p = in.data() + pos;
            pos += size;
            return p;
        }
        const std::size_t k = std::min(size - scratch_len, avail);
        if (k != 0) std::memcpy(scratch.data() + scratch_len, in.data() + pos, k);
        scratch_len += k;
        pos += k;
        if (scratch_len < size) return nullptr;
        scratch_len = 0;
        return scratch.data();
    }

    std::error_code fail(Errc e, std::uint64_t offset) noexcept {
        state = State::failed;
        error = make_error_code(e);
        error_offset = offset;
        return error;
    }

    std::error_code on_basic_header(BasicHeader h);
    std::error_code on_message_header(const std::uint8_t* bytes);
    std::error_code begin_message(std::uint32_t value);
    std::error_code begin_chunk();
    std::size_t chunk_data_length() const noexcept;
    void append(const std::uint8_t* p, std::size_t n);
    std::optional<Message> finish_chunk();
};

std::error_code ChunkDecoder::Impl::on_basic_header(BasicHeader h) {
    format = h.format;
    csid = h.chunk_stream;
    discard_chunk = false;
    StreamState* s = find(csid);
    const bool may_open = format == ChunkFormat::full ||
                          (format == ChunkFormat::same_stream && leniency.type1_opens_chunk_stream);
    if (may_open) {
        if (s == nullptr || !s->open) {
            if (open_count >= limits.max_chunk_streams)
                return fail(Errc::too_many_chunk_streams, chunk_start);
            if (s == nullptr) {
                high.emplace_back(csid, std::make_unique<StreamState>());
                s = high.back().second.get();
            }
            s->open = true;
            ++open_count;
        }
    } else if (s == nullptr || !s->open) {
        return fail(Errc::chunk_stream_not_started, chunk_start);
    }
    if (format != ChunkFormat::none && s->in_message) return fail(Errc::message_length_changed, chunk_start);
    cur = s;
    if (format != ChunkFormat::none) {
        state = State::message_header;
        return {};
    }
    if (s->in_message) {
        // Continuation chunk of the current message.
        if (!s->extended) return begin_chunk();
        ext_need = 4;
        ext_is_header = false;
        state = leniency.type3_extended_timestamp ? State::extended_probe : State::extended_timestamp;
        return {};
    }
    // Format 3 starting a new message: everything repeats, delta included.
    if (s->extended) {
        ext_need = 4;
        ext_is_header = true;
        state = State::extended_timestamp;
        return {};
    }
    return begin_message(s->delta);
}

std::error_code ChunkDecoder::Impl::on_message_header(const std::uint8_t* bytes) {
    const MessageHeaderFields f = decode_message_header(format, {bytes, message_header_size(format)});
    StreamState& s = *cur;
    if (format != ChunkFormat::delta_only) {
        if (f.length > limits.max_message_bytes) return fail(Errc::message_too_large, chunk_start);
        s.length = f.length;
        s.type = f.type;
        if (format == ChunkFormat::full) s.stream_id = f.stream_id;
    }
    ts_field = f.timestamp_field;
    s.extended = ts_field == extended_timestamp_marker;
    if (s.extended) {
        ext_need = 4;
        ext_is_header = true;
        state = State::extended_timestamp;
        return {};
    }
    return begin_message(ts_field);
}

// `value` is the timestamp (fmt 0) or delta (fmt 1/2/3) the header carried.
std::error_code ChunkDecoder::Impl::begin_message(std::uint32_t value) {
    StreamState& s = *cur;
    if (format == ChunkFormat::full) {
        s.timestamp = value;
    } else {
        s.timestamp = base::serial_add(s.timestamp, value);
    }
    // §5.3.1.2.4: a format-3 message after format 0 uses the fmt-0 timestamp as delta.
    s.delta = value;
    s.ext_value = value;
    s.in_message = true;
    return begin_chunk();
}

std::size_t ChunkDecoder::Impl::chunk_data_length() const noexcept {
    // After an Abort mid-chunk the message is gone; the chunk length was saved.
    if (discard_chunk) return chunk_remaining;
    return std::min<std::size_t>(chunk_size, cur->length - cur->buffer.size());
}

std::error_code ChunkDecoder::Impl::begin_chunk() {
    if (discard_chunk) {
        state = State::skip_payload;
        return {};
    }
    chunk_remaining = chunk_data_length();
    if (buffered + chunk_remaining > limits.max_partial_bytes_total) {
        return fail(Errc::partial_bytes_exceeded, chunk_start);
    }
    state = State::payload;
    return {};
}

void ChunkDecoder::Impl::append(const std::uint8_t* p, std::size_t n) {
    chunk_remaining -= n;
    if (discard_chunk) return;
    base::ByteVector& b = cur->buffer;
    const std::size_t need = b.size() + n;
    if (b.capacity() < need) {
        // Grow with what arrived (at most doubling), never past the declared length.
        const std::size_t want = std::max({need, 2 * b.capacity(), initial_reserve});
        b.reserve(std::min<std::size_t>(want, cur->length));
    }
    b.insert(b.end(), p, p + n);
    buffered += n;
}

std::optional<Message> ChunkDecoder::Impl::finish_chunk() {
    state = State::basic_header;
    StreamState& s = *cur;
    if (discard_chunk || s.buffer.size() < s.length) return std::nullopt;
    buffered -= s.buffer.size();
    s.in_message = false;
    Message m{static_cast<MessageType>(s.type), s.timestamp, s.stream_id,
              base::Payload::from(std::move(s.buffer))};
    s.buffer = base::ByteVector{};
    return m;
}

ChunkDecoder::ChunkDecoder(Limits limits, Leniency leniency)
    : impl_(std::make_unique<Impl>(limits, leniency)) {}
ChunkDecoder::~ChunkDecoder() = default;
ChunkDecoder::ChunkDecoder(ChunkDecoder&&) noexcept = default;
ChunkDecoder& ChunkDecoder::operator=(ChunkDecoder&&) noexcept = default;

DecodeResult ChunkDecoder::decode(base::Bytes in) noexcept {
    Impl& d = *impl_;
    DecodeResult r;
    std::size_t pos = 0;
    // Every path out of the loop records what was consumed.
    auto done = [&] {
        r.consumed = pos;
        r.chunk_stream = d.csid;
        d.total += pos;
        if (d.state == State::failed) r.error = d.error;
    };
    while (true) {
        switch (d.state) {
            case State::failed: {
                done();
                return r;
            }
            case State::basic_header: {
                if (pos == in.size()) {
                    done();
                    return r;
                }
                const std::uint8_t first = d.scratch_len == 0 ? in[pos] : d.scratch[0];
                if (d.scratch_len == 0) d.chunk_start = d.total + pos;
                const std::size_t size = basic_header_size_from_first_byte(first);
                const std::uint8_t* p = d.take(in, pos, size);
                if (p == nullptr) {
                    done();
                    return r;
                }
                if (d.on_basic_header(decode_basic_header({p, size}))) {
                    done();
                    return r;
                }
                break;
            }
            case State::message_header: {
                const std::uint8_t* p = d.take(in, pos, message_header_size(d.format));
                if (p == nullptr) {
                    done();
                    return r;
                }
                if (d.on_message_header(p)) {
                    done();
                    return r;
                }
                break;
            }
            case State::extended_timestamp: {
                const std::uint8_t* p = d.take(in, pos, d.ext_need);
                if (p == nullptr) {
                    done();
                    return r;
                }
                if (!d.ext_is_header) {
                    // A repeated field on a continuation chunk: its value adds nothing.
                    if (d.begin_chunk()) {
                        done();
                        return r;
                    }
                    break;
                }
                base::ByteReader reader({p, 4});
                if (d.begin_message(reader.u32be())) {
                    done();
                    return r;
                }
                break;
            }
            case State::extended_probe: {
                // Leniency::type3_extended_timestamp: repeated field or payload?
                const StreamState& s = *d.cur;
                const std::size_t probe = std::min<std::size_t>(4, d.chunk_data_length());
                const std::uint8_t* p = d.take(in, pos, probe);
                if (p == nullptr) {
                    done();
                    return r;
                }
                const std::uint8_t expected[4] = {static_cast<std::uint8_t>(s.ext_value >> 24),
                                                  static_cast<std::uint8_t>(s.ext_value >> 16),
                                                  static_cast<std::uint8_t>(s.ext_value >> 8),
                                                  static_cast<std::uint8_t>(s.ext_value)};
                if (std::memcmp(p, expected, probe) == 0) {
                    if (probe == 4) {
                        if (d.begin_chunk()) {
                            done();
                            return r;
                        }
                    } else {
                        d.ext_need = 4 - probe;
                        d.ext_is_header = false;
                        d.state = State::extended_timestamp;
                    }
                    break;
                }
                // The peer omitted the field: the probed bytes are this chunk's data.
                std::uint8_t copy[4];
                std::memcpy(copy, p, probe);
                if (d.begin_chunk()) {
                    done();
                    return r;
                }
                d.append(copy, probe);
                if (d.chunk_remaining == 0) {
                    r.message = d.finish_chunk();
                    if (r.message) {
                        done();
                        return r;
                    }
                }
                break;
            }
            case State::payload:
            case State::skip_payload: {
                const std::size_t k = std::min(d.chunk_remaining, in.size() - pos);
                if (k != 0) d.append(in.data() + pos, k);
                pos += k;
                if (d.chunk_remaining != 0) {
                    done();
                    return r;
                }
                r.message = d.finish_chunk();
                if (r.message) {
                    done();
                    return r;
                }
                break;
            }
        }
    }
}

std::error_code ChunkDecoder::set_chunk_size(std::uint32_t size) noexcept {
    Impl& d = *impl_;
    if (d.state == State::failed) return d.error;
    if (size == 0 || (size & 0x8000'0000u) != 0) return d.fail(Errc::chunk_size_invalid, d.total);
    const std::uint32_t effective = std::min<std::uint32_t>(size, 0xFFFFFF);
    if (effective < d.limits.min_chunk_size || effective > d.limits.max_chunk_size) {
        return d.fail(Errc::chunk_size_out_of_range, d.total);
    }
    d.chunk_size = effective;
    return {};
}

std::uint32_t ChunkDecoder::chunk_size() const noexcept {
    return impl_->chunk_size;
}

void ChunkDecoder::abort(ChunkStreamId id) noexcept {
    Impl& d = *impl_;
    StreamState* s = d.find(id);
    if (s == nullptr || !s->in_message) return;
    // Aborted in the middle of one of its chunks: the rest of that chunk is dropped.
    if (s == d.cur && (d.state == State::extended_timestamp || d.state == State::extended_probe ||
                       d.state == State::payload)) {
        if (d.state != State::payload) d.chunk_remaining = d.chunk_data_length();
        d.discard_chunk = true;
        if (d.state == State::payload) d.state = State::skip_payload;
    }
    d.buffered -= s->buffer.size();
    s->buffer = base::ByteVector{};
    s->in_message = false;
}

ChunkDecoder::State ChunkDecoder::state() const noexcept {
    return impl_->state;
}
std::error_code ChunkDecoder::error() const noexcept {
    return impl_->error;
}
std::uint64_t ChunkDecoder::error_offset() const noexcept {
    return impl_->error_offset;
}
std::uint64_t ChunkDecoder::bytes_consumed() const noexcept {
    return impl_->total;
}
std::size_t ChunkDecoder::buffered_bytes() const noexcept {
    return impl_->buffered;
}
std::size_t ChunkDecoder::chunk_stream_count() const noexcept {
    return impl_->open_count;
}
const Limits& ChunkDecoder::limits() const noexcept {
    return impl_->limits;
}
const Leniency& ChunkDecoder::leniency() const noexcept {
    return impl_->leniency;
}

std::size_t ChunkDecoder::reserved_bytes() const noexcept {
    std::size_t n = 0;
    for (const auto& s : impl_->low) n += s.buffer.capacity();
    for (const auto& [id, s] : impl_->high) n += s->buffer.capacity();
    return n;
}

}  // namespace sluice::rtmp
