#include "demux/mp4_reader.hpp"

#include <algorithm>
#include <array>

#include "demux/errors.hpp"
#include "demux/mp3_frame.hpp"
#include "demux/mp4_box.hpp"
#include "demux/mp4_movie.hpp"
#include "flv/audio_header.hpp"
#include "flv/fourcc.hpp"
#include "flv/video_header.hpp"

namespace sluice::demux {

namespace {

struct TopLevel {
    base::ByteVector moov;
    bool found = false;
};

/// Scans the top-level boxes for the first `moov` and reads it whole.
base::Result<TopLevel> find_moov(ByteSource& source, const Mp4Limits& limits, std::size_t& box_count) {
    TopLevel top;
    const std::uint64_t size = source.size();
    std::uint64_t offset = 0;
    while (size - offset >= 8) {
        std::array<std::uint8_t, max_box_header_size> head{};
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(head.size(), size - offset));
        if (auto status = read_exact(source, offset, std::span(head).first(want))) return status;
        auto h = parse_box_header(std::span(head).first(want), size - offset, true);
        if (!h) {
            // Garbage after the movie (a cut download, padding) does not
            // matter: the samples are checked against the file size anyway.
            if (top.found) break;
            return h.error();
        }
        if (++box_count > limits.max_boxes) return Errc::too_many_boxes;
        if (h->type == box_type("moov") && !top.found) {
            if (h->body_size() > limits.max_moov_bytes) return Errc::moov_too_large;
            top.moov.resize(static_cast<std::size_t>(h->body_size()));
            if (auto status = read_exact(source, offset + h->header_size, top.moov)) return status;
            top.found = true;
        }
        if (h->to_end) break;
        offset += h->size;
    }
    if (!top.found) return Errc::moov_missing;
    return top;
}

std::uint32_t track_id(const Mp4TrackBoxes& b) {
    if (!b.tkhd) return 0;
    base::ByteReader r(*b.tkhd);
    const std::uint8_t version = r.u8();
    r.skip(version == 1 ? 3 + 16 : 3 + 8);
    const std::uint32_t id = r.u32be();
    return r.failed() ? 0 : id;
}

base::Payload make_sequence_header(const Mp4Track& t) {
    base::ByteWriter w(t.config.size() + 5);
    switch (t.codec) {
        case Mp4Codec::h264:
            flv::write_legacy_avc_header(w, flv::VideoFrameType::key, flv::VideoCodecId::avc, 0, 0);
            break;
        case Mp4Codec::hevc:
            flv::write_enhanced_video_header(w, flv::VideoFrameType::key,
                                             flv::VideoPacketType::sequence_start, flv::fourcc::hvc1);
            break;
        case Mp4Codec::aac:
            flv::write_legacy_aac_header(w, 0);
            break;
        case Mp4Codec::mp3:
            return {};
    }
    w.bytes(t.config);
    return base::Payload::from(w.take());
}

}  // namespace

