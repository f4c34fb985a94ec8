#!/usr/bin/env python3
"""A real Prometheus server scrapes `netmonsec --demo` every second (with basic_auth, as an
operator would with api.metrics_auth = true) and its HTTP API returns our series.
Usage: prometheus_test.py NETMONSEC. Prints 'N passed, N failed'."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nms_client import Daemon, free_port, make_hash  # noqa: E402

NMS = sys.argv[1]
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"\n     {str(detail)[:800]}"), flush=True)


if not shutil.which("prometheus"):
    print("SKIP: prometheus is not installed (apt-get install prometheus)")
    sys.exit(77)

with tempfile.TemporaryDirectory() as tmp:
    h = make_hash(NMS, "scrape pass")
    d = Daemon(NMS, tmp, f"""[api]
metrics_auth = true
users = [{{name = "prom", role = "viewer", password_hash = "{h}"}}]
""")
    prom_port = free_port()
    prom_cfg = os.path.join(tmp, "prometheus.yml")
    with open(prom_cfg, "w") as fh:
        fh.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: netmonsec
    basic_auth:
      username: prom
      password: scrape pass
    static_configs:
      - targets: ["127.0.0.1:{d.port}"]
""")
    prom = None
    try:
        d.wait_ready()
        status, _, _ = d.request("GET", "/metrics")
        check("/metrics without credentials -> 401 when metrics_auth = true", status == 401, status)
        chk = subprocess.run(["promtool", "check", "config", prom_cfg], capture_output=True, text=True)
        check("promtool check config", chk.returncode == 0, chk.stdout + chk.stderr)
        with open(os.path.join(tmp, "prom.log"), "w") as log:
            prom = subprocess.Popen(["prometheus", f"--config.file={prom_cfg}",
                                     f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
                                     f"--web.listen-address=127.0.0.1:{prom_port}"],
                                    stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{prom_port}"

        def query(q):
            url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
            with urllib.request.urlopen(url, timeout=5) as r:
                return json.loads(r.read())

        deadline, value, up, res = time.time() + 60, None, None, None
        while time.time() < deadline:
            try:
                res = query('sum(netmonsec_packets_total{job="netmonsec"})')
                up = query('up{job="netmonsec"}')
                if res["data"]["result"] and up["data"]["result"]:
                    value = float(res["data"]["result"][0]["value"][1])
                    if value > 0:
                        break
            except OSError:
                pass
            time.sleep(1)
        check("Prometheus scraped netmonsec (up == 1)",
              up and up["data"]["result"] and up["data"]["result"][0]["value"][1] == "1", up)
        check("sum(netmonsec_packets_total) > 0 via Prometheus' query API", value and value > 0, res)
        time.sleep(3)
        r = query('rate(netmonsec_packets_total{proto="udp"}[5s])')
        check("rate() over our counter works", r["status"] == "success" and r["data"]["result"], r)
        r = query("netmonsec_latency_seconds_count")
        check("a summary family is ingested", r["status"] == "success", r)
    finally:
        if prom and prom.poll() is None:
            prom.terminate()
            try:
                prom.wait(timeout=20)
            except subprocess.TimeoutExpired:
                prom.kill()
                prom.wait()
        check("daemon exit 0", d.stop() == 0, d.stderr()[-500:])

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
