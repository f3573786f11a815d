#include "rtmp/handshake.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "rtmp/errors.hpp"

namespace sluice::rtmp {
namespace hd = handshake_digest;
namespace he = handshake_rtmpe;

namespace {

// Offsets inside a C1/S1/C2/S2 packet (REFERENCE.md §1.2).
constexpr std::size_t time_offset = 0;
constexpr std::size_t version_offset = 4;
constexpr std::size_t filler_offset = 8;

// Offsets inside out_: our C0/S0, C1/S1, C2/S2.
constexpr std::size_t out_first_packet = 1;
constexpr std::size_t out_response = 1 + Handshake::packet_size;

std::uint32_t u32_at(std::span<const std::uint8_t> bytes, std::size_t at) noexcept {
    base::ByteReader reader(bytes.subspan(at, 4));
    return reader.u32be();
}

// Flash's RTMPE clients send a "128.x" version field; librtmp's server
// answers them 8 (XTEA) even when they ask for 6.
constexpr std::uint8_t flash_rtmpe_major = 128;

/// S0 for an RTMPE C0 (REFERENCE.md §10.1; see handshake.hpp).
std::uint8_t server_rtmpe_type(std::uint8_t c0, std::uint8_t c1_major) noexcept {
    if (c0 == he::type_blowfish) return he::type_blowfish;
    return c1_major == flash_rtmpe_major ? he::type_xtea : he::type_plain;
}

/// Private keys drawn before giving up: a real random source gives an
/// invalid key with probability about 2^-1023, so more than one failure
/// means a broken (e.g. constant zero) source.
constexpr int private_key_attempts = 4;

}  // namespace

Handshake::Handshake(HandshakeRole role, HandshakeOptions options)
    : role_(role),
      options_(std::move(options)),
      state_(role == HandshakeRole::server ? HandshakeState::want_c0c1 : HandshakeState::want_s0s1) {
    if (!options_.version) {
        if (role_ == HandshakeRole::server) {
            options_.version = default_server_version;
        } else {
            options_.version = options_.encrypted_type ? rtmpe_client_version : default_client_version;
        }
    }
    if (role_ == HandshakeRole::client) write_client_c0c1();
}

std::size_t Handshake::feed(base::Bytes input) {
    return role_ == HandshakeRole::server ? feed_server(input) : feed_client(input);
}

std::array<std::uint8_t, 32> Handshake::server_s1_tail() const noexcept {
    std::array<std::uint8_t, 32> tail{};
    if (role_ == HandshakeRole::server) {
        // Our S1 sits at out_[1..1536] and stays there after it was sent.
        if (written_ >= 1 + packet_size)
            std::copy_n(out_.begin() + 1 + packet_size - tail.size(), tail.size(), tail.begin());
    } else if (peer_packet_complete_) {
        std::copy_n(peer_packet_.end() - static_cast<std::ptrdiff_t>(tail.size()), tail.size(), tail.begin());
    }
    return tail;
}

void Handshake::consume_output(std::size_t n) noexcept {
    sent_ += std::min(n, written_ - sent_);
}

base::ByteVector Handshake::take_output() {
    const base::Bytes pending = output();
    base::ByteVector copy(pending.begin(), pending.end());
    sent_ = written_;
    return copy;
}

std::size_t Handshake::fill(Packet& into, std::size_t& filled, base::Bytes input) noexcept {
    const std::size_t n = std::min(input.size(), into.size() - filled);
    std::copy_n(input.begin(), n, into.begin() + static_cast<std::ptrdiff_t>(filled));
    filled += n;
    return n;
}

// ---- server ----

std::size_t Handshake::feed_server(base::Bytes input) {
    std::size_t used = 0;
    while (used < input.size()) {
        switch (state_) {
            case HandshakeState::want_c0c1:
                if (!peer_rtmp_version_) {
                    // Judge C0 on its own: a refused version fails before C1
                    // arrives, so a port scanner or an RTMPE client hears
                    // nothing and the caller closes at once.
                    const std::uint8_t version = input[used++];
                    peer_rtmp_version_ = version;
                    if (!check_server_c0(version)) return used;
                    break;
                }
                used += fill(peer_packet_, peer_packet_filled_, input.subspan(used));
                if (is_tls_client_hello()) {
                    // A ClientHello is shorter than C1: waiting for the rest
                    // would hold the connection until the handshake deadline.
                    fail(Errc::handshake_tls_on_rtmp_port);
                    return used;
                }
                if (peer_packet_filled_ == packet_size) on_c1();
                break;
            case HandshakeState::want_c2:
                used += fill(peer_response_, peer_response_filled_, input.subspan(used));
                if (peer_response_filled_ == packet_size) on_c2();
                break;
            default:
                return used;
        }
    }
    return used;
}

bool Handshake::is_tls_client_hello() const noexcept {
    // A TLS record: content type 22 (handshake, our "C0"), then the
    // protocol version 3.0 to 3.4 (SSL 3.0 up to TLS 1.3's legacy field).
    constexpr std::uint8_t tls_handshake_record = 22;
    return peer_rtmp_version_ == tls_handshake_record && peer_packet_filled_ >= 2 && peer_packet_[0] == 3 &&
           peer_packet_[1] <= 4;
}

bool Handshake::check_server_c0(std::uint8_t version) {
    if (he::is_rtmpe_type(version)) {
        if (options_.encryption) return true;
        fail(Errc::handshake_rtmpe_unsupported);
        return false;
    }
    if (version >= 'A' && version <= 'Z') {
        fail(Errc::handshake_http_on_rtmp_port);
        return false;
    }
    if (version >= first_forbidden_version) {
        fail(Errc::handshake_version_unsupported);
        return false;
    }
    // 0..2 (deprecated) and 4..31 (reserved): spec §5.2.2 lets a server
    // that does not know the version answer 3; the client then decides.
    return true;
}

void Handshake::on_c1() {
    peer_packet_complete_ = true;
    peer_time_ = u32_at(peer_packet_, time_offset);
    std::copy_n(peer_packet_.begin() + version_offset, 4, peer_version_.begin());
    if (he::is_rtmpe_type(*peer_rtmp_version_)) {
        on_c1_encrypted();
        return;
    }

    // SRS's order: schema 0 first, then schema 1. We try even when the
    // version field is zero (librtmp's server would not): a simple C1 cannot
    // verify by accident, and two HMACs once per connection are cheap.
    schema_ = hd::find_digest(peer_packet_, hd::client_key_c1(), DigestSchema::schema0);
    if (schema_) {
        kind_ = HandshakeKind::digest;
        peer_digest_verified_ = true;
        peer_digest_ = hd::stored_digest(peer_packet_, *schema_);
    }

    out_[0] = rtmp_version;
    if (!write_first_packet(kind_ == HandshakeKind::digest)) return;
    if (kind_ == HandshakeKind::digest) {
        our_digest_ = hd::sign_packet(out_packet(out_first_packet), *schema_, hd::server_key_s1());
        if (!write_signed_response(out_response, hd::server_key())) return;
    } else {
        write_echo(out_response);
    }
    written_ = server_output_size;
    state_ = HandshakeState::want_c2;
}

void Handshake::on_c2() {
    // Never fail on C2: FFmpeg, when publishing, answers a digest S1 with an
    // echo of S1 instead of a signature (REFERENCE.md §9.3), and SRS and
    // nginx-rtmp accept it. Only record what we saw.
    if (kind_ == HandshakeKind::digest) {
        peer_response_verified_ = hd::has_valid_signature(peer_response_, hd::client_key(), our_digest_);
    } else if (kind_ == HandshakeKind::encrypted) {
        peer_response_verified_ =
            he::has_valid_signature(peer_response_, hd::client_key(), our_digest_, encryption_type_);
    } else {
        peer_response_verified_ = echoes_our_packet(peer_response_);
    }
    state_ = HandshakeState::done;
}

// ---- client ----

void Handshake::write_client_c0c1() {
    if (options_.encrypted_type) {
        const std::uint8_t type = *options_.encrypted_type;
        if (!he::is_rtmpe_type(type)) {
            fail(Errc::handshake_rtmpe_type_invalid);
            return;
        }
        // FFmpeg's and librtmp's RTMPE layout: key and digest in schema 0.
        kind_ = HandshakeKind::encrypted;
        out_[0] = type;
        if (!write_first_packet(true) || !write_public_key(DigestSchema::schema0)) return;
        our_digest_ =
            hd::sign_packet(out_packet(out_first_packet), DigestSchema::schema0, hd::client_key_c1());
        written_ = first_flight_size;
        return;
    }
    kind_ = options_.digest ? HandshakeKind::digest : HandshakeKind::simple;
    out_[0] = rtmp_version;
    if (!write_first_packet(options_.digest)) return;
    if (options_.digest) {
        our_digest_ = hd::sign_packet(out_packet(out_first_packet), options_.schema, hd::client_key_c1());
    }
    written_ = first_flight_size;
}

std::size_t Handshake::feed_client(base::Bytes input) {
    std::size_t used = 0;
    while (used < input.size()) {
        switch (state_) {
            case HandshakeState::want_s0s1:
                if (!peer_rtmp_version_) {
                    const std::uint8_t version = input[used++];
                    peer_rtmp_version_ = version;
                    // Plain: we only ever ask for 3, and any other answer
                    // (including an RTMPE 6) is a server we cannot talk to.
                    // RTMPE: any encrypted type; a 3 would mean no encryption.
                    const bool expected =
                        options_.encrypted_type ? he::is_rtmpe_type(version) : version == rtmp_version;
                    if (!expected) {
                        fail(Errc::handshake_version_mismatch);
                        return used;
                    }
                    if (options_.encrypted_type) encryption_type_ = version;
                    break;
                }
                used += fill(peer_packet_, peer_packet_filled_, input.subspan(used));
                if (peer_packet_filled_ == packet_size) on_s1();
                break;
            case HandshakeState::want_s2:
                used += fill(peer_response_, peer_response_filled_, input.subspan(used));
                if (peer_response_filled_ == packet_size) on_s2();
                break;
            default:
                return used;
        }
    }
    return used;
}

void Handshake::on_s1() {
    peer_packet_complete_ = true;
    peer_time_ = u32_at(peer_packet_, time_offset);
    std::copy_n(peer_packet_.begin() + version_offset, 4, peer_version_.begin());

    if (kind_ == HandshakeKind::encrypted) {
        // librtmp's order (own schema first); there is no simple RTMPE.
        schema_ = hd::find_digest(peer_packet_, hd::server_key_s1(), DigestSchema::schema0);
        if (!schema_) {
            fail(Errc::handshake_rtmpe_digest_missing);
            return;
        }
        peer_digest_verified_ = true;
        peer_digest_ = hd::stored_digest(peer_packet_, *schema_);
        if (!derive_ciphers(*schema_)) return;
        auto c2 = out_packet(out_response);
        if (!random(c2.first(hd::signed_size))) return;
        he::sign_response(c2, hd::client_key(), peer_digest_, encryption_type_);
        written_ = client_output_size;
        state_ = HandshakeState::want_s2;
        return;
    }
    kind_ = HandshakeKind::simple;
    if (options_.digest) {
        // librtmp's order: our own schema first (a server answers in the
        // schema of C1), then the other one. FFmpeg only looks when S1 byte
        // 4 >= 3; we look whatever the version field says (as the server
        // side does), since a digest cannot verify by accident and a server
        // configured with a zero version would otherwise be misread.
        schema_ = hd::find_digest(peer_packet_, hd::server_key_s1(), options_.schema);
    }
    if (schema_) {
        kind_ = HandshakeKind::digest;
        peer_digest_verified_ = true;
        peer_digest_ = hd::stored_digest(peer_packet_, *schema_);
        if (!write_signed_response(out_response, hd::client_key())) return;
    } else {
        // Simple server, or a server that sets a version but signs nothing
        // we can verify: the spec's echo is still a valid answer, so go on
        // (the caller sees peer_digest_verified() == false).
        write_echo(out_response);
    }
    written_ = client_output_size;
    state_ = HandshakeState::want_s2;
}

void Handshake::on_s2() {
    if (kind_ == HandshakeKind::encrypted) {
        peer_response_verified_ =
            he::has_valid_signature(peer_response_, hd::server_key(), our_digest_, encryption_type_);
        if (!peer_response_verified_) {
            fail(Errc::handshake_digest_invalid);
            return;
        }
    } else if (kind_ == HandshakeKind::digest) {
        // S1 proved the server knows the key, so a wrong S2 signature is
        // corruption or tampering, not an old server.
        peer_response_verified_ = hd::has_valid_signature(peer_response_, hd::server_key(), our_digest_);
        if (!peer_response_verified_) {
            fail(Errc::handshake_digest_invalid);
            return;
        }
    } else {
        peer_response_verified_ = echoes_our_packet(peer_response_);
    }
    state_ = HandshakeState::done;
}

// ---- packet writers ----

bool Handshake::write_first_packet(bool with_version) {
    auto packet = out_packet(out_first_packet);
    base::SpanWriter writer(packet);
    writer.u32be(options_.time);
    // The spec's simple scheme requires a zero field; librtmp's server
    // takes a non-zero byte 4 as "try the digest".
    writer.bytes(with_version ? base::Bytes{*options_.version} : base::Bytes{HandshakeVersion{}});
    return random(packet.subspan(filler_offset));
}

void Handshake::write_echo(std::size_t at) {
    auto packet = out_packet(at);
    base::SpanWriter writer(packet);
    writer.u32be(peer_time_);
    writer.u32be(options_.time);
    writer.bytes(base::Bytes{peer_packet_}.subspan(filler_offset));
}

bool Handshake::write_signed_response(std::size_t at, base::Bytes full_key) {
    auto packet = out_packet(at);
    if (!random(packet.first(hd::signed_size))) return false;
    hd::sign_response(packet, full_key, peer_digest_);
    return true;
}

std::span<std::uint8_t, Handshake::packet_size> Handshake::out_packet(std::size_t at) noexcept {
    return std::span<std::uint8_t, packet_size>(out_.data() + at, packet_size);
}

bool Handshake::echoes_our_packet(const Packet& response) const noexcept {
    // Bytes 0..7 are times the peer may set as it likes; the filler must match.
    return std::memcmp(response.data() + filler_offset, out_.data() + out_first_packet + filler_offset,
                       packet_size - filler_offset) == 0;
}

bool Handshake::random(std::span<std::uint8_t> out) {
    if (options_.random) {
        options_.random(out);
        return true;
    }
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) == 1) return true;
    fail(Errc::handshake_random_failed);
    return false;
}

