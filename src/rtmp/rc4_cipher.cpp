// OpenSSL 3 keeps RC4 in two places: EVP "RC4" in the legacy provider (a
// separately loaded module, legacy.so, missing from minimal and static
// installs, and enabled per library context), and the deprecated RC4_*
// functions inside libcrypto itself. We use the latter: always present
// unless OpenSSL was built with no-deprecated, no provider to load, no
// global state to touch, and RC4_KEY is a plain struct we can own.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "rtmp/rc4_cipher.hpp"

#include <openssl/crypto.h>
#include <openssl/rc4.h>

#include <algorithm>
#include <array>

namespace sluice::rtmp {

Rc4Cipher::Rc4Cipher(std::span<const std::uint8_t> key) : key_(new rc4_key_st{}) {
    static constexpr std::uint8_t zero = 0;
    if (key.empty()) key = {&zero, 1};
    RC4_set_key(key_.get(), static_cast<int>(std::min<std::size_t>(key.size(), 256)), key.data());
}

Rc4Cipher::~Rc4Cipher() = default;
Rc4Cipher::Rc4Cipher(Rc4Cipher&&) noexcept = default;
Rc4Cipher& Rc4Cipher::operator=(Rc4Cipher&&) noexcept = default;

void Rc4Cipher::Deleter::operator()(rc4_key_st* key) const noexcept {
    // The state is the key schedule: wipe it like any key material.
    OPENSSL_cleanse(key, sizeof(*key));
    delete key;
}

void Rc4Cipher::apply(std::span<std::uint8_t> bytes) noexcept {
    // RC4() works in place (in == out is allowed).
    RC4(key_.get(), bytes.size(), bytes.data(), bytes.data());
}

void Rc4Cipher::discard(std::size_t count) noexcept {
    std::array<std::uint8_t, 512> scratch{};
    while (count > 0) {
        const std::size_t n = std::min(count, scratch.size());
        apply(std::span(scratch).first(n));
        count -= n;
    }
    OPENSSL_cleanse(scratch.data(), scratch.size());
}

}  // namespace sluice::rtmp
