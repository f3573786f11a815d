#include "client/load_stats.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "flv/audio_header.hpp"
#include "flv/video_header.hpp"

namespace sluice::client {

namespace json = boost::json;

namespace {

constexpr std::uint8_t legacy_avc = 7;
constexpr std::uint8_t legacy_hevc = 12;
constexpr std::uint8_t command_frame = 5;

bool is_key_frame_type(unsigned frame_type) {
    return frame_type == 1 || frame_type == 4;
}

/// The full parser for the rare enhanced forms (multitrack, ModEx) whose
/// packet type is not in the first byte; it allocates its track list.
MediaClass classify_video_slow(base::Bytes payload) {
    auto h = flv::parse_video(payload);
    if (!h || h->tracks.empty()) return MediaClass::other;
    if (flv::is_video_sequence_header(*h)) return MediaClass::config;
    if (h->packet_type != flv::VideoPacketType::coded_frames &&
        h->packet_type != flv::VideoPacketType::coded_frames_x)
        return MediaClass::other;
    return flv::is_video_keyframe(*h) ? MediaClass::key_frame : MediaClass::frame;
}

MediaClass classify_audio_slow(base::Bytes payload) {
    auto h = flv::parse_audio(payload);
    if (!h || h->silence) return MediaClass::other;
    if (flv::is_audio_sequence_header(*h)) return MediaClass::config;
    return h->packet_type == flv::AudioPacketType::coded_frames ? MediaClass::frame : MediaClass::other;
}

}  // namespace

MediaClass classify_video(base::Bytes payload) noexcept {
    if (payload.empty()) return MediaClass::other;
    const std::uint8_t b0 = payload[0];
    const unsigned frame_type = (b0 >> 4) & 0x07;
    const unsigned low = b0 & 0x0F;
    const MediaClass coded = is_key_frame_type(frame_type) ? MediaClass::key_frame : MediaClass::frame;
    if (b0 & 0x80) {
        switch (static_cast<flv::VideoPacketType>(low)) {
            case flv::VideoPacketType::sequence_start:
            case flv::VideoPacketType::mpeg2ts_sequence_start:
                return MediaClass::config;
            case flv::VideoPacketType::coded_frames:
            case flv::VideoPacketType::coded_frames_x:
                return frame_type == command_frame ? MediaClass::other : coded;
            case flv::VideoPacketType::multitrack:
            case flv::VideoPacketType::mod_ex:
                return classify_video_slow(payload);
            default:
                return MediaClass::other;
        }
    }
    if (frame_type == command_frame) return MediaClass::other;
    if (low == legacy_avc || low == legacy_hevc) {
        if (payload.size() < 2) return MediaClass::other;
        switch (payload[1]) {
            case 0:
                return MediaClass::config;
            case 1:
                return coded;
            default:
                return MediaClass::other;
        }
    }
    return coded;
}

MediaClass classify_audio(base::Bytes payload) noexcept {
    if (payload.empty()) return MediaClass::other;
    const unsigned format = payload[0] >> 4;
    if (format == static_cast<unsigned>(flv::SoundFormat::aac)) {
        if (payload.size() < 2) return MediaClass::other;
        return payload[1] == 0 ? MediaClass::config : MediaClass::frame;
    }
    if (format == static_cast<unsigned>(flv::SoundFormat::ex_header)) {
        switch (static_cast<flv::AudioPacketType>(payload[0] & 0x0F)) {
            case flv::AudioPacketType::sequence_start:
                return MediaClass::config;
            case flv::AudioPacketType::coded_frames:
                return MediaClass::frame;
            case flv::AudioPacketType::multitrack:
            case flv::AudioPacketType::mod_ex:
                return classify_audio_slow(payload);
            default:
                return MediaClass::other;
        }
    }
    return MediaClass::frame;
}

Percentiles percentiles(std::vector<double>& samples_ms) {
    Percentiles out;
    out.count = samples_ms.size();
    if (samples_ms.empty()) return out;
    // Nearest rank: the smallest sample with at least p% of samples at or below it.
    auto rank = [&](double p) {
        const auto r = static_cast<std::size_t>(std::ceil(p * static_cast<double>(samples_ms.size())));
        const std::size_t index = r == 0 ? 0 : r - 1;
        std::nth_element(samples_ms.begin(), samples_ms.begin() + static_cast<std::ptrdiff_t>(index),
                         samples_ms.end());
        return samples_ms[index];
    };
    out.median = rank(0.5);
    out.p99 = rank(0.99);
    out.max = *std::max_element(samples_ms.begin(), samples_ms.end());
    return out;
}

LatencyHistogram::LatencyHistogram() : buckets_(fine_buckets + coarse_buckets + 1, 0) {}

void LatencyHistogram::add(std::chrono::microseconds value) noexcept {
    const std::int64_t us = std::max<std::int64_t>(0, value.count());
    std::size_t index;
    if (us < fine_limit_us)
        index = static_cast<std::size_t>(us / fine_step_us);
    else if (us < coarse_limit_us)
        index = fine_buckets + static_cast<std::size_t>((us - fine_limit_us) / coarse_step_us);
    else
        index = fine_buckets + coarse_buckets;
    ++buckets_[index];
    ++count_;
    max_us_ = std::max(max_us_, us);
}

void LatencyHistogram::clear() noexcept {
    std::fill(buckets_.begin(), buckets_.end(), 0u);
    count_ = 0;
    max_us_ = 0;
}

Percentiles LatencyHistogram::percentiles() const {
    Percentiles out;
    out.count = count_;
    if (count_ == 0) return out;
    out.max = static_cast<double>(max_us_) / 1000.0;
    auto upper_edge_ms = [&](std::size_t index) {
        std::int64_t us;
        if (index < fine_buckets)
            us = static_cast<std::int64_t>(index + 1) * fine_step_us;
        else if (index < fine_buckets + coarse_buckets)
            us = fine_limit_us + static_cast<std::int64_t>(index - fine_buckets + 1) * coarse_step_us;
        else
            us = max_us_;
        // A bucket's edge never reports more than the largest sample seen.
        return static_cast<double>(std::min(us, max_us_)) / 1000.0;
    };
    auto rank = [&](double p) {
        auto target = static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(count_)));
        if (target == 0) target = 1;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < buckets_.size(); ++i) {
            seen += buckets_[i];
            if (seen >= target) return upper_edge_ms(i);
        }
        return out.max;
    };
    out.median = rank(0.5);
    out.p99 = rank(0.99);
    return out;
}

