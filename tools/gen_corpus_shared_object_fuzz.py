#!/usr/bin/env python3
"""Writes fuzz/corpus/shared_object_fuzz/: selector byte + shared-object
payload (REFERENCE.md §6.3 worked events, alone and combined, AMF0 and
type 16). Selector: bit 0 type 16, bit 1 reject unknown events, bits 2-3
event limit. Deterministic; run from the repository root."""
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz/corpus/shared_object_fuzz")


def s(text):
    b = text.encode()
    return struct.pack(">H", len(b)) + b


def event(t, data):
    return bytes([t]) + struct.pack(">I", len(data)) + data


def header(name, version=0, flags=0):
    return s(name) + struct.pack(">III", version, flags, 0)


NUM1 = b"\x00\x3f\xf0\x00\x00\x00\x00\x00\x00"
EVENTS = [
    event(1, b""), event(2, b""),
    event(3, s("msg") + b"\x02" + s("hi")),
    event(4, s("a") + NUM1 + s("b") + b"\x01\x01"),
    event(5, s("msg")),
    event(6, b"\x02" + s("say") + b"\x02" + s("hi")),
    event(7, s("SharedObject.NoWriteAccess") + s("error")),
    event(8, b""), event(9, s("msg")), event(10, s("msg")), event(11, b""),
    event(12, s("a") + b"\x00\x00\x00\x01"),
    event(3, s("o") + b"\x11\x0a\x0b\x01\x03n\x04\x05\x01"),
    event(4, s("obj") + b"\x03" + s("k") + b"\x02" + s("v") + b"\x00\x00\x09"),
]

seeds = []
for i, ev in enumerate(EVENTS):
    seeds.append(bytes([0]) + header("chat") + ev)
seeds.append(bytes([0]) + header("room/users", 7, 2) + b"".join(EVENTS))
seeds.append(bytes([1, 0]) + header("chat") + EVENTS[0])
seeds.append(bytes([1, 0]) + header("chat", 3) + b"".join(EVENTS[2:7]))
seeds.append(bytes([2]) + header("chat") + EVENTS[11])
seeds.append(bytes([4]) + header("chat") + EVENTS[7] * 3)
seeds.append(bytes([0]) + header("chat") + bytes([5]) + struct.pack(">I", 0xFFFFFFFF))

os.makedirs(OUT, exist_ok=True)
for i, seed in enumerate(seeds[:30]):
    with open(os.path.join(OUT, "seed_%02d" % i), "wb") as f:
        f.write(seed)
