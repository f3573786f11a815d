#include "demux/mp4_movie.hpp"

#include <optional>

#include "demux/errors.hpp"
#include "demux/mp4_box.hpp"

namespace sluice::demux {

namespace {

class Walker {
public:
    Walker(const Mp4Limits& limits, std::size_t& box_count, Mp4Movie& movie)
        : limits_(limits), box_count_(box_count), movie_(movie) {}

    base::Status walk(base::Bytes body, std::size_t depth) {
        if (depth > limits_.max_depth) return Errc::box_nesting_too_deep;
        base::ByteReader r(body);
        while (r.remaining() >= 8) {
            auto h = parse_box_header(r.rest(), r.remaining(), false);
            if (!h) return h.error();
            if (++box_count_ > limits_.max_boxes) return Errc::too_many_boxes;
            const base::Bytes box = r.bytes(static_cast<std::size_t>(h->size));
            if (auto status = visit(h->type, box.subspan(h->header_size), depth)) return status;
        }
        return {};
    }

private:
    base::Status visit(std::uint32_t type, base::Bytes body, std::size_t depth) {
        switch (type) {
            case box_type("trak"): {
                if (movie_.tracks.size() >= limits_.max_tracks) return Errc::too_many_tracks;
                movie_.tracks.emplace_back();
                // A trak nested in a trak (never seen in real files) starts a new
                // track; the outer one continues afterwards.
                const auto outer = current_;
                current_ = movie_.tracks.size() - 1;
                auto status = walk(body, depth + 1);
                current_ = outer;
                return status;
            }
            case box_type("moov"):
            case box_type("mdia"):
            case box_type("minf"):
            case box_type("stbl"):
            case box_type("edts"):
                return walk(body, depth + 1);
            case box_type("mvhd"):
                return read_mvhd(body);
            default:
                break;
        }
        if (!current_) return {};
        Mp4TrackBoxes& t = movie_.tracks[*current_];
        const auto keep = [&](Mp4TrackBoxes::Box& slot) {
            if (!slot) slot = body;
        };
        switch (type) {
            case box_type("tkhd"):
                keep(t.tkhd);
                break;
            case box_type("elst"):
                keep(t.elst);
                break;
            case box_type("mdhd"):
                keep(t.mdhd);
                break;
            case box_type("hdlr"):
                keep(t.hdlr);
                break;
            case box_type("stsd"):
                keep(t.stsd);
                break;
            case box_type("stts"):
                keep(t.stts);
                break;
            case box_type("ctts"):
                keep(t.ctts);
                break;
            case box_type("stsc"):
                keep(t.stsc);
                break;
            case box_type("stsz"):
                keep(t.stsz);
                break;
            case box_type("stz2"):
                keep(t.stz2);
                break;
            case box_type("stco"):
                keep(t.stco);
                break;
            case box_type("co64"):
                keep(t.co64);
                break;
            case box_type("stss"):
                keep(t.stss);
                break;
            default:
                break;
        }
        return {};
    }

    base::Status read_mvhd(base::Bytes body) {
        if (seen_mvhd_) return {};
        seen_mvhd_ = true;
        base::ByteReader r(body);
        const std::uint8_t version = r.u8();
        r.skip(3);
        if (version == 1) {
            r.skip(16);
            movie_.timescale = r.u32be();
            movie_.duration = r.u64be();
        } else {
            r.skip(8);
            movie_.timescale = r.u32be();
            movie_.duration = r.u32be();
            // All ones means "unknown" in a version 0 header.
            if (movie_.duration == 0xFFFFFFFFu) movie_.duration = 0;
        }
        if (r.failed()) return Errc::box_truncated;
        if (movie_.timescale == 0) return Errc::timescale_invalid;
        return {};
    }

    const Mp4Limits& limits_;
    std::size_t& box_count_;
    Mp4Movie& movie_;
    std::optional<std::size_t> current_;
    bool seen_mvhd_ = false;
};

}  // namespace

base::Result<Mp4Movie> parse_movie(base::Bytes moov_body, const Mp4Limits& limits, std::size_t& box_count) {
    Mp4Movie movie;
    Walker walker(limits, box_count, movie);
    if (auto status = walker.walk(moov_body, 1)) return status;
    return movie;
}

std::uint32_t handler_type(const Mp4TrackBoxes& track) noexcept {
    // hdlr: version/flags U32, pre_defined U32, handler_type U32.
    if (!track.hdlr) return 0;
    base::ByteReader r(*track.hdlr);
    r.skip(8);
    const std::uint32_t type = r.u32be();
    return r.failed() ? 0 : type;
}

}  // namespace sluice::demux