LoadStats::LoadStats(Options options, Clock::time_point start)
    : options_(options), start_(start), last_tick_(start), live_since_(start) {}

double LoadStats::ms_between(Clock::time_point from, Clock::time_point to) noexcept {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

std::size_t LoadStats::add_player(Clock::time_point now) {
    Player p;
    p.started = now;
    p.last_media = now;
    players_.push_back(p);
    // on_media() records each player's first frames without allocating.
    first_frame_ms_.reserve(players_.capacity());
    first_key_ms_.reserve(players_.capacity());
    return players_.size() - 1;
}

void LoadStats::on_play_start(std::size_t player, Clock::time_point now) {
    Player& p = players_.at(player);
    if (p.state != PlayerState::connecting) return;
    p.state = PlayerState::playing;
    p.played = true;
    p.last_media = now;
    ++connected_;
    play_start_ms_.push_back(ms_between(p.started, now));
}

void LoadStats::on_failed(std::size_t player, std::string reason) {
    Player& p = players_.at(player);
    if (p.state == PlayerState::failed || p.state == PlayerState::ended) return;
    p.state = PlayerState::failed;
    p.stalled_now = false;
    ++failed_;
    if (failures_.size() < options_.max_failures)
        failures_.push_back("player " + std::to_string(player) + ": " + std::move(reason));
}

void LoadStats::on_ended(std::size_t player) {
    Player& p = players_.at(player);
    if (p.state == PlayerState::failed || p.state == PlayerState::ended) return;
    p.state = PlayerState::ended;
    p.stalled_now = false;
    ++ended_;
}

void LoadStats::on_media(std::size_t player, Clock::time_point now, std::size_t bytes, bool video,
                         MediaClass kind) noexcept {
    Player& p = players_[player];
    p.last_media = now;
    p.stalled_now = false;
    last_media_any_ = now;
    bytes_ += bytes;
    if (kind != MediaClass::frame && kind != MediaClass::key_frame) return;
    if (!video) {
        ++audio_frames_;
        return;
    }
    ++video_frames_;
    ++p.video_frames;
    if (!p.first_frame_ms) {
        p.first_frame_ms = ms_between(p.started, now);
        first_frame_ms_.push_back(*p.first_frame_ms);
    }
    if (kind == MediaClass::key_frame) {
        ++key_frames_;
        if (!p.first_key_ms) {
            p.first_key_ms = ms_between(p.started, now);
            first_key_ms_.push_back(*p.first_key_ms);
        }
    }
}

void LoadStats::on_latency(std::chrono::microseconds latency) noexcept {
    latency_.add(latency);
    interval_latency_.add(latency);
}

void LoadStats::on_missed(std::size_t player, std::uint64_t frames) noexcept {
    players_[player].missed += frames;
}

void LoadStats::set_tail_missing(std::size_t player, std::uint64_t frames) noexcept {
    players_[player].tail_missing = frames;
}

bool LoadStats::media_recent(Clock::time_point now) const noexcept {
    return last_media_any_ != Clock::time_point{} && now - last_media_any_ <= options_.stall_after;
}

LoadInterval LoadStats::tick(Clock::time_point now, bool live) {
    // `live` describes the interval that ends now: it became live at its start.
    if (live && !live_) live_since_ = last_tick_;
    live_ = live;
    LoadInterval out;
    out.elapsed_s = ms_between(start_, now) / 1000.0;
    out.interval_s = ms_between(last_tick_, now) / 1000.0;
    out.players = players_.size();
    for (Player& p : players_) {
        switch (p.state) {
            case PlayerState::connecting:
                ++out.connecting;
                break;
            case PlayerState::playing: {
                ++out.playing;
                const Clock::time_point since = std::max(p.last_media, live_since_);
                if (live && now - since > options_.stall_after && !p.stalled_now) {
                    p.stalled_now = true;
                    ++stalls_;
                    if (!p.ever_stalled) {
                        p.ever_stalled = true;
                        ++stalled_;
                    }
                }
                if (p.stalled_now) ++out.stalled_now;
                break;
            }
            case PlayerState::failed:
            case PlayerState::ended:
                break;
        }
    }
    out.failed = failed_;
    out.ended = ended_;
    out.stalled = stalled_;
    out.bytes = bytes_ - tick_bytes_;
    out.video_frames = video_frames_ - tick_video_;
    out.audio_frames = audio_frames_ - tick_audio_;
    std::vector<double> first = first_frame_ms_;
    out.first_frame = percentiles(first);
    out.latency = interval_latency_.percentiles();
    interval_latency_.clear();
    tick_bytes_ = bytes_;
    tick_video_ = video_frames_;
    tick_audio_ = audio_frames_;
    last_tick_ = now;
    return out;
}

LoadSummary LoadStats::summary(Clock::time_point now) const {
    LoadSummary out;
    out.seconds = ms_between(start_, now) / 1000.0;
    out.requested = players_.size();
    out.connected = connected_;
    out.failed = failed_;
    out.ended = ended_;
    out.stalled = stalled_;
    out.stalls = stalls_;
    out.bytes = bytes_;
    out.video_frames = video_frames_;
    out.key_frames = key_frames_;
    out.audio_frames = audio_frames_;
    bool any = false;
    for (const Player& p : players_) {
        out.frames_missed += p.missed + p.tail_missing;
        if (p.missed + p.tail_missing > 0) ++out.players_incomplete;
        if (!p.played) continue;
        out.min_video_frames = any ? std::min(out.min_video_frames, p.video_frames) : p.video_frames;
        out.max_video_frames = std::max(out.max_video_frames, p.video_frames);
        any = true;
    }
    std::vector<double> samples = play_start_ms_;
    out.play_start = percentiles(samples);
    samples = first_frame_ms_;
    out.first_frame = percentiles(samples);
    samples = first_key_ms_;
    out.first_key_frame = percentiles(samples);
    out.latency = latency_.percentiles();
    out.failures = failures_;
    return out;
}

namespace {

template <class... Args>
std::string format(const char* pattern, Args... args) {
    char buffer[512];
    const int n = std::snprintf(buffer, sizeof buffer, pattern, args...);
    return std::string(buffer,
                       n < 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buffer - 1));
}

std::string percentiles_text(const Percentiles& p) {
    if (p.count == 0) return "-";
    return format("p50 %.2f ms p99 %.2f ms", p.median, p.p99);
}

json::value percentiles_json(const Percentiles& p) {
    if (p.count == 0) return nullptr;
    return json::object{{"count", p.count}, {"median", p.median}, {"p99", p.p99}, {"max", p.max}};
}

using ull = unsigned long long;

}  // namespace

