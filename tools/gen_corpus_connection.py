#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/connection_fuzz.cpp (deterministic).

Each seed is [knobs][piece size] + a chunk stream a peer could send after the
handshake: control messages, a connect command, media with extended
timestamps, an aggregate, an abort in mid-message.
"""
import pathlib
import struct
import sys


def chunk0(csid, ts, type_id, msid, payload, chunk_size=128):
    """Message as format-0 first chunk + format-3 continuations (csid < 64)."""
    ext = ts >= 0xFFFFFF
    head = bytes([csid]) + (0xFFFFFF if ext else ts).to_bytes(3, "big") + len(payload).to_bytes(3, "big")
    head += bytes([type_id]) + struct.pack("<I", msid)
    if ext:
        head += struct.pack(">I", ts)
    out = bytearray(head)
    for i in range(0, max(len(payload), 1), chunk_size):
        if i:
            out.append(0xC0 | csid)
            if ext:
                out += struct.pack(">I", ts)
        out += payload[i:i + chunk_size]
    return bytes(out)


def control(type_id, payload):
    return chunk0(2, 0, type_id, 0, payload)


def amf_string(s):
    return b"\x02" + len(s).to_bytes(2, "big") + s.encode()


connect = amf_string("connect") + b"\x00" + struct.pack(">d", 1.0) + b"\x03" + \
    b"\x00\x03app" + amf_string("live") + b"\x00\x00\x09"
aggregate = bytes.fromhex("08000004 0003E8 00 000000 AF012110 0000000F".replace(" ", ""))

seeds = {
    "set_chunk_size_then_video": control(1, struct.pack(">I", 4096)) + chunk0(6, 40, 9, 1, bytes(3000), 4096),
    "connect_command": chunk0(3, 0, 20, 0, connect),
    "window_and_acks": control(5, struct.pack(">I", 100)) + chunk0(4, 0, 8, 1, bytes(300)),
    "peer_bandwidth": control(6, struct.pack(">IB", 2500000, 2)) + control(6, struct.pack(">IB", 1000, 1)),
    "ping": control(4, struct.pack(">HI", 6, 12345)),
    "set_buffer_length": control(4, struct.pack(">HII", 3, 1, 3000)),
    "extended_timestamp": chunk0(4, 0x01000000, 8, 1, bytes(200)),
    "aggregate": chunk0(4, 1000, 22, 1, aggregate),
    "abort_mid_message": chunk0(6, 0, 9, 1, bytes(300))[:140] + control(2, struct.pack(">I", 6)) +
    chunk0(6, 40, 9, 1, bytes(50)),
    "chunk_size_zero": control(1, struct.pack(">I", 0)),
    "unknown_type": chunk0(3, 0, 7, 0, b"\x01\x02"),
}

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/connection_fuzz")
out.mkdir(parents=True, exist_ok=True)
for i, (name, body) in enumerate(sorted(seeds.items())):
    knobs = [0x40, 0x00, 0x40 | 0x20, 0x40 | 0x80][i % 4]
    (out / name).write_bytes(bytes([knobs, 0xFF]) + body)
    (out / (name + "_pieces")).write_bytes(bytes([knobs | 0x10, 6]) + body)
print(f"wrote {2 * len(seeds)} seeds to {out}")
