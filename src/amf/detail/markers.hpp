#pragma once
// AMF0 and AMF3 type markers (REFERENCE.md §2.1, §3.2). Private to amf.
#include <cstdint>

namespace sluice::amf {

namespace amf0 {
inline constexpr std::uint8_t number = 0x00;
inline constexpr std::uint8_t boolean = 0x01;
inline constexpr std::uint8_t string = 0x02;
inline constexpr std::uint8_t object = 0x03;
inline constexpr std::uint8_t movieclip = 0x04;  // reserved
inline constexpr std::uint8_t null = 0x05;
inline constexpr std::uint8_t undefined = 0x06;
inline constexpr std::uint8_t reference = 0x07;
inline constexpr std::uint8_t ecma_array = 0x08;
inline constexpr std::uint8_t object_end = 0x09;
inline constexpr std::uint8_t strict_array = 0x0A;
inline constexpr std::uint8_t date = 0x0B;
inline constexpr std::uint8_t long_string = 0x0C;
inline constexpr std::uint8_t unsupported = 0x0D;
inline constexpr std::uint8_t recordset = 0x0E;  // reserved
inline constexpr std::uint8_t xml_document = 0x0F;
inline constexpr std::uint8_t typed_object = 0x10;
inline constexpr std::uint8_t avm_plus = 0x11;
}  // namespace amf0

namespace amf3 {
inline constexpr std::uint8_t undefined = 0x00;
inline constexpr std::uint8_t null = 0x01;
inline constexpr std::uint8_t false_ = 0x02;
inline constexpr std::uint8_t true_ = 0x03;
inline constexpr std::uint8_t integer = 0x04;
inline constexpr std::uint8_t double_ = 0x05;
inline constexpr std::uint8_t string = 0x06;
inline constexpr std::uint8_t xml_document = 0x07;
inline constexpr std::uint8_t date = 0x08;
inline constexpr std::uint8_t array = 0x09;
inline constexpr std::uint8_t object = 0x0A;
inline constexpr std::uint8_t xml = 0x0B;
inline constexpr std::uint8_t byte_array = 0x0C;
inline constexpr std::uint8_t vector_int = 0x0D;
inline constexpr std::uint8_t vector_uint = 0x0E;
inline constexpr std::uint8_t vector_double = 0x0F;
inline constexpr std::uint8_t vector_object = 0x10;
inline constexpr std::uint8_t dictionary = 0x11;

/// The 29-bit signed range of the integer type.
inline constexpr std::int32_t integer_min = -(1 << 28);
inline constexpr std::int32_t integer_max = (1 << 28) - 1;
/// The largest U29 (lengths, counts and indexes use U29 >> 1: 2^28 - 1).
inline constexpr std::uint32_t u29_max = (1u << 29) - 1;
}  // namespace amf3

}  // namespace sluice::amf
