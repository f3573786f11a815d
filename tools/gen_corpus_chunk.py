#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/chunk_decoder_fuzz.cpp and fuzz/aggregate_fuzz.cpp.

Deterministic: run it again and the files are byte-identical.
    python3 tools/gen_corpus_chunk.py [repo root]
"""
import os
import struct
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")


def pattern(n, seed):
    return bytes((seed + i * 7) & 0xFF for i in range(n))


def basic(fmt, csid):
    if csid <= 63:
        return bytes([(fmt << 6) | csid])
    if csid <= 319:
        return bytes([fmt << 6, csid - 64])
    return bytes([(fmt << 6) | 1]) + struct.pack("<H", csid - 64)


def u24(v):
    return struct.pack(">I", v)[1:]


def fmt0(csid, ts, length, mtype, msid):
    ext = ts >= 0xFFFFFF
    out = basic(0, csid) + u24(0xFFFFFF if ext else ts) + u24(length) + bytes([mtype]) + struct.pack("<I", msid)
    return out + (struct.pack(">I", ts) if ext else b"")


def chunked(csid, ts, mtype, msid, payload, chunk=128, repeat_ext=True):
    out = fmt0(csid, ts, len(payload), mtype, msid) + payload[:chunk]
    for off in range(chunk, len(payload), chunk):
        out += basic(3, csid)
        if ts >= 0xFFFFFF and repeat_ext:
            out += struct.pack(">I", ts)
        out += payload[off:off + chunk]
    return out


def options(lenient=1, streams=63, max_msg=0, partial=0, chunk=0, seed=0):
    return bytes([(seed << 1) | lenient, streams]) + u24(max_msg) + struct.pack(">H", partial) + bytes([chunk])


def control(mtype, payload):
    return fmt0(2, 0, len(payload), mtype, 0) + payload


def chunk_seeds():
    audio = pattern(32, 1)
    ex1 = fmt0(3, 1000, 32, 8, 12345) + audio + basic(2, 3) + u24(20) + audio + basic(3, 3) + audio + basic(3, 3) + audio
    video = pattern(307, 5)
    ex2 = chunked(4, 1000, 9, 12346, video)
    ext = pattern(200, 3)
    seeds = {
        "spec_example_1": options() + ex1,
        "spec_example_2": options() + ex2,
        "spec_example_2_strict": options(lenient=0, seed=5) + ex2,
        "ext_repeated": options() + chunked(4, 0x01000000, 8, 1, ext),
        "ext_omitted": options() + chunked(4, 0x01000000, 8, 1, ext, repeat_ext=False),
        "ext_omitted_strict": options(lenient=0) + chunked(4, 0x01000000, 8, 1, ext, repeat_ext=False),
        "set_chunk_size": options() + control(1, struct.pack(">I", 4096)) + chunked(6, 40, 9, 1, pattern(600, 2), 4096),
        "chunk_size_1": options(chunk=1) + chunked(3, 5, 20, 0, pattern(20, 9), 1),
        "chunk_size_7": options(chunk=7, seed=9) + chunked(3, 5, 20, 0, pattern(50, 9), 7) + ex1,
        "abort": options() + fmt0(6, 40, 300, 9, 1) + pattern(128, 4) + control(2, struct.pack(">I", 6))
        + fmt0(6, 80, 2, 9, 1) + b"\x01\x02",
        "length_changed": options() + fmt0(6, 40, 300, 9, 1) + pattern(128, 4) + fmt0(6, 80, 2, 9, 1) + b"\x01\x02",
        "not_started": options() + basic(1, 5) + u24(0) + u24(1) + b"\x08\x00",
        "csid_forms": options() + b"".join(fmt0(c, c, 1, 18, 0) + b"\x00" for c in (2, 63, 64, 319, 320, 365, 65599)),
        "too_many_streams": options(streams=2) + b"".join(fmt0(c, 0, 0, 20, 0) for c in (3, 4, 5)),
        "message_too_large": options(max_msg=100) + fmt0(3, 0, 101, 20, 0),
        "partial_limit": options(partial=3) + fmt0(3, 0, 256, 20, 0) + pattern(128, 1) + fmt0(4, 0, 256, 20, 0)
        + pattern(128, 1),
        "user_control": options() + control(4, b"\x00\x00\x00\x00\x00\x01") + control(4, b"\x00\x03\x00\x00\x00\x01\x00\x00\x0b\xb8")
        + control(4, b"\x00\x06\x00\x00\xbe\xef") + control(4, b"\x00\x1a\x00\x01"),
        "protocol_control": options() + control(5, struct.pack(">I", 2500000)) + control(6, struct.pack(">IB", 2500000, 2))
        + control(3, struct.pack(">I", 5000000)),
        "bad_chunk_size": options() + control(1, struct.pack(">I", 0x80000000)) + ex1,
        "ts_wrap": options() + fmt0(5, 0xFFFFFFF0, 2, 8, 1) + b"ab" + basic(2, 5) + u24(0x20) + b"cd" + basic(3, 5) + b"ef",
        "fmt1_ext": options() + fmt0(5, 0, 4, 8, 1) + b"abcd" + basic(1, 5) + u24(0xFFFFFF) + u24(4) + b"\x08"
        + struct.pack(">I", 0x01000000) + b"abcd" + basic(3, 5) + struct.pack(">I", 0x01000000) + b"abcd",
        "zero_length": options() + fmt0(3, 0, 0, 20, 0) + basic(3, 3),
    }
    return seeds


def tag(mtype, ts, data, back=None):
    hdr = bytes([mtype]) + u24(len(data)) + u24(ts & 0xFFFFFF) + bytes([ts >> 24]) + u24(0)
    return hdr + data + struct.pack(">I", 11 + len(data) if back is None else back)


def aggregate_seeds():
    def opts(ts, limit):
        return struct.pack(">IB", ts, limit)
    return {
        "reference": opts(1000, 255) + tag(8, 1000, bytes.fromhex("AF012110")),
        "two_offset": opts(5000, 255) + tag(9, 1000, b"\x17\x00") + tag(8, 1040, b"\xaf"),
        "wrap": opts(10, 255) + tag(8, 0xFFFFFFF0, b"\xaf") + tag(8, 0x10, b"\xaf"),
        "bad_back_pointer": opts(0, 255) + tag(8, 0, b"abcd", back=16),
        "size_past_end": opts(0, 255) + bytes([8]) + u24(0xFFFFFF) + u24(0) + b"\x00" + u24(0) + b"x",
        "limit": opts(0, 3) + b"".join(tag(8, i, b"") for i in range(5)),
        "many": opts(0, 255) + b"".join(tag(8 + (i % 2), i * 20, pattern(i * 3, i)) for i in range(12)),
        "empty": opts(0, 255),
        "truncated": opts(0, 255) + tag(8, 0, b"abc")[:-2],
    }


def write(name, seeds):
    folder = os.path.join(ROOT, "fuzz", "corpus", name)
    os.makedirs(folder, exist_ok=True)
    for key, data in seeds.items():
        with open(os.path.join(folder, key + ".bin"), "wb") as f:
            f.write(data)


write("chunk_decoder_fuzz", chunk_seeds())
write("aggregate_fuzz", aggregate_seeds())