std::string render_interval(const LoadInterval& i) {
    const double seconds = i.interval_s > 0 ? i.interval_s : 1;
    return format(
        "bench %6.1f s  %zu players: %zu playing %zu connecting %zu failed %zu stalled | %.1f Mbit/s "
        "%.0f frames/s | first frame %s | latency %s",
        i.elapsed_s, i.players, i.playing, i.connecting, i.failed, i.stalled_now,
        static_cast<double>(i.bytes) * 8 / seconds / 1e6,
        static_cast<double>(i.video_frames + i.audio_frames) / seconds,
        percentiles_text(i.first_frame).c_str(), percentiles_text(i.latency).c_str());
}

std::string render_summary_text(const LoadSummary& s) {
    std::string out;
    auto line = [&out](const std::string& text) { out += text + "\n"; };
    line("URL             " + s.url);
    line(format("Duration        %.1f s", s.seconds));
    line(format(
        "Players         %zu requested, %zu connected, %zu failed, %zu stalled (%llu stalls), %zu ended",
        s.requested, s.connected, s.failed, s.stalled, static_cast<ull>(s.stalls), s.ended));
    const double seconds = s.seconds > 0 ? s.seconds : 1;
    line(format("Received        %llu bytes (%.1f Mbit/s), %llu video frames (%llu key), %llu audio frames",
                static_cast<ull>(s.bytes), static_cast<double>(s.bytes) * 8 / seconds / 1e6,
                static_cast<ull>(s.video_frames), static_cast<ull>(s.key_frames),
                static_cast<ull>(s.audio_frames)));
    line(format("Per player      %llu to %llu video frames", static_cast<ull>(s.min_video_frames),
                static_cast<ull>(s.max_video_frames)));
    line("Play.Start      " + percentiles_text(s.play_start));
    line("First frame     " + percentiles_text(s.first_frame));
    line("First key frame " + percentiles_text(s.first_key_frame));
    line("Latency         " + (s.latency_unavailable.empty()
                                   ? percentiles_text(s.latency)
                                   : "unavailable (" + s.latency_unavailable + ")"));
    if (s.publish) {
        line(format("Published       %llu video frames, %llu audio frames, %llu bytes, %llu passes",
                    static_cast<ull>(s.publish->video_frames), static_cast<ull>(s.publish->audio_frames),
                    static_cast<ull>(s.publish->bytes), static_cast<ull>(s.publish->loops)));
        if (!s.publish->error.empty()) line("Publisher error " + s.publish->error);
        line(format("Missed frames   %llu (%zu players incomplete)", static_cast<ull>(s.frames_missed),
                    s.players_incomplete));
    }
    for (const auto& f : s.failures) line("Failure         " + f);
    return out;
}

