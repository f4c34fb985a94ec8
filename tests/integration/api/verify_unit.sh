#!/usr/bin/env bash
# systemd-analyze verify of config/netmonsec.service; any output on stderr is a failure
# (unknown keys are only warnings with exit 0). ExecStart is pointed at the built binary,
# since /usr/local/bin/netmonsec need not exist on a build machine.
set -euo pipefail
unit=$1 binary=$2
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/local/bin/netmonsec|$binary|" "$unit" > "$tmp/netmonsec.service"
if ! systemd-analyze verify --man=no "$tmp/netmonsec.service" 2> "$tmp/err"; then
  cat "$tmp/err" >&2; echo "FAIL: systemd-analyze verify exited non-zero"; exit 1
fi
if [ -s "$tmp/err" ]; then cat "$tmp/err" >&2; echo "FAIL: systemd-analyze printed warnings"; exit 1; fi
# The hardening the unit promises.
for key in NoNewPrivileges=yes ProtectSystem=strict "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN" \
           "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN" StateDirectory=netmonsec \
           "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET"; do
  grep -qxF "$key" "$unit" || { echo "FAIL: $key missing"; exit 1; }
done
echo "PASS systemd-analyze verify --man=no: no warnings"
