#!/usr/bin/env bash
# Set up and run: installs what is missing, builds, and starts the monitor on the
# interface that holds the default route (or the interfaces given as arguments).
#   scripts/run.sh                 # default-route interface
#   scripts/run.sh eth1 eth2       # these interfaces
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
bash scripts/build.sh release
args=()
if [ $# -gt 0 ]; then
  for i in "$@"; do args+=(-i "$i"); done
else
  dev=$(ip -o route show default 2>/dev/null | awk '{for (i=1;i<NF;i++) if ($i=="dev") {print $(i+1); exit}}')
  args+=(-i "${dev:-lo}")
fi
exec ./build/release/netmonsec -c config/netmonsec.toml "${args[@]}" --eve - -v
