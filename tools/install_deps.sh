#!/usr/bin/env bash
# Installs every Debian package Sluice needs to build, test and run.
# Idempotent: apt-get skips what is already installed. Run as root (or with sudo).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git python3
  # clang: sanitizer build (ASan + UBSan) and libFuzzer targets
  clang libclang-rt-14-dev
  clang-format        # tools/check_format.sh (a lint test)
  # libraries
  libssl-dev          # HMAC-SHA256 for the digest handshake (later: TLS, RTMPE)
  libcli11-dev        # command line of the sluice binary
  libboost1.81-dev    # Asio (C++20 coroutines) for the net and server layers
  libspdlog-dev libfmt-dev    # server logs
  libtomlplusplus-dev # the TOML config file of sluice serve
  libgtest-dev libgmock-dev   # unit tests
  libbenchmark-dev    # micro-benchmarks in bench/
  # real peers for the interop tests (tests/interop, CTest label "interop"):
  # FFmpeg, rtmpdump (librtmp), GStreamer's rtmpsink/rtmpsrc (librtmp, OBS's stand-in)
  # and rtmp2sink/rtmp2src; gstreamer1.0-libav decodes what the GStreamer players receive
  ffmpeg rtmpdump
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-libav
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
