#pragma once
// rtmp::Handshake: one side (client or server) of the RTMP handshake,
// sans-I/O (RTMP 1.0 §5.2; REFERENCE.md §1.2 and §9).
//
// Wire sequence (client left, server right):
//
//    C0 (1) + C1 (1536)          ->
//                                <-  S0 (1) + S1 (1536) + S2 (1536)
//    C2 (1536)                   ->
//    ... chunk stream (connect) ...
//
//  - C0/S0: the version byte, 3. C1/S1: time U32 BE, a 4-byte version field,
//    1528 filler bytes. C2/S2 answer the peer's C1/S1:
//
//        C1/S1:  0        4         8                               1536
//                +--------+---------+--------------------------------+
//                | time   | version | filler (random; digest inside) |
//                +--------+---------+--------------------------------+
//        C2/S2 (simple):
//                +--------+---------+--------------------------------+
//                | peer's | our     | peer's C1/S1 bytes 8..1535     |
//                | time   | time2   |                                |
//                +--------+---------+--------------------------------+
//        C2/S2 (digest):
//                +---------------------------------------+-----------+
//                | 1504 random bytes                     | signature |
//                +---------------------------------------+-----------+
//
//  - Simple scheme (the spec's): the C1/S1 version field is zero, and C2/S2
//    echo the peer's packet: its time, then our `time` option as "time2",
//    then the peer's bytes 8..1535.
//  - Digest scheme (Flash Player 9+, FFmpeg, librtmp, SRS, nginx-rtmp): the
//    version field is non-zero, C1/S1 embed an HMAC-SHA256 digest at a
//    position that depends on the schema, and C2/S2 are 1504 random bytes
//    plus a signature over them keyed by the peer's digest. The byte layout
//    is drawn in rtmp/handshake_digest.hpp.
//  - Encrypted scheme (RTMPE, REFERENCE.md §10; FFmpeg rtmpe://, librtmp):
//    C0/S0 are 6, 8 or 9; the digest scheme, plus each side's Diffie-Hellman
//    public key in the key slot of C1/S1 (same schema as the digest). C2/S2
//    signatures are additionally enciphered for types 8 (XTEA) and 9
//    (Blowfish). The six packets travel in clear; every byte after them goes
//    through RC4 with keys derived from the shared secret (take_ciphers();
//    the building blocks are in rtmp/handshake_rtmpe.hpp).
//
// Server behaviour:
//  - C0: 3 is accepted. 0..2 and 4..31 (except 6, 8 and 9) are answered with
//    S0 = 3, as the spec asks of a server that does not know the version.
//    6, 8 and 9 (RTMPE) are accepted when HandshakeOptions::encryption is
//    on, else fail with handshake_rtmpe_unsupported; 'A'..'Z' (the
//    start of an HTTP request) with handshake_http_on_rtmp_port; the rest of
//    32..255 with handshake_version_unsupported. These failures happen as
//    soon as C0 arrives. C0 22 followed by 03 0x (x <= 4) is a TLS record
//    header (a ClientHello): handshake_tls_on_rtmp_port after those 3 bytes.
//  - C1: the digest is looked for in schema 0, then schema 1, with the
//    client key. Found: S1 is signed in the same schema, S2 is the digest
//    response. Not found (a simple client, or a forged digest): the simple
//    scheme, S1's version field zero and S2 an echo of C1.
//  - RTMPE C1 (C0 6/8/9, encryption on): the digest must verify in schema
//    0 or 1, else handshake_rtmpe_digest_missing (there is no simple
//    RTMPE); the client's public key, read from the key slot of that
//    schema, must pass the §10.2 check, else handshake_rtmpe_key_invalid.
//    S0 is librtmp's choice (§10.1): 9 for 9; for 6 and 8, 8 when C1 byte 4
//    is 128 (Flash's "128.x" RTMPE version, also FFmpeg's and librtmp's)
//    and 6 otherwise. (librtmp answers 6 to a 9; we answer 9, since we
//    speak it and the client asked for it.) S1 carries our public key and
//    digest in the schema of C1; S2 is the signed response, enciphered for
//    S0 = 8 or 9. kind() is encrypted from then on.
//  - S0+S1+S2 (3073 bytes) appear in output() at once when C1 is complete.
//  - C2: anything is accepted (FFmpeg, when publishing, echoes S1 instead of
//    signing, under RTMPE too); peer_response_verified() records whether it
//    was the expected signature (digest, enciphered under RTMPE 8/9) or echo
//    of S1 (simple).
//
// Client behaviour:
//  - C0+C1 (1537 bytes) are in output() right after construction.
//    With `digest` (the default) C1 carries a digest in `schema` (default 1,
//    FFmpeg's unencrypted client); without it, the simple scheme (what plain
//    librtmp and OBS send).
//  - With HandshakeOptions::encrypted_type (RTMPE): C0 is that type, C1's
//    version field rtmpe_client_version unless `version` is set, and C1
//    carries our public key and digest in schema 0 (`digest` and `schema`
//    are ignored). S0 must be 6, 8 or 9 (the server may pick another type
//    than we offered, e.g. librtmp answers 8 to a 6; we follow S0, as
//    FFmpeg does); S1 must carry a server digest in either schema
//    (handshake_rtmpe_digest_missing otherwise) and a valid public key in
//    that schema's key slot (handshake_rtmpe_key_invalid); S2 must carry
//    the signature enciphered for S0 (handshake_digest_invalid otherwise).
//  - Without it, S0 other than 3 fails with handshake_version_mismatch.
//  - S1: when we sent a digest, the server digest is looked for in our
//    schema, then the other one, whatever S1's version field says. Found:
//    C2 is the signed response and S2 must carry the server's signature, or
//    the handshake fails with handshake_digest_invalid. Not found (a simple
//    server, or one that sets a version field without a digest we can
//    verify): accepted as simple, peer_digest_verified() stays false, C2
//    echoes S1, and S2 is not checked beyond recording whether it echoes C1.
//    A stricter client (FFmpeg when playing checks S1 once byte 4 >= 3)
//    may refuse here; we accept, because the spec's simple scheme is a
//    valid answer and nothing we send later depends on the digest.
//  - C2 (1536 bytes) is appended to output() when S1 is complete; the client
//    is done when S2 is complete.
//
// Contract:
//  - feed() copies what it needs into fixed 1536-byte buffers and returns
//    how many bytes it consumed. It never consumes past the last handshake
//    byte: bytes that follow (the client's `connect`, the server's first
//    control messages) stay with the caller for the chunk decoder. Partial
//    input is normal: the state just stays where it was.
//  - Memory is fixed (about 6 KiB per object); nothing is allocated in
//    proportion to peer data. Not thread-safe; movable.
//  - No clock and no global RNG: the time value and the random source come
//    from HandshakeOptions, so tests and fuzzers are deterministic.
//  - After done or failed, feed() consumes nothing. A failed handshake must
//    close the connection (all handshake errors are fatal); error() says why,
//    and output() is empty from then on (nothing more should be sent).
//  - RTMPE: the DH private key is drawn from the same random source (128
//    bytes; redrawn up to 4 times if it gives an invalid key, then
//    handshake_rtmpe_key_failed) and wiped once the shared secret is made.
//    Two RC4 states (about 1 KiB each, on the heap) are the only other
//    memory. After done(), take_ciphers() hands them out exactly once:
//    apply `in` to every byte received after the handshake (server: after
//    C2, including bytes feed() did not consume; client: after S2) and `out`
//    to every byte sent after it (server: after S2; client: after C2). The
//    handshake's own output() is never encrypted: write all of it first.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <system_error>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "rtmp/handshake_digest.hpp"
#include "rtmp/handshake_rtmpe.hpp"
#include "rtmp/rc4_cipher.hpp"

