#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/flv_reader_fuzz.cpp (deterministic).

Each seed = options byte + 4 piece sizes + an FLV stream (see the fuzz
target for the layout). The streams are small files with the tag kinds the
parsers know: onMetaData, AVC/HEVC sequence headers and frames, AAC,
enhanced audio/video, multitrack; plus truncated and damaged variants.
"""
import os
import struct
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus", "flv_reader_fuzz")

AVCC = bytes.fromhex("01640028FFE1000A67640028ACD9405005B9010004 68EBE3CB".replace(" ", ""))
HVCC = bytes.fromhex(
    "010160000000900000000000 7BF000FCFDF8F800000F01"
    "A10001001A 420101016000000300900000030000030 07BA003C0801107CB96".replace(" ", ""))
META = (b"\x02\x00\x0aonMetaData\x08\x00\x00\x00\x02"
        b"\x00\x08duration\x00" + struct.pack(">d", 10.0) +
        b"\x00\x05width\x00" + struct.pack(">d", 1280.0) + b"\x00\x00\x09")


def tag(kind, ts, data):
    head = struct.pack(">B", kind) + struct.pack(">I", len(data))[1:] + struct.pack(">I", ts & 0xFFFFFF)[1:]
    head += bytes([ts >> 24]) + b"\x00\x00\x00"
    return head + data + struct.pack(">I", 11 + len(data))


def flv(tags, flags=5):
    return b"FLV\x01" + bytes([flags]) + b"\x00\x00\x00\x09\x00\x00\x00\x00" + b"".join(tags)


def seeds():
    legacy = flv([
        tag(18, 0, META),
        tag(9, 0, b"\x17\x00\x00\x00\x00" + AVCC),
        tag(8, 0, b"\xaf\x00\x12\x10"),
        tag(9, 0, b"\x17\x01\x00\x00\x00\x00\x00\x00\x02\x65\x88"),
        tag(8, 23, b"\xaf\x01\x21\x10\x04"),
        tag(9, 33, b"\x27\x01\x00\x00\x42\x00\x00\x00\x01\x41"),
        tag(9, 66, b"\x57\x01"),
    ])
    enhanced = flv([
        tag(9, 0, b"\x90hvc1" + HVCC),
        tag(9, 0, b"\x93hvc1\x00\x00\x00\x01\x26"),
        tag(9, 40, b"\xa1hvc1\x00\x00\x28\x00\x00\x00\x01\x02"),
        tag(9, 80, b"\x96\x13hvc1" + b"\x00\x00\x00\x04" + b"\xaa" * 4 + b"\x01\x00\x00\x02" + b"\xbb" * 2),
        tag(9, 90, b"\x97\x02\x0f\x42\x3f\x03avc1\x00\x00\x00\x01\x65"),
        tag(9, 100, b"\xd4av01\x02\x00\x09colorInfo\x03\x00\x00\x09"),
        tag(8, 0, b"\x90OpusOpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00"),
        tag(8, 20, b"\x94Opus\x01\x02\x00\x00\x00\x03"),
        tag(8, 40, b"\x95\x11mp4a\x00\x00\x00\x02\x21\x10\x01\x00\x00\x02\x21\x10"),
        tag(8, 60, b"\x95\x21ac-3\x00\x00\x00\x01\xaa.mp3\x01\x00\x00\x00"),
        tag(8, 80, b""),
    ])
    out = []
    for sizes in (b"\xff\xff\xff\xff", b"\x01\x01\x01\x01", b"\x03\x07\x0b\x0d", b"\x0b\x04\x20\x01"):
        out.append(b"\x00" + sizes + legacy)
        out.append(b"\x00" + sizes + enhanced)
    out.append(b"\x00\x10\x10\x10\x10" + legacy[:len(legacy) - 7])     # crash-cut recording
    out.append(b"\x00\xff\xff\xff\xff" + enhanced[:-4])                # missing final trailer
    damaged = bytearray(legacy)
    damaged[13 + 11 + len(META) + 3] ^= 1                               # bad PreviousTagSize
    out.append(b"\x00\x05\x05\x05\x05" + bytes(damaged))
    out.append(b"\x02\x05\x05\x05\x05" + bytes(damaged))
    out.append(b"\x04\xff\xff\xff\xff" + legacy)                        # 64-byte tag limit
    body = tag(8, 1000, b"\xaf\x01\x21\x10") + tag(9, 1000, b"\x27\x01\x00\x00\x00\x41")
    out.append(b"\x01\x02\x03\x04\x05" + body)                          # aggregate body
    out.append(b"\x00\xff\xff\xff\xff" + b"FLV\x01\x05\x00\x00\x00\x0c\xaa\xbb\xcc\x00\x00\x00\x00" + tag(8, 0, b"\x2f\xff\xfb"))
    out.append(b"\x00\xff\xff\xff\xff" + b"FLX\x01")
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    for i, seed in enumerate(seeds()):
        with open(os.path.join(OUT, "seed_%02d" % i), "wb") as f:
            f.write(seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
