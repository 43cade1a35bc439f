#!/usr/bin/env bash
# W1 and W3 on a loopback Ballista cluster: one scheduler and two executors on this machine,
# all of them the fugue-bench binary (built with the `cluster` feature), then the workloads
# with `--engine ballista://127.0.0.1:PORT`. Prints one JSON line per run (as compare.sh).
#
#   bench/cluster.sh                     # N = 1,000,000
#   SIZES="1000000 10000000" bench/cluster.sh
#
# Environment: SIZES, FBENCH_DATA (default ~/.cache/fugue-bench/data, made by gen_data.py),
# PROFILE (default bench-fast), CARGO_TARGET_DIR, CORES (per executor, default 1: two
# executors on a 2-core machine), PARTITIONS (fugue.ballista.partitions, default 4), OUT.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
SIZES="${SIZES:-1000000}"
PROFILE="${PROFILE:-bench-fast}"
CORES="${CORES:-1}"
export FUGUE_BALLISTA_PARTITIONS="${PARTITIONS:-4}"
export FBENCH_DATA="${FBENCH_DATA:-$HOME/.cache/fugue-bench/data}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="${OUT:-$HOME/.cache/fugue-bench/results/cluster-$(date +%Y%m%d-%H%M%S).jsonl}"
mkdir -p "$(dirname "$OUT")"

(cd "$ROOT" && cargo build --quiet --profile "$PROFILE" -p fugue-bench --features cluster) >&2
BIN="$CARGO_TARGET_DIR/$PROFILE/fugue-bench"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (echo > /dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

WORK="$(mktemp -d)"
PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

SCHED=$(port)
"$BIN" scheduler --bind "127.0.0.1:$SCHED" 2> "$WORK/scheduler.log" & PIDS+=($!)
wait_port "$SCHED"
for i in 1 2; do
  FLIGHT=$(port); GRPC=$(port)
  mkdir -p "$WORK/executor-$i"
  "$BIN" executor --scheduler "127.0.0.1:$SCHED" --port "$FLIGHT" --grpc-port "$GRPC" \
      --cores "$CORES" --work-dir "$WORK/executor-$i" 2> "$WORK/executor-$i.log" & PIDS+=($!)
  wait_port "$FLIGHT"
done
sleep 2

for n in $SIZES; do
  for run in "W1 rows" "W1 batch" "W3 engine"; do
    set -- $run
    variant=()
    [ "$2" != engine ] && variant=(--variant "$2")
    "$BIN" --workload "$1" --rows "$n" --data "$FBENCH_DATA" \
        --engine "ballista://127.0.0.1:$SCHED" "${variant[@]}" --out "$OUT" \
      || echo "{\"workload\": \"$1\", \"system\": \"fugue_rs_ballista\", \"variant\": \"$2\", \"n\": $n, \"skipped\": \"failed\"}" | tee -a "$OUT"
  done
done
echo "results: $OUT" >&2
