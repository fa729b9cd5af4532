"""The annual report's analysis on each engine: wall time, peak memory and the largest difference.

Usage::

    .venv/bin/python benchmarks/bench_report_engines.py [--out DIR]

Generates the region-scale synthetic panels into ``DIR`` (default
``benchmarks/data/report``) if missing, writes the hours panel as a folder of
one Parquet file per year, and runs :func:`hjeval.report.analysis.analyse`
in a process of its own per engine: in memory on the file, and on DuckDB and
on a local Dask cluster on the folder. It prints each run's wall time and peak
memory (``ru_maxrss``), and how far the out-of-core analyses are from the
in-memory one: the largest relative difference of the headline numbers, and
whether every published number agrees to 1e-9 (the test suite's check on
DuckDB, ``tests/test_report_dataset.py``, which is too slow to run on Dask
there).
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("pandas", "duckdb", "dask")


def _prepare(folder: Path) -> tuple[Path, Path]:
    from hjeval.synthetic import generate

    if not (folder / "hours_person_month.parquet").exists():
        generate(folder)
    hours = folder / "hours"
    if not hours.exists():
        frame = pd.read_parquet(folder / "hours_person_month.parquet")
        hours.mkdir()
        years = pd.PeriodIndex(frame["month"].astype(str), freq="M").year
        for year, part in frame.groupby(years):
            part.to_parquet(hours / f"{year}.parquet", row_group_size=100_000)
    return folder / "hours_person_month.parquet", hours


def _config(folder: Path, hours: Path, engine: str, out: Path) -> Path:
    from hjeval.report import EXAMPLE_CONFIG

    text = EXAMPLE_CONFIG.replace('"data/synthetic/hours_person_month.parquet"', f'"{hours}"')
    text = text.replace('"data/synthetic/', f'"{folder}/')
    text = text.replace("[evaluation]", f'engine = "{engine}"\n\n[evaluation]', 1)
    path = out / f"{engine}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _one(config: Path, result: Path) -> None:
    """Run in a child process: analyse, and keep the numbers the report publishes."""
    import warnings

    from hjeval.report import load_config
    from hjeval.report.analysis import analyse
    from hjeval.report.tables import publish_tables

    warnings.simplefilter("ignore")
    started = time.perf_counter()
    analysis = analyse(load_config(config))
    seconds = time.perf_counter() - started
    tables = dict(publish_tables(analysis).tables)
    main = analysis.main
    with result.open("wb") as handle:
        pickle.dump({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                     "headline": [main.estimate, main.ci[0], main.ci[1], main.pvalue], "tables": tables}, handle)


def _largest_difference(a: dict, b: dict) -> tuple[float, list[str]]:
    largest = max(abs(x - y) / max(abs(x), 1e-300) for x, y in zip(a["headline"], b["headline"], strict=True))
    differing = []
    for name, table in a["tables"].items():
        try:
            pd.testing.assert_frame_equal(table, b["tables"][name], rtol=1e-9, atol=1e-12, check_dtype=False)
        except (AssertionError, KeyError):
            differing.append(name)
    return largest, differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "data" / "report")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    file, hours = _prepare(args.out)
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in ENGINES:
            config = _config(args.out, file if engine == "pandas" else hours, engine, Path(tmp))
            result = Path(tmp) / f"{engine}.pkl"
            subprocess.run([sys.executable, __file__, "--child", str(config), str(result)], check=True)
            with result.open("rb") as handle:
                runs[engine] = pickle.load(handle)
    rows = pd.read_parquet(file, columns=["person_id"]).shape[0]
    print(f"report analysis on {rows:,} person-months (region-scale synthetic data)")
    summary = {}
    for engine, run in runs.items():
        largest, differing = _largest_difference(runs["pandas"], run)
        summary[engine] = {"seconds": round(run["seconds"], 1), "peak_mb": round(run["peak_mb"]),
                           "headline_rel_diff": largest, "tables_differing": differing}
        print(f"{engine:>7}: {run['seconds']:7.1f} s  {run['peak_mb']:7.0f} MB  headline rel. diff {largest:.1e}  "
              f"tables differing: {differing or 'none'}")
    print(json.dumps(summary))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _one(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
