"""Time and peak memory of ``hjeval synth --scale national --rows N`` (the partitioned hours dataset).

Each measurement runs in its own process, so that its peak memory
(``ru_maxrss``) is its own:

- ``imports``: the interpreter with ``hjeval.synthetic`` imported (numpy, pandas,
  pyarrow), the floor under every run;
- ``generate``: ``generate(out, scale="national", rows=N)``, writing
  ``out/hours_person_month/year=YYYY/part-KKKKK.parquet`` and the small panels.

Afterwards DuckDB counts the dataset's rows (``read_parquet(...,
hive_partitioning = true)``) as a check, and the output is deleted unless
``--keep`` is given::

    .venv/bin/python benchmarks/bench_national_writer.py --rows 200000000 --out /tmp/hjeval-bench-rows
    .venv/bin/python benchmarks/bench_national_writer.py --rows 3000000       # a quick look

It prints rows, wall time, peak memory, the bytes on disk and the files
written. ``--block-rows`` and ``--part-rows`` override the generator's bounds
(:data:`hjeval.synthetic.blocks.BLOCK_ROWS`,
:data:`hjeval.synthetic.dataset.PART_ROWS`). Timings on a shared machine vary
with load; peak memory does not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path


def child_imports() -> dict[str, float]:
    import hjeval.synthetic  # noqa: F401

    return {"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_generate(out: Path, rows: int, seed: int, block_rows: int | None, part_rows: int | None) -> dict[str, float]:
    from hjeval.synthetic import generate
    from hjeval.synthetic.geography import sample_factors
    from hjeval.synthetic.writer import _generate

    start = time.perf_counter()
    if block_rows is None and part_rows is None:
        generate(out, seed=seed, scale="national", rows=rows)
    else:
        from hjeval.synthetic.blocks import BLOCK_ROWS
        from hjeval.synthetic.dataset import PART_ROWS

        _generate(out, seed=seed, scale="national", factors=sample_factors("national"), rows=rows,
                  block_rows=block_rows or BLOCK_ROWS, part_rows=part_rows or PART_ROWS)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_child(args: list[str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000, help="target person-months (default %(default)s)")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the output")
    parser.add_argument("--block-rows", type=int, default=None)
    parser.add_argument("--part-rows", type=int, default=None)
    parser.add_argument("--child", choices=["imports", "generate"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "imports":
        print(json.dumps(child_imports()))
        return
    if args.child == "generate":
        print(json.dumps(child_generate(args.out, args.rows, args.seed, args.block_rows, args.part_rows)))
        return

    import duckdb

    out = args.out or Path(f"/tmp/hjeval-bench-national-rows-{os.getpid()}")
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty; give an empty or new --out folder")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the start; {os.cpu_count()} cores", flush=True)
    imports = run_child(["--child", "imports"])
    extra = [f"--block-rows={args.block_rows}"] if args.block_rows else []
    extra += [f"--part-rows={args.part_rows}"] if args.part_rows else []
    generated = run_child(["--child", "generate", "--out", str(out), "--rows", str(args.rows),
                           "--seed", str(args.seed), *extra])
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    root = out / "hours_person_month"
    query = f"select count(*) from read_parquet('{root.as_posix()}/**/*.parquet', hive_partitioning = true)"
    counted = duckdb.connect().execute(query).fetchall()[0][0]
    layout = truth["hours_person_month_dataset"]
    total = truth["rows"]["total"]
    print(f"target rows               {args.rows:,}")
    print(f"rows written              {total:,} (DuckDB counts {counted:,}; "
          f"{total / args.rows - 1:+.3%} from the target)")
    print(f"person blocks             {truth['rows']['person_blocks']:,} of at most {truth['rows']['block_rows']:,} "
          "expected rows")
    print(f"parts / files             {layout['parts']:,} / {layout['files']:,} (largest part "
          f"{layout['largest_part_rows']:,} rows)")
    print(f"dataset on disk           {folder_bytes(root) / 1e6:,.0f} MB ({folder_bytes(out) / 1e6:,.0f} MB with the "
          "small panels)")
    rate = total / generated["seconds"] / 1e6
    print(f"wall time                 {generated['seconds']:,.1f} s ({rate:.2f} M rows/s)")
    print(f"peak memory (ru_maxrss)   {generated['peak_mb']:,.0f} MB (imports alone: {imports['peak_mb']:,.0f} MB)")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end", flush=True)
    if counted != total:
        raise SystemExit("the dataset's row count differs from truth.json")
    if not args.keep:
        shutil.rmtree(out)
        print(f"deleted {out}")


if __name__ == "__main__":
    main()
