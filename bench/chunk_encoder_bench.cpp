// ChunkEncoder: encodes per second of a 16 KiB video message at chunk size
// 4096 into a warm GatherList (target, reported not asserted: >= 10 M/s per core).
#include <benchmark/benchmark.h>

#include <cstdint>

#include "rtmp/chunk_encoder.hpp"

using namespace sluice;

namespace {

void encode_message(benchmark::State& state) {
    const auto chunk_size = static_cast<std::uint32_t>(state.range(0));
    const auto message_bytes = static_cast<std::size_t>(state.range(1));
    rtmp::ChunkEncoder enc;
    (void)enc.set_chunk_size(chunk_size);
    rtmp::GatherList out;
    const auto payload = base::Payload::from(base::ByteVector(message_bytes, 0x5A));
    base::Timestamp ts = 0;
    std::size_t bytes = 0;
    for (auto _ : state) {
        out.clear();
        ts += 33;
        (void)enc.encode(rtmp::Message{rtmp::MessageType::video, ts, 1, payload}, rtmp::csid::video, out);
        bytes += out.size_bytes();
        benchmark::DoNotOptimize(out.segment_count());
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

}  // namespace

BENCHMARK(encode_message)->Args({4096, 16384})->Args({128, 16384})->Args({4096, 200});
