#include "demux/mp3_reader.hpp"

#include <algorithm>
#include <string_view>

#include "demux/errors.hpp"

namespace sluice::demux {

namespace {

/// Sequential reads through a 64 KiB window over [0, end).
class Window {
public:
    Window(ByteSource& source, std::uint64_t end) : source_(source), end_(end) {}

    /// Up to `n` (<= window size) bytes at `offset`, fewer near the end.
    base::Result<base::Bytes> at(std::uint64_t offset, std::size_t n) {
        if (offset >= end_) return base::Bytes{};
        n = static_cast<std::size_t>(std::min<std::uint64_t>(n, end_ - offset));
        if (offset < base_ || offset + n > base_ + buffer_.size()) {
            base_ = offset;
            buffer_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(window_size, end_ - offset)));
            if (auto status = read_exact(source_, offset, buffer_)) return status;
        }
        return base::Bytes(buffer_).subspan(static_cast<std::size_t>(offset - base_), n);
    }

    std::uint64_t end() const noexcept { return end_; }
    void set_end(std::uint64_t end) noexcept {
        end_ = end;
        buffer_.clear();
    }

private:
    static constexpr std::size_t window_size = 64u << 10;
    ByteSource& source_;
    std::uint64_t end_;
    std::uint64_t base_ = 0;
    base::ByteVector buffer_;
};

bool starts_with(base::Bytes b, std::string_view s) {
    if (b.size() < s.size()) return false;
    return std::equal(s.begin(), s.end(), b.begin(),
                      [](char c, std::uint8_t x) { return static_cast<std::uint8_t>(c) == x; });
}

/// First byte after the ID3v2 tags at the start.
base::Result<std::uint64_t> skip_id3v2(Window& w, const Mp3Limits& limits) {
    std::uint64_t pos = 0;
    for (std::size_t i = 0; i < limits.max_id3_tags; ++i) {
        auto b = w.at(pos, 10);
        if (!b) return b.error();
        if (b->size() < 10 || !starts_with(*b, "ID3")) break;
        const auto& h = *b;
        if (((h[6] | h[7] | h[8] | h[9]) & 0x80u) != 0) break;  // not a synchsafe size: not a tag
        const std::uint64_t size = std::uint64_t{h[6]} << 21 | std::uint64_t{h[7]} << 14 |
                                   std::uint64_t{h[8]} << 7 | std::uint64_t{h[9]};
        pos += 10 + size + ((h[5] & 0x10u) != 0 ? 10 : 0);
    }
    return pos;
}

/// End of the audio once ID3v1 and APEv2 tags at the end are excluded.
base::Result<std::uint64_t> audio_end(Window& w, std::uint64_t start) {
    std::uint64_t end = w.end();
    if (end >= start + 128) {
        auto b = w.at(end - 128, 3);
        if (!b) return b.error();
        if (starts_with(*b, "TAG")) end -= 128;
    }
    if (end >= start + 32) {
        auto b = w.at(end - 32, 32);
        if (!b) return b.error();
        if (b->size() == 32 && starts_with(*b, "APETAGEX")) {
            base::ByteReader r(b->subspan(12));
            const std::uint64_t size = r.u32le();  // items + footer
            r.skip(4);
            const std::uint32_t flags = r.u32le();
            const std::uint64_t whole = size + ((flags & 0x80000000u) != 0 ? 32 : 0);
            if (size >= 32 && whole <= end - start) end -= whole;
        }
    }
    return end;
}

}  // namespace

