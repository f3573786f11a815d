#include "server/stream_hub.hpp"

namespace sluice::server {

std::shared_ptr<LiveStream> StreamHub::acquire(const std::string& key, std::size_t worker,
                                               std::size_t limit) {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[key];
    if (!entry.stream) entry.stream = std::make_shared<LiveStream>(key, worker, workers_, gop_cache_bytes_);
    if (entry.references >= limit) return nullptr;
    ++entry.references;
    return entry.stream;
}

StreamHub::Entry* StreamHub::find(const std::shared_ptr<LiveStream>& stream) {
    const auto it = entries_.find(stream->key());
    // A stream whose entry was erased and re-created under the same name is
    // a different object: it must not count against the new one.
    return it == entries_.end() || it->second.stream != stream ? nullptr : &it->second;
}

void StreamHub::release(const std::shared_ptr<LiveStream>& stream) {
    std::lock_guard lock(mutex_);
    Entry* entry = find(stream);
    if (!entry) return;
    if (entry->references > 0) --entry->references;
    if (entry->references == 0 && !entry->published) entries_.erase(stream->key());
}

bool StreamHub::claim_publisher(const std::shared_ptr<LiveStream>& stream) {
    std::lock_guard lock(mutex_);
    Entry* entry = find(stream);
    if (!entry || entry->published) return false;
    entry->published = true;
    return true;
}

void StreamHub::release_publisher(const std::shared_ptr<LiveStream>& stream) {
    std::lock_guard lock(mutex_);
    Entry* entry = find(stream);
    if (!entry) return;
    entry->published = false;
    if (entry->references == 0) entries_.erase(stream->key());
}

std::size_t StreamHub::stream_count() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

bool StreamHub::published(const std::string& key) const {
    const std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    return it != entries_.end() && it->second.published;
}

}  // namespace sluice::server
