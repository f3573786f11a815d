#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/handshake_fuzz.cpp (deterministic).

Input layout (see the fuzzer): byte 0 = mode bits (1 client, 2 digest,
4 schema 0, 8 custom version, 16 pair mode), byte 1 = seed, then the peer's
bytes (single mode) or 3-byte corruptions U16 BE offset + XOR (pair mode).
Handshake packets are 1536 bytes, so the seeds are 1.5-3 KiB each.

Usage: tools/gen_corpus_handshake.py [out_dir]  (default fuzz/corpus/handshake_fuzz)
"""
import hashlib
import hmac
import os
import struct
import sys

TAIL = bytes.fromhex("F0EEC24A8068BEE82E00D0D1029E7E576EEC5D2D29806FAB93B8E636CFEB31AE")
FP_KEY = b"Genuine Adobe Flash Player 001" + TAIL
FMS_KEY = b"Genuine Adobe Flash Media Server 001" + TAIL


def filler(seed, n):
    return bytes((seed + i * 13 + (i >> 8)) & 0xFF for i in range(n))


def digest_pos(p, schema):
    base = 8 if schema == 1 else 772
    return sum(p[base:base + 4]) % 728 + base + 4


def signed_packet(version, seed, key, schema):
    p = bytearray(struct.pack(">I", 0x01020304) + version + filler(seed, 1528))
    pos = digest_pos(p, schema)
    d = hmac.new(key, bytes(p[:pos] + p[pos + 32:]), hashlib.sha256).digest()
    p[pos:pos + 32] = d
    return bytes(p), d


def simple_packet(seed):
    return struct.pack(">II", 0x01020304, 0) + filler(seed, 1528)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "fuzz", "corpus", "handshake_fuzz")
    os.makedirs(out, exist_ok=True)
    c1_digest1, d1 = signed_packet(b"\x09\x00\x7c\x02", 3, FP_KEY[:30], 1)
    c1_digest0, _ = signed_packet(b"\x80\x00\x03\x02", 4, FP_KEY[:30], 0)
    c1_simple = simple_packet(5)
    s1_digest, sd = signed_packet(b"\x0d\x0e\x0a\x0d", 6, FMS_KEY[:36], 1)
    s2_signed = filler(7, 1504) + hmac.new(hmac.new(FMS_KEY, d1, hashlib.sha256).digest(),
                                           filler(7, 1504), hashlib.sha256).digest()
    c2_signed = filler(8, 1504) + hmac.new(hmac.new(FP_KEY, sd, hashlib.sha256).digest(),
                                           filler(8, 1504), hashlib.sha256).digest()
    connect = bytes.fromhex("03000000 0000c8 14 00000000 020007") + b"connect"
    seeds = {
        # server, single mode
        "server_simple_c0c1": b"\x00\x01\x03" + c1_simple,
        "server_digest1_c0c1": b"\x00\x02\x03" + c1_digest1,
        "server_digest0_c0c1": b"\x00\x03\x03" + c1_digest0,
        "server_simple_c0c1c2_connect": b"\x00\x04\x03" + c1_simple + filler(9, 1536) + connect,
        "server_digest_c0c1c2": b"\x00\x05\x03" + c1_digest1 + c2_signed,
        "server_c0_4": b"\x00\x06\x04" + c1_simple,
        "server_c0_6": b"\x00\x07\x06" + c1_digest0,
        "server_c0_32": b"\x00\x08\x20",
        # client, single mode
        "client_simple_s0s1s2": b"\x01\x01\x03" + c1_simple + filler(10, 1536),
        "client_digest_s0s1s2": b"\x03\x02\x03" + s1_digest + s2_signed,
        "client_digest0_s0s1": b"\x07\x03\x03" + c1_digest0,
        "client_s0_6": b"\x03\x04\x06" + s1_digest,
        "client_custom_version": b"\x0b\x05\x03" + s1_digest + filler(11, 1536),
        # pair mode
        "pair_digest1": b"\x12\x01",
        "pair_digest0": b"\x16\x02",
        "pair_simple": b"\x10\x03",
        "pair_digest_version": b"\x1a\x04",
        "pair_bad_c0": b"\x12\x05" + bytes([0, 0, 0x05]),
        "pair_bad_c1_digest": b"\x12\x06" + bytes([0, 60, 0xFF]) + bytes([0, 100, 0x01]),
        "pair_bad_s0": b"\x12\x07" + bytes([0x06, 0x01, 0x07]),
        "pair_bad_s2_tail": b"\x12\x08" + bytes([0x12, 0x01, 0x80]),
        "pair_bad_c2": b"\x12\x09" + bytes([0x12, 0x03, 0x01]),
    }
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(seeds)} seeds to {out}")


if __name__ == "__main__":
    main()
