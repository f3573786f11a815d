#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/amf0_fuzz.cpp and fuzz/amf3_fuzz.cpp.

Each seed is four option bytes (see fuzz/amf_fuzz_common.hpp: depth,
string-limit exponent, element budget) followed by AMF bytes taken from the
worked examples of REFERENCE.md §2.2, §3.1 and §3.4, plus a few values that
exercise references, traits and the AVM+ switch. Deterministic: rerun to
regenerate; the files are committed.

usage: tools/gen_corpus_amf.py [repo-root]
"""
import os
import struct
import sys

DEFAULT = bytes([64, 20, 0x30, 0xD4])   # depth 64, 1 MiB strings, 100001 elements
TIGHT = bytes([3, 4, 0x00, 0x02])       # depth 3, 16-byte strings, 17 elements


def h(text):
    return bytes.fromhex(text.replace("|", " "))


def s0(text):
    b = text.encode()
    return struct.pack(">BH", 2, len(b)) + b


def name0(text):
    b = text.encode()
    return struct.pack(">H", len(b)) + b


def num0(x):
    return b"\x00" + struct.pack(">d", x)


def obj0(props, marker=b"\x03"):
    return marker + b"".join(name0(k) + v for k, v in props) + h("00 00 09")


def vr(text):
    b = text.encode()
    return u29(len(b) << 1 | 1) + b


def u29(v):
    if v < 0x80:
        return bytes([v])
    if v < 0x4000:
        return bytes([v >> 7 | 0x80, v & 0x7F])
    if v < 0x200000:
        return bytes([v >> 14 | 0x80, (v >> 7) & 0x7F | 0x80, v & 0x7F])
    return bytes([v >> 22 | 0x80, (v >> 15) & 0x7F | 0x80, (v >> 8) & 0x7F | 0x80, v & 0xFF])


CONNECT = (s0("connect") + num0(1) + obj0([
    ("app", s0("live")), ("flashVer", s0("LNX 9,0,124,2")), ("tcUrl", s0("rtmp://127.0.0.1:1935/live")),
    ("fpad", h("01 00")), ("capabilities", num0(15)), ("audioCodecs", num0(4071)),
    ("videoCodecs", num0(252)), ("videoFunction", num0(1))]))

AMF0 = {
    "number_1": h("00 3F F0 00 00 00 00 00 00"),
    "number_1280": h("00 40 94 00 00 00 00 00 00"),
    "boolean_true": h("01 01"),
    "string_connect": s0("connect"),
    "null_undefined_unsupported": h("05 06 0D"),
    "object_app_live": h("03 00 03 61 70 70 02 00 04 6C 69 76 65 00 00 09"),
    "ecma_duration_width": b"\x08" + struct.pack(">I", 2)[0:4] + name0("duration") + num0(0)
                           + name0("width") + num0(1280) + h("00 00 09"),
    "strict_array_1": h("0A 00 00 00 01 00 3F F0 00 00 00 00 00 00"),
    "date_0_tz": h("0B 00 00 00 00 00 00 00 00 FF C4"),
    "reference": h("0A 00 00 00 02") + obj0([("a", num0(1))]) + h("07 00 01"),
    "connect_58": s0("connect") + num0(1) + obj0([("app", s0("live")), ("tcUrl", s0("rtmp://h/live"))]),
    "connect_ffmpeg": CONNECT,
    "create_stream_result": s0("_result") + num0(2) + h("05") + num0(1),
    "long_string_xml": h("0C 00 00 00 02 68 69 0F 00 00 00 04") + b"<a/>",
    "typed_object": obj0([("a", num0(1))], marker=b"\x10" + name0("Foo")),
    "avm_plus_object": h("11 0A 0B 01 03 61 04 01 01 05"),
    "avm_plus_tables": h("11 06 05 68 69 11 06 00"),
    "avm_plus_bytearray": h("11 0C 05 DE AD"),
    "on_metadata": s0("onMetaData") + b"\x08" + struct.pack(">I", 3) + name0("duration") + num0(10.5)
                   + name0("stereo") + h("01 01") + name0("keyframes")
                   + obj0([("times", h("0A 00 00 00 01") + num0(0))]) + h("00 00 09"),
    "reserved_movieclip": h("04"),
    "stray_object_end": h("09"),
}

POINT_TRAITS = h("0A 23") + vr("Point") + vr("x") + vr("y")
AMF3 = {
    "true_null": h("03 01"),
    "integer_300": h("04 82 2C"),
    "u29_boundaries": b"".join(b"\x04" + u29(v & 0x1FFFFFFF) for v in
                               [0, 127, 128, 16383, 16384, 0x1FFFFF, 0x200000, 0x0FFFFFFF, -1, -(1 << 28)]),
    "string_and_reference": h("06 05 68 69 06 00 06 01"),
    "array_1_2": h("09 05 01 04 01 04 02"),
    "anonymous_object": h("0A 0B 01 03 61 04 01 01"),
    "bytearray": h("0C 05 DE AD"),
    "date_0": h("08 01 00 00 00 00 00 00 00 00"),
    "double_xml": h("05 3F F0 00 00 00 00 00 00 07 07") + b"<a>" + h("0B 07") + b"<b>",
    "mixed_array": h("09 03 03 6B 04 05 01 06 03 76"),
    "sealed_traits_reference": h("09 05 01") + POINT_TRAITS + h("04 01 04 02 0A 01 04 03 04 04"),
    "object_reference": h("09 05 01 0A 0B 01 03 61 04 01 01 0A 02"),
    "externalizable": h("0A 07") + vr("flex.messaging.io.ArrayCollection") + h("09 03 01 04 01"),
    "object_proxy": h("0A 07") + vr("flex.messaging.io.ObjectProxy") + h("0A 0B 01 03 61 04 01 01"),
    "vectors": h("0D 05 01 00 00 00 01 FF FF FF FF 0E 03 00 FF FF FF FF 0F 03 00 3F F0 00 00 00 00 00 00")
               + h("10 05 00 03 2A 04 01 01"),
    "dictionary": h("11 05 01 06 03 6B 03 0A 0B 01 03 61 04 01 01 01"),
    "connect_object": h("0A 0B 01") + vr("app") + h("06") + vr("live") + vr("flashVer") + h("06")
                      + vr("LNX 9,0,124,2") + vr("capabilities") + h("04 0F") + vr("fpad") + h("02 01"),
    "cycle": h("09 03 01 09 00"),
    "huge_count": h("09 FF FF FF FF 01 01 01"),
}


def write(root, target, seeds):
    folder = os.path.join(root, "fuzz", "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for name, body in sorted(seeds.items()):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(DEFAULT + body)
    # A few seeds under tight limits, so limit errors are reached early.
    for name in sorted(seeds)[:3]:
        with open(os.path.join(folder, "tight_" + name), "wb") as f:
            f.write(TIGHT + seeds[name])


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    write(root, "amf0_fuzz", AMF0)
    write(root, "amf3_fuzz", AMF3)


if __name__ == "__main__":
    main()
