"""Speed and memory of hjeval's estimation against pyfixest on the national synthetic panel.

Usage::

    python benchmarks/run.py                 # national panel (~10 M person-months)
    python benchmarks/run.py --scale region  # quicker, for a smoke run
    python benchmarks/run.py --pyfixest-fits 3
    python benchmarks/run.py --skip-pyfixest # hjeval steps only, while iterating

Every measurement runs in a fresh Python process so that its peak resident
memory is its own. The anchors (reading the Parquet columns, pyfixest fits) are
measured in the same run, and results are reported as ratios to them. A loop
of 97 pyfixest placebo fits would take most of an hour at 10 M rows, so
``--pyfixest-fits`` fits are timed and the loop is extrapolated from their
median (stated in the output).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
COLUMNS = ["person_id", "municipality", "month", "hours"]
START = "2015-01"
TREATED = 860


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_columns(path: Path, columns: list[str]):  # type: ignore[no-untyped-def]
    """Parquet columns as numpy arrays, filled row group by row group.

    Each row group is decoded, copied into the preallocated arrays and released
    before the next, so the Arrow buffers never hold more than one row group
    (a whole-table read holds every column twice: in Arrow and in pandas).
    Dates (date32) become monthly period ordinals (months since 1970-01).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    schema = file.schema_arrow
    out = {}
    for name in columns:
        kind = schema.field(name).type
        dtype = np.int64 if pa.types.is_date32(kind) else kind.to_pandas_dtype()
        out[name] = np.empty(file.metadata.num_rows, dtype=dtype)
    position = 0
    for index in range(file.num_row_groups):
        table = file.read_row_group(index, columns=columns, use_threads=False)
        for name in columns:
            at = position
            for chunk in table.column(name).chunks:
                if pa.types.is_date32(chunk.type):
                    days = chunk.view(pa.int32()).to_numpy().astype("datetime64[D]")
                    out[name][at:at + len(chunk)] = days.astype("datetime64[M]").astype(np.int64)
                else:
                    out[name][at:at + len(chunk)] = chunk.to_numpy()
                at += len(chunk)
        position += table.num_rows
        del table
        pa.default_memory_pool().release_unused()
    return out


def read_frame(folder: Path, extra=None):  # type: ignore[no-untyped-def]
    """The four columns as a frame over the arrays (no copy); months as pandas monthly periods.

    ``extra(columns)`` may add arrays (computed from the others) before the frame is built.
    """
    import pandas as pd

    columns = read_columns(folder / "hours_person_month.parquet", COLUMNS)
    if extra is not None:
        columns.update(extra(columns))
    columns["month"] = pd.arrays.PeriodArray(columns["month"], dtype=pd.PeriodDtype("M"))
    return pd.DataFrame(columns, copy=False)


def load_panel(folder: Path):  # type: ignore[no-untyped-def]
    """Read the needed Parquet columns and attach the cycle series by integer codes."""
    import numpy as np
    import pandas as pd

    cycle = pd.read_csv(folder / "cycle.csv")
    cycle_month = pd.PeriodIndex(cycle["period"], freq="M")

    def unemployment(columns):  # type: ignore[no-untyped-def]
        month, municipality = columns["month"], columns["municipality"]
        first = min(cycle_month.min().ordinal, int(month.min()))
        months = int(max(cycle_month.max().ordinal, int(month.max())) - first) + 1
        lookup = np.full((1000, months), np.nan)
        lookup[cycle["municipality"].to_numpy(), (cycle_month.asi8 - first)] = cycle["unemployment_rate"].to_numpy()
        rate = np.empty(len(month))
        step = 1 << 20
        for at in range(0, len(month), step):  # by chunks: no full-length index temporaries
            rate[at:at + step] = lookup[municipality[at:at + step], month[at:at + step] - first]
        return {"unemployment_rate": rate}

    return read_frame(folder, unemployment)


def step_read(folder: Path) -> dict[str, float]:
    start = time.perf_counter()
    frame = read_frame(folder)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(frame), "column_mb": frame.memory_usage(deep=True).sum() / 2**20}


def step_hjeval(folder: Path, unit: str, inference: str) -> dict[str, float]:
    import warnings

    import hjeval as hj

    frame = load_panel(folder)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        res = hj.did(frame, "hours", unit=unit, group="municipality", time="month", treated=TREATED,
                     start=START, cycle="unemployment_rate", inference=inference)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "estimate": res.estimate, "se": res.se, "rows": res.n_obs,
            "draws": float(res.provenance.get("draws", 0))}


