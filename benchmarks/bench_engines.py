"""Time ``hj.did`` on a Parquet dataset in memory (pandas) and out of core (DuckDB), against DuckDB's group-by.

A simulated person-month panel (98 municipalities, 120 months, each person in
one municipality for a spell of 1-80 months, municipality 0 treated from month
60) is written as a Parquet dataset partitioned by year, with a
municipality-month cycle panel beside it, in bounded memory. Each step then
runs in its own process, so that its peak memory (``ru_maxrss``) is its own:

- ``baseline``: the imports alone (Python, numpy, pandas, DuckDB, hjeval);
- ``floor``: DuckDB's own group-by of the same columns (person, municipality,
  month, hours): sums per (municipality, month) and per person;
- ``cells``: ``hj.did(path, engine="duckdb", cycle_panel=...)``, which fits
  from cell statistics (DuckDB group-bys by cell and by person; no row is held);
- ``rows``: the same with the cell path switched off, so DuckDB streams the
  rows into a row-level design (what ``engine="duckdb"`` did before the cell path);
- ``pandas``: the needed columns read into a DataFrame, the cycle merged, ``hj.did``;
- ``dask``: ``hj.did(path, engine="dask", client=...)`` on a local cluster of two
  in-process workers (their memory counts in the step's peak): the workers read,
  check and sort the rows, the client builds the row-level design.

Every ``hj.did`` run uses person and month fixed effects, the cycle covariate
and placebo inference (97 re-assignments); ``--unit municipality`` uses
municipality fixed effects instead::

    .venv/bin/python benchmarks/bench_engines.py                 # 3 M rows
    .venv/bin/python benchmarks/bench_engines.py --rows 30000000 --keep /tmp/hj_bench
    .venv/bin/python benchmarks/bench_engines.py --rows 200000000 --keep /tmp/hj_bench200 --steps floor,cells

It prints rows, step, wall time, peak memory, the ratio of time to the floor,
the ratio of peak memory to the needed columns held in memory (person_id
int64, municipality int16, month date32, hours float64 and the cycle float64:
30 bytes a row), the path ``hj.did`` took and the estimates' relative
difference from the pandas run (or, without it, from the cells run). Timings
on a shared machine vary with load; compare ratios from the same run.
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


def write_dataset(folder: Path, rows: int, seed: int = 0, gaps: float = 0.0) -> int:
    """Write the panel as ``folder/hours/year=YYYY/part-K.parquet`` and ``folder/cycle.parquet``; return rows.

    ``gaps`` is the share of persons whose spell is broken by a gap of 1-6
    months (so they are seen in two runs of months); 0 leaves the data as it
    was without the option.
    """
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
        if gaps > 0:
            broken = (rng.random(n) < gaps) & (length >= 3)
            at = rng.integers(1, np.maximum(length - 1, 2))
            wide = rng.integers(1, 7, n)
            position = month - np.repeat(first, length)
            keep = ~(broken[local] & (position >= at[local]) & (position < np.minimum(at + wide, length - 1)[local]))
            local, month, muni, hours = local[keep], month[keep], muni[keep], hours[keep]
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


COLUMN_BYTES = 8 + 2 + 4 + 8 + 8
"""Bytes a row of the needed columns takes in memory: person_id, municipality, month, hours, the cycle."""


def run_step(step: str, folder: Path, unit: str = "person_id") -> dict[str, object]:
    """Run one step in this process and return its time, peak memory, estimate and the path hj.did took."""
    import duckdb
    import pandas as pd

    import hjeval as hj

    did_module = sys.modules["hjeval.estimators.did"]  # the package's attribute ``did`` is the function

    hours, cycle = folder / "hours", folder / "cycle.parquet"
    kwargs = dict(unit=unit, group="municipality", time="month", treated=101, start="2015-01",
                  cycle="unemployment_rate", inference="placebo")
    if step == "rows":  # the row-level design, as before the cell path
        did_module.cell_design = lambda *args, **kw: (None, "switched off by the benchmark")
    began = time.perf_counter()
    estimate, path = float("nan"), ""
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
        result = hj.did(frame, "hours", **kwargs)
        estimate, path = result.estimate, str(result.provenance["engine_path"])
    elif step in ("cells", "rows"):
        result = hj.did(hours, "hours", engine="duckdb", cycle_panel=cycle, **kwargs)
        estimate, path = result.estimate, str(result.provenance["engine_path"])
    elif step == "dask":  # two in-process workers, so that their memory counts in this process's peak
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as local, \
                Client(local) as client:
            result = hj.did(hours, "hours", engine="dask", client=client, cycle_panel=cycle, **kwargs)
        estimate, path = result.estimate, "dask"
    else:
        raise SystemExit(f"unknown step {step!r}")
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    return {"step": step, "seconds": seconds, "peak_mb": peak, "estimate": estimate, "path": path}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3_000_000, help="about this many person-months")
    parser.add_argument("--keep", type=Path, help="write (or reuse) the dataset in this folder")
    parser.add_argument("--steps", default="baseline,floor,cells,rows,pandas")
    parser.add_argument("--unit", default="person_id", choices=["person_id", "municipality"],
                        help="the fixed-effect unit")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--gaps", type=float, default=0.0,
                        help="share of persons seen in two runs of months (a gap of 1-6 months) when writing")
    parser.add_argument("--write", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(run_step(args.step, args.folder, args.unit)))
        return
    if args.write:
        write_dataset(args.folder, args.write, gaps=args.gaps)
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
        subprocess.run([sys.executable, __file__, "--write", str(args.rows), "--folder", str(folder),
                        "--gaps", str(args.gaps)], check=True)
        print(f"wrote the dataset in {time.perf_counter() - began:.1f} s to {folder}")
    rows = int(subprocess.run([sys.executable, __file__, "--count", "--folder", str(folder)], check=True,
                              capture_output=True, text=True).stdout)
    results = []
    for step in args.steps.split(","):
        out = subprocess.run([sys.executable, __file__, "--step", step, "--folder", str(folder), "--unit", args.unit],
                             check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    floor = next((r["seconds"] for r in results if r["step"] == "floor"), float("nan"))
    reference = next((r["estimate"] for r in results if r["step"] == "pandas"),
                     next((r["estimate"] for r in results if r["step"] == "cells"), float("nan")))
    columns_mb = rows * COLUMN_BYTES / 2**20
    print(f"{'rows':>12} {'step':>8} {'wall s':>8} {'peak MB':>9} {'x floor':>8} {'x columns':>9} {'path':>6} "
          f"{'rel. diff':>10}")
    for r in results:
        diff = abs(r["estimate"] - reference) / abs(reference) if r["path"] else float("nan")
        print(f"{rows:>12,} {r['step']:>8} {r['seconds']:>8.2f} {r['peak_mb']:>9.0f} "
              f"{r['seconds'] / floor:>8.2f} {r['peak_mb'] / columns_mb:>9.2f} {r['path']:>6} {diff:>10.1e}")
    print(f"the needed columns in memory: {columns_mb:,.0f} MB (person_id int64, municipality int16, month date32, "
          f"hours and unemployment_rate float64: {COLUMN_BYTES} bytes a row); fixed effects: {args.unit}")
    if temporary is not None:
        temporary.cleanup()


if __name__ == "__main__":
    main()
