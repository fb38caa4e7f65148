"""The benchmark suite: every scenario of issue 7, one table, one JSON file.

Each scenario runs its own script's measurement (``checks.py``, ``leads.py``,
``csv_enroll.py``, ``seat_race.py``, ``depth.py``, ``memory_use.py``) and is judged
against its target, always as a ratio to a baseline measured in the same run:

- S1 check, 10k users / 1k companies: memory median <= 1 us, <= 40x a dict lookup,
  >= 50x faster than casbin's FastEnforcer; SQLite <= 1.5x a prebuilt Core PK select.
- S2 first page of 50 visible leads: memory <= 5x merging the id lists in plain
  Python; SQL: the page is one statement; time at the larger size <= 1.2x the smaller.
- S3 enroll 10,000 from CSV, all-or-nothing, against its floor (issue 18): memory <= 2x
  building the same objects, SQLite <= 2x ``sqlite3``'s executemany of the same rows,
  PostgreSQL <= 1.5x COPY of them; an overflowing last row writes nothing (asserted).
- S4 32 racers for the last 10 of 100 seats: exactly 100 taken (asserted); p50/p99.
- S5 check through 1..5 levels of partners: memory <= 2 us at depth 5 and at most
  linear in depth; SQL one statement.
- MEM bytes per membership and per lead in the in-memory adapter: <= 1.3x a
  hand-written store of the same values (issue 18).

Run: ``python benchmarks/run.py [--size full|smoke] [--adapters memory,sqlite,postgres]
[--json results.json]``. ``smoke`` is the reduced size the test suite runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import checks  # type: ignore[import-not-found]
import csv_enroll  # type: ignore[import-not-found]
import depth  # type: ignore[import-not-found]
import leads  # type: ignore[import-not-found]
import memory_use  # type: ignore[import-not-found]
import seat_race  # type: ignore[import-not-found]

SIZES: dict[str, dict[str, Any]] = {
    "full": {"users": 10_000, "companies": 1_000, "repeat": 200, "leads": [100_000, 1_000_000],
             "lead_companies": 10_000, "rows": 10_000, "rounds": 5, "others": 1_000,
             "memberships": 100_000, "mem_leads": 1_000_000},
    "smoke": {"users": 500, "companies": 50, "repeat": 5, "leads": [20_000, 40_000],
              "lead_companies": 300, "rows": 600, "rounds": 1, "others": 20,
              "memberships": 1_000, "mem_leads": 2_000},
}  # fmt: skip


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("ok" if ok else "MISSED")


def s1(size: dict[str, Any], adapters: list[str]) -> list[dict[str, Any]]:
    casbin = {r["scenario"]: r["median_us"] for r in checks.casbin_rows(
        size["users"], size["companies"], size["repeat"])}  # fmt: skip
    out = []
    for adapter in adapters:
        rows = {r["scenario"]: r for r in checks.run(adapter, size["users"], size["companies"],
                                                     size["repeat"])}  # fmt: skip
        dict_us = rows["dict lookup (baseline)"]["median_us"]
        raw_us = rows.get("raw Core PK select (base)", {}).get("median_us")
        for case, fast in [("member (hit)", "hit"), ("non-member (miss)", "miss"),
                           ("unknown company", "unknown company")]:  # fmt: skip
            r = rows[f"check: {case}"]
            fast_us = casbin.get(f"casbin FastEnforcer ({fast})")
            slow_us = casbin.get(f"casbin Enforcer ({fast})")
            base = raw_us if raw_us else dict_us
            if adapter == "memory":
                ok = (
                    r["median_us"] <= 1.0
                    and r["median_us"] <= 40 * dict_us
                    and (fast_us is None or fast_us >= 50 * r["median_us"])
                )
                target = "<=1us, <=40x dict, >=50x faster than FastEnforcer"
            elif adapter == "sqlite":
                ok, target = r["median_us"] <= 1.5 * base, "<=1.5x raw Core PK select"
            else:
                ok, target = None, "-"
            out.append({"scenario": "S1 check", "adapter": adapter, "case": case,
                        "median": r["median_us"], "p99": r["p99_us"], "unit": "us",
                        "baseline": base, "x_base": r["median_us"] / base,
                        "x_fast_enforcer": None if fast_us is None else fast_us / r["median_us"],
                        "x_enforcer": None if slow_us is None else slow_us / r["median_us"],
                        "target": target, "ok": ok})  # fmt: skip
    return out


def s2(size: dict[str, Any], adapters: list[str]) -> list[dict[str, Any]]:
    out = []
    small, large = size["leads"]
    for adapter in adapters:
        rows = leads.run(adapter, [small, large], size["lead_companies"], size["repeat"], False)
        at = {(r["leads"], r["viewer"]): r for r in rows}
        for viewer in ("taker", "giver", "operator"):
            r = at[(large, viewer)]
            growth = r["median_ms"] / at[(small, viewer)]["median_ms"]
            if adapter == "memory":
                ok, target = (
                    r["median_ms"] <= 5 * r["baseline_ms"] and growth <= 1.2,
                    ("<=5x merging id lists; growth <=1.2x"),
                )
            else:
                ok, target = (
                    r["selects"] == 1 and growth <= 1.2,
                    "1 statement a page; growth <=1.2x",
                )
            out.append({"scenario": "S2 visible leads", "adapter": adapter,
                        "case": f"{viewer}, {large} leads", "median": r["median_ms"],
                        "p99": r["p99_ms"], "unit": "ms", "baseline": r["baseline_ms"],
                        "x_base": r["median_ms"] / r["baseline_ms"], "growth": growth,
                        "selects": r["selects"], "merge_ms": r["merge_ms"],
                        "target": target, "ok": ok})  # fmt: skip
    return out


def s3(size: dict[str, Any], adapters: list[str]) -> list[dict[str, Any]]:
    """The import against its floor: the same objects, sqlite3's executemany, COPY (issue 18)."""
    limits = {"memory": 2.0, "sqlite": 2.0, "postgres": 1.5}
    out = []
    for adapter in adapters:
        r = csv_enroll.run(adapter, size["rows"])
        floor, limit = r["floor"], limits.get(adapter)
        x_floor = None if floor is None else r["seconds"] / floor
        ok = None if x_floor is None or limit is None else x_floor <= limit
        target = "-" if limit is None else f"<={limit:g}x {r['floor_kind']}"
        out.append({"scenario": "S3 CSV enroll", "adapter": adapter, "case": f"{size['rows']} rows",
                    "median": r["seconds"] * 1000, "p99": None, "unit": "ms",
                    "baseline": None if floor is None else floor * 1000, "x_base": x_floor,
                    "target": target, "ok": ok})  # fmt: skip
    return out


