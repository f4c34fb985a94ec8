#!/usr/bin/env python3
"""Live bans in network namespaces this test creates (root only; exit 77 otherwise).

  attacker ns (10.77.1.2, fd77:1::2) ==veth== victim ns (10.77.1.1, fd77:1::1 | 10.77.2.1)
  allowed  ns (10.77.2.2)            ==veth== victim ns

ban_probe runs a real BanManager (libnftables, not a dry run) inside the victim namespace.
Checks: the table and sets exist; a syn_flood alert from the attacker puts its address into
banned_v4 (nft list set) and its pings are dropped while the allowed host still gets answers;
the ban expires after ban_seconds (element gone, "expire" event, pings answered again); an
allowlisted source is never banned; revoke lifts a ban; IPv6 sources land in banned_v6; a
clean stop deletes the table. The host's own ruleset is never touched: nft runs only in the
victim namespace. Usage: ban_netns_test.py BAN_PROBE"""
import json
import os
import queue
import subprocess
import sys
import threading
import time

PROBE = sys.argv[1]
PID = os.getpid()
NS_V, NS_A, NS_B = f"nms-ban-v-{PID}", f"nms-ban-a-{PID}", f"nms-ban-b-{PID}"
TABLE = "nmsbantest"
BAN_S = 3
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"\n     {str(detail)[:800]}"), flush=True)


def sh(*args, check_rc=True):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=30)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r


def ns(name, *args, check_rc=True):
    return sh("ip", "netns", "exec", name, *args, check_rc=check_rc)


def ping(src_ns, dst, v6=False):
    """One echo, 1 s to answer: True when answered."""
    return ns(src_ns, "ping", "-6" if v6 else "-4", "-c", "1", "-W", "1", dst, check_rc=False).returncode == 0


def set_elements(family_set):
    r = ns(NS_V, "nft", "-j", "list", "set", "inet", TABLE, family_set, check_rc=False)
    if r.returncode != 0:
        return None
    out = []
    for item in json.loads(r.stdout)["nftables"]:
        for e in item.get("set", {}).get("elem", []):
            out.append(e["elem"]["val"] if isinstance(e, dict) and "elem" in e else e)
    return out


def table_exists():
    return TABLE in ns(NS_V, "nft", "list", "tables").stdout


