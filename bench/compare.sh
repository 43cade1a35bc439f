#!/usr/bin/env bash
# Run fugue-bench (ours) and the Python peers (../shared/bench/run_peers.sh) on the same data,
# in one run on this machine, and print a markdown table of ratios ours / peer.
#
#   bench/compare.sh                       # N = 1,000,000 and 10,000,000
#   SIZES=1000000 bench/compare.sh         # one size
#   SKIP_PEERS=1 PEERS_JSONL=old.jsonl bench/compare.sh   # reuse a peers run
#
# Environment: SIZES, VENV (the peers' venv; default ~/.cache/fugue-bench/venv), FBENCH_DATA
# (default ~/.cache/fugue-bench/data), PROFILE (cargo profile, default bench-fast),
# CARGO_TARGET_DIR, RESULTS_DIR (where the JSONL files go), WORKLOADS, ENGINES, SHARED (the
# folder of bench.py, default ../shared/bench from the repository root).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
SHARED="${SHARED:-$(cd "$ROOT/../shared/bench" && pwd)}"
SIZES="${SIZES:-1000000 10000000}"
WORKLOADS="${WORKLOADS:-W1 W2 W3 W4 W5}"
ENGINES="${ENGINES:-local native}"
PROFILE="${PROFILE:-bench-fast}"
export VENV="${VENV:-$HOME/.cache/fugue-bench/venv}"
export FBENCH_DATA="${FBENCH_DATA:-$HOME/.cache/fugue-bench/data}"
export FBENCH_SCRATCH="${FBENCH_SCRATCH:-$FBENCH_DATA/scratch}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
RESULTS_DIR="${RESULTS_DIR:-$HOME/.cache/fugue-bench/results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$RESULTS_DIR" "$FBENCH_SCRATCH"
OURS="$RESULTS_DIR/ours.jsonl"
PEERS="${PEERS_JSONL:-$RESULTS_DIR/peers.jsonl}"
PY="$VENV/bin/python"
[ -x "$PY" ] || PY=python3

# 1. The data (seeded: the same files every time).
"$PY" "$SHARED/gen_data.py" "$FBENCH_DATA" $SIZES >&2

# 2. Ours.
(cd "$ROOT" && cargo build --quiet --profile "$PROFILE" -p fugue-bench) >&2
BIN="$CARGO_TARGET_DIR/$PROFILE/fugue-bench"
for n in $SIZES; do
  for w in $WORKLOADS; do
    case $w in W1|W2) variants="rows rows_str batch" ;; *) variants="engine" ;; esac
    for e in $ENGINES; do
      for v in $variants; do
        echo "$(date +%T) ours $w $e $v $n (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
        args=(--workload "$w" --rows "$n" --data "$FBENCH_DATA" --engine "$e" --scratch "$FBENCH_SCRATCH/rs" --out "$OURS")
        [ "$v" = engine ] || args+=(--variant "$v")
        timeout 1300 "$BIN" "${args[@]}" >/dev/null \
          || echo "{\"workload\": \"$w\", \"system\": \"fugue_rs_$e\", \"variant\": \"$v\", \"n\": $n, \"skipped\": \"failed\"}" >> "$OURS"
      done
    done
  done
done

# 3. The peers (bench.py, one process per case).
if [ -z "${SKIP_PEERS:-}" ]; then
  SIZES="$SIZES" WORKLOADS="$WORKLOADS" bash "$SHARED/run_peers.sh" "$PEERS"
fi

# 4. The table.
{
  echo "Date: $(date -u +'%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); profile: $PROFILE; results: $RESULTS_DIR"
  python3 "$HERE/table.py" "$OURS" "$PEERS"
} | tee "$RESULTS_DIR/table.md"
