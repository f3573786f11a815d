// Fuzz target for amf::Reader3 / Writer3 and the reference tables.
// Decodes the input under fuzzed limits; when that succeeds, re-encodes
// (one Writer3, so string and traits references are emitted), decodes again
// and aborts unless the values are equal and a second encoding gives the
// same bytes. Writer3 is lossless for anything Reader3 produces.
#include <cstddef>
#include <cstdint>

#include "amf/reader3.hpp"
#include "amf/writer3.hpp"
#include "amf_fuzz_common.hpp"

using namespace sluice;

namespace {

base::ByteVector encode(const std::vector<amf::Value>& values) {
    base::ByteWriter out;
    amf::Writer3 w(out);
    for (const auto& v : values) w.write(v);
    return out.take();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < amf::fuzz::option_bytes) return 0;
    const amf::Limits limits = amf::fuzz::limits_from(data);
    const base::Bytes input(data + amf::fuzz::option_bytes, size - amf::fuzz::option_bytes);

    amf::Reader3 first(input, limits);
    auto v1 = first.read_all();
    if (!v1) return 0;

    const auto b2 = encode(*v1);
    amf::Reader3 second(b2, amf::fuzz::relaxed(limits));
    auto v2 = second.read_all();
    if (!v2) amf::fuzz::failure(v2.error().message().c_str());
    if (v2->size() != v1->size()) amf::fuzz::failure("value count changed");
    for (std::size_t i = 0; i < v1->size(); ++i) {
        if (!((*v1)[i] == (*v2)[i])) amf::fuzz::mismatch("decode(encode(v)) != v", (*v1)[i], (*v2)[i]);
    }
    if (encode(*v2) != b2) amf::fuzz::failure("encoding is not stable after one round trip");
    return 0;
}