def eventually(pred, timeout=10.0, step=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


class Probe:
    def __init__(self, *args):
        self.p = subprocess.Popen(["ip", "netns", "exec", NS_V, PROBE, "--table", TABLE, "--ban-seconds", str(BAN_S),
                                   *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, bufsize=1)
        self.events = []
        self.lines = queue.Queue()
        # A reader thread, because select() on a buffered pipe misses lines already read ahead.
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.p.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def read(self, pred, timeout=10.0):
        """Lines until one satisfies pred (EVE ban lines are kept in self.events)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.time()))
            except queue.Empty:
                break
            if line is None:
                break
            obj = json.loads(line)
            if obj.get("event_type") == "ban":
                self.events.append(obj["ban"])
            if pred(obj):
                return obj
        return None

    def ban_event(self, action, ip, timeout=10.0):
        for e in self.events:
            if e["action"] == action and e["ip"] == ip:
                return e
        obj = self.read(lambda o: o.get("event_type") == "ban" and o["ban"]["action"] == action and o["ban"]["ip"] == ip,
                        timeout)
        return obj["ban"] if obj else None

    def stop(self):
        if self.p.poll() is None:
            try:
                self.send("quit")
                self.read(lambda o: o.get("stopped"), 10)
                self.p.wait(timeout=10)
            except Exception:
                self.p.kill()
                self.p.wait()
        return self.p.returncode


def setup():
    for n in (NS_V, NS_A, NS_B):
        sh("ip", "netns", "add", n)
        ns(n, "ip", "link", "set", "lo", "up")
    sh("ip", "link", "add", "nmsbv1", "netns", NS_V, "type", "veth", "peer", "name", "nmsba1", "netns", NS_A)
    sh("ip", "link", "add", "nmsbv2", "netns", NS_V, "type", "veth", "peer", "name", "nmsbb2", "netns", NS_B)
    for n, dev, addrs in ((NS_V, "nmsbv1", ["10.77.1.1/24", "fd77:1::1/64"]), (NS_A, "nmsba1", ["10.77.1.2/24", "fd77:1::2/64"]),
                          (NS_V, "nmsbv2", ["10.77.2.1/24"]), (NS_B, "nmsbb2", ["10.77.2.2/24"])):
        for a in addrs:
            ns(n, "ip", "addr", "add", a, "dev", dev, *(["nodad"] if ":" in a else []))
        ns(n, "ip", "link", "set", dev, "up")


def cleanup():
    for n in (NS_V, NS_A, NS_B):
        sh("ip", "netns", "del", n, check_rc=False)  # removes the veths and the namespace's ruleset


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces, nftables)")
        return 77
    for tool in ("ip", "nft", "ping"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            print(f"SKIP: {tool} not installed")
            return 77
    try:
        setup()
    except Exception as e:  # noqa: BLE001
        cleanup()
        print(f"SKIP: cannot build namespaces here: {e}")
        return 77
    probe = None
    try:
        check("baseline: attacker reaches the victim", eventually(lambda: ping(NS_A, "10.77.1.1"), 5))
        check("baseline: allowed host reaches the victim", eventually(lambda: ping(NS_B, "10.77.2.1"), 5))
        check("baseline: attacker reaches the victim over IPv6", eventually(lambda: ping(NS_A, "fd77:1::1", True), 5))

        probe = Probe("--allow", "10.77.2.2/32")
        check("probe ready (table created)", probe.read(lambda o: o.get("ready"), 10) is not None, probe.p.stderr)
        check("table inet nmsbantest with both sets exists", table_exists() and set_elements("banned_v4") == []
              and set_elements("banned_v6") == [])

        # 1. A ban drops the attacker's traffic, not the allowed host's.
        probe.send("alert 1 syn_flood high 10.77.1.2")
        ev = probe.ban_event("ban", "10.77.1.2")
        check("ban event (live, alert 1, syn_flood)", ev and not ev["dry_run"] and ev["alert_id"] == 1
              and ev["kind"] == "syn_flood", ev)
        check("attacker address in banned_v4", set_elements("banned_v4") == ["10.77.1.2"], set_elements("banned_v4"))
        check("attacker's pings are dropped while banned", not ping(NS_A, "10.77.1.1"))
        check("allowed host still answered", ping(NS_B, "10.77.2.1"))
        probe.send("list")
        lst = probe.read(lambda o: "bans" in o)
        check("list shows the ban with its alert", lst and [b["ip"] for b in lst["bans"]] == ["10.77.1.2"]
              and lst["bans"][0]["alert_id"] == 1, lst)

        # 2. An allowlisted source is never banned.
        probe.send("alert 2 syn_flood critical 10.77.2.2")
        ev = probe.ban_event("skip", "10.77.2.2")
        check("allowlisted source: skip event, reason allowlisted", ev and ev["reason"] == "allowlisted", ev)
        check("allowlisted source not in the set", "10.77.2.2" not in (set_elements("banned_v4") or []))
        check("allowlisted source still answered", ping(NS_B, "10.77.2.1"))

        # 3. The ban expires by itself (kernel timeout), reported as an expire event.
        ev = probe.ban_event("expire", "10.77.1.2", timeout=BAN_S + 5)
        check(f"expire event within {BAN_S}+5 s", ev is not None and ev["alert_id"] == 1, probe.events)
        check("element gone from banned_v4", set_elements("banned_v4") == [])
        check("attacker answered again after expiry", eventually(lambda: ping(NS_A, "10.77.1.1"), 5))

        # 4. Revoke lifts a ban at once.
        probe.events.clear()
        probe.send("alert 3 port_scan_vertical high 10.77.1.2")
        check("banned again by a new alert", probe.ban_event("ban", "10.77.1.2") is not None
              and eventually(lambda: set_elements("banned_v4") == ["10.77.1.2"], 3))
        probe.events.clear()
        probe.send("revoke 10.77.1.2")
        rv = probe.read(lambda o: "revoke" in o)
        ev = probe.ban_event("unban", "10.77.1.2")
        check("revoke succeeds with an unban event (reason revoked)", rv and rv["revoke"] and ev
              and ev["reason"] == "revoked", (rv, ev))
        check("element gone after revoke", set_elements("banned_v4") == [])
        check("attacker answered after revoke", ping(NS_A, "10.77.1.1"))
        probe.send("revoke 10.77.1.2")
        rv = probe.read(lambda o: "revoke" in o)
        check("revoking an address that is not banned fails", rv and not rv["revoke"], rv)

        # 5. IPv6 sources go to banned_v6; a clean stop deletes the table.
        probe.send("alert 4 brute_force high fd77:1::2")
        check("IPv6 ban event", probe.ban_event("ban", "fd77:1::2") is not None)
        check("IPv6 attacker in banned_v6", set_elements("banned_v6") == ["fd77:1::2"], set_elements("banned_v6"))
        check("IPv6 attacker's pings dropped", not ping(NS_A, "fd77:1::1", True))
        rc = probe.stop()
        check("probe stops cleanly", rc == 0, probe.p.stderr.read() if probe.p.stderr else "")
        check("shutdown: unban event for the remaining ban", any(e["action"] == "unban" and e.get("reason") == "shutdown"
                                                                 for e in probe.events), probe.events)
        check("table deleted on clean stop", not table_exists())
        check("IPv6 attacker answered after the table is gone", ping(NS_A, "fd77:1::1", True))
    finally:
        if probe:
            probe.stop()
        cleanup()
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


sys.exit(main())
