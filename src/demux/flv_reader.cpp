#include "demux/flv_reader.hpp"

#include <algorithm>
#include <limits>
#include <span>
#include <string_view>

#include "base/byte_reader.hpp"
#include "demux/errors.hpp"
#include "flv/audio_header.hpp"
#include "flv/file_header.hpp"
#include "flv/tag_header.hpp"
#include "flv/video_header.hpp"

namespace sluice::demux {

namespace {

constexpr std::size_t trailer_size = 4;
// Every single-track header fits in 32 bytes (legacy AVC 5, Enhanced
// FourCC + CTS 8, with a nano-offset ModEx 13); longer ones are re-read whole.
constexpr std::size_t prefix_size = 32;
constexpr std::size_t span_size = trailer_size + flv::TagHeader::size + prefix_size;
// Bookkeeping charged per kept sequence header on top of its body.
constexpr std::size_t config_overhead = 32;

enum class Outcome : std::uint8_t { media, ignored, need_whole };

struct Verdict {
    Outcome outcome = Outcome::ignored;
    bool keyframe = false;
    bool sequence_header = false;
    std::int32_t cts = 0;
};

Verdict classify_video(base::Bytes data, bool whole) {
    auto h = flv::parse_video(data);
    if (!h) return {whole ? Outcome::ignored : Outcome::need_whole};
    // Sized multitrack tracks are only checked up to the prefix's end: judge
    // the whole tag, as a player would.
    if (!whole && h->multitrack && h->multitrack_type != flv::MultitrackType::one_track) {
        return {Outcome::need_whole};
    }
    if (h->command) return {Outcome::ignored};
    Verdict v{Outcome::media};
    v.sequence_header = flv::is_video_sequence_header(*h);
    // FFmpeg ends AVC files with a key-flagged end of sequence (17 02): not a
    // place to start playing from.
    v.keyframe = flv::is_video_keyframe(*h) && (h->packet_type == flv::VideoPacketType::coded_frames ||
                                                h->packet_type == flv::VideoPacketType::coded_frames_x);
    if (!h->tracks.empty()) v.cts = h->tracks.front().composition_time;
    return v;
}

Verdict classify_audio(base::Bytes data, bool whole) {
    auto h = flv::parse_audio(data);
    if (!h) return {whole ? Outcome::ignored : Outcome::need_whole};
    if (!whole && h->multitrack && h->multitrack_type != flv::MultitrackType::one_track) {
        return {Outcome::need_whole};
    }
    Verdict v{Outcome::media};
    v.keyframe = true;
    v.sequence_header = flv::is_audio_sequence_header(*h);
    return v;
}

// The AMF0 String "onMetaData" (02, U16 length 10, name) opens the body.
bool starts_with_on_meta_data(base::Bytes b) noexcept {
    constexpr std::string_view name = "onMetaData";
    if (b.size() < 3 + name.size() || b[0] != 0x02 || b[1] != 0 || b[2] != name.size()) return false;
    return std::equal(name.begin(), name.end(), b.begin() + 3,
                      [](char c, std::uint8_t x) { return static_cast<std::uint8_t>(c) == x; });
}

}  // namespace

/// Builds a reader's index in one pass over the tag headers.
class FlvReader::Indexer {
    static_assert(sizeof(Entry) == 24, "flv_reader.hpp promises 24 bytes per media tag");

public:
    Indexer(FlvReader& reader, ByteSource& source, const FlvLimits& limits)
        : reader_(reader), source_(source), limits_(limits) {}

