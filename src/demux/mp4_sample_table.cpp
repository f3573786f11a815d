#include "demux/mp4_sample_table.hpp"

#include <limits>
#include <optional>

#include "demux/errors.hpp"

namespace sluice::demux {

namespace {

constexpr std::int64_t int32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t int32_max = std::numeric_limits<std::int32_t>::max();

/// A full box holding `count` entries of `entry_size` bytes after `skip_after_flags`
/// bytes; the entries are checked to be inside the box before anyone reads them.
struct Table {
    std::uint8_t version = 0;
    std::uint32_t count = 0;
    base::ByteReader entries;
};

base::Result<Table> open_table(base::Bytes body, std::size_t entry_size) {
    base::ByteReader r(body);
    Table t;
    t.version = r.u8();
    r.skip(3);
    t.count = r.u32be();
    if (r.failed()) return Errc::box_truncated;
    if (t.count > r.remaining() / entry_size) return Errc::sample_table_truncated;
    t.entries = base::ByteReader(r.rest());
    return t;
}

/// Nearest millisecond of ticks / timescale; false when far outside int32.
bool ticks_to_ms(std::int64_t ticks, std::uint32_t timescale, std::int64_t& out) {
    const std::int64_t ts = timescale;
    std::int64_t q = ticks / ts;
    std::int64_t r = ticks % ts;
    if (r < 0) {
        r += ts;
        --q;
    }
    if (q > (std::int64_t{1} << 32) || q < -(std::int64_t{1} << 32)) return false;
    out = q * 1000 + (r * 1000 + ts / 2) / ts;
    return true;
}

struct Edit {
    std::int64_t delay_ms = 0;    ///< leading empty edits
    std::int64_t media_time = 0;  ///< media ticks that map to the end of the delay
};

base::Result<Edit> read_edit_list(const Mp4TrackBoxes::Box& elst, std::uint32_t movie_timescale) {
    Edit edit;
    if (!elst) return edit;
    base::ByteReader head(*elst);
    const std::size_t entry_size = head.u8() == 1 ? 20 : 12;
    auto table = open_table(*elst, entry_size);
    if (!table) return table.error();
    std::uint64_t delay = 0;
    for (std::uint32_t i = 0; i < table->count; ++i) {
        auto& r = table->entries;
        std::uint64_t duration = 0;
        std::int64_t media_time = 0;
        if (table->version == 1) {
            duration = r.u64be();
            media_time = static_cast<std::int64_t>(r.u64be());
        } else {
            duration = r.u32be();
            media_time = r.i32be();
        }
        r.skip(4);  // media_rate
        if (media_time == -1) {
            if (duration > (std::uint64_t{1} << 62) - delay) return Errc::timestamp_out_of_range;
            delay += duration;
            continue;
        }
        if (media_time < 0 || media_time > (std::int64_t{1} << 53)) return Errc::timestamp_out_of_range;
        edit.media_time = media_time;
        break;
    }
    if (!ticks_to_ms(static_cast<std::int64_t>(delay), movie_timescale, edit.delay_ms)) {
        return Errc::timestamp_out_of_range;
    }
    return edit;
}

/// Reads sample sizes from stsz or stz2 one by one.
class SizeReader {
public:
    static base::Result<SizeReader> open(const Mp4TrackBoxes& b) {
        SizeReader s;
        if (b.stsz) {
            base::ByteReader r(*b.stsz);
            r.skip(4);
            s.uniform_ = r.u32be();
            s.count_ = r.u32be();
            if (r.failed()) return Errc::box_truncated;
            if (s.uniform_ == 0) {
                if (s.count_ > r.remaining() / 4) return Errc::sample_table_truncated;
                s.field_bits_ = 32;
            }
            s.entries_ = base::ByteReader(r.rest());
            return s;
        }
        if (!b.stz2) return Errc::sample_table_missing;
        base::ByteReader r(*b.stz2);
        r.skip(7);
        s.field_bits_ = r.u8();
        s.count_ = r.u32be();
        if (r.failed()) return Errc::box_truncated;
        if (s.field_bits_ != 4 && s.field_bits_ != 8 && s.field_bits_ != 16)
            return Errc::sample_table_truncated;
        if ((std::uint64_t{s.count_} * s.field_bits_ + 7) / 8 > r.remaining())
            return Errc::sample_table_truncated;
        s.entries_ = base::ByteReader(r.rest());
        return s;
    }

    std::uint32_t count() const noexcept { return count_; }
    std::uint32_t uniform() const noexcept { return uniform_; }

