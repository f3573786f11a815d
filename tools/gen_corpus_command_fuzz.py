#!/usr/bin/env python3
"""Writes fuzz/corpus/command_fuzz/ and the golden command transcripts in
tests/fixtures/rtmp/commands/ from one independent (Python) AMF0 encoder and
debug-string printer, so the C++ decoder is checked against bytes and text
that it did not produce itself.

Corpus file = selector byte + message payload; selector bits 0-1 choose the
message type (0: 20, 1: 17, 2: 18, 3: 15), bit 2 turns the AMF3 legacy
leniency off. Fixture format: see tests/rtmp/command_transcript_test.cpp.
Deterministic; run from the repository root:  python3 tools/gen_corpus_command_fuzz.py
"""
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Ecma(dict):
    pass


class Undefined:
    pass


def enc(v):
    if v is None:
        return b"\x05"
    if isinstance(v, Undefined):
        return b"\x06"
    if isinstance(v, bool):
        return b"\x01" + (b"\x01" if v else b"\x00")
    if isinstance(v, (int, float)):
        return b"\x00" + struct.pack(">d", float(v))
    if isinstance(v, str):
        b = v.encode()
        return b"\x02" + struct.pack(">H", len(b)) + b
    if isinstance(v, list):
        return b"\x0a" + struct.pack(">I", len(v)) + b"".join(enc(x) for x in v)
    if isinstance(v, dict):
        head = b"\x08" + struct.pack(">I", len(v)) if isinstance(v, Ecma) else b"\x03"
        body = b"".join(struct.pack(">H", len(k.encode())) + k.encode() + enc(x) for k, x in v.items())
        return head + body + b"\x00\x00\x09"
    raise TypeError(v)


def num(v):
    v = float(v)
    return "%d" % v if v.is_integer() and abs(v) < 1e15 else repr(v)


def name(k):
    ok = k and not k[0].isdigit() and all(c.isalnum() or c in "_$." for c in k)
    return k if ok else dbg(k)


def dbg(v):
    if v is None:
        return "null"
    if isinstance(v, Undefined):
        return "undefined"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return num(v)
    if isinstance(v, str):
        out = '"'
        for ch in v.encode():
            c = chr(ch)
            if c in '"\\':
                out += "\\" + c
            elif c == "\n":
                out += "\\n"
            elif 0x20 <= ch <= 0x7E:
                out += c
            else:
                out += "\\x%02x" % ch
        return out + '"'
    if isinstance(v, list):
        return "[" + ", ".join(dbg(x) for x in v) + "]"
    if isinstance(v, dict):
        inner = ", ".join(name(k) + ": " + dbg(x) for k, x in v.items())
        return ("ecma{" if isinstance(v, Ecma) else "{") + inner + "}"
    raise TypeError(v)


def command(n, txn, obj, *args):
    payload = enc(n) + enc(txn) + enc(obj) + b"".join(enc(a) for a in args)
    text = "%s txn=%s obj=%s args=[%s]" % (n, num(txn), dbg(obj), ", ".join(dbg(a) for a in args))
    return 20, payload, text


def data(handler, *values):
    payload = enc(handler) + b"".join(enc(v) for v in values)
    return 18, payload, "%s [%s]" % (handler, ", ".join(dbg(v) for v in values))


def hexs(b):
    return " ".join("%02x" % x for x in b)


META = Ecma([("duration", 0), ("width", 1280), ("height", 720), ("videocodecid", 7),
             ("audiocodecid", 10), ("encoder", "Lavf61.1.100")])
CONNECT_OK = {"level": "status", "code": "NetConnection.Connect.Success",
              "description": "Connection succeeded.", "objectEncoding": 0}
PROPS = {"fmsVer": "FMS/3,0,1,123", "capabilities": 31, "mode": 1}

