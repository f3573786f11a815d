// Fuzz target for amf::Reader0 / Writer0 (with the AVM+ switch into AMF3).
// Decodes the input under fuzzed limits; when that succeeds, re-encodes,
// decodes again and aborts on any disagreement:
//   - the re-encoded bytes must decode, and encode again to the same bytes;
//   - the values must be equal unless Writer0 maps something lossily
//     (Integer -> number, over-long names), see amf_fuzz_common.hpp.
#include <cstddef>
#include <cstdint>

#include "amf/reader0.hpp"
#include "amf/writer0.hpp"
#include "amf_fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sluice::amf;
    return fuzz::round_trip<Reader0, Writer0>(data, size, fuzz::amf0_lossy);
}
