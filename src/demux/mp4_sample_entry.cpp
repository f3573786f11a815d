#include "demux/mp4_sample_entry.hpp"

#include <optional>

#include "demux/errors.hpp"
#include "demux/mp4_box.hpp"
#include "flv/aac_config.hpp"
#include "flv/avc_config.hpp"
#include "flv/hevc_config.hpp"

namespace sluice::demux {

namespace {

/// The body of the first child box of `type`, nullopt when absent.
base::Result<std::optional<base::Bytes>> find_child(base::Bytes children, std::uint32_t type) {
    base::ByteReader r(children);
    // Some writers pad sample entries with a 4-byte zero terminator (QuickTime);
    // fewer than 8 bytes cannot be a box and are ignored.
    while (r.remaining() >= 8) {
        auto h = parse_box_header(r.rest(), r.remaining(), false);
        if (!h) return h.error();
        const base::Bytes box = r.bytes(static_cast<std::size_t>(h->size));
        if (h->type == type) return std::optional<base::Bytes>(box.subspan(h->header_size));
    }
    return std::optional<base::Bytes>();
}

/// Reads an MPEG-4 descriptor header (ISO/IEC 14496-1 §8.3.3): tag U8 and a
/// size of 1-4 bytes of 7 bits each; returns the descriptor body.
std::optional<base::Bytes> read_descriptor(base::ByteReader& r, std::uint8_t& tag) {
    tag = r.u8();
    std::uint32_t size = 0;
    for (int i = 0; i < 4; ++i) {
        const std::uint8_t b = r.u8();
        size = (size << 7) | (b & 0x7Fu);
        if ((b & 0x80u) == 0) break;
    }
    if (r.failed() || size > r.remaining()) return std::nullopt;
    return r.bytes(size);
}

/// Finds the descriptor `want` among the descriptors in `bytes`.
std::optional<base::Bytes> find_descriptor(base::Bytes bytes, std::uint8_t want) {
    base::ByteReader r(bytes);
    while (r.remaining() >= 2) {
        std::uint8_t tag = 0;
        auto body = read_descriptor(r, tag);
        if (!body) return std::nullopt;
        if (tag == want) return body;
    }
    return std::nullopt;
}

base::Status parse_esds(base::Bytes esds, Mp4SampleEntry& e) {
    base::ByteReader r(esds);
    r.skip(4);  // version, flags
    std::uint8_t tag = 0;
    auto es = read_descriptor(r, tag);
    if (!es || tag != 0x03) return Errc::codec_config_invalid;
    base::ByteReader er(*es);
    er.skip(2);  // ES_ID
    const std::uint8_t flags = er.u8();
    if ((flags & 0x80u) != 0) er.skip(2);        // dependsOn_ES_ID
    if ((flags & 0x40u) != 0) er.skip(er.u8());  // URL
    if ((flags & 0x20u) != 0) er.skip(2);        // OCR_ES_Id
    if (er.failed()) return Errc::codec_config_invalid;
    auto dcd = find_descriptor(er.rest(), 0x04);
    if (!dcd || dcd->size() < 13) return Errc::codec_config_invalid;
    const std::uint8_t object_type = (*dcd)[0];
    if (object_type == 0x69 || object_type == 0x6B) {
        e.codec = Mp4Codec::mp3;
        return {};
    }
    if (object_type != 0x40 && (object_type < 0x66 || object_type > 0x68)) return Errc::no_supported_track;
    auto dsi = find_descriptor(dcd->subspan(13), 0x05);
    if (!dsi) return Errc::codec_config_invalid;
    auto aac = flv::parse_aac_config(*dsi);
    if (!aac) return Errc::codec_config_invalid;
    e.codec = Mp4Codec::aac;
    e.config.assign(dsi->begin(), dsi->end());
    e.sample_rate = aac->output_sample_rate();
    if (aac->channels != 0) e.channels = aac->channels;
    return {};
}

base::Status parse_audio_entry(base::Bytes body, Mp4SampleEntry& e) {
    base::ByteReader r(body);
    r.skip(8);
    const std::uint16_t version = r.u16be();
    r.skip(6);
    e.channels = static_cast<std::uint8_t>(r.u16be());
    r.skip(6);
    e.sample_rate = r.u32be() >> 16;
    if (version == 1) r.skip(16);
    if (version == 2) r.skip(36);
    if (r.failed()) return Errc::box_truncated;
    auto esds = find_child(r.rest(), box_type("esds"));
    if (!esds) return esds.error();
    if (!*esds) {
        // QuickTime files keep the esds inside a 'wave' box.
        auto wave = find_child(r.rest(), box_type("wave"));
        if (!wave) return wave.error();
        if (*wave) esds = find_child(**wave, box_type("esds"));
        if (!esds) return esds.error();
    }
    if (!*esds) return Errc::codec_config_invalid;
    return parse_esds(**esds, e);
}

base::Status parse_video_entry(base::Bytes body, Mp4SampleEntry& e) {
    base::ByteReader r(body);
    r.skip(24);
    e.width = r.u16be();
    e.height = r.u16be();
    r.skip(50);
    if (r.failed()) return Errc::box_truncated;
    const bool avc = e.codec == Mp4Codec::h264;
    auto record = find_child(r.rest(), avc ? box_type("avcC") : box_type("hvcC"));
    if (!record) return record.error();
    if (!*record) return Errc::codec_config_invalid;
    const base::Bytes bytes = **record;
    std::uint32_t sps_width = 0;
    std::uint32_t sps_height = 0;
    if (avc) {
        auto config = flv::parse_avc_config(bytes);
        if (!config) return Errc::codec_config_invalid;
        if (config->first_sps) {
            sps_width = config->first_sps->width;
            sps_height = config->first_sps->height;
        }
    } else {
        auto config = flv::parse_hevc_config(bytes);
        if (!config) return Errc::codec_config_invalid;
        if (config->first_sps) {
            sps_width = config->first_sps->width;
            sps_height = config->first_sps->height;
        }
    }
    if (e.width == 0 || e.height == 0) {
        e.width = sps_width;
        e.height = sps_height;
    }
    e.config.assign(bytes.begin(), bytes.end());
    return {};
}

}  // namespace

base::Result<Mp4SampleEntry> parse_sample_entry(base::Bytes stsd_body) {
    base::ByteReader r(stsd_body);
    r.skip(4);  // version, flags
    const std::uint32_t count = r.u32be();
    if (r.failed()) return Errc::box_truncated;
    if (count == 0 || r.remaining() < 8) return Errc::no_supported_track;
    auto h = parse_box_header(r.rest(), r.remaining(), false);
    if (!h) return h.error();
    const base::Bytes body = r.rest().subspan(h->header_size, static_cast<std::size_t>(h->body_size()));

    Mp4SampleEntry e;
    e.format = h->type;
    base::Status status;
    if (h->type == box_type("avc1") || h->type == box_type("avc3")) {
        e.codec = Mp4Codec::h264;
        status = parse_video_entry(body, e);
    } else if (h->type == box_type("hvc1") || h->type == box_type("hev1")) {
        e.codec = Mp4Codec::hevc;
        status = parse_video_entry(body, e);
    } else if (h->type == box_type("mp4a")) {
        e.kind = TrackKind::audio;
        status = parse_audio_entry(body, e);
    } else {
        return Errc::no_supported_track;
    }
    if (status) return status;
    return e;
}

}  // namespace sluice::demux
