// AMF decode/encode throughput on FFmpeg's `connect` command (REFERENCE.md
// §4.4): 'connect', 1, {app, flashVer, tcUrl, fpad, capabilities,
// audioCodecs, videoCodecs, videoFunction}, in AMF0 and as an AMF3
// equivalent (an anonymous dynamic object with the same members, plus a
// sealed typed object). Items are whole payloads; no assertions.
#include <benchmark/benchmark.h>

#include "amf/reader0.hpp"
#include "amf/reader3.hpp"
#include "amf/writer0.hpp"
#include "amf/writer3.hpp"

using namespace sluice;

namespace {

amf::Object connect_object(bool sealed) {
    amf::Object o;
    o.properties = {
        {"app", "live"},      {"flashVer", "LNX 9,0,124,2"}, {"tcUrl", "rtmp://127.0.0.1:1935/live"},
        {"fpad", false},      {"capabilities", 15},          {"audioCodecs", 4071},
        {"videoCodecs", 252}, {"videoFunction", 1},
    };
    if (sealed) {
        o.class_name = "flash.net.ConnectArgs";
        o.sealed_count = o.properties.size();
        o.dynamic = false;
    }
    return o;
}

std::vector<amf::Value> connect_command(bool amf3_sealed) {
    std::vector<amf::Value> v{"connect", 1, connect_object(false)};
    if (amf3_sealed) v.push_back(connect_object(true));
    return v;
}

base::ByteVector amf0_payload() {
    base::ByteWriter out;
    amf::Writer0 w(out);
    for (const auto& v : connect_command(false)) w.write(v);
    return out.take();
}

base::ByteVector amf3_payload() {
    base::ByteWriter out;
    amf::Writer3 w(out);
    for (const auto& v : connect_command(true)) w.write(v);
    return out.take();
}

void amf0_decode_connect(benchmark::State& state) {
    const auto payload = amf0_payload();
    for (auto _ : state) {
        amf::Reader0 r(payload);
        auto values = r.read_all();
        benchmark::DoNotOptimize(values);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size()));
}
BENCHMARK(amf0_decode_connect);

void amf0_encode_connect(benchmark::State& state) {
    const auto values = connect_command(false);
    for (auto _ : state) {
        base::ByteWriter out(256);
        amf::Writer0 w(out);
        for (const auto& v : values) w.write(v);
        benchmark::DoNotOptimize(out.data().data());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(amf0_encode_connect);

void amf3_decode_connect(benchmark::State& state) {
    const auto payload = amf3_payload();
    for (auto _ : state) {
        amf::Reader3 r(payload);
        auto values = r.read_all();
        benchmark::DoNotOptimize(values);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size()));
}
BENCHMARK(amf3_decode_connect);

void amf3_encode_connect(benchmark::State& state) {
    const auto values = connect_command(true);
    for (auto _ : state) {
        base::ByteWriter out(512);
        amf::Writer3 w(out);
        for (const auto& v : values) w.write(v);
        benchmark::DoNotOptimize(out.data().data());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(amf3_encode_connect);

}  // namespace
