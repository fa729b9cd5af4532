"""Time hj.staggered_did against the Python ports csdid and diff-diff's CallawaySantAnna.

Up to three panels: mpdta (500 counties x 5 years, from ../shared/validation
beside the checkout); with ``--generator DIR``, the municipality x month panel
of the synthetic staggered rollout (``hjeval synth --rollout staggered``,
generated into DIR when missing: mean hours of the activity-ready persons per
municipality and month, each municipality's cohort month from
``adoption.csv``, months numbered 1-120 for every tool; municipalities with an
empty month are left out); and a simulated balanced person x year panel
(default 50,000 persons x 20 years = 1,000,000 rows, five cohorts and 40 %
never treated, heterogeneous effects). The generator's person-month rows are
not used directly: persons are seen only while on benefit, so almost none is
seen in every month, and all three tools estimate ATT(g,t) on balanced panels.

Three tasks on each panel: ATT(g,t) with analytic standard errors and the
aggregations; the same with 999 multiplier-bootstrap draws for uniform bands;
and the doubly robust estimator with one covariate (analytic; not on the
generator's panel, which has no covariate). hjeval always computes all four
aggregations; csdid runs ``aggte`` for all four, diff-diff ``aggregate`` for
the three it offers (simple, event study, group). Every peer's ATT(g,t) are
matched to hjeval's by (cohort, period) and the largest absolute difference
is printed (``max |dATT|``; NaN when the cells differ).

    .venv/bin/python benchmarks/bench_staggered.py                 # hjeval and whichever peers import
    .venv/bin/python benchmarks/bench_staggered.py --no-peers      # hjeval only
    .venv/bin/python benchmarks/bench_staggered.py --generator /tmp/hjeval-bench-staggered
    .venv/bin/python benchmarks/bench_staggered.py --peers-path DIR  # peers installed with pip --target DIR

The peers are development tools only (``pip install csdid diff-diff``); they
are looked up after the environment's own packages when ``--peers-path`` is
given, so they cannot replace its numpy or pandas. Times are the best of
``--repeat`` runs (peers: of ``--peer-repeat``), wall clock, on whatever
machine runs this: compare ratios from one run.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from hjeval.estimators.staggered import staggered_did

VALIDATION = Path(__file__).resolve().parents[2] / "shared" / "validation"


def simulate(units: int, periods: int, seed: int = 0) -> pd.DataFrame:
    """Balanced panel: five cohorts and 40 % never treated; effects grow with exposure and differ by cohort."""
    rng = np.random.default_rng(seed)
    years = np.arange(2001, 2001 + periods)
    cohorts = years[np.linspace(3, periods - 2, 5).astype(int)]
    first = rng.choice(np.r_[cohorts, 0], size=units, p=[0.12] * 5 + [0.4])
    unit = np.repeat(np.arange(units), periods)
    year = np.tile(years, units)
    g = first[unit]
    x = rng.normal(size=units)[unit]
    exposure = np.where((g > 0) & (year >= g), year - g + 1, 0)
    effect = exposure * (0.05 + 0.01 * (g % 7))
    y = 0.3 * x + rng.normal(size=units)[unit] + 0.02 * (year - 2000) + effect + rng.normal(size=len(unit))
    return pd.DataFrame({"unit": unit, "year": year, "first_treat": g, "x": x, "y": y})


def generator_panel(folder: Path) -> pd.DataFrame:
    """Mean activity-ready hours per municipality and month of the staggered world, with integer months and cohorts."""
    if not (folder / "adoption.csv").is_file():
        from hjeval.synthetic import generate

        print(f"generating the staggered synthetic data into {folder}", flush=True)
        generate(folder, rollout="staggered")
    rows = pd.read_parquet(folder / "hours_person_month.parquet", columns=["municipality", "month", "hours",
                                                                          "benefit_group"])
    active = rows[rows["benefit_group"] == "activity_ready_cash"]
    cells = active.groupby(["municipality", "month"], as_index=False)["hours"].mean()
    periods = pd.PeriodIndex(pd.to_datetime(cells["month"]), freq="M")
    first = periods.min()
    cells["month"] = (periods - first).map(lambda offset: offset.n + 1).astype(np.int64)
    adoption = pd.read_csv(folder / "adoption.csv")
    start = pd.PeriodIndex(pd.to_datetime(adoption["cohort_month"]), freq="M")
    adoption["cohort"] = [0 if pd.isna(p) else (p - first).n + 1 for p in start]
    cells = cells.merge(adoption[["municipality", "cohort"]], on="municipality")
    months = cells["month"].nunique()
    seen = cells.groupby("municipality")["month"].nunique()
    short = list(seen.index[seen < months])
    cells = cells[~cells["municipality"].isin(short)].reset_index(drop=True)
    cohorts = sorted(int(c) for c in cells["cohort"].unique() if c)
    print(f"generator panel: {cells['municipality'].nunique()} municipalities x {months} months from "
          f"{len(active):,} activity-ready person-months; cohorts (month numbers) {cohorts}; left out for empty "
          f"months: {short}", flush=True)
    return cells


def version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def att_gt_of(result: object) -> pd.Series:
    """ATT(g,t) indexed by (cohort, period) from a result of hjeval, csdid or diff-diff."""
    att_gt = getattr(result, "att_gt", None)
    if isinstance(att_gt, pd.DataFrame):  # hjeval
        table = att_gt
        return pd.Series(table["att"].to_numpy(float),
                         index=pd.MultiIndex.from_arrays([table["group"].astype(int), table["time"].astype(int)]))
    effects = getattr(result, "group_time_effects", None)
    if isinstance(effects, dict):  # diff-diff
        keys = [(int(g), int(t)) for g, t in effects]
        return pd.Series([float(v["effect"]) for v in effects.values()], index=pd.MultiIndex.from_tuples(keys))
    found = result.results  # type: ignore[attr-defined]  # csdid
    keys = [(int(g), int(t)) for g, t in zip(found["group"], found["year"], strict=True)]
    return pd.Series(np.asarray(found["att"], dtype=float), index=pd.MultiIndex.from_tuples(keys))


def max_difference(ours: pd.Series, theirs: pd.Series) -> float:
    """Largest absolute difference of the ATT(g,t), NaN when the two do not estimate the same cells."""
    theirs = theirs.dropna()
    ours = ours.dropna()
    if len(theirs) != len(ours) or not theirs.index.sort_values().equals(ours.index.sort_values()):
        return np.nan
    return float(np.max(np.abs(theirs.reindex(ours.index).to_numpy() - ours.to_numpy())))


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def quiet(fn: Callable[[], object]) -> Callable[[], object]:
    """Run ``fn`` with printing and warnings silenced (csdid prints every summary)."""
    def run() -> object:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()
    return run


def hjeval_tasks(frame: pd.DataFrame, names: dict[str, str]) -> dict[str, Callable[[], object]]:
    args = (frame, names["y"], names["unit"], names["time"], names["cohort"])
    tasks = {
        "analytic": quiet(lambda: staggered_did(*args, band="pointwise")),
        "bootstrap 999": quiet(lambda: staggered_did(*args, band="uniform", draws=999)),
        "dr + covariate": quiet(lambda: staggered_did(*args, covariates=[names["x"]], est_method="dr",
                                                         band="pointwise")),
    }
    return tasks if names.get("x") else {k: v for k, v in tasks.items() if k != "dr + covariate"}


def csdid_tasks(frame: pd.DataFrame, names: dict[str, str]) -> dict[str, Callable[[], object]]:
    from csdid.att_gt import ATTgt

    def run(bootstrap: bool, covariate: bool) -> object:
        model = ATTgt(yname=names["y"], gname=names["cohort"], idname=names["unit"], tname=names["time"],
                      data=frame, control_group=["nevertreated"], biters=999, cband=bootstrap,
                      xformla=f"{names['y']} ~ {names['x']}" if covariate else None)
        fit = model.fit(est_method="dr" if covariate else "reg", bstrap=bootstrap)
        for kind in ("simple", "dynamic", "group", "calendar"):
            fit.aggte(typec=kind, bstrap=bootstrap, cband=bootstrap)
        return fit

    return {
        "analytic": quiet(lambda: run(False, False)),
        "bootstrap 999": quiet(lambda: run(True, False)),
        "dr + covariate": quiet(lambda: run(False, True)),
    }


def diff_diff_tasks(frame: pd.DataFrame, names: dict[str, str]) -> dict[str, Callable[[], object]]:
    import diff_diff

    def run(bootstrap: bool, covariate: bool) -> object:
        model = diff_diff.CallawaySantAnna(estimation_method="dr" if covariate else "reg",
                                           n_bootstrap=999 if bootstrap else 0, seed=0)
        fit = model.fit(frame, outcome=names["y"], unit=names["unit"], time=names["time"],
                        first_treat=names["cohort"], covariates=[names["x"]] if covariate else None)
        for kind in ("simple", "event_study", "group"):
            fit.aggregate(kind)
        return fit

    return {
        "analytic": quiet(lambda: run(False, False)),
        "bootstrap 999": quiet(lambda: run(True, False)),
        "dr + covariate": quiet(lambda: run(False, True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--periods", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peer-repeat", type=int, default=2)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--peers-path", help="folder of peers installed with pip --target (searched last)")
    parser.add_argument("--generator", type=Path, default=None, metavar="DIR",
                        help="also time the synthetic staggered rollout's municipality x month panel (made in DIR)")
    args = parser.parse_args()
    if args.peers_path:
        sys.path.append(args.peers_path)
    load_start = os.getloadavg()

    panels: list[tuple[str, pd.DataFrame, dict[str, str]]] = []
    if (VALIDATION / "mpdta.csv").is_file():
        panels.append(("mpdta (500 x 5)", pd.read_csv(VALIDATION / "mpdta.csv"),
                       {"y": "lemp", "unit": "countyreal", "time": "year", "cohort": "first.treat", "x": "lpop"}))
    else:
        print(f"mpdta not found at {VALIDATION}; timing the simulated panel only")
    if args.generator is not None:
        panels.append(("generator (municipality x month)", generator_panel(args.generator),
                       {"y": "hours", "unit": "municipality", "time": "month", "cohort": "cohort"}))
    panels.append((f"simulated ({args.units:,} x {args.periods})", simulate(args.units, args.periods),
                   {"y": "y", "unit": "unit", "time": "year", "cohort": "first_treat", "x": "x"}))

    peers: dict[str, Callable[[pd.DataFrame, dict[str, str]], dict[str, Callable[[], object]]]] = {}
    if not args.no_peers:
        for name, module, factory in (("csdid", "csdid", csdid_tasks), ("diff-diff", "diff_diff", diff_diff_tasks)):
            try:
                __import__(module)
            except ImportError as err:
                print(f"{name} not importable ({err}); skipped")
                continue
            peers[name] = factory
    for factory in peers.values():  # warm-up on the first panel: first-call costs are not timed
        _, frame, names = panels[0]
        with contextlib.suppress(Exception):
            factory(frame, names)["analytic"]()

    print(f"load average {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f} at the start; hjeval "
          f"{version('hjeval')}, csdid {version('csdid')}, diff-diff {version('diff-diff')}, numpy {np.__version__}, "
          f"pandas {pd.__version__}", flush=True)
    rows = []
    for panel, frame, names in panels:
        ours = hjeval_tasks(frame, names)
        quiet(ours["analytic"])()  # warm-up: imports and first-call costs
        for task, fn in ours.items():
            seconds, result = best(fn, args.repeat)
            mine = att_gt_of(result)
            row = {"panel": panel, "rows": len(frame), "task": task, "ATT(g,t)": len(mine), "hjeval s": seconds,
                   "hjeval simple ATT": getattr(result, "estimate", np.nan)}
            for peer, factory in peers.items():
                peer_fn = factory(frame, names)[task]
                try:
                    peer_seconds, fitted = best(peer_fn, args.peer_repeat)
                    gap = max_difference(mine, att_gt_of(fitted))
                except Exception as err:  # a peer failing is reported, not fatal
                    print(f"{peer} failed on {panel} / {task}: {type(err).__name__}: {err}")
                    peer_seconds = gap = np.nan
                row[f"{peer} s"] = peer_seconds
                row[f"{peer} / hjeval"] = peer_seconds / seconds
                row[f"{peer} max |dATT|"] = gap
            rows.append(row)
            print(pd.DataFrame([row]).to_string(index=False, float_format=lambda v: f"{v:.4g}"), flush=True)
    table = pd.DataFrame(rows)
    print()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    load_end = os.getloadavg()
    print(f"load average {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f} at the end")


if __name__ == "__main__":
    main()
