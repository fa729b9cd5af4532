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

When lifelines is installed, the same run measures ``KaplanMeierFitter`` on
the same spells (spell building not included): the four curves of
``time_on_support`` with their medians and restricted means, and the loop a
placebo DiD of restricted means would need with it (two curves per window for
the actual assignment and each of the 97 re-assignments), timed on
``--lifelines-draws`` re-assignments and extrapolated (stated in the output).
The numbers of the two are compared as well. One statsmodels ``PHReg`` fit of
the Cox model on the individual spells is timed too (``--skip-phreg`` to
leave it out). Timings on a shared machine vary
with load: compare ratios from the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
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


def lifelines_cells(spells: pd.DataFrame, treated: np.ndarray, after: np.ndarray,
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
    """(durations, observed) of the four cells, as hjeval counts them (a censored spell at months - 1)."""
    censored = spells["right_censored"].to_numpy()
    time_ = (spells["months"].to_numpy() - censored).astype(float)
    observed = ~censored
    return [(time_[(treated == t) & (after == a)], observed[(treated == t) & (after == a)])
            for t in (True, False) for a in (False, True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["national", "region"], default="national")
    parser.add_argument("--data", type=Path, default=None, help="folder with hours_person_month.parquet")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lifelines-draws", type=int, default=5)
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

    try:
        from lifelines import KaplanMeierFitter
        from lifelines.utils import restricted_mean_survival_time
    except ImportError:
        print("\nlifelines is not installed: no comparison (pip install lifelines)")
    else:
        active_spells = benefit_spells(active, **roles)
        active_spells = active_spells[~active_spells["left_truncated"]]
        treated = (active_spells["municipality"] == TREATED).to_numpy()
        after = (active_spells["first_month"] >= pd.Period(START, "M")).to_numpy()
        cells = lifelines_cells(active_spells, treated, after)
        horizon = tos.horizon_weeks / WEEKS_PER_MONTH

        def four_curves() -> list[tuple[float, float]]:
            out = []
            for durations, observed in cells:
                fitter = KaplanMeierFitter().fit(durations, observed)
                out.append((fitter.median_survival_time_, restricted_mean_survival_time(fitter, t=horizon)))
            return out

        reference, t_life = timed(four_curves, args.repeat)

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
                out.append((median(survival), float(restricted_mean(survival, horizon))))
            return out

        _, t_counts = timed(four_curves_hjeval, args.repeat)
        table = tos.to_frame()
        ours = table[["median_weeks", "mean_weeks"]].to_numpy() / WEEKS_PER_MONTH
        difference = float(np.nanmax(np.abs(ours - np.array(reference))))
        municipality = active_spells["municipality"].to_numpy()
        others = [m for m in np.unique(municipality) if m != TREATED][: args.lifelines_draws]

        censored = active_spells["right_censored"].to_numpy()
        durations_all = (active_spells["months"].to_numpy() - censored).astype(float)

        def placebo_loop() -> None:
            # per re-assignment: the placebo municipality's and its pool's curve in each window
            for m in others:
                is_m = municipality == m
                for a in (False, True):
                    for mask in (is_m & (after == a), ~is_m & ~treated & (after == a)):
                        if mask.any():
                            fitter = KaplanMeierFitter().fit(durations_all[mask], ~censored[mask])
                            restricted_mean_survival_time(fitter, t=horizon)

        _, t_loop = timed(placebo_loop, 1)
        per_draw = t_loop[0] / max(len(others), 1)
        extrapolated = min(t_life) + per_draw * did_active.inference.draws
        results["lifelines"] = {
            "four_curves": {"best": min(t_life), "median": statistics.median(t_life)},
            "four_curves_hjeval_from_spells": {"best": min(t_counts), "median": statistics.median(t_counts)},
            "placebo_per_reassignment": per_draw, "placebo_loop_extrapolated": extrapolated,
            "max_abs_difference_months": difference,
        }
        print("\nlifelines KaplanMeierFitter on the same spells (spell building not included):")
        print(f"  four curves, medians, restricted means: {min(t_life):.3f} s; hjeval on the same spells "
              f"{min(t_counts):.4f} s ({min(t_life) / min(t_counts):.0f}x faster); hjeval time_on_support from "
              f"the rows, spells included: {min(t_tos):.2f} s")
        print(f"  DiD of restricted means with {did_active.inference.draws} placebo re-assignments: "
              f"{extrapolated:.1f} s extrapolated from {len(others)} re-assignments ({per_draw:.2f} s each), "
              f"no Cox model (hjeval duration_did from the rows, with Cox: {min(t_active):.2f} s, "
              f"{extrapolated / min(t_active):.0f}x)")
        print(f"  largest difference of medians and restricted means: {difference:.2e} months")
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
