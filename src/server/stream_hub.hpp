#pragma once
// server::StreamHub: name -> LiveStream for one application (STYLE.md §3.2:
// no global registry; the hub belongs to an Application).
//
// This is the one place where workers meet: lookups, publisher claims and
// releases take a mutex. They happen on publish, play and close, never per
// media message, so the media path stays lock-free.
//
// Contract:
//  - acquire() returns the stream for `key`, creating it with its home on
//    `worker` when missing, and counts one reference; every acquire() is
//    paired with one release(). The entry disappears with its last reference
//    (streams nobody publishes or plays cost nothing).
//  - claim_publisher() succeeds for one caller at a time per stream: the
//    second publisher of a busy name is refused (NetStream.Publish.BadName).
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/live_stream.hpp"

namespace sluice::server {

class StreamHub {
public:
    StreamHub(net::WorkerPool& workers, std::size_t gop_cache_bytes)
        : workers_(workers), gop_cache_bytes_(gop_cache_bytes) {}

    /// nullptr when the stream already has `limit` references (players + publisher).
    std::shared_ptr<LiveStream> acquire(const std::string& key, std::size_t worker,
                                        std::size_t limit = static_cast<std::size_t>(-1));
    void release(const std::shared_ptr<LiveStream>& stream);
    bool claim_publisher(const std::shared_ptr<LiveStream>& stream);
    void release_publisher(const std::shared_ptr<LiveStream>& stream);

    std::size_t stream_count() const;
    /// Whether someone publishes `key` now.
    bool published(const std::string& key) const;

private:
    struct Entry {
        std::shared_ptr<LiveStream> stream;
        std::size_t references = 0;
        bool published = false;
    };
    Entry* find(const std::shared_ptr<LiveStream>& stream);

    net::WorkerPool& workers_;
    std::size_t gop_cache_bytes_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace sluice::server
