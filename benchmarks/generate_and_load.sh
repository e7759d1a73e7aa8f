#!/usr/bin/env bash
# Time and peak memory of `ai-finops generate` and `ai-finops load` (DuckDB) for N spans (default 1,000,000).
# Usage: benchmarks/generate_and_load.sh [SPANS] [WORKDIR]; prints one markdown table row per phase.
set -euo pipefail
cd "$(dirname "$0")/.."
spans="${1:-1000000}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
measure() {  # phase, command...
    local phase="$1"; shift
    /usr/bin/time -v "$@" > "$work/$phase.out" 2> "$work/$phase.time"
    local wall rss
    wall=$(grep "Elapsed (wall clock)" "$work/$phase.time" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$work/$phase.time" | awk '{print $NF}')
    echo "| $phase | $spans | $wall | $((rss / 1024)) MiB |"
}
echo "| phase | spans | wall (m:ss) | peak RSS |"
echo "|---|---|---|---|"
measure generate .venv/bin/ai-finops generate --out "$work/data" --spans "$spans" --seed 1
AI_FINOPS_DUCKDB_PATH="$work/bench.duckdb" measure load_duckdb .venv/bin/ai-finops load --target duckdb "$work/data"
du -sh "$work/data" | awk '{print "dataset size on disk: " $1}'
