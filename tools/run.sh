#!/usr/bin/env bash
# The README's run command: installs what it needs, builds the sluice binary
# (Release) and runs it. Arguments go to sluice; with none it runs
# `sluice serve` with its defaults (RTMP on 0.0.0.0:1935, application "live").
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_TESTS=OFF >/dev/null
cmake --build build/release -j"${SLUICE_JOBS:-2}" --target sluice
if [ $# -eq 0 ]; then set -- serve; fi
exec build/release/apps/sluice/sluice "$@"