base::Result<Mp3Reader> Mp3Reader::open(ByteSource& source, const Mp3Limits& limits) {
    Window w(source, source.size());
    auto start = skip_id3v2(w, limits);
    if (!start) return start.error();
    auto end = audio_end(w, *start);
    if (!end) return end.error();
    w.set_end(*end);

    Mp3Reader reader;
    reader.source_ = &source;
    reader.info_.audio_offset = *start;
    reader.info_.audio_end = *end;
    std::optional<Mp3FrameHeader> lock;

    // A header is believed when the frame after it starts with a header of
    // the same stream, or when it ends the audio.
    const auto confirmed = [&](std::uint64_t p) -> base::Result<std::optional<Mp3FrameHeader>> {
        auto b = w.at(p, 4);
        if (!b) return b.error();
        auto h = parse_mp3_frame_header(*b);
        if (!h || (lock && !same_stream(*lock, *h))) return std::optional<Mp3FrameHeader>();
        const std::uint64_t next = p + h->frame_size;
        if (next > w.end()) return std::optional<Mp3FrameHeader>();
        if (w.end() - next < 4) return h;
        auto nb = w.at(next, 4);
        if (!nb) return nb.error();
        auto h2 = parse_mp3_frame_header(*nb);
        if (!h2 || !same_stream(*h, *h2)) return std::optional<Mp3FrameHeader>();
        return h;
    };
    /// The first confirmed header in [from, from + max_resync_bytes).
    const auto scan = [&](std::uint64_t from) -> base::Result<std::optional<std::uint64_t>> {
        const std::uint64_t stop = std::min(w.end(), from + limits.max_resync_bytes);
        for (std::uint64_t p = from; p < stop; ++p) {
            auto b = w.at(p, 1);
            if (!b) return b.error();
            if (b->empty() || (*b)[0] != 0xFF) continue;
            auto h = confirmed(p);
            if (!h) return h.error();
            if (*h) return std::optional<std::uint64_t>(p);
        }
        return std::optional<std::uint64_t>();
    };

    auto first = scan(*start);
    if (!first) return first.error();
    if (!*first) return Errc::mp3_sync_not_found;
    std::uint64_t p = **first;
    reader.info_.skipped_bytes = p - *start;
    {
        auto b = w.at(p, 4);
        if (!b) return b.error();
        lock = parse_mp3_frame_header(*b);
        auto frame = w.at(p, std::min<std::uint32_t>(lock->frame_size, 64));
        if (!frame) return frame.error();
        if (is_vbr_info_frame(*lock, *frame)) {
            reader.info_.vbr_info_frame = true;
            p += lock->frame_size;
        }
    }
    reader.info_.version = lock->version;
    reader.info_.sample_rate = lock->sample_rate;
    reader.info_.samples_per_frame = lock->samples_per_frame;

    while (w.end() - p >= 4) {
        auto b = w.at(p, 4);
        if (!b) return b.error();
        auto h = parse_mp3_frame_header(*b);
        if (h && same_stream(*lock, *h)) {
            if (h->frame_size > w.end() - p) break;  // the last frame is cut short
            if (reader.frames_.size() >= limits.max_frames) return Errc::too_many_frames;
            if (reader.frames_.empty()) {
                reader.info_.channels = h->channels();
                reader.info_.first_bitrate = h->bitrate;
            }
            reader.frames_.push_back({p, h->frame_size});
            p += h->frame_size;
            continue;
        }
        auto found = scan(p + 1);
        if (!found) return found.error();
        if (!*found) break;
        reader.info_.skipped_bytes += **found - p;
        p = **found;
    }
    if (reader.frames_.empty()) return Errc::mp3_sync_not_found;
    return reader;
}

std::int64_t Mp3Reader::time_of(std::uint64_t frame) const noexcept {
    if (info_.sample_rate == 0) return 0;
    const std::uint64_t samples = frame * info_.samples_per_frame;
    return static_cast<std::int64_t>((samples * 1000 + info_.sample_rate / 2) / info_.sample_rate);
}

std::optional<Sample> Mp3Reader::peek() const noexcept {
    if (cursor_ >= frames_.size()) return std::nullopt;
    Sample s;
    s.kind = TrackKind::audio;
    s.offset = frames_[cursor_].offset;
    s.size = frames_[cursor_].size;
    s.dts_ms = time_of(cursor_);
    s.keyframe = true;
    return s;
}

std::optional<Sample> Mp3Reader::next() noexcept {
    auto s = peek();
    if (s) ++cursor_;
    return s;
}

base::Result<std::int64_t> Mp3Reader::seek(std::int64_t ms) {
    if (ms > duration_ms()) return Errc::seek_beyond_end;
    ms = std::max<std::int64_t>(ms, 0);
    const std::uint64_t frame =
        static_cast<std::uint64_t>(ms) * info_.sample_rate / (std::uint64_t{info_.samples_per_frame} * 1000);
    cursor_ = static_cast<std::size_t>(std::min<std::uint64_t>(frame, frames_.size() - 1));
    return time_of(cursor_);
}

base::Result<base::Payload> Mp3Reader::read_tag_payload(const Sample& sample) {
    if (sample.track != 0 || sample.kind != TrackKind::audio) return Errc::sample_not_from_reader;
    base::ByteVector bytes(std::size_t{sample.size} + 1);
    if (auto status = read_exact(*source_, sample.offset, std::span(bytes).subspan(1))) return status;
    // The header byte follows each frame's own mode (a stream may switch
    // between mono and stereo frames).
    const auto h = parse_mp3_frame_header(std::span(bytes).subspan(1));
    bytes[0] = flv_mp3_header_byte(info_.sample_rate, h ? h->channels() : info_.channels);
    return base::Payload::from(std::move(bytes));
}

}  // namespace sluice::demux
