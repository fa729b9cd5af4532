"""Speed of hjeval's duration analyses on the national synthetic panel, against lifelines.

Usage::

    python benchmarks/bench_duration.py                       # national panel (~10 M person-months)
    python benchmarks/bench_duration.py --scale region        # quicker smoke run
    python benchmarks/bench_duration.py --data /tmp/national  # a panel written by `hjeval synth`

The panel is generated with ``hjeval synth --scale national --out DIR`` into
``/tmp/hjeval-bench-duration-<scale>`` when missing. Reading the four columns is
timed but not part of any step. Each step is repeated (``--repeat``, default
3) and its fastest and median times are reported:

- ``benefit_spells``: the spells table from the person-month rows;
- ``time_on_support``: spells, windows, the four Kaplan-Meier curves with
  medians, restricted means and intervals;
- ``duration_did``: the same, the Cox model, and placebo inference over all
  97 comparison municipalities (each re-assignment recomputes both restricted
  means and re-fits the Cox model), for all benefit groups (spells per
  benefit) and for activity-ready cash benefit alone.

lifelines' ``KaplanMeierFitter`` is measured on the same spells (spell
building not included): the four curves of ``time_on_support`` with their
medians and restricted means, and the loop a placebo DiD of restricted means
would need with it (two curves per window for the actual assignment and each
of the 97 re-assignments), timed on ``--lifelines-draws`` re-assignments and
extrapolated (stated in the output). Their numbers (medians, restricted
means, the DiD and those placebo DiDs, before hjeval's size correction) are
compared with hjeval's in the same table. lifelines pins pandas below 3, so it
usually cannot be installed beside hjeval: ``--lifelines-python PATH`` names
the interpreter of another environment that has it, e.g.::

    python3 -m venv /tmp/lifelines-env && /tmp/lifelines-env/bin/pip install lifelines
    python benchmarks/bench_duration.py --lifelines-python /tmp/lifelines-env/bin/python

The spells' four arrays lifelines needs (duration, exit flag, municipality and
window as integers; no person identifiers) are written to a temporary npz
file, and ``lifelines_measure`` below is run there from its source (it needs
only numpy and lifelines); its timings and numbers come back as JSON. Without
the option, lifelines is used in this process when it is importable.

One statsmodels ``PHReg`` fit of the Cox model on the individual spells is
timed too (``--skip-phreg`` to leave it out). Timings on a shared machine vary
with load: compare ratios from the same run.
"""

from __future__ import annotations

import argparse
import inspect
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TREATED = 860
START = "2015-01"
COLUMNS = ["person_id", "municipality", "month", "benefit_group"]


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_panel(folder: Path, scale: str) -> Path:
    """The person-month Parquet file, generated with the command line when missing."""
    path = folder / "hours_person_month.parquet"
    if not path.exists():
        print(f"generating the {scale} synthetic panel into {folder} ...", flush=True)
        command = [sys.executable, "-m", "hjeval.cli", "synth", "--scale", scale, "--out", str(folder)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return path


def read_rows(path: Path) -> pd.DataFrame:
    """The four columns, months as monthly periods and benefit groups as categories."""
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=COLUMNS)
    frame = table.to_pandas(date_as_object=False)
    frame["month"] = frame["month"].dt.to_period("M")
    frame["benefit_group"] = frame["benefit_group"].astype("category")
    return frame


def timed(step: Callable[[], Any], repeat: int) -> tuple[Any, list[float]]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = step()
        times.append(time.perf_counter() - started)
    return value, times


