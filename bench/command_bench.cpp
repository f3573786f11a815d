// Command codec micro-benchmarks: typed decode of FFmpeg's player `connect`
// (REFERENCE.md §4.1 properties) from a type-20 message, and building the
// connect `_result` and an `onStatus` message. Items/s = messages/s.
// Target: >= 2 M connect decodes/s per core.
#include <benchmark/benchmark.h>

#include "rtmp/command.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/responses.hpp"

namespace {

using namespace sluice::rtmp;

Message ffmpeg_connect() {
    ConnectCommand c;
    c.app = "live";
    c.flash_ver = "LNX 9,0,124,2";
    c.tc_url = "rtmp://localhost:1935/live";
    c.fpad = false;
    c.capabilities = 15;
    c.audio_codecs = 4071;
    c.video_codecs = 252;
    c.video_function = 1;
    return c.encode();
}

void BM_DecodeConnect(benchmark::State& state) {
    const Message m = ffmpeg_connect();
    for (auto _ : state) {
        auto generic = decode_command(m);
        auto typed = ConnectCommand::decode(*generic);
        benchmark::DoNotOptimize(typed);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * m.payload.size()));
}
BENCHMARK(BM_DecodeConnect);

// The generic half alone (AMF0 decode into a Command), for comparison.
void BM_DecodeConnectGeneric(benchmark::State& state) {
    const Message m = ffmpeg_connect();
    for (auto _ : state) {
        auto generic = decode_command(m);
        benchmark::DoNotOptimize(generic);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_DecodeConnectGeneric);

void BM_BuildConnectResult(benchmark::State& state) {
    for (auto _ : state) {
        ConnectResult r;
        Message m = r.encode();
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_BuildConnectResult);

void BM_BuildOnStatus(benchmark::State& state) {
    for (auto _ : state) {
        Message m = OnStatus::make(Status::play_start, {}, "stream", sluice::amf::Value("sluice")).encode();
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_BuildOnStatus);

}  // namespace