    base::Status run() {
        const std::uint64_t size = source_.size();
        std::array<std::uint8_t, flv::FileHeader::size> head{};
        if (size < head.size()) return Errc::flv_header_invalid;
        if (auto status = read_exact(source_, 0, head)) return status;
        auto header = flv::FileHeader::decode(head);
        if (!header) return Errc::flv_header_invalid;

        // Seek points and config changes store entry indexes as U32.
        const std::uint64_t max_tags =
            std::min<std::uint64_t>(limits_.max_tags, std::numeric_limits<std::uint32_t>::max());
        std::uint64_t walked = 0;
        std::uint64_t pos = header->data_offset;  // at PreviousTagSize0
        std::uint32_t expected_trailer = 0;
        std::array<std::uint8_t, span_size> span{};
        // Each round reads the trailer of the tag before, the next tag's
        // header and the start of its data in one read.
        for (;;) {
            if (pos >= size) {  // no trailer after the last tag (or the header)
                reader_.truncated_ = true;
                break;
            }
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(span.size(), size - pos));
            const auto bytes = std::span(span).first(n);
            if (auto status = read_exact(source_, pos, bytes)) return status;
            if (n < trailer_size) {
                reader_.truncated_ = true;
                break;
            }
            base::ByteReader in(bytes);
            if (in.u32be() != expected_trailer) return Errc::flv_previous_tag_size_mismatch;
            if (in.empty()) break;  // the file ends after a complete trailer
            auto tag = flv::TagHeader::decode(in);
            if (!tag) {
                reader_.truncated_ = true;
                break;
            }
            const std::uint64_t data_offset = pos + trailer_size + flv::TagHeader::size;
            if (tag->data_size > size - data_offset) {
                reader_.truncated_ = true;
                break;
            }
            if (++walked > max_tags) return Errc::too_many_tags;
            if (tag->data_size > limits_.max_tag_data_bytes) return Errc::flv_tag_too_large;
            const auto prefix = in.rest().first(std::min<std::size_t>(in.remaining(), tag->data_size));
            if (auto status = add_tag(*tag, data_offset, prefix)) return status;
            expected_trailer = static_cast<std::uint32_t>(flv::TagHeader::size) + tag->data_size;
            pos = data_offset + tag->data_size;
        }
        if (!reader_.has_video_ && !reader_.has_audio_) return Errc::no_supported_track;
        if (!reader_.has_video_) {
            // Audio only: every audio tag is a seek point.
            std::uint32_t time = 0;
            reader_.seek_points_.reserve(reader_.entries_.size());
            for (std::size_t i = 0; i < reader_.entries_.size(); ++i) {
                if ((reader_.entries_[i].flags & flag_data) != 0) continue;
                time = std::max(time, reader_.entries_[i].timestamp);
                reader_.seek_points_.push_back({static_cast<std::uint32_t>(i), time});
            }
        }
        return {};
    }

private:
    base::Status add_tag(const flv::TagHeader& tag, std::uint64_t data_offset, base::Bytes prefix) {
        if (tag.filter) return Errc::flv_tag_type_unsupported;
        const bool whole = prefix.size() == tag.data_size;
        const bool amf3_script = tag.type == static_cast<std::uint8_t>(flv::TagType::script_amf3);
        if (tag.type == static_cast<std::uint8_t>(flv::TagType::script) || amf3_script) {
            if (!amf3_script && starts_with_on_meta_data(prefix)) {
                // The first is metadata(); later ones (an appended
                // recording's) would only repeat it mid-play.
                ++reader_.ignored_tag_count_;
                if (metadata_seen_) return {};
                metadata_seen_ = true;
                if (tag.data_size <= limits_.max_metadata_bytes) {
                    base::ByteVector body(tag.data_size);
                    if (auto status = read_exact(source_, data_offset, body)) return status;
                    reader_.metadata_ = base::Payload::from(std::move(body));
                }
                return {};
            }
            // Cue points, onTextData and other handlers: replayed in line.
            if (tag.timestamp > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max())) {
                ++reader_.ignored_tag_count_;
                return {};
            }
            Entry e{data_offset, tag.data_size, tag.timestamp, 0, flag_data};
            if (amf3_script) e.flags |= flag_amf3;
            reader_.entries_.push_back(e);
            return {};
        }
        const bool audio = tag.type == static_cast<std::uint8_t>(flv::TagType::audio);
        if (!audio && tag.type != static_cast<std::uint8_t>(flv::TagType::video)) {
            return Errc::flv_tag_type_unsupported;
        }

        base::Bytes data = prefix;
        const auto classify = [&](bool is_whole) {
            return audio ? classify_audio(data, is_whole) : classify_video(data, is_whole);
        };
        Verdict v = classify(whole);
        if (v.outcome == Outcome::need_whole ||
            (v.outcome == Outcome::media && v.sequence_header && !whole)) {
            auto read = read_whole(data_offset, tag.data_size);
            if (!read) return read.error();
            data = *read;
            v = classify(true);
        }
        if (v.outcome != Outcome::media) {
            ++reader_.ignored_tag_count_;
            return {};
        }
        if (tag.timestamp > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max())) {
            return Errc::timestamp_out_of_range;
        }

        const auto index = static_cast<std::uint32_t>(reader_.entries_.size());
        if (v.sequence_header) {
            if (auto status = keep_config(audio ? TrackKind::audio : TrackKind::video, index, data)) {
                return status;
            }
        }
        Entry e{data_offset, tag.data_size, tag.timestamp, v.cts, 0};
        if (audio) e.flags |= flag_audio;
        if (v.keyframe) e.flags |= flag_keyframe;
        if (v.sequence_header) e.flags |= flag_sequence_header;
        reader_.entries_.push_back(e);
        (audio ? reader_.has_audio_ : reader_.has_video_) = true;
        reader_.duration_ms_ = std::max<std::int64_t>(reader_.duration_ms_, tag.timestamp);
        if (!audio && v.keyframe) {
            max_key_time_ = std::max(max_key_time_, tag.timestamp);
            reader_.seek_points_.push_back({index, max_key_time_});
        }
        return {};
    }

    /// The tag's whole data, in a buffer reused from tag to tag.
    base::Result<base::Bytes> read_whole(std::uint64_t offset, std::uint32_t size) {
        scratch_.resize(size);
        if (auto status = read_exact(source_, offset, scratch_)) return status;
        return base::Bytes(scratch_);
    }

    base::Status keep_config(TrackKind kind, std::uint32_t index, base::Bytes body) {
        auto& changes = reader_.configs_[static_cast<std::size_t>(kind)];
        // Appended recordings repeat the same header at every join.
        if (!changes.empty() && std::ranges::equal(changes.back().body.bytes(), body)) return {};
        config_bytes_ += body.size() + config_overhead;
        if (config_bytes_ > limits_.max_sequence_header_bytes) return Errc::flv_sequence_headers_too_large;
        changes.push_back({index, base::Payload::copy_of(body)});
        return {};
    }

    FlvReader& reader_;
    ByteSource& source_;
    const FlvLimits& limits_;
    base::ByteVector scratch_;
    bool metadata_seen_ = false;
    std::uint32_t max_key_time_ = 0;
    std::size_t config_bytes_ = 0;
};

