# shellcheck shell=bash
# The detection lab: a small office LAN built from network namespaces, sourced by
# run_detection_lab.sh. Nothing in it is connected to the host's own network: the LAN is a
# bridge inside a "switch" namespace, every host is a namespace with a veth into that bridge,
# and the only router leads to a fake "internet" (TEST-NET-3, 203.0.113.0/24) that exists only
# in one more namespace. tcpdump on the bridge sees every frame, like a SPAN port.
#
#   10.77.0.1    router   (LAN side; also 10.77.1.1,.5-.7 of a "server VLAN", 203.0.113.1 outside)
#   10.77.0.10   server   sshd, HTTP (python3), HTTPS (openssl s_server), DNS (dnsmasq), redis, mosquitto
#   10.77.0.20-22 clients
#   10.77.0.66   attacker
#   10.77.0.100-123 workstations (SMB/RDP ports, some SSH: targets of the lateral fan and scans)
#   10.77.0.200-207 bots (many sources for the DDoS)
#   203.0.113.50 external host (HTTP/HTTPS, accepts uploads: browsing and exfiltration target;
#                iodined, the DNS tunnel server for t.badtunnel.net)
#
# Names carry a per-run prefix so parallel runs never clash; lab_down deletes every namespace
# it created and kills only the PIDs it started.

LAB_PREFIX=${LAB_PREFIX:-nl$$}
LAB_NET=10.77.0
LAB_VLAN=10.77.1
LAB_EXT_NET=203.0.113
LAB_EXT_IP=203.0.113.50
LAB_ROUTER_IP=10.77.0.1
LAB_SERVER_IP=10.77.0.10
# shellcheck disable=SC2034  # used by the scripts that source this file
LAB_ATTACKER_IP=10.77.0.66
LAB_CLIENTS=(20 21 22)
LAB_WORKSTATIONS=({100..123})
LAB_BOTS=({200..207})
LAB_SSH_PASSWORD=labpass-7Qx
LAB_TUNNEL_PASSWORD=tunnel-4Kp
LAB_TUNNEL_NET=192.168.99
LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

LAB_NAMESPACES=()
LAB_PIDS=()
LAB_CAPTURE_PID=""

lab_ns() { echo "${LAB_PREFIX}-$1"; }                       # lab_ns srv -> nl123-srv
lab_in() { local h=$1; shift; ip netns exec "$(lab_ns "$h")" "$@"; }
# Locally administered MAC per host, last byte = the host's last IP octet: easy to read in pcaps.
lab_mac() { printf '02:4e:4d:00:00:%02x' "$1"; }

# Starts a long-running service in a host namespace, remembers its PID (ip netns exec execs,
# so $! is the service itself).
lab_bg() {
    local h=$1 log=$2; shift 2
    ip netns exec "$(lab_ns "$h")" "$@" >"$log" 2>&1 &
    LAB_PIDS+=($!)
}

