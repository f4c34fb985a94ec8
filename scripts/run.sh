#!/usr/bin/env bash
# Set up and run: installs what is missing, builds, and starts the monitor on the
# interface that holds the default route (or the interfaces given as arguments).
#   scripts/run.sh                 # default-route interface
#   scripts/run.sh eth1 eth2       # these interfaces
# If the monitor cannot capture (no permission, no such interface: exit 2 at start-up),
# it is started again in demo mode on generated traffic, and says so.
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
nms=(./build/release/netmonsec -c config/netmonsec.toml --eve - -v)
started=$(date +%s)
rc=0
"${nms[@]}" "${args[@]}" || rc=$?
if [ "$rc" -eq 2 ] && [ $(( $(date +%s) - started )) -le 5 ]; then
  echo "netmonsec: cannot capture on ${args[*]} (see above); falling back to DEMO MODE — generated traffic, not a real network" >&2
  exec "${nms[@]}" --demo
fi
exit "$rc"
