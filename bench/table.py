"""Print the markdown comparison of fugue-bench results (ours) with bench.py results (peers).

    python3 bench/table.py OURS.jsonl PEERS.jsonl

For every workload and size: one row per configuration of ours (engine / variant) with its
median, minimum and peak RSS, then one column per peer with the ratio ours / peer of the medians
(below 1: ours is faster). Checksums are compared with every peer's: rows and group counts
exactly, rounded sums to the rounding bench.py uses (a difference of one unit of the last
rounded digit, which summation order can cause, shows as "~"); a mismatch is flagged.
"""
import json, sys
from collections import OrderedDict

PEERS = {
    "W1": ["polars_window", "polars_map_groups", "duckdb", "datafusion", "fugue_native_pd"],
    "W2": ["polars", "duckdb", "datafusion", "fugue_native_pd"],
    "W3": ["polars", "duckdb", "datafusion", "fugue_native_api"],
    "W4": ["pyarrow", "polars", "duckdb", "datafusion", "fugue_native"],
    "W5": ["duckdb", "polars", "datafusion", "pyarrow", "fugue_native"],
}
UNIT = {"sum_rank_v": 1.0, "sum_centered": 0.001, "sum_x": 1.0, "total": 1.0}


def read(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    out.append(json.loads(line))
    except FileNotFoundError:
        pass
    return out


def compare(a, b):
    """'ok', '~' (last rounded digit) or 'MISMATCH'."""
    if not a or not b:
        return "?"
    verdict = "ok"
    for key in set(a) | set(b):
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            return "MISMATCH"
        if key in UNIT:
            d = abs(float(x) - float(y))
            if d > UNIT[key] * 1.0001:
                return "MISMATCH"
            if d > 0:
                verdict = "~"
        elif x != y:
            return "MISMATCH"
    return verdict


def fmt_s(x):
    return "-" if x is None else (f"{x:.4f}" if x < 10 else f"{x:.1f}")


def main():
    ours, peers = read(sys.argv[1]), read(sys.argv[2])
    latest = OrderedDict()  # the last record of each case wins
    for r in peers:
        latest[(r["workload"], r["system"], r["n"])] = r
    sizes = sorted({r["n"] for r in ours} | {r["n"] for r in peers})
    for w in PEERS:
        for n in sizes:
            mine = [r for r in ours if r["workload"] == w and r["n"] == n]
            if not mine:
                continue
            names = PEERS[w]
            ps = {p: latest.get((w, p, n)) for p in names}
            print(f"\n### {w}, N = {n:,}\n")
            head = ["ours (engine / variant)", "median s", "min s", "peak RSS MB", "load avg"]
            head += [f"/ {p}" for p in names]
            print("| " + " | ".join(head) + " |")
            print("|" + "---|" * len(head))
            for r in mine:
                if "median_s" not in r:
                    label = f"{r['system'].replace('fugue_rs_', '')} / {r.get('variant', '')}"
                    print(f"| {label} | {r.get('skipped', 'failed')} |" + " |" * (len(head) - 2))
                    continue
                cells = [f"{r['system'].replace('fugue_rs_', '')} / {r['variant']}",
                         fmt_s(r["median_s"]), fmt_s(r["min_s"]), str(r["peak_rss_mb"]),
                         r.get("loadavg", "").split(" ")[0]]
                for p in names:
                    pr = ps[p]
                    if pr is None:
                        cells.append("n/a")
                    elif "skipped" in pr:
                        cells.append("peer skipped")
                    else:
                        ratio = r["median_s"] / pr["median_s"] if pr["median_s"] else float("inf")
                        check = compare(r.get("check"), pr.get("check"))
                        flag = "" if check == "ok" else f" ({check})"
                        cells.append(f"{ratio:.3g}x{flag}")
                print("| " + " | ".join(cells) + " |")
            cells = ["*peer: median s / peak RSS MB*", "", "", "", ""]
            for p in names:
                pr = ps[p]
                if pr is None:
                    cells.append("n/a")
                elif "skipped" in pr:
                    cells.append(pr["skipped"])
                else:
                    cells.append(f"{fmt_s(pr['median_s'])} / {pr['peak_rss_mb']}"
                                 f" (other cores busy: {pr.get('foreign_cores', '?')})")
            print("| " + " | ".join(cells) + " |")
            checks = {json.dumps(r.get("check"), sort_keys=True) for r in mine if "check" in r}
            print(f"\nchecksums (ours): {', '.join(sorted(checks))}")


if __name__ == "__main__":
    main()
