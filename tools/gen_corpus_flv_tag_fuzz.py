#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/flv_tag_fuzz.cpp (deterministic).

Each seed = a selector byte (0 video header, 1 audio header, 2 avcC,
3 hvcC, 4 AudioSpecificConfig, 5 OpusHead, 6 onMetaData, 7 H.264 SPS,
8 H.265 SPS) + that parser's input, taken from REFERENCE.md §7-§8 and the
unit tests' hand-built parameter sets.
"""
import os
import struct
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus", "flv_tag_fuzz")

H = bytes.fromhex
SPS_720 = H("6764 0028 ACD9 4050 05B9")
SPS_240 = H("6742C00DD0000003020001 1D428A0A0FC8".replace(" ", ""))
SPS_720_SCALING = H("676400 28ADA492FFE0845B280A00B720".replace(" ", ""))
HEVC_SPS = H("42010101600000030090000003000003007BA003C0801107CB96")
AVCC = H("01640028FFE1000A") + SPS_720 + H("01000468EBE3CB")
HVCC = (H("0101600000009000000000007BF000FCFDF8F800000F03")
        + H("A00001001840010C01FFFF016000000300900000030000030078959809")
        + H("A10001001A") + HEVC_SPS + H("A200010007 4401C172B46240".replace(" ", "")))
META = (b"\x02\x00\x0aonMetaData\x08\x00\x00\x00\x03"
        b"\x00\x08duration\x00" + struct.pack(">d", 10.0) +
        b"\x00\x0cvideocodecid\x00" + struct.pack(">d", 1635135537.0) +
        b"\x00\x06stereo\x01\x01\x00\x00\x09")


def seeds():
    return [
        b"\x00" + H("1700000000") + AVCC,
        b"\x00" + H("2701000042000000024 19A".replace(" ", "")),
        b"\x00" + b"\x90hvc1" + HVCC,
        b"\x00" + H("A16876633100002800000001 02".replace(" ", "")),
        b"\x00" + H("96036176633101000000 0165".replace(" ", "")),
        b"\x00" + H("961368766331 00000004AAAAAAAA 01000002BBBB".replace(" ", "")),
        b"\x00" + H("A621 6176633100000500 0021AABB 617630310100 0002CCDD".replace(" ", "")),
        b"\x00" + H("97020F423F0361766331000000 0165".replace(" ", "")),
        b"\x00" + b"\xd4av01\x02\x00\x09colorInfo\x03\x00\x00\x09",
        b"\x00" + H("5701"),
        b"\x01" + H("AF001210"),
        b"\x01" + H("2FFFFB"),
        b"\x01" + b"\x90OpusOpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00",
        b"\x01" + H("944F70757301020000 0003".replace(" ", "")),
        b"\x01" + H("944F7075730203000103"),
        b"\x01" + b"\x95\x11mp4a" + b"\x00\x00\x00\x04" + b"\x11" * 4 + b"\x01\x00\x00\x04" + b"\x22" * 4,
        b"\x01" + b"\x95\x21ac-3\x00\x00\x00\x01\xaaec-3\x01\x00\x00\x01\xbb.mp3\x02\x00\x00\x00",
        b"\x01" + H("970200 01F4014F70757 3AA".replace(" ", "")),
        b"\x02" + AVCC,
        b"\x03" + HVCC,
        b"\x04" + H("1210"),
        b"\x04" + H("2B118800"),
        b"\x04" + H("131056E59D4880"),
        b"\x04" + H("F95E0186A040"),
        b"\x05" + b"OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00",
        b"\x06" + META,
        b"\x06" + b"\x02\x00\x0d@setDataFrame" + META,
        b"\x07" + SPS_720_SCALING,
        b"\x07" + SPS_240,
        b"\x08" + HEVC_SPS,
        # regression: scaling-list delta overflow found by the fuzzer
        H("0767640028ada43a9200ffffff3628ada492ffc0841e5b3d0a00b700000000ffffff36010000000000000036 20".replace(" ", "")),
    ]


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
