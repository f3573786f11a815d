#include "server/live_stream.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace sluice::server {

namespace asio = boost::asio;

// ---- StreamTap (on its worker) ----

void StreamTap::attach(const std::shared_ptr<Player>& player, const StreamSnapshot& snapshot) {
    // The session may have closed the player while the snapshot was on its way.
    if (player->closed()) return;
    players_.push_back(player);
    player->on_attach(shared_from_this(), snapshot);
}

void StreamTap::detach(const Player* player) noexcept {
    std::erase_if(players_, [player](const std::shared_ptr<Player>& p) { return p.get() == player; });
}

void StreamTap::deliver(const Frame& frame) {
    // on_frame may close a player that overflowed, which detaches it: walk a copy.
    if (players_.size() == 1) {
        const std::shared_ptr<Player> only = players_.front();
        only->on_frame(frame);
        return;
    }
    const std::vector<std::shared_ptr<Player>> players = players_;
    for (const auto& player : players) player->on_frame(frame);
}

void StreamTap::publish_begin() {
    const std::vector<std::shared_ptr<Player>> players = players_;
    for (const auto& player : players) player->on_publish_begin();
}

void StreamTap::publish_end() {
    const std::vector<std::shared_ptr<Player>> players = players_;
    for (const auto& player : players) player->on_publish_end();
}

// ---- LiveStream (on its home worker) ----

LiveStream::LiveStream(std::string key, std::size_t home, net::WorkerPool& workers,
                       std::size_t gop_cache_bytes)
    : key_(std::move(key)), home_(home), workers_(workers), gop_(gop_cache_bytes), taps_(workers.size()) {}

void LiveStream::post_publish_begin() {
    asio::post(workers_.context(home_), [self = shared_from_this()] { self->publish_begin(); });
}

void LiveStream::post_frame(Frame frame) {
    asio::post(workers_.context(home_),
               [self = shared_from_this(), frame = std::move(frame)] { self->frame(frame); });
}

void LiveStream::post_publish_end() {
    asio::post(workers_.context(home_), [self = shared_from_this()] { self->publish_end(); });
}

void LiveStream::post_clear_metadata() {
    asio::post(workers_.context(home_), [self = shared_from_this()] { self->headers_.clear_metadata(); });
}

void LiveStream::post_subscribe(std::size_t worker, std::shared_ptr<Player> player) {
    asio::post(workers_.context(home_), [self = shared_from_this(), worker, player = std::move(player)] {
        self->subscribe(worker, player);
    });
}

template <class F>
void LiveStream::for_each_tap(F&& f) {
    for (const auto& tap : taps_) {
        if (!tap) continue;
        if (tap->worker() == home_) {
            f(*tap);
        } else {
            asio::post(workers_.context(tap->worker()), [tap, f] { f(*tap); });
        }
    }
}

void LiveStream::publish_begin() {
    publishing_ = true;
    headers_.clear();
    gop_.clear();
    for_each_tap([](StreamTap& tap) { tap.publish_begin(); });
}

void LiveStream::frame(const Frame& frame) {
    if (!publishing_) return;  // a frame that raced its publisher's unpublish
    if (!headers_.update(frame)) gop_.push(frame);
    for_each_tap([frame](StreamTap& tap) { tap.deliver(frame); });
}

void LiveStream::publish_end() {
    if (!publishing_) return;
    publishing_ = false;
    headers_.clear();
    gop_.clear();
    for_each_tap([](StreamTap& tap) { tap.publish_end(); });
}

StreamSnapshot LiveStream::snapshot() const {
    StreamSnapshot out;
    out.published = publishing_;
    if (!publishing_) return out;
    out.frames = headers_.start_frames();
    const auto& gop = gop_.frames();
    out.frames.insert(out.frames.end(), gop.begin(), gop.end());
    return out;
}

void LiveStream::subscribe(std::size_t worker, const std::shared_ptr<Player>& player) {
    auto& tap = taps_[worker];
    if (!tap) tap = std::make_shared<StreamTap>(worker);
    StreamSnapshot snap = snapshot();
    if (worker == home_) {
        tap->attach(player, snap);
        return;
    }
    asio::post(workers_.context(worker),
               [tap, player, snap = std::move(snap)] { tap->attach(player, snap); });
}

}  // namespace sluice::server