namespace sluice::rtmp {

enum class HandshakeRole : std::uint8_t { client, server };

/// What the handshake waits for. Server: want_c0c1 -> want_c2 -> done.
/// Client: want_s0s1 -> want_s2 -> done (the constructor already wrote C0+C1,
/// so the client never waits to start). Any state may go to failed.
enum class HandshakeState : std::uint8_t {
    want_c0c1,  ///< server: waiting for C0 and C1
    want_c2,    ///< server: S0+S1+S2 are in output(); waiting for C2
    want_s0s1,  ///< client: C0+C1 are in output(); waiting for S0 and S1
    want_s2,    ///< client: C2 is in output(); waiting for S2
    done,       ///< finished; what follows on the wire is the chunk stream
    failed,     ///< see error(); close the connection
};

/// The scheme in use (REFERENCE.md §1.2, §9, §10).
enum class HandshakeKind : std::uint8_t {
    simple,     ///< spec §5.2: zero version field, C2/S2 echo
    digest,     ///< HMAC-SHA256 digests in C1/S1, signed C2/S2
    encrypted,  ///< RTMPE (C0 = 6/8/9): digest + Diffie-Hellman, then RC4
};

/// The 4 bytes at C1/S1 offset 4..7 (a Flash version number, e.g. 9.0.124.2).
using HandshakeVersion = std::array<std::uint8_t, 4>;

/// FFmpeg's client version field (9.0.124.2; REFERENCE.md §9.4). Any value
/// with a non-zero first byte >= 3 makes servers that check it look for a digest.
inline constexpr HandshakeVersion default_client_version = {0x09, 0x00, 0x7C, 0x02};
/// The server version field nginx-rtmp sends (13.14.10.13). Non-zero, and its
/// first byte is >= 3, so FFmpeg's player verifies our S1 digest.
inline constexpr HandshakeVersion default_server_version = {0x0D, 0x0E, 0x0A, 0x0D};
/// The RTMPE client version field FFmpeg and librtmp send (128.0.3.2;
/// REFERENCE.md §9.4). Byte 4 = 128 makes a librtmp-style server answer 8.
inline constexpr HandshakeVersion rtmpe_client_version = {0x80, 0x00, 0x03, 0x02};

struct HandshakeOptions {
    /// Written as C1/S1 `time` and as the C2/S2 `time2` of the simple
    /// scheme: the caller's clock in milliseconds (any epoch; 0 is fine).
    std::uint32_t time = 0;
    /// Fills a span with random bytes (C1/S1 filler, C2/S2 random part).
    /// Empty: OpenSSL RAND_bytes. Tests pass a deterministic source.
    std::function<void(std::span<std::uint8_t>)> random;
    /// Client only: offer the digest scheme (true) or send a simple C1.
    bool digest = true;
    /// Client only: where our C1 digest goes (REFERENCE.md §9.2).
    DigestSchema schema = DigestSchema::schema1;
    /// The version field of our C1/S1 in the digest scheme (the simple
    /// scheme always sends zero). nullopt: default_client_version (or
    /// rtmpe_client_version with encrypted_type) or default_server_version
    /// by role.
    std::optional<HandshakeVersion> version;
    /// Server only: accept RTMPE (C0 = 6, 8, 9). Off: such a C0 fails with
    /// handshake_rtmpe_unsupported at once. The caller that turns it on must
    /// also wrap the connection in the ciphers from take_ciphers().
    bool encryption = false;
    /// Client only: speak RTMPE and send this C0 (6, 8 or 9; anything else
    /// fails at construction with handshake_rtmpe_type_invalid). nullopt:
    /// plain RTMP, C0 = 3.
    std::optional<std::uint8_t> encrypted_type;
};

/// The two RC4 directions of an RTMPE connection, already past the 1536-byte
/// keystream discard (REFERENCE.md §10.4).
struct RtmpeCiphers {
    Rc4Cipher in;   ///< decrypts every byte received after the handshake
    Rc4Cipher out;  ///< encrypts every byte sent after the handshake
};

class Handshake {
public:
    /// Sizes on the wire.
    static constexpr std::size_t packet_size = handshake_digest::packet_size;  ///< C1, C2, S1, S2
    static constexpr std::size_t first_flight_size = 1 + packet_size;          ///< C0+C1
    static constexpr std::size_t server_output_size = 1 + 2 * packet_size;     ///< S0+S1+S2 = 3073
    static constexpr std::size_t client_output_size = 1 + 2 * packet_size;     ///< C0+C1+C2 = 3073
    static constexpr std::uint8_t rtmp_version = 3;
    /// C0 values from 32 up are forbidden by the spec.
    static constexpr std::uint8_t first_forbidden_version = 32;