    std::uint32_t next() noexcept {
        switch (field_bits_) {
            case 32:
                return entries_.u32be();
            case 16:
                return entries_.u16be();
            case 8:
                return entries_.u8();
            case 4: {
                // Two samples per byte, high nibble first.
                if (!have_low_) {
                    nibbles_ = entries_.u8();
                    have_low_ = true;
                    return nibbles_ >> 4;
                }
                have_low_ = false;
                return nibbles_ & 0x0Fu;
            }
            default:
                return uniform_;
        }
    }

private:
    std::uint32_t uniform_ = 0;
    std::uint32_t count_ = 0;
    std::uint8_t field_bits_ = 0;  ///< 0: uniform size
    std::uint8_t nibbles_ = 0;
    bool have_low_ = false;
    base::ByteReader entries_;
};

base::Status place_samples(const Mp4TrackBoxes& b, SizeReader& sizes, std::uint64_t file_size,
                           const Mp4Limits& limits, std::vector<Mp4SampleTable::Entry>& samples) {
    const bool wide = !b.stco && b.co64;
    auto chunks = open_table(wide ? *b.co64 : *b.stco, wide ? 8 : 4);
    if (!chunks) return chunks.error();
    auto stsc = open_table(*b.stsc, 12);
    if (!stsc) return stsc.error();
    const std::uint32_t chunk_count = chunks->count;
    const std::size_t n = samples.size();
    std::size_t index = 0;
    std::uint32_t previous_first = 0;
    for (std::uint32_t i = 0; i < stsc->count && index < n; ++i) {
        const std::uint32_t first = stsc->entries.u32be();
        const std::uint32_t per_chunk = stsc->entries.u32be();
        stsc->entries.skip(4);  // sample_description_index: only the first entry is used
        if (first == 0 || first <= previous_first) return Errc::sample_table_inconsistent;
        previous_first = first;
        // The run ends where the next entry starts (peeked without consuming).
        std::uint32_t last = chunk_count;
        if (i + 1 < stsc->count) {
            base::ByteReader peek = stsc->entries;
            const std::uint32_t next_first = peek.u32be();
            if (next_first > first && next_first - 1 < last) last = next_first - 1;
        }
        for (std::uint32_t chunk = first; chunk <= last && chunk <= chunk_count && index < n; ++chunk) {
            // Chunk numbers only grow across entries, so each stco entry is read once.
            base::ByteReader at = chunks->entries;
            at.skip(std::size_t{chunk - 1} * (wide ? 8 : 4));
            std::uint64_t offset = wide ? at.u64be() : at.u32be();
            for (std::uint32_t k = 0; k < per_chunk && index < n; ++k, ++index) {
                const std::uint32_t size = sizes.next();
                if (size > limits.max_sample_bytes) return Errc::sample_too_large;
                if (offset > file_size || size > file_size - offset) return Errc::sample_outside_file;
                samples[index].offset = offset;
                samples[index].size = size;
                offset += size;
            }
        }
    }
    if (index < n) return Errc::sample_table_inconsistent;
    return {};
}

}  // namespace

base::Result<Mp4SampleTable> build_sample_table(const Mp4TrackBoxes& b, std::uint32_t movie_timescale,
                                                std::uint64_t file_size, bool all_keyframes,
                                                const Mp4Limits& limits) {
    if (!b.mdhd || !b.stts || !b.stsc || (!b.stco && !b.co64)) return Errc::sample_table_missing;
    Mp4SampleTable table;
    {
        base::ByteReader r(*b.mdhd);
        const std::uint8_t version = r.u8();
        r.skip(version == 1 ? 3 + 16 : 3 + 8);
        table.timescale = r.u32be();
        if (r.failed()) return Errc::box_truncated;
        if (table.timescale == 0) return Errc::timescale_invalid;
    }
    auto edit = read_edit_list(b.elst, movie_timescale);
    if (!edit) return edit.error();
    auto sizes = SizeReader::open(b);
    if (!sizes) return sizes.error();
    const std::uint32_t n = sizes->count();
    if (n > limits.max_samples_per_track) return Errc::too_many_samples;
    // With a uniform size the count costs no table bytes; bound it by the
    // file instead (samples do not overlap in any real file).
    if (sizes->uniform() != 0 && n > file_size / sizes->uniform()) return Errc::sample_outside_file;

    table.samples.resize(n);
    if (auto status = place_samples(b, *sizes, file_size, limits, table.samples)) return status;

    // Decode times (stts) and composition offsets (ctts), in media ticks.
    auto stts = open_table(*b.stts, 8);
    if (!stts) return stts.error();
    std::optional<Table> ctts;
    if (b.ctts) {
        auto t = open_table(*b.ctts, 8);
        if (!t) return t.error();
        ctts = *t;
    }
    std::uint32_t ctts_left = 0;
    std::int32_t ctts_offset = 0;
    std::uint32_t ctts_runs = ctts ? ctts->count : 0;
    const auto to_ms = [&](std::int64_t ticks, std::int64_t& out) {
        if (!ticks_to_ms(ticks - edit->media_time, table.timescale, out)) return false;
        out += edit->delay_ms;
        return out >= int32_min && out <= int32_max;
    };
    std::int64_t dts = 0;
    std::uint32_t delta = 0;
    std::size_t index = 0;
    for (std::uint32_t run = 0; run < stts->count && index < n; ++run) {
        std::uint32_t count = stts->entries.u32be();
        delta = stts->entries.u32be();
        for (; count > 0 && index < n; --count, ++index) {
            while (ctts_left == 0 && ctts_runs > 0) {
                ctts_left = ctts->entries.u32be();
                ctts_offset = ctts->entries.i32be();
                --ctts_runs;
            }
            std::int32_t offset = 0;
            if (ctts_left > 0) {
                offset = ctts_offset;
                --ctts_left;
            }
            std::int64_t dts_ms = 0;
            std::int64_t pts_ms = 0;
            if (!to_ms(dts, dts_ms) || !to_ms(dts + offset, pts_ms)) return Errc::timestamp_out_of_range;
            auto& s = table.samples[index];
            s.dts_ms = static_cast<std::int32_t>(dts_ms);
            const std::int64_t cts = pts_ms - dts_ms;
            if (cts < int32_min || cts > int32_max) return Errc::timestamp_out_of_range;
            s.cts_ms = static_cast<std::int32_t>(cts);
            s.keyframe = all_keyframes || !b.stss;
            dts += delta;
        }
    }
    if (index < n) return Errc::sample_table_inconsistent;
    if (!to_ms(dts, table.end_ms)) return Errc::timestamp_out_of_range;

    if (b.stss && !all_keyframes) {
        auto stss = open_table(*b.stss, 4);
        if (!stss) return stss.error();
        for (std::uint32_t i = 0; i < stss->count; ++i) {
            const std::uint32_t number = stss->entries.u32be();
            if (number >= 1 && number <= n) table.samples[number - 1].keyframe = true;
        }
    }
    return table;
}

}  // namespace sluice::demux
