#!/usr/bin/env python3
"""wait_eve.py EVE_FILE TIMEOUT_S COND... : waits (bounded) until, for every COND (a Python
expression over the parsed event `e`), some line of the EVE file satisfies it. Exit 0 when
all matched, 1 on timeout (printing which did not)."""
import json
import sys
import time

path, timeout, conds = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
deadline = time.time() + timeout
found = [False] * len(conds)
while True:
    try:
        with open(path) as fh:
            for line in fh:
                try:
                    e = json.loads(line)
                except ValueError:
                    continue
                for i, c in enumerate(conds):
                    try:
                        found[i] = found[i] or bool(eval(c, {}, {"e": e}))  # noqa: S307 (test expressions)
                    except (KeyError, TypeError):
                        pass
    except FileNotFoundError:
        pass
    if all(found) or time.time() > deadline:
        break
    time.sleep(0.2)
for c, ok in zip(conds, found):
    if not ok:
        print("not seen: " + c)
sys.exit(0 if all(found) else 1)