    Handshake(HandshakeRole role, HandshakeOptions options);

    /// Consumes handshake bytes from `input`; returns how many (<= size).
    /// Stops at the end of the handshake and after a failure.
    std::size_t feed(base::Bytes input);

    /// Bytes to send, in order, not yet marked sent. Valid until the next
    /// feed() or consume_output()/take_output().
    base::Bytes output() const noexcept { return {out_.data() + sent_, written_ - sent_}; }
    /// Marks the first `n` bytes of output() sent (clamped to its size).
    void consume_output(std::size_t n) noexcept;
    /// Copies output() out and marks it sent.
    base::ByteVector take_output();

    HandshakeRole role() const noexcept { return role_; }
    HandshakeState state() const noexcept { return state_; }
    bool done() const noexcept { return state_ == HandshakeState::done; }
    bool failed() const noexcept { return state_ == HandshakeState::failed; }
    /// Why the handshake failed (rtmp::Errc), or an empty error_code.
    std::error_code error() const noexcept { return error_; }

    /// The scheme in use: for a server, known once C1 arrived (simple
    /// before); for a client, what it offers until S1 arrived, then what the
    /// server answered.
    HandshakeKind kind() const noexcept { return kind_; }
    /// The schema of the verified peer digest (nullopt unless kind() is
    /// digest or encrypted).
    std::optional<DigestSchema> schema() const noexcept { return schema_; }
    /// C0 (server) or S0 (client) as received; nullopt before it arrived.
    std::optional<std::uint8_t> peer_rtmp_version() const noexcept { return peer_rtmp_version_; }
    /// Bytes 4..7 of the peer's C1 (server) or S1 (client); zero before.
    HandshakeVersion peer_version() const noexcept { return peer_version_; }
    /// Bytes 0..3 of the peer's C1 or S1 (its clock).
    std::uint32_t peer_time() const noexcept { return peer_time_; }
    /// True when the peer's C1 (server) or S1 (client) carried a digest that
    /// verified with the peer's key.
    bool peer_digest_verified() const noexcept { return peer_digest_verified_; }
    /// True when the peer's C2 (server) or S2 (client) was exactly what the
    /// scheme in use expects: the signature (digest) or an echo of our
    /// C1/S1 filler (simple). A server never fails on this; a client fails
    /// only when the S1 digest verified and the S2 signature does not.
    bool peer_response_verified() const noexcept { return peer_response_verified_; }
    /// The peer's complete C1 (server) or S1 (client); empty before it
    /// arrived. Kept for SWF verification (§9.5) and RTMPE.
    base::Bytes peer_packet() const noexcept {
        return peer_packet_complete_ ? base::Bytes{peer_packet_} : base::Bytes{};
    }
    /// The last 32 bytes of the server's S1 (a server's own, a client's
    /// peer's): the key of the SWF verification response (REFERENCE.md
    /// §9.5, rtmp/swf_verification.hpp). All zero until that S1 exists
    /// (server: once C1 arrived; client: once S1 arrived); kept after done().
    std::array<std::uint8_t, 32> server_s1_tail() const noexcept;
    /// The RTMPE type in use (S0: 6, 8 or 9) once kind() is encrypted and
    /// the server chose it (server: after C1; client: after S0); else nullopt.
    std::optional<std::uint8_t> encryption_type() const noexcept {
        return encryption_type_ != 0 ? std::optional<std::uint8_t>(encryption_type_) : std::nullopt;
    }
    /// The RC4 pair of an RTMPE handshake: the first call after done()
    /// returns it; every other call (before done(), a second time, or for a
    /// simple or digest handshake) returns nullopt. A caller that turned
    /// encryption on must treat nullopt after done() with kind() ==
    /// encrypted as a bug, never as "send in clear".
    std::optional<RtmpeCiphers> take_ciphers();

private:
    using Packet = std::array<std::uint8_t, packet_size>;

