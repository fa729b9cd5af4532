"""Time hj.staggered_did against the Python ports csdid and diff-diff's CallawaySantAnna.

Two panels: mpdta (500 counties x 5 years, from ../shared/validation beside the
checkout) and a simulated balanced panel (default 10,000 units x 20 years,
five cohorts and never-treated units, heterogeneous effects). Three tasks on
each: ATT(g,t) with analytic standard errors and the aggregations; the same
with 999 multiplier-bootstrap draws for uniform bands; and the doubly robust
estimator with one covariate (analytic). hjeval always computes all four
aggregations; csdid runs ``aggte`` for all four, diff-diff ``aggregate`` for
the three it offers (simple, event study, group).

    .venv/bin/python benchmarks/bench_staggered.py                 # hjeval and whichever peers import
    .venv/bin/python benchmarks/bench_staggered.py --no-peers      # hjeval only
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
import io
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
    return {
        "analytic": quiet(lambda: staggered_did(*args, band="pointwise")),
        "bootstrap 999": quiet(lambda: staggered_did(*args, band="uniform", draws=999)),
        "dr + covariate": quiet(lambda: staggered_did(*args, covariates=[names["x"]], est_method="dr",
                                                         band="pointwise")),
    }


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
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peer-repeat", type=int, default=2)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--peers-path", help="folder of peers installed with pip --target (searched last)")
    args = parser.parse_args()
    if args.peers_path:
        sys.path.append(args.peers_path)

    panels: list[tuple[str, pd.DataFrame, dict[str, str]]] = []
    if (VALIDATION / "mpdta.csv").is_file():
        panels.append(("mpdta (500 x 5)", pd.read_csv(VALIDATION / "mpdta.csv"),
                       {"y": "lemp", "unit": "countyreal", "time": "year", "cohort": "first.treat", "x": "lpop"}))
    else:
        print(f"mpdta not found at {VALIDATION}; timing the simulated panel only")
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

    rows = []
    for panel, frame, names in panels:
        ours = hjeval_tasks(frame, names)
        quiet(ours["analytic"])()  # warm-up: imports and first-call costs
        for task, fn in ours.items():
            seconds, result = best(fn, args.repeat)
            row = {"panel": panel, "task": task, "hjeval s": seconds,
                   "hjeval simple ATT": getattr(result, "estimate", np.nan)}
            for peer, factory in peers.items():
                peer_fn = factory(frame, names)[task]
                try:
                    peer_seconds, _ = best(peer_fn, args.peer_repeat)
                except Exception as err:  # a peer failing is reported, not fatal
                    print(f"{peer} failed on {panel} / {task}: {type(err).__name__}: {err}")
                    peer_seconds = np.nan
                row[f"{peer} s"] = peer_seconds
                row[f"{peer} / hjeval"] = peer_seconds / seconds
            rows.append(row)
            print(pd.DataFrame([row]).to_string(index=False, float_format=lambda v: f"{v:.4g}"), flush=True)
    table = pd.DataFrame(rows)
    print()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))


if __name__ == "__main__":
    main()
