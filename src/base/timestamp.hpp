#pragma once
// RTMP timestamps: 32-bit milliseconds that wrap at 2^32 (about 49.7 days).
//
// Decision (STYLE.md §2 item 2): Sluice compares timestamps with RFC 1982
// serial-number arithmetic over the full 32 bits, as ARCHITECTURE.md asks,
// rather than masking to 31 bits as SRS does. Both agree for every pair of
// timestamps less than 2^31 ms (~24.8 days) apart, which is the only range
// the spec's "wrap" rule can order at all; the 32-bit form keeps the exact
// values peers sent, so relaying never rewrites a timestamp.
//
// serial_less(a, b) is undefined by RFC 1982 when a and b are exactly 2^31
// apart; we define it as false in both directions (neither is "before").
#include <cstdint>

namespace sluice::base {

using Timestamp = std::uint32_t;

/// Signed distance from `a` to `b` (b − a), interpreted in serial arithmetic:
/// positive when b is after a. Exactly 2^31 apart yields INT32_MIN.
constexpr std::int32_t serial_diff(Timestamp a, Timestamp b) noexcept {
    return static_cast<std::int32_t>(b - a);
}

/// True when `a` comes strictly before `b` (RFC 1982, SERIAL_BITS = 32).
constexpr bool serial_less(Timestamp a, Timestamp b) noexcept {
    const std::uint32_t d = b - a;
    return d != 0 && d < 0x8000'0000u;
}

constexpr bool serial_less_equal(Timestamp a, Timestamp b) noexcept {
    return a == b || serial_less(a, b);
}

/// `t` advanced by `delta` ms, wrapping at 2^32 as the wire does.
constexpr Timestamp serial_add(Timestamp t, std::uint32_t delta) noexcept {
    return t + delta;
}

}  // namespace sluice::base
