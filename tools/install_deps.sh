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
  libssl-dev          # OpenSSL 3: HMAC-SHA256 for the digest handshake, TLS for RTMPS
  openssl             # the RTMPS tests make self-signed certificates with the openssl command
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
  # nginx with nginx-rtmp: the independent reference server of the client interop
  # tests (tests/interop/nginx_fixture.hpp) and of bench/compare.sh. Both start their
  # own nginx with their own config on a free loopback port; the system service is
  # not wanted (see below)
  nginx-light libnginx-mod-rtmp
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

# Installing nginx starts Debian's nginx service on port 80 (through invoke-rc.d in
# a container, deb-systemd-invoke under systemd); when port 80 is taken that start
# fails and so does the install. Sluice never uses that service, so no service is
# started during this install: a policy-rc.d that answers 101 ("action forbidden")
# is put in place for the apt-get run unless the system already has one (Debian's
# container images ship one), and removed afterwards.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
  printf '#!/bin/sh\n# install_deps.sh: no service starts while it installs\nexit 101\n' |
    "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
fi

# nginx-common carries the service; was it there before?
nginx_new=1
if dpkg-query -W -f='${Status}' nginx-common 2>/dev/null | grep -q 'install ok installed'; then nginx_new=0; fi

"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Under systemd the service installed just now would still start at the next boot:
# disable it (and stop it, in case something started it anyway). An nginx that was
# installed before this script ran is left alone.
if [ "$nginx_new" -eq 1 ] && [ -d /run/systemd/system ]; then
  "${sudo_cmd[@]}" systemctl disable --now nginx.service >/dev/null 2>&1 || true
fi