base::Result<Mp4Reader> Mp4Reader::open(ByteSource& source, const Mp4Limits& limits) {
    std::size_t box_count = 0;
    auto top = find_moov(source, limits, box_count);
    if (!top) return top.error();
    auto movie = parse_movie(top->moov, limits, box_count);
    if (!movie) return movie.error();

    Mp4Reader reader;
    reader.source_ = &source;
    std::error_code first_error;
    bool have[2] = {false, false};
    for (const Mp4TrackBoxes& boxes : movie->tracks) {
        const std::uint32_t handler = handler_type(boxes);
        if ((handler != box_type("vide") && handler != box_type("soun")) || !boxes.stsd) continue;
        auto entry = parse_sample_entry(*boxes.stsd);
        if (!entry) {
            // A broken track of a playable codec explains why nothing plays
            // better than "no supported track" does.
            if (entry.error() != Errc::no_supported_track && !first_error) first_error = entry.error();
            continue;
        }
        const auto slot = static_cast<std::size_t>(entry->kind);
        if (have[slot]) continue;
        const bool audio = entry->kind == TrackKind::audio;
        auto table = build_sample_table(boxes, movie->timescale, source.size(), audio, limits);
        if (!table) return table.error();
        if (table->samples.empty()) continue;
        have[slot] = true;

        Mp4Track t;
        t.kind = entry->kind;
        t.codec = entry->codec;
        t.track_id = track_id(boxes);
        t.timescale = table->timescale;
        t.width = entry->width;
        t.height = entry->height;
        t.sample_rate = entry->sample_rate;
        t.channels = entry->channels;
        t.config = std::move(entry->config);
        if (t.codec == Mp4Codec::mp3) {
            // QuickTime-style entries often say 2 channels whatever the
            // stream holds; the first frame header knows better.
            std::array<std::uint8_t, 4> head{};
            const auto& first = table->samples.front();
            if (first.size >= head.size()) {
                if (auto status = read_exact(source, first.offset, head)) return status;
                if (auto h = parse_mp3_frame_header(head)) {
                    t.sample_rate = h->sample_rate;
                    t.channels = h->channels();
                }
            }
        }
        t.sample_count = table->samples.size();
        t.duration_ms = table->end_ms;
        const auto at = audio ? reader.tracks_.end() : reader.tracks_.begin();
        const auto index = static_cast<std::size_t>(at - reader.tracks_.begin());
        reader.tracks_.insert(at, std::move(t));
        reader.tables_.insert(reader.tables_.begin() + static_cast<std::ptrdiff_t>(index), std::move(*table));
    }
    if (reader.tracks_.empty()) return first_error ? first_error : make_error_code(Errc::no_supported_track);

    std::int64_t min_dts = 0;
    for (std::size_t i = 0; i < reader.tracks_.size(); ++i) {
        reader.sequence_headers_.push_back(make_sequence_header(reader.tracks_[i]));
        reader.duration_ms_ = std::max(reader.duration_ms_, reader.tracks_[i].duration_ms);
        min_dts = std::min<std::int64_t>(min_dts, reader.tables_[i].samples.front().dts_ms);
    }
    reader.timestamp_shift_ms_ = -min_dts;
    std::int64_t movie_ms = 0;
    if (movie->duration != 0 && movie->duration / movie->timescale < (std::uint64_t{1} << 31) / 1000) {
        movie_ms =
            static_cast<std::int64_t>((movie->duration * 1000 + movie->timescale / 2) / movie->timescale);
    }
    if (movie_ms > 0) reader.duration_ms_ = movie_ms;
    reader.cursors_.assign(reader.tracks_.size(), 0);
    if (auto v = reader.video_track()) {
        const auto& samples = reader.tables_[*v].samples;
        for (std::size_t i = 0; i < samples.size(); ++i) {
            if (samples[i].keyframe) reader.keyframes_.push_back(static_cast<std::uint32_t>(i));
        }
        // A track whose stss lists no sample in range still needs a place to
        // start from: its first sample.
        if (reader.keyframes_.empty()) reader.keyframes_.push_back(0);
    }
    return reader;
}

std::optional<std::size_t> Mp4Reader::video_track() const noexcept {
    if (!tracks_.empty() && tracks_.front().kind == TrackKind::video) return 0;
    return std::nullopt;
}

std::optional<std::size_t> Mp4Reader::audio_track() const noexcept {
    if (!tracks_.empty() && tracks_.back().kind == TrackKind::audio) return tracks_.size() - 1;
    return std::nullopt;
}

base::Payload Mp4Reader::sequence_header(std::size_t track) const {
    return track < sequence_headers_.size() ? sequence_headers_[track] : base::Payload();
}

Sample Mp4Reader::sample_at(std::size_t track, std::size_t index) const noexcept {
    const auto& e = tables_[track].samples[index];
    Sample s;
    s.track = track;
    s.kind = tracks_[track].kind;
    s.offset = e.offset;
    s.size = e.size;
    s.dts_ms = e.dts_ms;
    s.cts_ms = e.cts_ms;
    s.keyframe = e.keyframe;
    return s;
}

