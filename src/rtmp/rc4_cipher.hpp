#pragma once
// rtmp::Rc4Cipher: one direction of the RC4 stream cipher that RTMPE wraps
// around the chunk stream after the handshake (REFERENCE.md §10.4).
// rtmp::Handshake hands out two of them (in and out) once an encrypted
// handshake is done; net::Rc4Transport applies them to every byte.
//
// Contract:
//  - RC4 is a keystream XORed onto the data, so encrypting and decrypting
//    are the same operation: apply(). Each byte applied advances the
//    keystream by one; the two ends of a connection stay in step only if
//    every byte on the wire goes through apply() exactly once, in order.
//  - Move-only: a copy would hand out the same keystream twice, which both
//    desynchronises the stream and leaks plaintext (two ciphertexts XOR to
//    the XOR of their plaintexts). A moved-from cipher may only be
//    destroyed or assigned to; valid() says which one you hold.
//  - About 1 KiB of state on the heap (OpenSSL's RC4_KEY). Not thread-safe.
//  - RC4 is broken as a cipher (RFC 7465); RTMPE uses it because Flash did.
//    This is compatibility, not confidentiality.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

struct rc4_key_st;  // OpenSSL's RC4_KEY, kept out of this header

namespace sluice::rtmp {

class Rc4Cipher {
public:
    /// Keys the cipher (RTMPE: 16 bytes; RC4 takes 1..256). Precondition:
    /// !key.empty() (an empty key is replaced by one zero byte).
    explicit Rc4Cipher(std::span<const std::uint8_t> key);
    ~Rc4Cipher();
    Rc4Cipher(Rc4Cipher&&) noexcept;
    Rc4Cipher& operator=(Rc4Cipher&&) noexcept;
    Rc4Cipher(const Rc4Cipher&) = delete;
    Rc4Cipher& operator=(const Rc4Cipher&) = delete;

    /// XORs the next bytes.size() keystream bytes onto `bytes`, in place.
    /// Precondition: valid().
    void apply(std::span<std::uint8_t> bytes) noexcept;
    /// Skips `count` keystream bytes (RTMPE discards the first 1536).
    /// Precondition: valid().
    void discard(std::size_t count) noexcept;
    /// False only for a moved-from cipher.
    bool valid() const noexcept { return key_ != nullptr; }

private:
    struct Deleter {
        void operator()(rc4_key_st* key) const noexcept;
    };
    std::unique_ptr<rc4_key_st, Deleter> key_;
};

}  // namespace sluice::rtmp
