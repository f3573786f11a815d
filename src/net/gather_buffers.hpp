#pragma once
// net::gather_buffers: the pending output of a sans-I/O endpoint (an
// rtmp::GatherList of chunk-header bytes and shared payload slices) as an
// Asio buffer sequence for one gather write (writev), without copying media.
//
// At most `max_buffers` segments are taken (the kernel's IOV_MAX is 1024;
// Asio itself writes at most 64 per call on Linux), so a write may be
// partial: the caller consumes what was written and calls again.
#include <boost/asio/buffer.hpp>

#include <cstddef>
#include <vector>

#include "rtmp/chunk_encoder.hpp"

namespace sluice::net {

inline void gather_buffers(const rtmp::GatherList& list, std::vector<boost::asio::const_buffer>& out,
                           std::size_t max_buffers = 64) {
    out.clear();
    const std::size_t n = std::min(list.segment_count(), max_buffers);
    for (std::size_t i = 0; i < n; ++i) {
        const base::Bytes segment = list.segment(i);
        out.emplace_back(segment.data(), segment.size());
    }
}

}  // namespace sluice::net