std::optional<Sample> Mp4Reader::peek() const noexcept {
    std::optional<Sample> best;
    for (std::size_t t = 0; t < tracks_.size(); ++t) {
        if (cursors_[t] >= tables_[t].samples.size()) continue;
        Sample s = sample_at(t, cursors_[t]);
        if (!best || s.dts_ms < best->dts_ms || (s.dts_ms == best->dts_ms && s.offset < best->offset))
            best = s;
    }
    return best;
}

std::optional<Sample> Mp4Reader::next() noexcept {
    auto s = peek();
    if (s) ++cursors_[s->track];
    return s;
}

base::Result<std::int64_t> Mp4Reader::seek(std::int64_t ms) {
    if (ms > duration_ms_) return Errc::seek_beyond_end;
    ms = std::max<std::int64_t>(ms, 0);
    std::int64_t position = ms;
    if (auto v = video_track()) {
        const auto& samples = tables_[*v].samples;
        const auto pts = [&](std::uint32_t i) { return std::int64_t{samples[i].dts_ms} + samples[i].cts_ms; };
        // Keyframes present in decode order have growing presentation times.
        auto it = std::upper_bound(keyframes_.begin(), keyframes_.end(), ms,
                                   [&](std::int64_t t, std::uint32_t i) { return t < pts(i); });
        const std::uint32_t key = it == keyframes_.begin() ? keyframes_.front() : *(it - 1);
        cursors_[*v] = key;
        position = pts(key);
    }
    if (auto a = audio_track()) {
        const auto& samples = tables_[*a].samples;
        auto it =
            std::upper_bound(samples.begin(), samples.end(), position,
                             [](std::int64_t t, const Mp4SampleTable::Entry& e) { return t < e.dts_ms; });
        cursors_[*a] = it == samples.begin() ? 0 : static_cast<std::size_t>(it - samples.begin()) - 1;
        if (!video_track()) position = samples[cursors_[*a]].dts_ms;
    }
    return position;
}

std::size_t Mp4Reader::tag_header_size(const Sample& sample) const noexcept {
    if (sample.track >= tracks_.size()) return 0;
    switch (tracks_[sample.track].codec) {
        case Mp4Codec::h264:
            return 5;
        case Mp4Codec::hevc:
            return 8;
        case Mp4Codec::aac:
            return 2;
        case Mp4Codec::mp3:
            return 1;
    }
    return 0;
}

void Mp4Reader::write_tag_header(const Sample& sample, base::ByteWriter& out) const {
    if (sample.track >= tracks_.size()) return;
    const Mp4Track& t = tracks_[sample.track];
    const auto frame = sample.keyframe ? flv::VideoFrameType::key : flv::VideoFrameType::inter;
    switch (t.codec) {
        case Mp4Codec::h264:
            flv::write_legacy_avc_header(out, frame, flv::VideoCodecId::avc, 1, sample.cts_ms);
            break;
        case Mp4Codec::hevc:
            flv::write_enhanced_video_header(out, frame, flv::VideoPacketType::coded_frames,
                                             flv::fourcc::hvc1, sample.cts_ms);
            break;
        case Mp4Codec::aac:
            flv::write_legacy_aac_header(out, 1);
            break;
        case Mp4Codec::mp3:
            out.u8(flv_mp3_header_byte(t.sample_rate, t.channels));
            break;
    }
}

base::Result<base::Payload> Mp4Reader::read_tag_payload(const Sample& sample) {
    if (sample.track >= tracks_.size() || tracks_[sample.track].kind != sample.kind) {
        return Errc::sample_not_from_reader;
    }
    const std::size_t header = tag_header_size(sample);
    base::ByteWriter w(header + sample.size);
    write_tag_header(sample, w);
    base::ByteVector bytes = w.take();
    bytes.resize(header + sample.size);
    if (auto status = read_exact(*source_, sample.offset, std::span(bytes).subspan(header))) return status;
    if (tracks_[sample.track].codec == Mp4Codec::mp3) {
        // Like Mp3Reader: each frame's own mode decides mono or stereo.
        if (auto h = parse_mp3_frame_header(std::span(bytes).subspan(header))) {
            bytes[0] = flv_mp3_header_byte(h->sample_rate, h->channels());
        }
    }
    return base::Payload::from(std::move(bytes));
}

}  // namespace sluice::demux
