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

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sluice::amf;
    return fuzz::round_trip<Reader3, Writer3>(data, size, nullptr);
}
