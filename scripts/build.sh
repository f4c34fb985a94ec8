#!/usr/bin/env bash
# Configures and builds netmonsec with a CMake preset (default: release -> build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
jobs="${NMS_JOBS:-$(nproc)}"
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "build/$preset/build.ninja" ]; then
  cmake --preset "$preset" "${launcher[@]}" >/dev/null
fi
cmake --build "build/$preset" -j"$jobs"
