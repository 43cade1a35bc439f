#!/usr/bin/env bash
# The compile-time cost of `workflow!`'s checks, as a user feels it: the incremental
# `cargo check` of a crate whose `main.rs` holds one 20-step `workflow!` (every verb with
# compile-time checks: loads with schemas, typed transformers with rules and parameters, joins,
# set operations, select/drop/rename/alter_columns, fillna/dropna, take, aggregate, save),
# after an edit of that file. Also the clean debug build of `fugue-macros` and its
# dependencies. Prints the median of RUNS checks.
#
#   bench/check_time.sh            # RUNS=7
#
# The crate is built in its own folder under CARGO_TARGET_DIR (the first run builds its
# dependencies once); `fugue` is used without its default features, as the ui tests use it.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
RUNS="${RUNS:-7}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PROJECT="$CARGO_TARGET_DIR/check-time/project"
TARGET="$CARGO_TARGET_DIR/check-time/target"
mkdir -p "$PROJECT/src"
cp "$ROOT/Cargo.lock" "$PROJECT/Cargo.lock"
cat >"$PROJECT/Cargo.toml" <<EOF
[package]
name = "fugue-check-time"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
fugue = { path = "$ROOT", default-features = false }

[workspace]
EOF

write_main() {
    cat >"$PROJECT/src/main.rs" <<'EOF'
use fugue::prelude::*;

#[derive(Schema, Clone)]
struct Trip {
    city: String,
    fare: f64,
    tip: Option<f64>,
    n: i64,
}

#[derive(Schema, Clone)]
struct Ranked {
    city: String,
    fare: f64,
    rank: i64,
}

#[transformer(partitionby_has = "city", presort_is = "fare desc")]
fn rank(rows: Vec<Trip>, top: i64) -> Vec<Ranked> {
    rows.into_iter()
        .take(top as usize)
        .enumerate()
        .map(|(i, t)| Ranked { city: t.city, fare: t.fare, rank: i as i64 })
        .collect()
}

#[transformer(schema = "*,share:double")]
fn share(batch: RecordBatch) -> RecordBatch {
    batch
}

#[cotransformer]
fn pair(a: Vec<Ranked>, b: Vec<Ranked>) -> Vec<Ranked> {
    a.into_iter().chain(b).collect()
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        more = load("more.parquet", columns: "city:str,fare:double,tip:double,n:long");
        all = union(trips, more);
        filled = fillna(all, 0, subset: [tip]);
        checked = dropna(filled, subset: [fare]);
        ranked = transform(checked, rank, partition(by: city, presort: fare desc), params(top: 3));
        shared = transform(ranked, share);
        slim = select(shared, city, fare, rank);
        renamed = rename(slim, fare: price);
        cities = load("cities.parquet", columns: "city:str,pop:long,region:str");
        joined = join(renamed, cities, how: inner, on: [city]);
        dropped = drop(joined, region);
        altered = alter_columns(dropped, "pop:double");
        top = take(altered, 2, partition(by: city, presort: price desc));
        again = select(ranked, city, fare, rank);
        paired = cotransform([ranked, again], pair, partition(by: city));
        common = intersect(paired, again);
        totals = aggregate(top, by: [city], total = "sum(price)");
        save(totals, "totals.parquet");
        save(common, "common.parquet");
    };
}
EOF
    # The edit: a comment that changes with every run.
    echo "// run $1" >>"$PROJECT/src/main.rs"
}

check() {
    (cd "$PROJECT" && CARGO_INCREMENTAL=1 cargo check --quiet --target-dir "$TARGET" 2>&1)
}

write_main 0
check >/dev/null || { check; exit 1; }
times=()
for i in $(seq 1 "$RUNS"); do
    write_main "$i"
    start=$(date +%s.%N)
    check >/dev/null
    end=$(date +%s.%N)
    times+=("$(python3 -c "print(round($end - $start, 3))")")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "incremental cargo check of a 20-step workflow!: median ${median}s of $RUNS (${times[*]})"

# The clean debug build of fugue-macros and its dependencies.
MACROS_TARGET="$CARGO_TARGET_DIR/check-time/macros"
rm -rf "$MACROS_TARGET"
start=$(date +%s.%N)
(cd "$ROOT" && CARGO_INCREMENTAL=0 cargo build --quiet -p fugue-macros --target-dir "$MACROS_TARGET")
end=$(date +%s.%N)
echo "clean debug build of fugue-macros and its dependencies: $(python3 -c "print(round($end - $start, 1))")s"
rm -rf "$MACROS_TARGET"