FFMPEG_PUBLISH = [
    (">", 0, command("connect", 1, {"app": "live", "type": "nonprivate",
                                    "flashVer": "FMLE/3.0 (compatible; Lavf61.1.100)",
                                    "tcUrl": "rtmp://localhost:1935/live"})),
    ("<", 0, command("_result", 1, PROPS, CONNECT_OK)),
    ("<", 0, command("onBWDone", 0, None, 8192)),
    (">", 0, command("releaseStream", 2, None, "stream")),
    (">", 0, command("FCPublish", 3, None, "stream")),
    (">", 0, command("createStream", 4, None)),
    (">", 0, command("_checkbw", 5, None)),
    ("<", 0, command("_result", 2, None, Undefined())),
    ("<", 0, command("onFCPublish", 0, None)),
    ("<", 0, command("_result", 4, None, 1)),
    (">", 1, command("publish", 6, None, "stream", "live")),
    ("<", 1, command("onStatus", 0, None, {"level": "status", "code": "NetStream.Publish.Start",
                                           "description": "stream is now published", "details": "stream"})),
    (">", 1, data("@setDataFrame", "onMetaData", META)),
    (">", 0, command("FCUnpublish", 7, None, "stream")),
    (">", 0, command("deleteStream", 8, None, 1)),
]

FFMPEG_PLAY = [
    (">", 0, command("connect", 1, {"app": "live", "flashVer": "LNX 9,0,124,2",
                                    "tcUrl": "rtmp://localhost:1935/live", "fpad": False,
                                    "capabilities": 15, "audioCodecs": 4071, "videoCodecs": 252,
                                    "videoFunction": 1})),
    ("<", 0, command("_result", 1, PROPS, CONNECT_OK)),
    ("<", 0, command("onBWDone", 0, None, 8192)),
    (">", 0, command("createStream", 2, None)),
    (">", 0, command("_checkbw", 3, None)),
    ("<", 0, command("_result", 2, None, 1)),
    (">", 1, command("getStreamLength", 4, None, "stream")),
    (">", 1, command("play", 5, None, "stream", -2000)),
    ("<", 0, command("_result", 4, None, 0)),
    ("<", 1, command("onStatus", 0, None, {"level": "status", "code": "NetStream.Play.Reset",
                                           "description": "Playlist reset.", "details": "stream"})),
    ("<", 1, command("onStatus", 0, None, {"level": "status", "code": "NetStream.Play.Start",
                                           "description": "Playback started.", "details": "stream",
                                           "clientid": "sluice"})),
    ("<", 1, data("|RtmpSampleAccess", True, True)),
    ("<", 1, data("onMetaData", META)),
    (">", 1, command("pause", 6, None, True, 1500)),
    ("<", 1, command("onStatus", 0, None, {"level": "status", "code": "NetStream.Pause.Notify",
                                           "description": "Paused.", "details": "stream"})),
    (">", 1, command("seek", 7, None, 5000)),
    ("<", 1, data("onPlayStatus", {"level": "status", "code": "NetStream.Play.Complete",
                                   "description": "Playback complete.", "duration": 12.5, "bytes": 1024})),
    (">", 0, command("deleteStream", 8, None, 1)),
]

OBS_PUBLISH = [
    (">", 0, command("connect", 1, {"app": "live", "type": "nonprivate",
                                    "flashVer": "FMLE/3.0 (compatible; FMSc/1.0)",
                                    "swfUrl": "rtmp://example.com/live", "tcUrl": "rtmp://example.com/live"})),
    ("<", 0, command("_result", 1, PROPS, CONNECT_OK)),
    (">", 0, command("releaseStream", 2, None, "key")),
    (">", 0, command("FCPublish", 3, None, "key")),
    (">", 0, command("createStream", 4, None)),
    ("<", 0, command("_result", 2, None, Undefined())),
    ("<", 0, command("onFCPublish", 0, None, {"code": "NetStream.Publish.Start", "description": "key"})),
    ("<", 0, command("_result", 4, None, 1)),
    (">", 1, command("publish", 5, None, "key", "live")),
    ("<", 1, command("onStatus", 0, None, {"level": "status", "code": "NetStream.Publish.Start",
                                           "description": "Publishing started.", "details": "key"})),
    (">", 1, data("@setDataFrame", "onMetaData", Ecma([("duration", 0), ("fileSize", 0), ("width", 1920),
                                                       ("height", 1080), ("videocodecid", 7),
                                                       ("videodatarate", 2500), ("framerate", 30),
                                                       ("audiocodecid", 10), ("audiodatarate", 160),
                                                       ("audiosamplerate", 48000), ("audiosamplesize", 16),
                                                       ("audiochannels", 2), ("stereo", True),
                                                       ("2.1", False), ("encoder", "obs-output module (libobs version 30.0.0)")]))),
    (">", 0, command("FCUnpublish", 6, None, "key")),
    (">", 0, command("deleteStream", 7, None, 1)),
]

