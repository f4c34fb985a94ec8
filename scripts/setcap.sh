#!/usr/bin/env bash
# Lets a non-root user capture: grants the built binary CAP_NET_RAW (packet sockets) and
# CAP_NET_ADMIN (promiscuous mode, fanout). The daemon drops both once its sockets are open.
# Re-run after every build or copy: relinking or cp drops file capabilities. Needs root.
set -euo pipefail
bin=${1:-build/release/netmonsec}
[ -x "$bin" ] || { echo "setcap.sh: $bin not found; build first or pass the binary path" >&2; exit 2; }
command -v setcap >/dev/null || { echo "setcap.sh: setcap missing (apt-get install libcap2-bin)" >&2; exit 2; }
setcap cap_net_raw,cap_net_admin+eip "$bin"
getcap "$bin"
