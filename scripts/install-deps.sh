#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the benchmarks need.
# Idempotent: packages already present are skipped and apt is not touched at all.
set -euo pipefail

BUILD_PKGS=(build-essential cmake ninja-build pkg-config libndpi-dev
  libpcap-dev libboost-dev libboost-system-dev rapidjson-dev libtomlplusplus-dev
  libsqlite3-dev zlib1g-dev catch2 libcap-dev libcap2-bin libssl-dev libcrypt-dev libnftables-dev
  libmaxminddb-dev ieee-data p0f)  # runtime data: MAC vendors (oui.csv) and TCP OS signatures (/etc/p0f/p0f.fp)
TEST_PKGS=(mmdb-bin iproute2 tcpdump tcpreplay netsniff-ng tshark python3 ieee-data p0f prometheus systemd curl nftables
  # detection lab (tests/integration/detection) and mitigation tests: real attack tools and the services they hit
  nmap hping3 arp-scan dsniff hydra sshpass openssh-client openssh-server bind9-dnsutils dnsmasq-base
  iperf3 mosquitto mosquitto-clients redis-server redis-tools openssl ethtool iputils-ping iodine)
BENCH_PKGS=(valgrind libndpi-bin wrk)

want=("${BUILD_PKGS[@]}")
case "${1:-all}" in
  build) ;;
  all) want+=("${TEST_PKGS[@]}" "${BENCH_PKGS[@]}") ;;
  *) echo "usage: $0 [build|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root (or: sudo $0)" >&2
  exit 2
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q >/dev/null
apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