def s4(size: dict[str, Any], adapters: list[str]) -> list[dict[str, Any]]:
    out = []
    for adapter in adapters:
        r = seat_race.run(adapter, 100, size["rounds"])
        out.append({"scenario": "S4 seat race", "adapter": adapter, "case": r["racers"],
                    "median": r["p50_ms"], "p99": r["p99_ms"], "unit": "ms", "baseline": None,
                    "x_base": None, "target": "exactly Q seats (asserted)",
                    "ok": True})  # fmt: skip
    return out


def s5(size: dict[str, Any], adapters: list[str]) -> list[dict[str, Any]]:
    out = []
    for adapter in adapters:
        rows = depth.run(adapter, size["repeat"], size["others"])
        above = {r["depth"]: r for r in rows if r["case"] == "ancestor member"}
        linear = above[5]["median_us"] <= 5 * above[1]["median_us"] * 1.2
        for d in (1, 5):
            r = above[d]
            base = r["raw_select_us"] or r["dict_us"]
            if adapter == "memory":
                ok = r["median_us"] <= 2.0 and linear if d == 5 else None
                target = "<=2us at depth 5, at most linear" if d == 5 else "-"
            else:
                ok, target = r["selects"] == 1, "1 statement"
            out.append({"scenario": "S5 hierarchy", "adapter": adapter,
                        "case": f"ancestor member, depth {d}", "median": r["median_us"],
                        "p99": r["p99_us"], "unit": "us", "baseline": base,
                        "x_base": r["median_us"] / base, "selects": r["selects"],
                        "target": target, "ok": ok})  # fmt: skip
    return out


def mem(size: dict[str, Any]) -> list[dict[str, Any]]:
    n, leads = size["memberships"], size["mem_leads"]
    ours = memory_use.per_item(memory_use.Library, n, leads)
    hand = memory_use.per_item(memory_use.HandWritten, n, leads)
    return [
        {"scenario": "MEM", "adapter": "memory", "case": what, "median": value, "p99": None,
         "unit": "B", "baseline": base, "x_base": value / base,
         "target": "<=1.3x hand-written", "ok": value / base <= 1.3}
        for what, value, base in [("per membership", ours[0], hand[0]),
                                  ("per lead", ours[1], hand[1])]
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--adapters", default="memory,sqlite,postgres")
    parser.add_argument("--only", default="S1,S2,S3,S4,S5,MEM")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    size, adapters, only = SIZES[args.size], args.adapters.split(","), args.only.split(",")
    rows: list[dict[str, Any]] = []
    for name, scenario in [("S1", s1), ("S2", s2), ("S3", s3), ("S4", s4), ("S5", s5)]:
        if name in only:
            rows += scenario(size, adapters)
    if "MEM" in only:
        rows += mem(size)
    print(f"{'scenario':<17} {'adapter':<9} {'case':<30} {'median':>9} {'p99':>9} {'unit':<4} "
          f"{'x base':>7} {'x casbin':>9} {'verdict':<7} target")  # fmt: skip
    for r in rows:
        p99 = "-" if r["p99"] is None else f"{r['p99']:.2f}"
        x_base = "-" if r["x_base"] is None else f"{r['x_base']:.1f}"
        fast = r.get("x_fast_enforcer")
        x_casbin = "-" if fast is None else f"{fast:.0f}"
        print(f"{r['scenario']:<17} {r['adapter']:<9} {r['case']:<30} {r['median']:>9.2f} "
              f"{p99:>9} {r['unit']:<4} {x_base:>7} {x_casbin:>9} {verdict(r['ok']):<7} "
              f"{r['target']}")  # fmt: skip
    judged = [r["ok"] for r in rows if r["ok"] is not None]
    print(f"{sum(judged)} of {len(judged)} targets held; medians "
          f"{statistics.median([r['median'] for r in rows]):.2f} overall")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
