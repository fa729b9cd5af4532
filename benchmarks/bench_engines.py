"""Time ``hj.did`` on a Parquet dataset in memory (pandas) and out of core (DuckDB), against DuckDB's group-by.

A simulated person-month panel (98 municipalities, 120 months, each person in
one municipality for a spell of 1-80 months, municipality 0 treated from month
60) is written as a Parquet dataset partitioned by year, with a
municipality-month cycle panel beside it, in bounded memory. Each step then
runs in its own process, so that its peak memory (``ru_maxrss``) is its own:

- ``baseline``: the imports alone (Python, numpy, pandas, DuckDB, hjeval);
- ``floor``: DuckDB's own group-by of the same columns (person, municipality,
  month, hours): sums per (municipality, month) and per person;
- ``pandas``: the needed columns read into a DataFrame, the cycle merged, ``hj.did``;
- ``duckdb``: ``hj.did(path, engine="duckdb", cycle_panel=...)``.

Both ``hj.did`` runs use person and month fixed effects, the cycle covariate
and placebo inference (97 re-assignments)::

    .venv/bin/python benchmarks/bench_engines.py                 # 3 M rows
    .venv/bin/python benchmarks/bench_engines.py --rows 30000000 --keep /tmp/hj_bench

It prints rows, engine, wall time, peak memory, the ratio of time to the floor
and the estimates' relative difference. Timings on a shared machine vary with
load; compare ratios from the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MONTHS = 120
MUNICIPALITIES = 98
FIRST_YEAR = 2010


def write_dataset(folder: Path, rows: int, seed: int = 0) -> int:
    """Write the panel as ``folder/hours/year=YYYY/part-K.parquet`` and ``folder/cycle.parquet``; return rows."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    persons = max(1, rows // 32)
    batch = 200_000  # persons per written batch: bounded memory
    written = 0
    hours_dir = folder / "hours"
    month_shock = rng.normal(size=MONTHS) * 2
    for part, first_person in enumerate(range(0, persons, batch)):
        n = min(batch, persons - first_person)
        first = rng.integers(0, MONTHS, n)
        length = np.minimum(rng.integers(1, 81, n), MONTHS - first)
        local = np.repeat(np.arange(n), length)
        month = np.repeat(first, length) + np.arange(len(local)) - np.repeat(np.cumsum(length) - length, length)
        muni = rng.integers(0, MUNICIPALITIES, n)[local]
        person_effect = rng.normal(size=n)[local] * 5
        treat = (muni == 0) & (month >= MONTHS // 2)
        noise = rng.normal(size=len(local)) * 8
        hours = np.clip(20 + person_effect + month_shock[month] + 3.0 * treat + noise, 0, None)
        dates = (np.datetime64(f"{FIRST_YEAR}-01", "M") + month).astype("datetime64[D]")
        table = pa.table({
            "person_id": (first_person + local).astype(np.int64) * 7919 + 13,
            "municipality": (101 + muni).astype(np.int16),
            "month": pa.array(dates, type=pa.date32()),
            "hours": hours,
        })
        years = FIRST_YEAR + month // 12
        for year in np.unique(years):
            target = hours_dir / f"year={year}"
            target.mkdir(parents=True, exist_ok=True)
            pq.write_table(table.filter(pa.array(years == year)), target / f"part-{part}.parquet")
        written += len(local)
    cells = pd.DataFrame([(101 + m, f"{FIRST_YEAR + t // 12}-{t % 12 + 1:02d}") for m in range(MUNICIPALITIES)
                          for t in range(MONTHS)], columns=["municipality", "period"])
    cells["unemployment_rate"] = 5 + rng.normal(size=len(cells)) * 0.5
    cells.to_parquet(folder / "cycle.parquet")
    return written


def run_step(step: str, folder: Path) -> dict[str, object]:
    """Run one step in this process and return its time, peak memory and estimate."""
    import duckdb
    import pandas as pd

    import hjeval as hj

    hours, cycle = folder / "hours", folder / "cycle.parquet"
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=101, start="2015-01",
                  cycle="unemployment_rate", inference="placebo")
    began = time.perf_counter()
    estimate = float("nan")
    if step == "baseline":  # the imports alone
        pass
    elif step == "floor":
        con = duckdb.connect()
        scan = f"read_parquet('{hours}/**/*.parquet', hive_partitioning = true)"
        con.sql(f"SELECT municipality, month, count(*), sum(hours) FROM {scan} GROUP BY ALL").fetchall()
        con.sql(f"SELECT person_id, municipality, count(*), sum(hours) FROM {scan} GROUP BY ALL").fetchall()
    elif step == "pandas":
        frame = pd.read_parquet(hours, columns=["person_id", "municipality", "month", "hours"])
        frame["month"] = pd.PeriodIndex(pd.to_datetime(frame["month"]), freq="M")
        frame["municipality"] = frame["municipality"].astype(np.int64)
        panel = pd.read_parquet(cycle)
        panel["month"] = pd.PeriodIndex(panel["period"], freq="M")
        frame = frame.merge(panel[["municipality", "month", "unemployment_rate"]], on=["municipality", "month"],
                            how="left")
        estimate = hj.did(frame, "hours", **kwargs).estimate
    else:
        estimate = hj.did(hours, "hours", engine="duckdb", cycle_panel=cycle, **kwargs).estimate
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    return {"step": step, "seconds": seconds, "peak_mb": peak, "estimate": estimate}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3_000_000, help="about this many person-months")
    parser.add_argument("--keep", type=Path, help="write (or reuse) the dataset in this folder")
    parser.add_argument("--steps", default="baseline,floor,duckdb,pandas")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(run_step(args.step, args.folder)))
        return
    if args.write:
        write_dataset(args.folder, args.write)
        return
    if args.count:
        import pyarrow.dataset as ds

        print(ds.dataset(args.folder / "hours", format="parquet", partitioning="hive").count_rows())
        return
    temporary = None
    if args.keep is None:
        temporary = tempfile.TemporaryDirectory(prefix="hjeval-bench-")
        folder = Path(temporary.name)
    else:
        folder = args.keep
    if not (folder / "hours").exists():  # written in a child: a child inherits its parent's peak memory
        began = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--write", str(args.rows), "--folder", str(folder)], check=True)
        print(f"wrote the dataset in {time.perf_counter() - began:.1f} s to {folder}")
    rows = int(subprocess.run([sys.executable, __file__, "--count", "--folder", str(folder)], check=True,
                              capture_output=True, text=True).stdout)
    results = []
    for step in args.steps.split(","):
        out = subprocess.run([sys.executable, __file__, "--step", step, "--folder", str(folder)],
                             check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    floor = next((r["seconds"] for r in results if r["step"] == "floor"), float("nan"))
    reference = next((r["estimate"] for r in results if r["step"] == "pandas"), float("nan"))
    print(f"{'rows':>12} {'engine':>8} {'wall s':>8} {'peak MB':>9} {'x floor':>8} {'rel. diff':>10}")
    for r in results:
        diff = abs(r["estimate"] - reference) / abs(reference) if r["step"] == "duckdb" else float("nan")
        print(f"{rows:>12,} {r['step']:>8} {r['seconds']:>8.2f} {r['peak_mb']:>9.0f} "
              f"{r['seconds'] / floor:>8.2f} {diff:>10.1e}")
    print(f"the needed columns as a DataFrame: {rows * (8 + 8 + 8 + 8 + 8) / 2**20:,.0f} MB "
          "(person_id, municipality, month, hours, unemployment_rate at 8 bytes)")
    if temporary is not None:
        temporary.cleanup()


if __name__ == "__main__":
    main()