    std::size_t feed_server(base::Bytes input);
    std::size_t feed_client(base::Bytes input);
    /// Copies into `into` at `filled` up to a full packet; returns bytes taken.
    static std::size_t fill(Packet& into, std::size_t& filled, base::Bytes input) noexcept;
    bool check_server_c0(std::uint8_t version);
    bool is_tls_client_hello() const noexcept;
    void on_c1();
    void on_c2();
    void on_s1();
    void on_s2();
    void write_client_c0c1();
    /// Writes time, version field and random filler of our C1/S1 at out_[1..].
    bool write_first_packet(bool with_version);
    /// Writes the simple-scheme echo of the peer packet at `at`.
    void write_echo(std::size_t at);
    /// Writes a digest-scheme response (random + signature) at `at`.
    bool write_signed_response(std::size_t at, base::Bytes full_key);
    std::span<std::uint8_t, packet_size> out_packet(std::size_t at) noexcept;
    bool echoes_our_packet(const Packet& response) const noexcept;
    void fail(std::error_code ec) noexcept;
    /// Fills `out` from the option or RAND_bytes; false (and failed) when
    /// RAND_bytes has no entropy.
    bool random(std::span<std::uint8_t> out);

    // ---- RTMPE (handshake.cpp) ----
    void on_c1_encrypted();
    /// Draws our private key and writes the public key into our C1/S1 at the
    /// key slot of `schema`; false (and failed) when no valid key came.
    bool write_public_key(DigestSchema schema);
    /// Checks the peer's public key at the key slot of `schema` and derives
    /// ciphers_; false (and failed) on an invalid key.
    bool derive_ciphers(DigestSchema schema);
    /// The 128 bytes at the key slot of `schema` in the peer's C1/S1.
    base::Bytes peer_public_key(DigestSchema schema) const noexcept;

