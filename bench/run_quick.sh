#!/usr/bin/env bash
# run_quick.sh: the offline figures in one go (no root needed).
#   1. builds bench_pipeline, bench_flow_memory, pcap_walk, tpacket_null_reader, netmonsec
#      (release preset in build/release, or the build directory given with --build)
#   2. generates a capture: 100k flows, 1M packets, 64-byte frames (cached under the build dir)
#   3. runs bench_pipeline (1 and 2 workers next to the pcap walk) and bench_flow_memory (1M flows)
#   4. prints the figures as one JSON object and writes bench/results/<date>-<commit>.json
#
#   bench/run_quick.sh [--build DIR] [--repeat R] [--flows N] [--packets N] [--size 64|imix]
#                      [--live]   (also runs bench/live_veth.sh; needs root)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=""
repeat=3
flows=100000
packets=1000000
size=64
live=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --build) build=$2; shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        --flows) flows=$2; shift 2 ;;
        --packets) packets=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --live) live=1; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "run_quick.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

targets=(bench_pipeline bench_flow_memory pcap_walk tpacket_null_reader netmonsec)
if [[ -z "$build" ]]; then
    build="$root/build/release"
    [[ -f "$build/build.ninja" ]] || cmake --preset release -S "$root" >/dev/null
else
    [[ -f "$build/build.ninja" ]] || cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
build=$(cd "$build" && pwd)
cmake --build "$build" --target "${targets[@]}" -j2 >&2

pcap="$build/bench/gen-${flows}f-${packets}p-${size}.pcap"
if [[ ! -s "$pcap" ]]; then
    python3 "$here/gen_pcap.py" -o "$pcap.tmp" --flows "$flows" --packets "$packets" --size "$size"
    mv "$pcap.tmp" "$pcap"
fi

# Exit 3 = figures printed but packet/flow counts were off: keep the figures, say so.
pipeline_json=$("$build/bench/bench_pipeline" "$pcap" --repeat "$repeat") ||
    echo "run_quick.sh: bench_pipeline: counts differ from the walk or drops (see counts_match_walk)" >&2
memory_json=$("$build/bench/bench_flow_memory" --flows 1000000) ||
    echo "run_quick.sh: bench_flow_memory: not every flow was tracked (see live_flows)" >&2
live_json=null
if [[ $live -eq 1 ]]; then
    live_json=$("$here/live_veth.sh" --build "$build")
fi

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo true || echo false)
mkdir -p "$here/results"
outfile="$here/results/$(date -u +%Y%m%dT%H%M%SZ)-$commit.json"
python3 - "$outfile" "$commit" "$dirty" "$pipeline_json" "$memory_json" "$live_json" <<'EOF'
import json, os, platform, sys
outfile, commit, dirty, pipeline, memory, live = sys.argv[1:]
doc = {
    "commit": commit, "dirty_tree": dirty == "true", "host": platform.node(), "kernel": platform.release(),
    "cpus": os.cpu_count(), "loadavg_at_end": os.getloadavg()[0],
    "pipeline": json.loads(pipeline), "flow_memory": json.loads(memory), "live": json.loads(live),
}
text = json.dumps(doc, indent=1)
print(text)
open(outfile, "w").write(text + "\n")
sys.stderr.write("run_quick.sh: wrote %s\n" % outfile)
EOF