lab_down() {
    local pid
    if [ -n "$LAB_CAPTURE_PID" ]; then kill -INT "$LAB_CAPTURE_PID" 2>/dev/null || true; fi
    for pid in "${LAB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${LAB_PIDS[@]}"; do
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    for ns in "${LAB_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}

lab_add_ns() {
    local ns; ns=$(lab_ns "$1")
    ip netns add "$ns" || return 1
    LAB_NAMESPACES+=("$ns")
    ip -n "$ns" link set lo up
    # IPv4 only: keeps captures to the traffic each scenario makes.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# Offloads off so the bridge sees wire-sized frames with real checksums, as a SPAN port would
# (with TSO a bulk upload crosses a veth as 64 KB "frames").
lab_no_offload() { ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off >/dev/null 2>&1 || true; }

# lab_add_host NAME OCTET: namespace with eth0 on the LAN bridge, default route via the router.
lab_add_host() {
    local h=$1 octet=$2 ns sw
    lab_add_ns "$h"
    ns=$(lab_ns "$h"); sw=$(lab_ns sw)
    ip link add eth0 netns "$ns" address "$(lab_mac "$octet")" type veth peer name "p$octet" netns "$sw"
    ip -n "$sw" link set "p$octet" master br0 up
    ip -n "$ns" addr add "$LAB_NET.$octet/24" dev eth0
    ip -n "$ns" link set eth0 up
    [ "$octet" = 1 ] || ip -n "$ns" route add default via "$LAB_ROUTER_IP"
    lab_no_offload "$ns" eth0
    lab_no_offload "$sw" "p$octet"
}

lab_topology() {
    local o
    lab_add_ns sw
    ip -n "$(lab_ns sw)" link add br0 type bridge stp_state 0 forward_delay 0
    ip -n "$(lab_ns sw)" link set br0 up

    lab_add_host rt 1
    lab_add_host srv 10
    for o in "${LAB_CLIENTS[@]}"; do lab_add_host "c$o" "$o"; done
    lab_add_host att 66
    for o in "${LAB_WORKSTATIONS[@]}"; do lab_add_host "ws$o" "$o"; done
    for o in "${LAB_BOTS[@]}"; do lab_add_host "bot$o" "$o"; done

    # Router: forwards between the LAN, a "server VLAN" that only has a few live addresses (the
    # router's own; probes to unused ones vanish in a blackhole route, as behind a firewall)
    # and the outside.
    local rt ext; rt=$(lab_ns rt)
    ip netns exec "$rt" sysctl -qw net.ipv4.ip_forward=1
    for o in 1 5 6 7; do ip -n "$rt" addr add "$LAB_VLAN.$o/32" dev lo; done
    ip -n "$rt" route add blackhole "$LAB_VLAN.0/24"
    lab_add_ns ext
    ext=$(lab_ns ext)
    ip link add wan0 netns "$rt" type veth peer name eth0 netns "$ext"
    ip -n "$rt" addr add "$LAB_EXT_NET.1/24" dev wan0
    ip -n "$rt" link set wan0 up
    ip -n "$ext" addr add "$LAB_EXT_IP/24" dev eth0
    ip -n "$ext" link set eth0 up
    ip -n "$ext" route add 10.77.0.0/16 via "$LAB_EXT_NET.1"
    lab_no_offload "$rt" wan0
    lab_no_offload "$ext" eth0
}

lab_make_certs() {
    local dir=$1 name
    for name in www.corp.lab portal.example.net; do
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$name" \
            -addext "subjectAltName=DNS:$name" -keyout "$dir/$name.key" -out "$dir/$name.crt" 2>/dev/null
    done
}

# A few static pages for the browsing scenarios.
lab_make_site() {
    local dir=$1 i
    mkdir -p "$dir/docs"
    printf '<html><head><title>Intranet</title></head><body><h1>Corp intranet</h1>%s</body></html>\n' \
        "$(for i in $(seq 1 20); do printf '<a href="/docs/page%d.html">Document %d</a><br>' "$i" "$i"; done)" >"$dir/index.html"
    for i in $(seq 1 20); do
        { printf '<html><body><h2>Document %d</h2>' "$i"; head -c 6000 /dev/urandom | base64 -w 120; printf '</body></html>\n'; } \
            >"$dir/docs/page$i.html"
    done
    head -c 300000 /dev/urandom >"$dir/docs/report.pdf"
}

lab_dns_config() {
    cat >"$1" <<EOF
no-resolv
no-hosts
port=53
listen-address=$LAB_SERVER_IP
bind-interfaces
# Authoritative for everything: unknown names are NXDOMAIN, never forwarded (no way out).
local=/#/
host-record=www.corp.lab,$LAB_SERVER_IP
host-record=intranet.corp.lab,$LAB_SERVER_IP
host-record=mail.corp.lab,$LAB_SERVER_IP
host-record=files.corp.lab,$LAB_SERVER_IP
host-record=mqtt.corp.lab,$LAB_SERVER_IP
host-record=redis.corp.lab,$LAB_SERVER_IP
host-record=gw.corp.lab,$LAB_ROUTER_IP
host-record=portal.example.net,$LAB_EXT_IP
host-record=cdn.example.net,$LAB_EXT_IP
host-record=updates.example.net,$LAB_EXT_IP
mx-host=corp.lab,mail.corp.lab,10
txt-record=corp.lab,"v=spf1 mx -all"
# The tunnel domain is delegated to the attacker's server outside (iodined on the external
# host): the resolver forwards its queries there, as a recursive resolver would.
server=/t.badtunnel.net/$LAB_EXT_IP
log-queries
EOF
}

lab_sshd_config() {
    cat >"$1" <<EOF
Port 22
ListenAddress $LAB_SERVER_IP
HostKey $2
PidFile none
PermitRootLogin yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
AuthorizedKeysFile none
StrictModes no
MaxStartups 100:30:200
MaxAuthTries 6
LoginGraceTime 15
UseDNS no
EOF
}

# lab_services WORKDIR: starts every server of the lab.
lab_services() {
    local w=$1 o farm=()
    mkdir -p "$w/www" "$w/sshd"
    lab_make_certs "$w"
    lab_make_site "$w/www"

    # sshd in a private mount namespace: /run gets a private tmpfs (sshd needs /run/sshd) and
    # /etc/shadow is replaced by a one-line file giving root the lab password, so the host's
    # accounts are never touched.
    ssh-keygen -q -t ed25519 -N '' -f "$w/sshd/host_key"
    lab_sshd_config "$w/sshd/sshd_config" "$w/sshd/host_key"
    printf 'root:%s:19000:0:99999:7:::\n' "$(openssl passwd -6 "$LAB_SSH_PASSWORD")" >"$w/sshd/shadow"
    chmod 600 "$w/sshd/shadow"
    lab_bg srv "$w/sshd.log" unshare -m --propagation private sh -c \
        "mount -t tmpfs lab-run /run && mkdir -m 755 /run/sshd && mount --bind '$w/sshd/shadow' /etc/shadow \
         && exec /usr/sbin/sshd -D -e -f '$w/sshd/sshd_config'"

    lab_dns_config "$w/dnsmasq.conf"
    lab_bg srv "$w/dnsmasq.log" dnsmasq -k -C "$w/dnsmasq.conf" --log-facility=- --pid-file="$w/dnsmasq.pid"

    printf 'listener 1883 %s\nallow_anonymous true\npersistence false\nlog_dest stderr\n' "$LAB_SERVER_IP" >"$w/mosquitto.conf"
    lab_bg srv "$w/mosquitto.log" mosquitto -c "$w/mosquitto.conf"

    lab_bg srv "$w/redis.log" redis-server --bind "$LAB_SERVER_IP" --port 6379 --protected-mode no \
        --save '' --appendonly no --daemonize no --dir "$w"

    lab_bg srv "$w/http.log" python3 "$LAB_HERE/lab_servers.py" web --bind "$LAB_SERVER_IP" --port 80 --root "$w/www"
    lab_bg srv "$w/https.log" sh -c "cd '$w/www' && exec openssl s_server -quiet -WWW -accept '$LAB_SERVER_IP:443' \
        -cert '$w/www.corp.lab.crt' -key '$w/www.corp.lab.key'"

    lab_bg ext "$w/iodined.log" iodined -f -c -P "$LAB_TUNNEL_PASSWORD" -l "$LAB_EXT_IP" -p 53 \
        "$LAB_TUNNEL_NET.1/27" t.badtunnel.net

    # HTTP on every address of the external host, the DNS tunnel's far end included.
    lab_bg ext "$w/ext_http.log" python3 "$LAB_HERE/lab_servers.py" web --bind 0.0.0.0 --port 80 --root "$w/www"
    lab_bg ext "$w/ext_https.log" python3 "$LAB_HERE/lab_servers.py" web --bind "$LAB_EXT_IP" --port 443 --root "$w/www" \
        --cert "$w/portal.example.net.crt" --key "$w/portal.example.net.key"

    # Workstations: SMB and RDP ports open everywhere, SSH on the first half (one process
    # listens in every workstation namespace).
    for o in "${LAB_WORKSTATIONS[@]}"; do
        if [ "$o" -lt 112 ]; then farm+=("$(lab_ns "ws$o"):22,445,3389"); else farm+=("$(lab_ns "ws$o"):445,3389"); fi
    done
    python3 "$LAB_HERE/lab_servers.py" farm "${farm[@]}" >"$w/farm.log" 2>&1 &
    LAB_PIDS+=($!)
}

# Bounded wait until a TCP/UDP port listens in a namespace.
lab_wait_listen() {
    local h=$1 proto=$2 port=$3 i
    for i in $(seq 1 200); do
        if lab_in "$h" ss -Hln"${proto:0:1}" "sport = :$port" 2>/dev/null | grep -q .; then return 0; fi
        sleep 0.05
    done
    echo "lab: nothing listens on $proto/$port in $h" >&2
    return 1
}

lab_wait_services() {
    lab_wait_listen srv tcp 22 && lab_wait_listen srv udp 53 && lab_wait_listen srv tcp 1883 &&
        lab_wait_listen srv tcp 6379 && lab_wait_listen srv tcp 80 && lab_wait_listen srv tcp 443 &&
        lab_wait_listen ext tcp 80 && lab_wait_listen ext tcp 443 && lab_wait_listen ext udp 53 && lab_wait_listen ws100 tcp 445 &&
        lab_wait_listen ws123 tcp 3389
}

# lab_capture_start PCAP [SNAPLEN]: tcpdump on the bridge, returns once it is listening.
# Immediate mode: with TPACKET_V3 blocks, frames of a half-filled block are lost on SIGINT.
lab_capture_start() {
    local pcap=$1 snap=${2:-0} i
    ip netns exec "$(lab_ns sw)" tcpdump -i br0 --immediate-mode -U -n -B 65536 -s "$snap" -w "$pcap" 2>"$pcap.log" &
    LAB_CAPTURE_PID=$!
    for i in $(seq 1 200); do
        grep -q "listening on" "$pcap.log" 2>/dev/null && return 0
        kill -0 "$LAB_CAPTURE_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "lab: tcpdump did not start: $(cat "$pcap.log")" >&2
    return 1
}

# lab_capture_stop PCAP: stops tcpdump; sets LAB_CAPTURED and LAB_DROPPED from its summary.
lab_capture_stop() {
    local pcap=$1
    kill -INT "$LAB_CAPTURE_PID" 2>/dev/null || true
    wait "$LAB_CAPTURE_PID" 2>/dev/null || true
    LAB_CAPTURE_PID=""
    LAB_CAPTURED=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$pcap.log")
    LAB_DROPPED=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$pcap.log")
    LAB_CAPTURED=${LAB_CAPTURED:-0}
    LAB_DROPPED=${LAB_DROPPED:-0}
}
