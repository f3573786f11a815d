#pragma once
// Helpers shared by the AMF tests: encode a Value, decode bytes, and check
// that every strict prefix of valid input fails cleanly (the AMF readers
// work on a whole message, so "split points" become truncations).
#include <gtest/gtest.h>

#include <string>

#include "amf/debug_string.hpp"
#include "amf/errors.hpp"
#include "amf/reader0.hpp"
#include "amf/reader3.hpp"
#include "amf/writer0.hpp"
#include "amf/writer3.hpp"
#include "support/guard_page_buffer.hpp"
#include "support/hex_literal.hpp"

namespace sluice::amf::test {

using sluice::test::ascii;
using sluice::test::cat;
using sluice::test::hex;

inline base::ByteVector encode0(const Value& v) {
    base::ByteWriter out;
    Writer0(out).write(v);
    return out.take();
}

inline base::ByteVector encode3(const Value& v) {
    base::ByteWriter out;
    Writer3(out).write(v);
    return out.take();
}

/// Decodes exactly one value that must fill the input. The input sits
/// against a guard page, so any over-read faults.
template <class Reader>
base::Result<Value> decode_one(base::Bytes bytes, Limits limits = {}) {
    const sluice::test::GuardPageBuffer guarded(bytes);
    Reader r(guarded.bytes(), limits);
    auto v = r.read();
    if (v && !r.at_end()) ADD_FAILURE() << "value did not consume the whole input";
    return v;
}
inline base::Result<Value> decode0(base::Bytes bytes, Limits limits = {}) {
    return decode_one<Reader0>(bytes, limits);
}
inline base::Result<Value> decode3(base::Bytes bytes, Limits limits = {}) {
    return decode_one<Reader3>(bytes, limits);
}

inline std::error_code error0(base::Bytes bytes, Limits limits = {}) {
    return decode0(bytes, limits).error();
}
inline std::error_code error3(base::Bytes bytes, Limits limits = {}) {
    return decode3(bytes, limits).error();
}

/// Every strict prefix of `bytes` (one whole value) must fail with
/// `truncated` and never read past its end.
/// Long inputs are sampled (the ends densely, the middle sparsely).
template <class Reader>
void expect_prefixes_truncated(base::Bytes bytes) {
    const std::size_t dense = 64;
    const std::size_t step = bytes.size() > 4 * dense ? bytes.size() / dense : 1;
    for (std::size_t n = 0; n < bytes.size(); n += (n < dense || n + dense >= bytes.size()) ? 1 : step) {
        SCOPED_TRACE("prefix of " + std::to_string(n) + " bytes");
        const sluice::test::GuardPageBuffer guarded(bytes.first(n));
        Reader r(guarded.bytes());
        auto v = r.read();
        ASSERT_FALSE(v);
        EXPECT_EQ(v.error(), make_error_code(Errc::truncated));
    }
}

/// Writes `v` with Writer0, reads it back, and expects the same value.
inline void expect_round_trip0(const Value& v) {
    const auto bytes = encode0(v);
    auto back = decode0(bytes);
    ASSERT_TRUE(back) << back.error().message() << " for " << debug_string(v);
    EXPECT_EQ(*back, v) << debug_string(*back) << " vs " << debug_string(v);
    expect_prefixes_truncated<Reader0>(bytes);
}

inline void expect_round_trip3(const Value& v) {
    const auto bytes = encode3(v);
    auto back = decode3(bytes);
    ASSERT_TRUE(back) << back.error().message() << " for " << debug_string(v);
    EXPECT_EQ(*back, v) << debug_string(*back) << " vs " << debug_string(v);
    expect_prefixes_truncated<Reader3>(bytes);
}

}  // namespace sluice::amf::test
