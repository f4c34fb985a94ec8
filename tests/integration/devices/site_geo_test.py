#!/usr/bin/env python3
"""Devices end to end on a real capture (corpus ndpi__android.pcap: an Android phone named by
its DHCP vendor class, talking TLS to Google; an iMac; remote servers):

1. GeoIP/ASN: two MMDBs built by tests/tools/mmdb_writer.py (checked with mmdblookup), set as
   devices.geoip_db / asn_db. EVE "device" events carry geo on external peers and on remote
   (IP-keyed) devices; so does the REST API of a replay with --listen.
2. Site fingerprints: replaying the capture twice on one data directory with
   devices.site_fingerprints_replay = true. The first run learns the phone's JA4s and DHCP
   fingerprint (site_fingerprints.tsv) and its SYN (site.fp) and uses none of them; the second
   run shows them as ja4_site / dhcp_site / tcp_syn_site evidence.
3. `netmonsec fingerprints` lists them; `netmonsec fingerprints p0f` is read by p0f itself.
4. A corrupt MMDB is a warning and a counter, the run still succeeds.
Usage: site_geo_test.py NETMONSEC SOURCE_DIR. Prints 'N passed, N failed'."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

NMS, SRC = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(SRC, "tests", "integration", "api"))
from nms_client import Daemon, make_hash  # noqa: E402

PCAP = os.path.join(SRC, "..", "shared", "corpus", "pcap", "ndpi__android.pcap")
WRITER = os.path.join(SRC, "tests", "tools", "mmdb_writer.py")
PHONE = "4c:6a:f6:9f:f6:27"
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"\n     {str(detail)[:800]}"), flush=True)


COUNTRY = {
    "172.217.0.0/16": {"country": {"iso_code": "US", "names": {"en": "United States"}}},
    "216.239.32.0/19": {"city": {"names": {"en": "Mountain View"}},
                        "country": {"iso_code": "US", "names": {"en": "United States"}}},
    "17.0.0.0/8": {"registered_country": {"iso_code": "US", "names": {"en": "United States"}}},
    "95.101.0.0/16": {"country": {"iso_code": "NL", "names": {"en": "Netherlands"}}},
}
ASN = {
    "172.217.0.0/16": {"autonomous_system_number": 15169, "autonomous_system_organization": "GOOGLE"},
    "216.239.32.0/19": {"autonomous_system_number": 15169, "autonomous_system_organization": "GOOGLE"},
    "17.0.0.0/8": {"autonomous_system_number": 714, "autonomous_system_organization": "APPLE-ENGINEERING"},
}


def make_db(tmp, name, dbtype, spec):
    spec_path = os.path.join(tmp, name + ".json")
    with open(spec_path, "w") as fh:
        json.dump(spec, fh)
    out = os.path.join(tmp, name + ".mmdb")
    subprocess.run([sys.executable, WRITER, out, dbtype, spec_path], check=True, timeout=60)
    return out


def replay(cfg, data_dir, eve, extra=()):
    r = subprocess.run([NMS, "-c", cfg, "-r", PCAP, "--eve", eve, "-w", "2", "--no-api", "--data-dir", data_dir, *extra],
                       capture_output=True, text=True, timeout=120)
    return r


def last_devices(eve):
    last = {}
    with open(eve) as fh:
        for line in fh:
            e = json.loads(line)
            if e.get("event_type") == "device":
                d = e["device"]
                last[d.get("mac") or d["ips"][0]] = d
    return last


def stats_events(eve):
    with open(eve) as fh:
        return [json.loads(l) for l in fh if '"event_type":"stats"' in l]


def signals(d):
    return {e["signal"] for e in d.get("os_evidence", [])}


with tempfile.TemporaryDirectory() as tmp:
    country_db = make_db(tmp, "country", "GeoLite2-City", COUNTRY)
    asn_db = make_db(tmp, "asn", "GeoLite2-ASN", ASN)
    if shutil.which("mmdblookup"):
        r = subprocess.run(["mmdblookup", "--file", country_db, "--ip", "172.217.21.202", "country", "iso_code"],
                           capture_output=True, text=True, timeout=30)
        check("mmdblookup reads our country MMDB", r.returncode == 0 and '"US"' in r.stdout, r.stdout + r.stderr)
        r = subprocess.run(["mmdblookup", "--file", asn_db, "--ip", "17.248.185.10", "autonomous_system_number"],
                           capture_output=True, text=True, timeout=30)
        check("mmdblookup reads our ASN MMDB", r.returncode == 0 and "714" in r.stdout, r.stdout + r.stderr)

    data = os.path.join(tmp, "data")
    cfg = os.path.join(tmp, "nms.toml")
    with open(cfg, "w") as fh:
        # No database: the second run rediscovers the devices (EVE "device" events with all their
        # evidence) instead of loading them back; the site files still live in the data directory.
        fh.write(f'[devices]\nsite_fingerprints_replay = true\ngeoip_db = "{country_db}"\nasn_db = "{asn_db}"\n'
                 f'[storage]\nenabled = false\n')

    # ---- run 1: learn ---------------------------------------------------------------------------
    eve1 = os.path.join(tmp, "eve1.json")
    r = replay(cfg, data, eve1)
    check("run 1 exits 0", r.returncode == 0, r.stderr[-1500:])
    devs = last_devices(eve1)
    phone = devs.get(PHONE, {})
    check("run 1: the phone is Android from DHCP", phone.get("os", "").startswith("Android"), phone)
    check("run 1: no learned evidence used yet", not (signals(phone) & {"ja4_site", "dhcp_site", "tcp_syn_site"}),
          signals(phone))
    ext = [p for p in phone.get("peers", []) if p["relation"] == "outbound" and p["ip"].startswith("172.217.")]
    check("EVE: the phone's external peers carry country and ASN",
          ext and all(p.get("geo", {}).get("country_iso") == "US" and p["geo"].get("asn") == 15169
                      and p["geo"].get("as_org") == "GOOGLE" for p in ext), phone.get("peers"))
    mv = [p for p in phone.get("peers", []) if p["ip"] == "216.239.38.120"]
    check("EVE: city from a City-type database", mv and mv[0].get("geo", {}).get("city") == "Mountain View", mv)
    lateral = [p for p in phone.get("peers", []) if p["relation"] == "lateral"]
    check("EVE: lateral (internal) peers have no geo", lateral and all("geo" not in p for p in lateral), lateral)
    apple = devs.get("17.248.185.10", {})
    check("EVE: a remote device has its own geo (registered country + ASN)",
          apple.get("key") == "ip" and apple.get("geo") == {"country_iso": "US", "country": "United States",
                                                            "asn": 714, "as_org": "APPLE-ENGINEERING"}, apple)
    nl = devs.get("95.101.24.53", {})
    check("EVE: country without ASN when only one DB knows it", nl.get("geo") == {"country_iso": "NL",
                                                                                   "country": "Netherlands"}, nl)
    st = stats_events(eve1)
    geo_stats = st[-1]["stats"]["devices"]["geoip"] if st else {}
    check("EVE stats: geoip lookups counted, no errors, no unavailable DB",
          geo_stats.get("lookups", 0) > 0 and geo_stats.get("errors") == 0 and geo_stats.get("unavailable_dbs") == 0,
          geo_stats)

    tsv = os.path.join(data, "site_fingerprints.tsv")
    lines = [l.rstrip("\n").split("\t") for l in open(tsv)] if os.path.exists(tsv) else []
    rows = [l for l in lines if l and not l[0].startswith("#")]
    ja4_rows = [l for l in rows if l[0] == "ja4"]
    dhcp_rows = [l for l in rows if l[0] == "dhcp"]
    phone_ja4 = set((phone.get("attributes") or {}).get("tls_ja4", []))
    check("run 1 wrote site_fingerprints.tsv with the phone's JA4s",
          ja4_rows and {l[1] for l in ja4_rows} <= phone_ja4 and all(l[3] == "Android" and PHONE in l[4]
                                                                     for l in ja4_rows), rows)
    check("run 1 learned the phone's DHCP fingerprint (list|vendor class) from its vendor class",
          any(l[1] == "1,3,6,15,26,28,51,58,59,43|android-dhcp-9" and l[3] == "Android 9"
              and "dhcp_vendor_class" in l[4] for l in dhcp_rows), rows)
    site_fp = os.path.join(data, "site.fp")
    check("run 1 wrote site.fp (p0f format)", os.path.exists(site_fp) and "label = s:unix:Android:" in open(site_fp).read(),
          open(site_fp).read() if os.path.exists(site_fp) else "missing")

    # ---- run 2: use --------------------------------------------------------------------------------
    eve2 = os.path.join(tmp, "eve2.json")
    r = replay(cfg, data, eve2)
    check("run 2 exits 0", r.returncode == 0, r.stderr[-1500:])
    phone2 = last_devices(eve2).get(PHONE, {})
    ev = {e["signal"]: e for e in phone2.get("os_evidence", [])}
    check("run 2: the learned JA4 is evidence (ja4_site)",
          "ja4_site" in ev and ev["ja4_site"]["value"] in {l[1] for l in ja4_rows} and ev["ja4_site"]["os"] == "Android",
          phone2.get("os_evidence"))
    check("run 2: the learned DHCP fingerprint is evidence (dhcp_site), weaker than direct DHCP",
          "dhcp_site" in ev and ev["dhcp_site"]["os"] == "Android 9"
          and ev["dhcp_site"]["confidence"] < ev.get("dhcp_vendor_class", {}).get("confidence", 0), ev)
    check("run 2: the learned SYN signature matches (tcp_syn_site)", "tcp_syn_site" in ev, ev)
    check("run 2: direct evidence still decides the OS", phone2.get("os") == "Android" and phone2.get("os_confidence") == 80,
          phone2)
    rows2 = [l for l in open(tsv) if not l.startswith("#")]
    check("run 2 adds no duplicates", len(rows2) == len(rows), (len(rows2), len(rows)))

    # ---- the fingerprints command and p0f ---------------------------------------------------------
    r = subprocess.run([NMS, "-c", cfg, "--data-dir", data, "fingerprints"], capture_output=True, text=True, timeout=30)
    check("netmonsec fingerprints lists TCP, JA4 and DHCP ones",
          r.returncode == 0 and "tcp_syn\t" in r.stdout and "\nja4\t" in r.stdout and "\ndhcp\t" in r.stdout,
          r.stdout + r.stderr)
    r = subprocess.run([NMS, "-c", cfg, "--data-dir", data, "fingerprints", "p0f"], capture_output=True, text=True,
                       timeout=30)
    exported = os.path.join(tmp, "exported.fp")
    with open(exported, "w") as fh:
        fh.write(r.stdout)
    check("netmonsec fingerprints p0f prints the site.fp signatures",
          r.returncode == 0 and "[tcp:request]" in r.stdout and "label = s:unix:Android:" in r.stdout, r.stdout)
    if shutil.which("p0f"):
        for name, path in (("site.fp", site_fp), ("the export", exported)):
            p = subprocess.run(["p0f", "-f", path, "-r", PCAP], capture_output=True, text=True, timeout=60)
            out = p.stdout + p.stderr
            # p0f names the file's first signature it cannot parse ("[-] ... line N") and exits non-zero.
            check(f"p0f -f accepts {name} and matches the learned signature on the capture",
                  p.returncode == 0 and "[-]" not in out and "Android" in out, out[-1500:])
    r = subprocess.run([NMS, "fingerprints", "bogus"], capture_output=True, text=True, timeout=30)
    check("netmonsec fingerprints bogus is a usage error (2)", r.returncode == 2 and "usage" in r.stderr, r.stderr)

    # ---- a corrupt database -------------------------------------------------------------------------
    bad = os.path.join(tmp, "bad.mmdb")
    with open(bad, "wb") as fh:
        fh.write(b"\x00" * 200)
    cfg_bad = os.path.join(tmp, "bad.toml")
    with open(cfg_bad, "w") as fh:
        fh.write(f'[devices]\ngeoip_db = "{bad}"\nasn_db = "{os.path.join(tmp, "missing.mmdb")}"\n')
    eve3 = os.path.join(tmp, "eve3.json")
    r = replay(cfg_bad, os.path.join(tmp, "data3"), eve3, ("-v",))
    check("corrupt / missing MMDB: run still succeeds", r.returncode == 0, r.stderr[-1500:])
    check("corrupt / missing MMDB: one clear warning per file naming it",
          "bad.mmdb" in r.stderr and "missing.mmdb" in r.stderr and "GeoIP" in r.stderr and "ASN" in r.stderr,
          r.stderr[-1500:])
    st = stats_events(eve3)
    check("corrupt / missing MMDB: counted in stats",
          st and st[-1]["stats"]["devices"]["geoip"]["unavailable_dbs"] == 2, st[-1]["stats"]["devices"] if st else None)

    # ---- REST: a replay with the API ------------------------------------------------------------------
    h = make_hash(NMS, "geo secret 1")
    api_cfg = (f'[devices]\ngeoip_db = "{country_db}"\nasn_db = "{asn_db}"\n'
               f'[api]\nusers = [{{name = "v", role = "viewer", password_hash = "{h}"}}]\n')
    # The capture looped and paced (20x: ~5 s a pass) so the API has a live snapshot to show.
    port_daemon = Daemon(NMS, tmp, api_cfg, name="api", extra_args=("-w", "2"),
                         source=("-r", PCAP, "--loop", "0", "--replay-speed", "20"))
    try:
        port_daemon.wait_ready(timeout=60)
        status, _, body = port_daemon.login("v", "geo secret 1")
        token = body.get("token", "")
        check("REST: login", status == 200 and token, body)
        hdr = {"Authorization": "Bearer " + token}
        found_peer = found_remote = None
        deadline = time.time() + 60
        while time.time() < deadline and not (found_peer and found_remote):
            status, _, raw = port_daemon.request("GET", f"/api/v1/devices/{PHONE}", headers=hdr)
            if status == 200:
                dev = json.loads(raw)
                peers = [p for p in dev.get("peers", []) if p.get("geo", {}).get("asn") == 15169]
                found_peer = peers[0] if peers else None
            status, _, raw = port_daemon.request("GET", "/api/v1/devices/17.248.185.10", headers=hdr)
            if status == 200:
                dev = json.loads(raw)
                found_remote = dev if dev.get("geo", {}).get("asn") == 714 else None
            if not (found_peer and found_remote):
                time.sleep(0.5)
        check("REST: a device's external peer shows country and ASN",
              found_peer and found_peer["geo"]["country_iso"] == "US" and found_peer["geo"]["as_org"] == "GOOGLE",
              found_peer)
        check("REST: a remote device shows its country and ASN",
              found_remote and found_remote["geo"]["country_iso"] == "US", found_remote)
        status, _, raw = port_daemon.request("GET", "/api/v1/stats", headers=hdr)
        geo = json.loads(raw).get("devices", {}).get("geoip", {}) if status == 200 else {}
        check("REST stats: geoip counters", geo.get("lookups", 0) > 0 and geo.get("unavailable_dbs") == 0, geo)
        status, _, raw = port_daemon.request("GET", "/metrics", headers=hdr)
        text = raw.decode() if status == 200 else ""
        check("Prometheus: geoip lookup counter", 'netmonsec_geoip_lookups_total{result="found"}' in text, text[:300])
    finally:
        port_daemon.stop()

passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