def step_pyfixest(folder: Path, unit: str, fits: int) -> dict[str, float]:
    import numpy as np
    import pyfixest as pf

    frame = load_panel(folder)
    # pyfixest gets months as integer codes (a date-typed month slows fixed-effect handling)
    frame["month"] = frame["month"].array.asi8 - frame["month"].array.asi8.min()
    start_code = _start_code(folder)
    post = frame["month"].to_numpy() >= start_code
    groups = [TREATED, *[g for g in sorted(frame["municipality"].unique()) if g != TREATED]]
    times, estimate, se = [], float("nan"), float("nan")
    for g in groups[:fits]:
        frame["D"] = ((frame["municipality"].to_numpy() == g) & post).astype(np.float64)
        start = time.perf_counter()
        fit = pf.feols(f"hours ~ D + unemployment_rate | {unit} + month", data=frame,
                       vcov={"CRV1": "municipality"}, fixef_rm="none", fixef_tol=1e-10)
        times.append(time.perf_counter() - start)
        if g == TREATED:
            estimate, se = float(fit.coef()["D"]), float(fit.se()["D"])
    return {"seconds": statistics.median(times), "fits": len(times), "estimate": estimate, "se": se,
            "comparisons": len(groups) - 1}


def _start_code(folder: Path) -> int:
    import pandas as pd
    import pyarrow.parquet as pq

    months = pq.read_table(folder / "hours_person_month.parquet", columns=["month"]).to_pandas(date_as_object=False)
    first = months["month"].dt.to_period("M").min()
    return int(pd.Period(START, "M").ordinal - first.ordinal)


STEPS = {
    "read": lambda folder, args: step_read(folder),
    "hjeval_person_fit": lambda folder, args: step_hjeval(folder, "person_id", "cluster"),
    "hjeval_person_placebo": lambda folder, args: step_hjeval(folder, "person_id", "placebo"),
    "hjeval_municipality_fit": lambda folder, args: step_hjeval(folder, "municipality", "cluster"),
    "hjeval_municipality_placebo": lambda folder, args: step_hjeval(folder, "municipality", "placebo"),
    "pyfixest_person": lambda folder, args: step_pyfixest(folder, "person_id", args.pyfixest_fits),
    "pyfixest_municipality": lambda folder, args: step_pyfixest(folder, "municipality", args.pyfixest_fits),
}


def run_step(name: str, folder: Path, fits: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--step", name, "--folder", str(folder), "--pyfixest-fits", str(fits)]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_data(scale: str, seed: int) -> Path:
    folder = DATA / scale
    if not (folder / "truth.json").exists():
        from hjeval.synthetic import generate

        print(f"generating the {scale} synthetic panel in {folder} ...", flush=True)
        generate(folder, seed=seed, scale=scale)  # type: ignore[arg-type]
    return folder


def report(results: dict[str, dict[str, float]]) -> str:
    read = results["read"]
    lines = [f"rows: {read['rows']:,}; Parquet columns read: {read['column_mb']:.0f} MB in {read['seconds']:.2f} s",
             "", f"{'step':<34}{'seconds':>10}{'peak MB':>10}{'x read':>9}{'x mem':>8}"]
    for name, r in results.items():
        lines.append(f"{name:<34}{r['seconds']:>10.2f}{r['peak_mb']:>10.0f}{r['seconds'] / read['seconds']:>9.1f}"
                     f"{r['peak_mb'] / read['column_mb']:>8.1f}")
    lines.append("")
    for unit in ("person", "municipality"):
        if f"pyfixest_{unit}" not in results:
            continue
        fit, placebo, ref = (results[f"hjeval_{unit}_fit"], results[f"hjeval_{unit}_placebo"],
                             results[f"pyfixest_{unit}"])
        loop = ref["seconds"] * (ref["comparisons"] + 1)
        rel = abs(fit["estimate"] / ref["estimate"] - 1)
        lines += [
            f"{unit} fixed effects:",
            f"  one fit: hjeval {fit['seconds']:.2f} s vs pyfixest {ref['seconds']:.2f} s "
            f"(median of {ref['fits']:.0f}) -> {ref['seconds'] / fit['seconds']:.1f}x faster; "
            f"coefficient rel. difference {rel:.1e}",
            f"  placebo inference ({placebo['draws']:.0f} re-assignments): hjeval {placebo['seconds']:.2f} s vs "
            f"pyfixest loop {loop:.0f} s (extrapolated from {ref['fits']:.0f} fits) -> "
            f"{loop / placebo['seconds']:.0f}x faster",
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("region", "national"), default="national")
    parser.add_argument("--seed", type=int, default=20150101)
    parser.add_argument("--pyfixest-fits", type=int, default=3)
    parser.add_argument("--skip-pyfixest", action="store_true",
                        help="leave out the pyfixest anchors (no comparison; results are not written)")
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.step:
        result = STEPS[args.step](Path(args.folder), args)
        result["peak_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return 0
    folder = ensure_data(args.scale, args.seed)
    results = {}
    for name in STEPS:
        if args.skip_pyfixest and name.startswith("pyfixest"):
            continue
        print(f"running {name} ...", flush=True)
        results[name] = run_step(name, folder, args.pyfixest_fits)
    text = report(results)
    print(text)
    if args.skip_pyfixest:
        return 0
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.scale}.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    (RESULTS / f"{args.scale}.txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
