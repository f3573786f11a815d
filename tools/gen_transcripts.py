#!/usr/bin/env python3
"""Writes the wire bytes of the golden transcripts in tests/fixtures/rtmp/transcripts/.

The bytes are built here, independently of the C++ encoder, from the layouts
in REFERENCE.md §1.3-§1.5 and §2; the expected event logs in the fixtures are
written by hand. Running this script rewrites only the ```hex blocks.
"""
import pathlib
import re
import struct
import sys

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "tests/fixtures/rtmp/transcripts"


def amf_str(s):
    b = s.encode()
    return b"\x02" + struct.pack(">H", len(b)) + b


def amf_num(n):
    return b"\x00" + struct.pack(">d", n)


def amf_bool(v):
    return b"\x01" + (b"\x01" if v else b"\x00")


def amf_obj(pairs, marker=b"\x03"):
    out = bytearray(marker)
    for k, v in pairs:
        out += struct.pack(">H", len(k)) + k.encode() + v
    return bytes(out) + b"\x00\x00\x09"


def amf_ecma(pairs):
    return b"\x08" + struct.pack(">I", len(pairs)) + amf_obj(pairs, b"")


NULL = b"\x05"


class Writer:
    """A chunk writer with explicit header formats (csid < 64 only)."""

    def __init__(self, chunk_size=128):
        self.chunk_size = chunk_size
        self.out = bytearray()

    def msg(self, csid, fmt, ts_or_delta, type_id, msid, payload, repeat_extended=True):
        ext = ts_or_delta >= 0xFFFFFF
        field = 0xFFFFFF if ext else ts_or_delta
        head = bytes([(fmt << 6) | csid])
        if fmt == 0:
            head += field.to_bytes(3, "big") + len(payload).to_bytes(3, "big") + bytes([type_id])
            head += struct.pack("<I", msid)
        elif fmt == 1:
            head += field.to_bytes(3, "big") + len(payload).to_bytes(3, "big") + bytes([type_id])
        elif fmt == 2:
            head += field.to_bytes(3, "big")
        if ext:
            head += struct.pack(">I", ts_or_delta)
        self.out += head
        for i in range(0, max(len(payload), 1), self.chunk_size):
            if i:
                self.out.append(0xC0 | csid)
                if ext and repeat_extended:
                    self.out += struct.pack(">I", ts_or_delta)
            self.out += payload[i:i + self.chunk_size]

    def control(self, type_id, payload):
        self.msg(2, 0, 0, type_id, 0, payload)


def ffmpeg_publish():
    w = Writer()
    connect = amf_str("connect") + amf_num(1) + amf_obj([
        ("app", amf_str("live")), ("type", amf_str("nonprivate")),
        ("flashVer", amf_str("FMLE/3.0 (compatible; Lavf59.27.100)")),
        ("tcUrl", amf_str("rtmp://127.0.0.1:1935/live"))])
    w.msg(3, 0, 0, 20, 0, connect)
    w.control(5, struct.pack(">I", 2500000))
    w.control(1, struct.pack(">I", 4096))
    w.chunk_size = 4096
    w.msg(3, 1, 0, 20, 0, amf_str("releaseStream") + amf_num(2) + NULL + amf_str("test"))
    w.msg(3, 1, 0, 20, 0, amf_str("FCPublish") + amf_num(3) + NULL + amf_str("test"))
    w.msg(3, 1, 0, 20, 0, amf_str("createStream") + amf_num(4) + NULL)
    w.msg(8, 0, 0, 20, 1, amf_str("publish") + amf_num(5) + NULL + amf_str("test") + amf_str("live"))
    meta = amf_str("@setDataFrame") + amf_str("onMetaData") + amf_ecma([
        ("duration", amf_num(0)), ("width", amf_num(320)), ("height", amf_num(240)),
        ("videocodecid", amf_num(7)), ("audiocodecid", amf_num(10)), ("stereo", amf_bool(True))])
    w.msg(4, 0, 0, 18, 1, meta)
    w.msg(4, 1, 0, 8, 1, bytes.fromhex("af001210"))                    # AAC sequence header
    w.msg(6, 0, 0, 9, 1, bytes.fromhex("1700000000") + bytes(40))     # AVC sequence header (body elided)
    w.msg(6, 1, 0, 9, 1, bytes.fromhex("1701000000") + bytes(5000))   # key frame, 2 chunks at 4096
    w.msg(4, 1, 23, 8, 1, bytes.fromhex("af01") + bytes(200))         # AAC frame, delta 23
    w.msg(4, 3, 23, 8, 1, bytes.fromhex("af01") + bytes(200))         # same length/type/delta: fmt 3
    w.msg(6, 1, 40, 9, 1, bytes.fromhex("2701000000") + bytes(300))   # inter frame
    w.msg(6, 2, 40, 9, 1, bytes.fromhex("2701000000") + bytes(300))   # same length: fmt 2
    w.msg(3, 1, 0, 20, 0, amf_str("FCUnpublish") + amf_num(6) + NULL + amf_str("test"))
    w.msg(3, 1, 0, 20, 0, amf_str("deleteStream") + amf_num(7) + NULL + amf_num(1))
    return bytes(w.out)


def server_connect_reply():
    """What a server sends a client after connect (REFERENCE.md §1.8, §4.1)."""
    w = Writer()
    w.control(5, struct.pack(">I", 2500000))
    w.control(6, struct.pack(">IB", 2500000, 2))
    w.control(4, struct.pack(">HI", 0, 0))                 # StreamBegin 0
    w.control(1, struct.pack(">I", 4096))
    w.chunk_size = 4096
    result = amf_str("_result") + amf_num(1) + amf_obj([
        ("fmsVer", amf_str("FMS/3,0,1,123")), ("capabilities", amf_num(31))]) + amf_obj([
            ("level", amf_str("status")), ("code", amf_str("NetConnection.Connect.Success")),
            ("description", amf_str("Connection succeeded.")), ("objectEncoding", amf_num(0))])
    w.msg(3, 0, 0, 20, 0, result)
    w.msg(3, 1, 0, 20, 0, amf_str("onBWDone") + amf_num(0) + NULL + amf_num(8192))
    w.control(4, struct.pack(">HI", 6, 1234))              # PingRequest
    return bytes(w.out)


def extended_timestamp_without_repeat():
    """An encoder that omits the extended timestamp on continuation chunks."""
    w = Writer()
    w.msg(6, 0, 0x01000000, 9, 1, bytes.fromhex("1701000000") + bytes(295), repeat_extended=False)
    w.msg(6, 0, 0x01000028, 9, 1, bytes.fromhex("2701000000") + bytes(295), repeat_extended=True)
    return bytes(w.out)


def hexdump(data):
    return "\n".join(data[i:i + 32].hex(" ") for i in range(0, len(data), 32))


TRANSCRIPTS = {
    "ffmpeg_publish.md": ffmpeg_publish,
    "server_connect_reply.md": server_connect_reply,
    "extended_timestamp_without_repeat.md": extended_timestamp_without_repeat,
}


def main():
    for name, build in TRANSCRIPTS.items():
        path = FIXTURES / name
        text = path.read_text()
        block = "```hex\n" + hexdump(build()) + "\n```"
        new, count = re.subn(r"```hex\n.*?```", lambda _: block, text, count=1, flags=re.S)
        if count != 1:
            sys.exit(f"{path}: no ```hex block to fill")
        path.write_text(new)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