HEADER = {
    "ffmpeg_publish": "FFmpeg publishing (`ffmpeg -re -i in.flv -c copy -f flv rtmp://localhost/live/stream`),\n"
                      "REFERENCE.md §4.4: connect with type nonprivate, releaseStream/FCPublish/createStream,\n"
                      "publish with a non-zero txn, @setDataFrame, FCUnpublish + deleteStream on close.",
    "ffmpeg_play": "FFmpeg playing (`ffplay rtmp://localhost/live/stream`), REFERENCE.md §4.4/§4.5:\n"
                   "player connect properties of §4.1, getStreamLength, play with start x1000 (-2000, kept\n"
                   "as sent), the server's Play.Reset/Play.Start/|RtmpSampleAccess/onMetaData, then pause,\n"
                   "seek and an onPlayStatus.",
    "obs_publish": "OBS (librtmp fork) publishing, REFERENCE.md §4.4: connect with swfUrl and\n"
                   "type nonprivate, SRS-style onFCPublish with a status object, and OBS's metadata.",
}


def write_fixture(name, seq):
    path = os.path.join(ROOT, "tests/fixtures/rtmp/commands", name + ".txt")
    lines = ["# " + l for l in HEADER[name].split("\n")]
    lines += ["#", "# '>' client to server, '<' server to client: direction, message type, msid, payload hex;",
              "# the '=' line is the expected debug string of the decoded command or data message.", ""]
    for direction, msid, (mtype, payload, text) in seq:
        lines.append("%s %d %d %s" % (direction, mtype, msid, hexs(payload)))
        lines.append("= " + text)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_corpus():
    out = os.path.join(ROOT, "fuzz/corpus/command_fuzz")
    seeds = []
    for seq in (FFMPEG_PUBLISH, FFMPEG_PLAY, OBS_PUBLISH):
        for _, _, (mtype, payload, _) in seq:
            seeds.append(bytes([0 if mtype == 20 else 2]) + payload)
    # type 17 / 15 with the leading byte; AMF3 object behind 11; legacy whole-AMF3.
    seeds.append(bytes([1, 0]) + enc("createStream") + enc(3) + enc(None))
    seeds.append(bytes([1, 0]) + enc("connect") + enc(1) + b"\x11\x0a\x0b\x01\x07app\x06\x09live\x01")
    seeds.append(bytes([1, 0, 0x11]) + b"\x06\x19createStream\x04\x03\x01")
    seeds.append(bytes([3, 0]) + enc("onMetaData") + b"\x11\x09\x01\x0bwidth\x04\x8a\x00\x01")
    seen = set()
    i = 0
    for s in seeds:
        if s in seen or len(seen) >= 30:
            continue
        seen.add(s)
        with open(os.path.join(out, "seed_%02d" % i), "wb") as f:
            f.write(s)
        i += 1


if __name__ == "__main__":
    write_fixture("ffmpeg_publish", FFMPEG_PUBLISH)
    write_fixture("ffmpeg_play", FFMPEG_PLAY)
    write_fixture("obs_publish", OBS_PUBLISH)
    write_corpus()