void Handshake::fail(std::error_code ec) noexcept {
    state_ = HandshakeState::failed;
    error_ = ec;
    // Nothing more may go out: the caller closes the connection.
    sent_ = written_;
    ciphers_.reset();
    OPENSSL_cleanse(private_key_.data(), private_key_.size());
}

// ---- RTMPE ----

void Handshake::on_c1_encrypted() {
    // There is no simple RTMPE: without a digest we would not know where
    // the client's key is (REFERENCE.md §10.3).
    schema_ = hd::find_digest(peer_packet_, hd::client_key_c1(), DigestSchema::schema0);
    if (!schema_) {
        fail(Errc::handshake_rtmpe_digest_missing);
        return;
    }
    kind_ = HandshakeKind::encrypted;
    peer_digest_verified_ = true;
    peer_digest_ = hd::stored_digest(peer_packet_, *schema_);
    // Refuse a bad key before spending a key pair on it.
    if (!he::is_valid_public_key(peer_public_key(*schema_))) {
        fail(Errc::handshake_rtmpe_key_invalid);
        return;
    }
    encryption_type_ = server_rtmpe_type(*peer_rtmp_version_, peer_version_[0]);

    out_[0] = encryption_type_;
    // Our key goes into S1 before its digest is computed: the digest covers it.
    if (!write_first_packet(true) || !write_public_key(*schema_) || !derive_ciphers(*schema_)) return;
    our_digest_ = hd::sign_packet(out_packet(out_first_packet), *schema_, hd::server_key_s1());
    auto s2 = out_packet(out_response);
    if (!random(s2.first(hd::signed_size))) return;
    he::sign_response(s2, hd::server_key(), peer_digest_, encryption_type_);
    written_ = server_output_size;
    state_ = HandshakeState::want_c2;
}

