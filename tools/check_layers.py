#!/usr/bin/env python3
"""Fails on any #include that points up the layers (ARCHITECTURE.md).

Allowed arrows: base <- amf <- flv <- demux <- rtmp <- net <- server, client <- apps.
A file may include its own module and any module below it, never one above
or beside it (server and client do not include each other), and never
another module's detail/ folder. The sans-I/O core (base, amf, flv, rtmp)
may not include Asio, Beast or socket/thread/clock headers.

Usage: check_layers.py REPO_ROOT   (exit 0 clean, 1 with a list of violations)
"""
import pathlib
import re
import sys

RANK = {"base": 0, "amf": 1, "flv": 2, "demux": 3, "rtmp": 4, "net": 5, "server": 6, "client": 6, "apps": 7}
CORE = {"base", "amf", "flv", "demux", "rtmp"}
# Headers that mean I/O, threads or clocks: forbidden in the sans-I/O core.
IO_HEADERS = re.compile(
    r"^(boost/asio|boost/beast|asio|sys/socket\.h|netinet/|arpa/inet\.h|unistd\.h|thread|"
    r"mutex|condition_variable|future|chrono|fstream|filesystem|ctime|time\.h)"
)
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_SUFFIXES = {".hpp", ".cpp", ".h", ".cc", ".def"}


def module_of(path: pathlib.Path, root: pathlib.Path):
    rel = path.relative_to(root).parts
    if rel[0] == "src" and len(rel) > 2:
        return rel[1]
    if rel[0] == "apps":
        return "apps"
    return None


def check(root: pathlib.Path):
    problems = []
    files = [p for d in ("src", "apps") for p in (root / d).rglob("*") if p.suffix in SOURCE_SUFFIXES]
    for path in sorted(files):
        mod = module_of(path, root)
        if mod is None or mod not in RANK:
            continue
        for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, target = m.groups()
            where = f"{path.relative_to(root)}:{lineno}"
            if mod in CORE and kind == "<" and IO_HEADERS.match(target):
                problems.append(f"{where}: sans-I/O module '{mod}' includes <{target}>")
                continue
            if kind != '"':
                continue
            first = target.split("/")[0]
            if first not in RANK:
                continue
            if first != mod:
                if RANK[first] >= RANK[mod]:
                    problems.append(f"{where}: '{mod}' includes '{target}', which is not below it")
                elif "/detail/" in target:
                    problems.append(f"{where}: '{mod}' includes another module's detail header '{target}'")
    return problems


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} include(s) point the wrong way")
        return 1
    print("check_layers: every include points down the layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
