#!/usr/bin/env bash
# Set up and test: installs what is missing, builds, and runs every test (unit, corpus
# comparison against tshark, live AF_PACKET capture in a private network namespace).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh all
bash scripts/build.sh release
ctest --test-dir build/release --output-on-failure -j"${NMS_TEST_JOBS:-2}"
