#!/usr/bin/env python3
"""tools/new-dissector end to end, without a second build tree.

Copies the files the scaffold edits (engine/dpi, tests/unit/dpi, tests/fuzz) into a work
directory, runs the scaffold there for one TCP and one UDP dissector, checks its edits
(registration line, CMake entries, fuzz seed), then compiles the generated dissectors, the
edited registry.cpp and the generated tests with the project's own compile commands
(compile_commands.json) and links them against the built libraries (build.ninja's link
line of nms_dpi_tests). The generated tests must pass on the generated code, and the fuzz
replay target, relinked with the new registry, must run the new seeds.
Prints 'N passed, N failed'.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

DISSECTORS = (("scaffoldtcp", "--tcp", "7771,7772"), ("scaffoldudp", "--udp", "7773"))


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def compile_command(cc, source_suffix):
    for c in cc:
        if c["file"].endswith(source_suffix):
            return c
    raise SystemExit(f"{source_suffix} not in compile_commands.json (configure with the release preset)")


def retarget(entry, src, obj, work_engine):
    """The project's compile command for a sibling file, aimed at `src` -> `obj`, with the work
    copy of engine/ searched first (so the edited headers win)."""
    args = shlex.split(entry["command"])
    out = []
    i = 0
    inserted = False
    while i < len(args):
        a = args[i]
        if a == "-o":
            out += ["-o", obj]
            i += 2
            continue
        if a == "-c":
            out += ["-c", src]
            i += 2
            continue
        if a.startswith("-I") and not inserted:
            out.append("-I" + work_engine)
            inserted = True
        out.append(a)
        i += 1
    if shutil.which("ccache") and os.path.basename(out[0]) != "ccache":
        out.insert(0, "ccache")
    return out


def link_libraries(build):
    text = open(os.path.join(build, "build.ninja")).read()
    m = re.search(r"^build tests/unit/dpi/nms_dpi_tests[ :].*?\n((?:  .*\n)+)", text, re.M)
    if not m:
        raise SystemExit("no link step for nms_dpi_tests in build.ninja")
    libs = re.search(r"^  LINK_LIBRARIES = (.*)$", m.group(1), re.M).group(1)
    flags = re.search(r"^  FLAGS = (.*)$", m.group(1), re.M)
    return shlex.split(flags.group(1) if flags else ""), shlex.split(libs)


def run_parallel(cmds, cwd, jobs=2):
    procs, failures = [], []
    pending = list(cmds)
    while pending or procs:
        while pending and len(procs) < jobs:
            c = pending.pop(0)
            procs.append((c, subprocess.Popen(c, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
        c, p = procs.pop(0)
        out, _ = p.communicate()
        if p.returncode != 0:
            failures.append((c[-1], out))
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    args = ap.parse_args()
    src, build = os.path.abspath(args.source), os.path.abspath(args.build)
    work = os.path.join(build, "tests", "integration", "new_dissector", "work")   # fixed: ccache hits on reruns
    shutil.rmtree(work, ignore_errors=True)
    for d in ("engine/dpi", "tests/unit/dpi", "tests/fuzz"):
        shutil.copytree(os.path.join(src, d), os.path.join(work, d))
    os.makedirs(os.path.join(work, "tools"))
    shutil.copy(os.path.join(src, "tools", "new-dissector"), os.path.join(work, "tools"))
    check = Checks()
    tool = os.path.join(work, "tools", "new-dissector")

    for name, l4, ports in DISSECTORS:
        r = subprocess.run([sys.executable, tool, name, l4, ports, "--root", work], capture_output=True, text=True)
        check(r.returncode == 0, f"new-dissector {name} {l4} {ports} ran: {r.stderr.strip()[:200]}")
    again = subprocess.run([sys.executable, tool, DISSECTORS[0][0], "--tcp", "1", "--root", work],
                           capture_output=True, text=True)
    check(again.returncode != 0 and "exists" in again.stderr, "a second run with the same name is refused")
    bad = subprocess.run([sys.executable, tool, "Bad-Name", "--udp", "1", "--root", work], capture_output=True, text=True)
    check(bad.returncode != 0, "an invalid name is refused")

    registry = open(os.path.join(work, "engine/dpi/registry.cpp")).read()
    dpi_cmake = open(os.path.join(work, "engine/dpi/CMakeLists.txt")).read()
    test_cmake = open(os.path.join(work, "tests/unit/dpi/CMakeLists.txt")).read()
    for name, l4, ports in DISSECTORS:
        check(registry.count(f"r.add(make_{name}_dissector());") == 1, f"{name}: one registration line")
        check(registry.count(f"std::unique_ptr<Dissector> make_{name}_dissector();") == 1, f"{name}: one declaration")
        check(f"dissectors/{name}.cpp" in dpi_cmake.split("DEPS")[0], f"{name}: CMake source entry")
        check(f"{name}_test.cpp" in test_cmake.split("DEPS")[0], f"{name}: CMake test entry")
        for rel in (f"engine/dpi/dissectors/{name}.hpp", f"engine/dpi/dissectors/{name}.cpp",
                    f"tests/unit/dpi/{name}_test.cpp", f"tests/fuzz/seeds/dpi/{name}.seed"):
            check(os.path.exists(os.path.join(work, rel)), f"{name}: {rel} written")
    seeds_dir = os.path.join(work, "seeds_out")
    r = subprocess.run([sys.executable, os.path.join(work, "tests/fuzz/make_dpi_seeds.py"), seeds_dir],
                       capture_output=True, text=True)
    made = set(os.listdir(seeds_dir)) if r.returncode == 0 else set()
    for name, _, _ in DISSECTORS:
        check(f"{name}-seed" in made, f"{name}: make_dpi_seeds.py emits its seed")

    # Compile with the project's flags (-Werror included) and link against the built libraries.
    cc = json.load(open(os.path.join(build, "compile_commands.json")))
    lib_cmd = compile_command(cc, "engine/dpi/dissectors/ntp.cpp")
    test_cmd = compile_command(cc, "tests/unit/dpi/ntp_test.cpp")
    fuzz_cmd = compile_command(cc, "tests/fuzz/fuzz_dpi.cpp")
    obj = os.path.join(work, "obj")
    os.makedirs(obj)
    w_engine = os.path.join(work, "engine")
    lib_objs, test_objs, fuzz_objs, cmds = [], [], [], []

    def add(entry, rel, group):
        o = os.path.join(obj, os.path.basename(rel) + ".o")
        cmds.append(retarget(entry, os.path.join(work, rel), o, w_engine))
        group.append(o)

    add(lib_cmd, "engine/dpi/registry.cpp", lib_objs)
    for name, _, _ in DISSECTORS:
        add(lib_cmd, f"engine/dpi/dissectors/{name}.cpp", lib_objs)
        add(test_cmd, f"tests/unit/dpi/{name}_test.cpp", test_objs)
    add(fuzz_cmd, "tests/fuzz/fuzz_dpi.cpp", fuzz_objs)
    add(fuzz_cmd, "tests/fuzz/replay_main.cpp", fuzz_objs)
    failures = run_parallel(cmds, lib_cmd["directory"])
    for f, out in failures:
        print(out[-3000:])
    if not check(not failures, f"{len(cmds)} generated/edited files compile with the project's flags"):
        print(f"{check.passed} passed, {check.failed} failed")
        return 1

    flags, libs = link_libraries(build)
    cxx = shlex.split(lib_cmd["command"])[0]
    test_bin = os.path.join(work, "scaffold_tests")
    fuzz_bin = os.path.join(work, "scaffold_fuzz_replay")
    link_test = [cxx] + flags + lib_objs + test_objs + ["-o", test_bin] + libs
    link_fuzz = [cxx] + flags + lib_objs + fuzz_objs + ["-o", fuzz_bin] + [l for l in libs if "Catch2" not in l]
    for cmd, what in ((link_test, "tests"), (link_fuzz, "fuzz replay")):
        r = subprocess.run(cmd, cwd=build, capture_output=True, text=True)
        if not check(r.returncode == 0, f"{what} link against the built libraries"):
            print(r.stdout[-2000:] + r.stderr[-2000:])
            print(f"{check.passed} passed, {check.failed} failed")
            return 1

    r = subprocess.run([test_bin], capture_output=True, text=True, timeout=120)
    print(r.stdout[-1500:])
    m = re.search(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)", r.stdout)
    check(r.returncode == 0 and m is not None and int(m.group(1)) == 3 * len(DISSECTORS),
          "the generated tests pass on the generated dissectors")
    seed_files = [os.path.join(seeds_dir, f) for f in sorted(made) if "scaffold" in f]
    r = subprocess.run([fuzz_bin] + seed_files, capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and f"replayed {len(seed_files)} inputs" in r.stdout + r.stderr,
          f"fuzz replay with the new registry runs the {len(seed_files)} new seeds: {(r.stdout + r.stderr).strip()[:120]}")
    print(f"{check.passed} passed, {check.failed} failed")
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
