#pragma once
// server::LiveStream and server::StreamTap: one published name and its
// fan-out (ARCHITECTURE.md "Threads and the media path").
//
// Threads and ownership:
//  - A LiveStream belongs to its home worker (the worker of whoever first
//    asked for the name: usually its publisher). Its state (publishing flag,
//    MediaHeaders, GopCache, taps) is touched only there. Other threads call
//    the post_*() entry points, which post to the home worker.
//  - For every worker with players of the stream there is one StreamTap,
//    which lives on that worker and holds that worker's players. The home
//    worker hands each frame once to each tap (one post per worker, not per
//    player); the tap fans it out to its players locally. Frames are shared
//    (immutable payloads), so the hand-off copies no media.
//  - Ordering: everything for a tap travels through posts from the home
//    worker, which Asio runs in order, so a player sees the snapshot, then
//    the frames and publish/unpublish events in publish order.
//  - Taps live as long as the stream (at most one per worker), so a post to
//    a tap that has lost its players is a harmless no-op.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "net/worker_pool.hpp"
#include "server/gop_cache.hpp"
#include "server/media_headers.hpp"
#include "server/player.hpp"

namespace sluice::server {

class StreamTap : public std::enable_shared_from_this<StreamTap> {
public:
    explicit StreamTap(std::size_t worker) : worker_(worker) {}
    std::size_t worker() const noexcept { return worker_; }

    // All on this tap's worker.
    void attach(const std::shared_ptr<Player>& player, const StreamSnapshot& snapshot);
    void detach(const Player* player) noexcept;
    void deliver(const Frame& frame);
    void publish_begin();
    void publish_end();
    std::size_t player_count() const noexcept { return players_.size(); }

private:
    std::size_t worker_;
    std::vector<std::shared_ptr<Player>> players_;
};

class LiveStream : public std::enable_shared_from_this<LiveStream> {
public:
    LiveStream(std::string key, std::size_t home, net::WorkerPool& workers, std::size_t gop_cache_bytes);

    const std::string& key() const noexcept { return key_; }
    std::size_t home() const noexcept { return home_; }

    // --- from any thread: posted to the home worker, run in call order ---
    void post_publish_begin();
    void post_frame(Frame frame);
    void post_publish_end();
    /// @clearDataFrame: players that join later get no metadata until the next onMetaData.
    void post_clear_metadata();
    /// Adds `player` (living on `worker`) to the stream: the home worker
    /// takes a snapshot and posts it with the attach to the player's worker.
    void post_subscribe(std::size_t worker, std::shared_ptr<Player> player);

private:
    void publish_begin();
    void frame(const Frame& frame);
    void publish_end();
    void subscribe(std::size_t worker, const std::shared_ptr<Player>& player);
    StreamSnapshot snapshot() const;
    template <class F>
    void for_each_tap(F&& f);

    std::string key_;
    std::size_t home_;
    net::WorkerPool& workers_;
    bool publishing_ = false;
    MediaHeaders headers_;
    GopCache gop_;
    std::vector<std::shared_ptr<StreamTap>> taps_;  ///< by worker index; null = no tap yet
};

}  // namespace sluice::server
