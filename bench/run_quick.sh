#!/usr/bin/env bash
# Kept for old habits: the quick smoke run is now bench/run --quick (same options).
exec "$(dirname "$0")/run" --quick "$@"