    HandshakeRole role_;
    HandshakeOptions options_;
    HandshakeState state_;
    HandshakeKind kind_ = HandshakeKind::simple;
    std::optional<DigestSchema> schema_;
    std::error_code error_;

    std::optional<std::uint8_t> peer_rtmp_version_;
    HandshakeVersion peer_version_{};
    std::uint32_t peer_time_ = 0;
    bool peer_digest_verified_ = false;
    bool peer_response_verified_ = false;

    /// Our bytes: C0/S0 at 0, C1/S1 at 1, C2/S2 at 1537. Kept whole after
    /// sending, so the peer's echo can be checked against them.
    std::array<std::uint8_t, server_output_size> out_{};
    std::size_t written_ = 0;
    std::size_t sent_ = 0;

    Packet peer_packet_{};  ///< peer's C1/S1
    std::size_t peer_packet_filled_ = 0;
    bool peer_packet_complete_ = false;
    Packet peer_response_{};  ///< peer's C2/S2
    std::size_t peer_response_filled_ = 0;

    handshake_digest::Digest our_digest_{};   ///< digest in our C1/S1
    handshake_digest::Digest peer_digest_{};  ///< digest found in the peer's C1/S1

    std::uint8_t encryption_type_ = 0;           ///< S0 under RTMPE, else 0
    handshake_rtmpe::PrivateKey private_key_{};  ///< wiped after use
    std::optional<RtmpeCiphers> ciphers_;        ///< ready once derived; handed out after done
};

}  // namespace sluice::rtmp