bool Handshake::write_public_key(DigestSchema schema) {
    auto packet = out_packet(out_first_packet);
    for (int attempt = 0; attempt < private_key_attempts; ++attempt) {
        if (!random(private_key_)) return false;
        if (const auto key = he::public_key(private_key_)) {
            std::copy(key->begin(), key->end(),
                      packet.begin() + static_cast<std::ptrdiff_t>(hd::key_position(packet, schema)));
            return true;
        }
    }
    fail(Errc::handshake_rtmpe_key_failed);
    return false;
}

base::Bytes Handshake::peer_public_key(DigestSchema schema) const noexcept {
    return base::Bytes{peer_packet_}.subspan(hd::key_position(peer_packet_, schema), he::key_size);
}

bool Handshake::derive_ciphers(DigestSchema schema) {
    const base::Bytes peer_key = peer_public_key(schema);
    const auto ours = out_packet(out_first_packet);
    const base::Bytes own_key = base::Bytes{ours}.subspan(hd::key_position(ours, schema), he::key_size);
    if (!he::is_valid_public_key(peer_key)) {
        fail(Errc::handshake_rtmpe_key_invalid);
        return false;
    }
    auto secret = he::shared_secret(private_key_, peer_key);
    OPENSSL_cleanse(private_key_.data(), private_key_.size());
    if (!secret) {
        fail(Errc::handshake_rtmpe_key_failed);
        return false;
    }
    he::Rc4Keys keys = he::rc4_keys(*secret, own_key, peer_key);
    OPENSSL_cleanse(secret->data(), secret->size());
    ciphers_.emplace(RtmpeCiphers{Rc4Cipher(keys.in), Rc4Cipher(keys.out)});
    OPENSSL_cleanse(&keys, sizeof(keys));
    // librtmp and FFmpeg both throw away the first 1536 keystream bytes.
    ciphers_->in.discard(he::keystream_discard);
    ciphers_->out.discard(he::keystream_discard);
    return true;
}

std::optional<RtmpeCiphers> Handshake::take_ciphers() {
    if (!done() || !ciphers_) return std::nullopt;
    std::optional<RtmpeCiphers> taken = std::move(ciphers_);
    ciphers_.reset();
    return taken;
}

}  // namespace sluice::rtmp