std::string render_summary_json(const LoadSummary& s) {
    json::object root;
    root["url"] = s.url;
    root["seconds"] = s.seconds;
    root["players"] = json::object{{"requested", s.requested},
                                   {"connected", s.connected},
                                   {"failed", s.failed},
                                   {"stalled", s.stalled},
                                   {"stalls", s.stalls},
                                   {"ended", s.ended},
                                   {"incomplete", s.players_incomplete}};
    root["bytes"] = s.bytes;
    root["video_frames"] = s.video_frames;
    root["key_frames"] = s.key_frames;
    root["audio_frames"] = s.audio_frames;
    root["min_video_frames_per_player"] = s.min_video_frames;
    root["max_video_frames_per_player"] = s.max_video_frames;
    root["play_start_ms"] = percentiles_json(s.play_start);
    root["first_frame_ms"] = percentiles_json(s.first_frame);
    root["first_key_frame_ms"] = percentiles_json(s.first_key_frame);
    if (s.latency_unavailable.empty()) {
        root["latency_ms"] = percentiles_json(s.latency);
        root["latency_unavailable"] = nullptr;
    } else {
        root["latency_ms"] = nullptr;
        root["latency_unavailable"] = s.latency_unavailable;
    }
    if (s.publish) {
        root["published"] = json::object{
            {"video_frames", s.publish->video_frames},
            {"audio_frames", s.publish->audio_frames},
            {"bytes", s.publish->bytes},
            {"loops", s.publish->loops},
            {"error", s.publish->error.empty() ? json::value(nullptr) : json::value(s.publish->error)}};
        root["frames_missed"] = s.frames_missed;
    } else {
        root["published"] = nullptr;
        root["frames_missed"] = nullptr;
    }
    json::array failures;
    for (const auto& f : s.failures) failures.push_back(json::string(f));
    root["failures"] = std::move(failures);
    return json::serialize(root) + "\n";
}

}  // namespace sluice::client
