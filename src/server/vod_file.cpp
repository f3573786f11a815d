#include "server/vod_file.hpp"

#include <algorithm>
#include <array>

#include "demux/errors.hpp"
#include "flv/fourcc.hpp"
#include "flv/metadata.hpp"

namespace sluice::server {

namespace {

constexpr std::array<std::string_view, 7> mp4_extensions{".mp4", ".f4v", ".m4v", ".m4a",
                                                         ".mov", ".3gp", ".3g2"};

bool ends_with_any(std::string_view name, const auto& extensions) {
    return std::any_of(extensions.begin(), extensions.end(),
                       [name](std::string_view e) { return name.ends_with(e); });
}

std::size_t kind_index(demux::TrackKind kind) noexcept {
    return kind == demux::TrackKind::video ? 0 : 1;
}

bool same_bytes(const base::Payload& a, const base::Payload& b) noexcept {
    const base::Bytes x = a.bytes();
    const base::Bytes y = b.bytes();
    return std::equal(x.begin(), x.end(), y.begin(), y.end());
}

}  // namespace

std::optional<VodName> parse_vod_name(std::string_view name) {
    VodName out;
    if (name.starts_with("mp4:")) {
        out.container = VodContainer::mp4;
        name.remove_prefix(4);
        out.file = std::string(name);
        if (!ends_with_any(name, mp4_extensions)) out.file += ".mp4";
    } else if (name.starts_with("mp3:")) {
        out.container = VodContainer::mp3;
        name.remove_prefix(4);
        out.file = std::string(name);
        if (!name.ends_with(".mp3")) out.file += ".mp3";
    } else {
        if (name.starts_with("flv:")) name.remove_prefix(4);
        const std::size_t colon = name.find(':');
        // "xyz:name" names a container we do not play; a colon further in is
        // part of a file name.
        if (colon != std::string_view::npos && colon < 5 && name.find('/') > colon) return std::nullopt;
        out.file = std::string(name);
        if (!name.ends_with(".flv")) out.file += ".flv";
    }
    if (out.file.size() <= 4) return std::nullopt;  // nothing but the extension
    return out;
}

base::Result<std::string> media_file_path(std::string_view root, std::string_view file) {
    if (root.empty() || file.empty()) return make_error_code(std::errc::invalid_argument);
    std::string_view rest = file;
    while (true) {
        const std::size_t slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        const bool bad_byte = std::any_of(segment.begin(), segment.end(), [](char c) {
            const auto b = static_cast<unsigned char>(c);
            return b < 0x20 || b == 0x7F || c == '\\';
        });
        if (segment.empty() || segment.front() == '.' || segment.size() > 255 || bad_byte)
            return make_error_code(std::errc::invalid_argument);
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    std::string path(root);
    if (path.back() != '/') path += '/';
    path += file;
    return path;
}

rtmp::Status vod_status(std::error_code error) noexcept {
    if (error == std::errc::no_such_file_or_directory || error == std::errc::not_a_directory)
        return rtmp::Status::play_stream_not_found;
    if (error == demux::make_error_code(demux::Errc::no_supported_track))
        return rtmp::Status::play_no_supported_track_found;
    return rtmp::Status::play_file_structure_invalid;
}

base::Result<std::unique_ptr<VodFile>> VodFile::open(const std::string& path, VodContainer container) {
    auto source = FileSource::open(path);
    if (!source) return source.error();
    FileSource& bytes = **source;
    switch (container) {
        case VodContainer::flv: {
            auto reader = demux::FlvReader::open(bytes);
            if (!reader) return reader.error();
            return std::unique_ptr<VodFile>(new VodFile(std::move(*source), Reader(std::move(*reader))));
        }
        case VodContainer::mp4: {
            auto reader = demux::Mp4Reader::open(bytes);
            if (!reader) return reader.error();
            return std::unique_ptr<VodFile>(new VodFile(std::move(*source), Reader(std::move(*reader))));
        }
        case VodContainer::mp3: {
            auto reader = demux::Mp3Reader::open(bytes);
            if (!reader) return reader.error();
            return std::unique_ptr<VodFile>(new VodFile(std::move(*source), Reader(std::move(*reader))));
        }
    }
    return make_error_code(std::errc::invalid_argument);
}

VodFile::VodFile(std::unique_ptr<FileSource> source, Reader reader)
    : source_(std::move(source)), reader_(std::move(reader)) {}

std::int64_t VodFile::duration_ms() const noexcept {
    return std::visit([](const auto& r) { return r.duration_ms(); }, reader_);
}

bool VodFile::has_video() const noexcept {
    if (const auto* flv = std::get_if<demux::FlvReader>(&reader_)) return flv->has_video();
    if (const auto* mp4 = std::get_if<demux::Mp4Reader>(&reader_)) return mp4->video_track().has_value();
    return false;
}

base::Timestamp VodFile::time_of(const demux::Sample& sample) const noexcept {
    const std::int64_t shift = std::holds_alternative<demux::Mp4Reader>(reader_)
                                   ? std::get<demux::Mp4Reader>(reader_).timestamp_shift_ms()
                                   : 0;
    // The readers keep every time within int32 and the shift makes it >= 0.
    return static_cast<base::Timestamp>(std::max<std::int64_t>(0, sample.dts_ms + shift));
}

base::Payload VodFile::header_at_cursor(demux::TrackKind kind) const {
    if (const auto* flv = std::get_if<demux::FlvReader>(&reader_)) return flv->sequence_header(kind);
    if (const auto* mp4 = std::get_if<demux::Mp4Reader>(&reader_)) {
        const auto track = kind == demux::TrackKind::video ? mp4->video_track() : mp4->audio_track();
        return track ? mp4->sequence_header(*track) : base::Payload{};
    }
    return {};  // MP3 needs none
}

base::Payload VodFile::metadata() const {
    flv::Metadata m;
    if (const auto* flv = std::get_if<demux::FlvReader>(&reader_); flv && !flv->metadata().empty()) {
        if (auto decoded = flv::decode_metadata(flv->metadata().bytes())) m = std::move(*decoded);
    }
    m.properties.set("duration", static_cast<double>(duration_ms()) / 1000.0);
    if (const auto* mp4 = std::get_if<demux::Mp4Reader>(&reader_)) {
        for (const demux::Mp4Track& t : mp4->tracks()) {
            if (t.kind == demux::TrackKind::video) {
                m.properties.set("width", static_cast<double>(t.width));
                m.properties.set("height", static_cast<double>(t.height));
                // Enhanced RTMP names HEVC by its FourCC.
                m.properties.set("videocodecid", t.codec == demux::Mp4Codec::hevc
                                                     ? static_cast<double>(flv::fourcc::hvc1)
                                                     : 7.0);
            } else {
                m.properties.set("audiocodecid", t.codec == demux::Mp4Codec::mp3 ? 2.0 : 10.0);
                m.properties.set("audiosamplerate", static_cast<double>(t.sample_rate));
                m.properties.set("audiochannels", static_cast<double>(t.channels));
                m.properties.set("stereo", t.channels >= 2);
            }
        }
    }
    if (const auto* mp3 = std::get_if<demux::Mp3Reader>(&reader_)) {
        m.properties.set("audiocodecid", 2.0);
        m.properties.set("audiosamplerate", static_cast<double>(mp3->info().sample_rate));
        m.properties.set("audiochannels", static_cast<double>(mp3->info().channels));
        m.properties.set("stereo", mp3->info().channels >= 2);
    }
    return base::Payload::from(flv::encode_metadata(m));
}

std::vector<rtmp::Message> VodFile::start_messages(base::Timestamp at) {
    std::vector<rtmp::Message> out;
    out.push_back({rtmp::MessageType::data_amf0, at, 0, metadata()});
    for (demux::TrackKind kind : {demux::TrackKind::video, demux::TrackKind::audio}) {
        base::Payload header = header_at_cursor(kind);
        if (header.empty()) continue;
        out.push_back({kind == demux::TrackKind::video ? rtmp::MessageType::video : rtmp::MessageType::audio,
                       at, 0, header});
        sent_header_[kind_index(kind)] = std::move(header);
    }
    return out;
}

std::optional<base::Timestamp> VodFile::next_time() const noexcept {
    const auto sample = std::visit([](const auto& r) { return r.peek(); }, reader_);
    if (!sample) return std::nullopt;
    return time_of(*sample);
}

bool VodFile::next_is_switch_point() const noexcept {
    const auto sample = std::visit([](const auto& r) { return r.peek(); }, reader_);
    if (!sample) return false;
    return sample->kind == demux::TrackKind::video ? sample->keyframe : !has_video();
}

base::Result<std::optional<rtmp::Message>> VodFile::next() {
    for (;;) {
        const auto sample = std::visit([](auto& r) { return r.next(); }, reader_);
        if (!sample) return std::optional<rtmp::Message>{};
        consumed_ = true;
        auto payload = std::visit([&](auto& r) { return r.read_tag_payload(*sample); }, reader_);
        if (!payload) return payload.error();
        const auto* flv = std::get_if<demux::FlvReader>(&reader_);
        if (flv && flv->is_sequence_header(*sample)) {
            base::Payload& sent = sent_header_[kind_index(sample->kind)];
            if (same_bytes(sent, *payload)) continue;
            sent = *payload;
        }
        const rtmp::MessageType type = sample->kind == demux::TrackKind::video   ? rtmp::MessageType::video
                                       : sample->kind == demux::TrackKind::audio ? rtmp::MessageType::audio
                                       : sample->amf3 ? rtmp::MessageType::data_amf3
                                                      : rtmp::MessageType::data_amf0;
        return std::optional<rtmp::Message>(rtmp::Message{type, time_of(*sample), 0, std::move(*payload)});
    }
}

base::Result<base::Timestamp> VodFile::seek(std::int64_t ms) {
    // Playing from the start needs no seek, and a seek would begin audio at
    // the first video key frame: an MP4's audio often starts a frame before.
    if (ms <= 0 && !consumed_) return next_time().value_or(0);
    auto reached = std::visit([ms](auto& r) { return r.seek(ms); }, reader_);
    if (!reached) return reached.error();
    // The reader answers with the key frame's presentation time; what goes
    // out next is stamped with its decode time (they differ by an MP4's
    // composition offset), and the start messages must not come after it.
    const std::int64_t shift = std::holds_alternative<demux::Mp4Reader>(reader_)
                                   ? std::get<demux::Mp4Reader>(reader_).timestamp_shift_ms()
                                   : 0;
    return next_time().value_or(static_cast<base::Timestamp>(std::max<std::int64_t>(0, *reached + shift)));
}

}  // namespace sluice::server
