#pragma once
// Helpers shared by the rtmp tests.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/byte_writer.hpp"
#include "rtmp/command.hpp"
#include "rtmp/message.hpp"

namespace sluice::rtmp::test_support {

/// `n` deterministic payload bytes that differ with `seed` (so a misframed
/// chunk shows up as wrong bytes, not as equal zeros).
inline base::ByteVector pattern(std::size_t n, std::uint8_t seed) {
    base::ByteVector v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 7);
    return v;
}

/// Bytes [from, from + n) of `v` as a new vector.
inline base::ByteVector slice(const base::ByteVector& v, std::size_t from, std::size_t n) {
    return {v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(from + n)};
}

/// Builds `value` into a Message in AMF0 and in AMF3 on message stream
/// `msid`, decodes it back through the generic and the typed decoder, and
/// expects the same value.
template <class T>
void expect_command_round_trip(const T& value, MessageStreamId msid) {
    for (Encoding e : {Encoding::amf0, Encoding::amf3}) {
        const Message m = value.encode(e, msid);
        EXPECT_EQ(m.stream_id, msid);
        auto generic = decode_command(m);
        ASSERT_TRUE(generic) << generic.error().message();
        std::string why;
        auto back = T::decode(*generic, &why);
        ASSERT_TRUE(back) << why;
        EXPECT_EQ(*back, value) << debug_string(*generic);
    }
}

}  // namespace sluice::rtmp::test_support