base::Result<FlvReader> FlvReader::open(ByteSource& source, const FlvLimits& limits) {
    FlvReader reader;
    reader.source_ = &source;
    if (auto status = Indexer(reader, source, limits).run()) return status;
    return reader;
}

base::Payload FlvReader::sequence_header(TrackKind kind) const {
    const auto& changes = configs_[static_cast<std::size_t>(kind)];
    if (changes.empty()) return {};
    auto it = std::upper_bound(changes.begin(), changes.end(), cursor_,
                               [](std::size_t c, const ConfigChange& x) { return c < x.index; });
    return it == changes.begin() ? changes.front().body : (it - 1)->body;
}

bool FlvReader::is_sequence_header(const Sample& sample) const noexcept {
    const Entry* e = find(sample);
    return e != nullptr && (e->flags & flag_sequence_header) != 0;
}

Sample FlvReader::sample_at(std::size_t index) const noexcept {
    const Entry& e = entries_[index];
    Sample s;
    const bool audio = (e.flags & flag_audio) != 0;
    const bool data = (e.flags & flag_data) != 0;
    s.kind = data ? TrackKind::data : audio ? TrackKind::audio : TrackKind::video;
    s.track = audio && has_video_ ? 1 : 0;
    s.amf3 = (e.flags & flag_amf3) != 0;
    s.offset = e.offset;
    s.size = e.size;
    s.dts_ms = e.timestamp;
    s.cts_ms = e.cts;
    s.keyframe = (e.flags & flag_keyframe) != 0;
    return s;
}

const FlvReader::Entry* FlvReader::find(const Sample& sample) const noexcept {
    // Entries are in file order: offsets strictly increase.
    auto it = std::lower_bound(entries_.begin(), entries_.end(), sample.offset,
                               [](const Entry& e, std::uint64_t offset) { return e.offset < offset; });
    if (it == entries_.end() || it->offset != sample.offset || it->size != sample.size) return nullptr;
    const Sample mine = sample_at(static_cast<std::size_t>(it - entries_.begin()));
    if (mine.kind != sample.kind || mine.track != sample.track) return nullptr;
    return &*it;
}

std::optional<Sample> FlvReader::peek() const noexcept {
    if (cursor_ >= entries_.size()) return std::nullopt;
    return sample_at(cursor_);
}

std::optional<Sample> FlvReader::next() noexcept {
    auto s = peek();
    if (s) ++cursor_;
    return s;
}

base::Result<std::int64_t> FlvReader::seek(std::int64_t ms) {
    if (ms > duration_ms_) return Errc::seek_beyond_end;
    ms = std::max<std::int64_t>(ms, 0);
    if (seek_points_.empty()) {  // video without a single keyframe
        cursor_ = 0;
        return std::int64_t{entries_.front().timestamp};
    }
    auto it = std::upper_bound(seek_points_.begin(), seek_points_.end(), ms,
                               [](std::int64_t t, const SeekPoint& p) { return t < p.time; });
    const SeekPoint& point = it == seek_points_.begin() ? seek_points_.front() : *(it - 1);
    cursor_ = point.index;
    return std::int64_t{entries_[cursor_].timestamp};
}

base::Result<base::Payload> FlvReader::read_tag_payload(const Sample& sample) {
    if (find(sample) == nullptr) return Errc::sample_not_from_reader;
    base::ByteVector bytes(sample.size);
    if (auto status = read_exact(*source_, sample.offset, bytes)) return status;
    return base::Payload::from(std::move(bytes));
}

}  // namespace sluice::demux