def format_table(header: list[str], rows: list[tuple[str, ...]]) -> str:
    """Left-aligned first column, the others right-aligned, the last one (a note) left as it is."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [f"{row[0]:<{widths[0]}}"] + [f"{c:>{w}}" for c, w in zip(row[1:-1], widths[1:-1], strict=True)]
        lines.append("  ".join([*cells, str(row[-1])]).rstrip())
    return "\n".join(lines)


def ratio(value: float) -> str:
    return f"{value:,.0f}x" if value >= 10 else f"{value:.2g}x"


def cell_masks(arrays: dict[str, np.ndarray], treated: int) -> list[np.ndarray]:
    """Treated before, treated after, comparison before, comparison after."""
    is_treated, after = arrays["municipality"] == treated, arrays["after"].astype(bool)
    return [is_treated & ~after, is_treated & after, ~is_treated & ~after, ~is_treated & after]


def lifelines_importable() -> bool:
    try:
        import lifelines  # noqa: F401
    except ImportError:
        return False
    return True


def lifelines_measure(duration, observed, municipality, after, *, treated, horizon, did_horizon, repeat, draws):
    """lifelines' ``KaplanMeierFitter`` on the spells: timings (seconds) and numbers (months; DiD in weeks).

    Runs in this process when lifelines is importable; otherwise its source is run by the
    interpreter given with ``--lifelines-python`` (see ``lifelines_elsewhere``), so it is
    self-contained and uses only the standard library, numpy and lifelines. The arguments are one
    entry per spell: ``duration`` in months (a right-censored spell at months - 1, as hjeval
    counts it), ``observed`` (an exit seen), ``municipality`` (integer labels) and ``after`` (1
    for a spell starting in the after window); no person identifiers.

    - the four curves (treated and comparison, before and after), each with its median and
      restricted mean to ``horizon`` months, ``repeat`` times (the cells are selected beforehand);
    - the DiD of restricted means to ``did_horizon`` for the actual assignment (four curves), and
      for the first ``draws`` comparison municipalities as placebo treated, each against the
      comparison municipalities other than itself (what one placebo re-assignment needs).
    """
    import time

    import lifelines
    import numpy as np
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    weeks_per_month = 52.0 / 12.0
    duration = np.asarray(duration, dtype=np.float64)
    observed = np.asarray(observed, dtype=bool)
    municipality = np.asarray(municipality)
    after = np.asarray(after).astype(bool)
    is_treated = municipality == treated
    masks = [is_treated & ~after, is_treated & after, ~is_treated & ~after, ~is_treated & after]
    cells = [(duration[mask], observed[mask]) for mask in masks]

    times, medians, means = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        medians, means = [], []
        for durations, events in cells:
            fitter = KaplanMeierFitter().fit(durations, events)
            medians.append(float(fitter.median_survival_time_))
            means.append(float(restricted_mean_survival_time(fitter, t=horizon)))
        times.append(time.perf_counter() - started)

    def restricted(mask):
        if not mask.any():
            return float("nan")
        fitter = KaplanMeierFitter().fit(duration[mask], observed[mask])
        return float(restricted_mean_survival_time(fitter, t=did_horizon))

    def did(member, pool):
        change = [restricted(group & after) - restricted(group & ~after) for group in (member, pool)]
        return weeks_per_month * (change[0] - change[1])

    started = time.perf_counter()
    actual = did(is_treated, ~is_treated)
    did_seconds = time.perf_counter() - started
    others = [m for m in np.unique(municipality) if m != treated][:draws]
    placebo = {}
    started = time.perf_counter()
    for m in others:
        is_m = municipality == m
        placebo[str(m)] = did(is_m, ~is_m & ~is_treated)
    placebo_seconds = time.perf_counter() - started
    return {"version": lifelines.__version__, "four_curves_seconds": times, "medians_months": medians,
            "restricted_means_months": means, "did_weeks": actual, "did_seconds": did_seconds,
            "placebo_weeks": placebo, "placebo_seconds": placebo_seconds}


_RUNNER = '''

if __name__ == "__main__":
    import json
    import sys

    import numpy as np

    spells = np.load(sys.argv[1])
    options = json.loads(sys.argv[2])
    result = lifelines_measure(spells["duration"], spells["observed"], spells["municipality"], spells["after"],
                               **options)
    with open(sys.argv[3], "w", encoding="utf-8") as out:
        json.dump(result, out)
'''


def lifelines_elsewhere(python: Path, arrays: dict[str, np.ndarray], options: dict[str, Any]) -> dict[str, Any]:
    """``lifelines_measure`` run by another interpreter on the arrays, written to a temporary npz file."""
    with tempfile.TemporaryDirectory(prefix="hjeval-bench-lifelines-") as name:
        folder = Path(name)
        np.savez(folder / "spells.npz", **arrays)
        script = folder / "measure_lifelines.py"
        script.write_text(inspect.getsource(lifelines_measure) + _RUNNER, encoding="utf-8")
        command = [str(python), str(script), str(folder / "spells.npz"), json.dumps(options),
                   str(folder / "result.json")]
        started = time.perf_counter()
        subprocess.run(command, check=True)
        result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    result["subprocess_seconds"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["national", "region"], default="national")
    parser.add_argument("--data", type=Path, default=None, help="folder with hours_person_month.parquet")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lifelines-draws", type=int, default=5)
    parser.add_argument("--lifelines-python", type=Path, default=None, metavar="PATH",
                        help="interpreter of another environment with lifelines, for the comparison")
    parser.add_argument("--skip-phreg", action="store_true", help="do not time one statsmodels PHReg fit")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)

    import hjeval
    from hjeval.duration import WEEKS_PER_MONTH, benefit_spells, duration_did, time_on_support

    folder = args.data or Path(f"/tmp/hjeval-bench-duration-{args.scale}")
    path = ensure_panel(folder, args.scale)
    started = time.perf_counter()
    rows = read_rows(path)
    read_seconds = time.perf_counter() - started
    active = rows[rows["benefit_group"] == "activity_ready_cash"].reset_index(drop=True)
    roles = {"unit": "person_id", "group": "municipality", "time": "month"}
    results: dict[str, Any] = {"rows": len(rows), "read_seconds": read_seconds, "hjeval": hjeval.__version__}
    print(f"{len(rows):,} person-months ({len(active):,} activity-ready) read in {read_seconds:.2f} s")

    warnings.simplefilter("ignore")  # tiny municipalities without spells in a window: counted in the results
    spells, t_spells = timed(lambda: benefit_spells(rows, **roles, benefit="benefit_group"), args.repeat)
    tos, t_tos = timed(lambda: time_on_support(active, *roles.values(), TREATED, START), args.repeat)
    did_all, t_all = timed(lambda: duration_did(rows, *roles.values(), TREATED, START, benefit="benefit_group"),
                           args.repeat)
    did_active, t_active = timed(lambda: duration_did(active, *roles.values(), TREATED, START), args.repeat)
    steps = {
        f"benefit_spells, all benefits ({len(spells):,} spells)": t_spells,
        "time_on_support, activity-ready": t_tos,
        f"duration_did, all benefits ({did_all.inference.draws} re-assignments)": t_all,
        f"duration_did, activity-ready ({did_active.inference.draws} re-assignments)": t_active,
    }
    results["steps"] = {name: {"best": min(t), "median": statistics.median(t)} for name, t in steps.items()}
    results["estimates"] = {
        "all benefits": {"estimate": did_all.estimate, "ci": did_all.ci, "hazard_ratio": did_all.hazard_ratio,
                         "horizon_weeks": did_all.horizon_weeks},
        "activity-ready": {"estimate": did_active.estimate, "ci": did_active.ci,
                           "hazard_ratio": did_active.hazard_ratio, "horizon_weeks": did_active.horizon_weeks},
    }
    width = max(len(name) for name in steps)
    print(f"\n{'step':<{width}}  best s  median s")
    for name, t in steps.items():
        print(f"{name:<{width}}  {min(t):6.2f}  {statistics.median(t):8.2f}")

    life = None
    if args.lifelines_python is not None or lifelines_importable():
        # the activity-ready spells time_on_support and duration_did use, as the four arrays lifelines needs
        chosen = benefit_spells(active, **roles)
        chosen = chosen[~chosen["left_truncated"]]
        censored = chosen["right_censored"].to_numpy()
        arrays = {
            "duration": (chosen["months"].to_numpy() - censored).astype(np.int32),  # a censored spell at months - 1
            "observed": ~censored,
            "municipality": np.asarray(chosen["municipality"].to_numpy(), dtype=np.int64),
            "after": (chosen["first_month"] >= pd.Period(START, "M")).to_numpy().astype(np.int8),
        }
        options = {"treated": TREATED, "horizon": float(tos.horizon_weeks / WEEKS_PER_MONTH),
                   "did_horizon": float(did_active.horizon_weeks / WEEKS_PER_MONTH), "repeat": args.repeat,
                   "draws": args.lifelines_draws}
        if args.lifelines_python is not None:
            life = lifelines_elsewhere(args.lifelines_python, arrays, options)
            where = f"in {args.lifelines_python}"
        else:
            life = lifelines_measure(**arrays, **options)
            where = "in this process"

        cells = [(arrays["duration"][mask], arrays["observed"][mask]) for mask in cell_masks(arrays, TREATED)]

        def four_curves_hjeval() -> list[tuple[float, float]]:
            # the same four cells with hjeval's estimator from counts by duration (like for like)
            from hjeval.duration.survival import kaplan_meier, median, median_ci, restricted_mean

            out = []
            for durations, observed in cells:
                t = durations.astype(np.int64)
                width = int(t.max()) + 1
                events = np.bincount(t[observed], minlength=width)
                censored_ = np.bincount(t[~observed], minlength=width)
                survival, at_risk = kaplan_meier(events, censored_)
                median_ci(survival, events, at_risk, 0.05)
                out.append((median(survival), float(restricted_mean(survival, options["horizon"]))))
            return out

        _, t_counts = timed(four_curves_hjeval, args.repeat)
        # placebo estimates before the size correction, to compare with lifelines' (not timed)
        raw = duration_did(active, *roles.values(), TREATED, START, size_correction=False)
        table = tos.to_frame().set_index(["role", "window"])
        keys = [("treated", "before"), ("treated", "after"), ("comparison", "before"), ("comparison", "after")]
        ours = {"median": [float(table.loc[k, "median_weeks"]) for k in keys],
                "restricted mean": [float(table.loc[k, "mean_weeks"]) for k in keys]}
        theirs = {"median": [v * WEEKS_PER_MONTH for v in life["medians_months"]],
                  "restricted mean": [v * WEEKS_PER_MONTH for v in life["restricted_means_months"]]}
        placebo_ours = {str(label): float(value) for label, value in raw.placebo.items()}
        placebo_pairs = [(placebo_ours.get(m, np.nan), v) for m, v in life["placebo_weeks"].items()]
        per_draw = life["placebo_seconds"] / max(len(placebo_pairs), 1)
        extrapolated = life["did_seconds"] + per_draw * did_active.inference.draws
        life_four = min(life["four_curves_seconds"])
        numbers = [(f"{what} weeks, {role} {window}", ours[what][i], theirs[what][i])
                   for what in ("median", "restricted mean") for i, (role, window) in enumerate(keys)]
        numbers.append(("DiD of restricted means, weeks", did_active.estimate, life["did_weeks"]))
        numbers += [(f"placebo DiD, municipality {m}", placebo_ours.get(m, np.nan), v)
                    for m, v in life["placebo_weeks"].items()]
        difference = max(abs(a - b) for _, a, b in numbers if np.isfinite(a) and np.isfinite(b))
        horizons = (f"restricted means to {tos.horizon_weeks:.1f} weeks (time_on_support) and "
                    f"{did_active.horizon_weeks:.1f} weeks (duration_did)")
        results["lifelines"] = {
            "version": life["version"], "where": where, "spells": len(arrays["duration"]),
            "subprocess_seconds": life.get("subprocess_seconds"),
            "four_curves": {"best": life_four, "median": statistics.median(life["four_curves_seconds"])},
            "four_curves_hjeval_from_spells": {"best": min(t_counts), "median": statistics.median(t_counts)},
            "did_actual": life["did_seconds"], "placebo_per_reassignment": per_draw,
            "placebo_loop_extrapolated": extrapolated, "placebo_draws_timed": len(placebo_pairs),
            "numbers": [{"what": w, "hjeval": a, "lifelines": b} for w, a, b in numbers],
            "max_abs_difference_weeks": difference,
        }

        print(f"\nlifelines {life['version']} KaplanMeierFitter {where}, on the same "
              f"{len(arrays['duration']):,} activity-ready spells (spell building not included; {horizons}):")
        rows_ = [
            ("four curves, medians, restricted means", f"{min(t_counts):.4f}", f"{life_four:.3f}",
             ratio(life_four / min(t_counts)), "hjeval from counts of the same spells"),
            ("  the same, hjeval time_on_support from the rows", f"{min(t_tos):.2f}", f"{life_four:.3f}",
             ratio(life_four / min(t_tos)), "hjeval builds the spells too"),
            (f"DiD of restricted means, actual + {did_active.inference.draws} placebo", f"{min(t_active):.2f}",
             f"{extrapolated:.1f}", ratio(extrapolated / min(t_active)),
             f"hjeval duration_did from the rows, with the Cox model; lifelines without it, extrapolated from "
             f"{len(placebo_pairs)} re-assignments ({per_draw:.2f} s each)"),
        ]
        print(format_table(["step", "hjeval s", "lifelines s", "lifelines / hjeval", "note"], rows_))
        print()
        print(format_table(["number", "hjeval", "lifelines", "difference"],
                           [(w, f"{a:.6f}", f"{b:.6f}", f"{a - b:.1e}") for w, a, b in numbers]))
        print(f"largest difference: {difference:.2e} weeks")
    else:
        print("\nlifelines is not importable: no comparison (pass --lifelines-python PATH, the interpreter of an "
              "environment with lifelines)")
    if not args.skip_phreg:
        from statsmodels.duration.hazard_regression import PHReg

        cox_spells = benefit_spells(active, **roles)
        cox_spells = cox_spells[~cox_spells["left_truncated"]]
        censored = cox_spells["right_censored"].to_numpy()
        after = (cox_spells["first_month"] >= pd.Period(START, "M")).to_numpy(float)
        treated = (cox_spells["municipality"] == TREATED).to_numpy(float)

        def phreg() -> float:
            fit = PHReg((cox_spells["months"].to_numpy() - censored).astype(float),
                        np.column_stack([after, after * treated]), status=(~censored).astype(float),
                        strata=cox_spells["municipality"].to_numpy(), ties="breslow").fit()
            return float(fit.params[1])

        coefficient, t_phreg = timed(phreg, 1)
        results["phreg"] = {"one_fit": t_phreg[0], "log_hazard_ratio_difference":
                            abs(coefficient - float(np.log(did_active.hazard_ratio)))}
        print(f"\nstatsmodels PHReg (Breslow, municipality strata) on the same spells: {t_phreg[0]:.2f} s a fit, "
              f"so about {t_phreg[0] * (did_active.inference.draws + 1):.0f} s for the actual and every re-assignment "
              f"(hjeval fits all of them from counts inside duration_did); log hazard ratios differ by "
              f"{results['phreg']['log_hazard_ratio_difference']:.1e}")
    results["peak_rss_mb"] = peak_rss_mb()
    print(f"\npeak memory {results['peak_rss_mb']:,.0f} MB")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=float) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
