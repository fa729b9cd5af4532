"""Time synthetic control and synthetic DiD with placebo inference against Python peers.

Two panels. Proposition 99 (39 states x 31 years, from ../shared/validation
beside the checkout): synthetic DiD and synthetic control. The municipality x
month panel of the synthetic data (``hjeval synth``: mean hours of the
activity-ready persons per municipality and month, 2010-01 to 2019-12, Hjørring
treated from 2015-01): synthetic DiD. The synthetic data are generated into
``--synth-dir`` when missing; at ``--scale region`` (the default) the smallest
municipality (Samsø, 741) has months without an activity-ready person and is
left out, which leaves 97 municipalities; ``--scale national`` has all 98 (both:
``--scale region national``).

hjeval enumerates the placebo exactly (every comparison unit treated once, the
treated unit left out of the donors: 38 re-fits on Proposition 99, 96 or 97 on
the municipality panel), the exact distribution that random placebo draws
sample from. The peers are timed with their own placebo procedures: diff-diff's
and synthdid's draw 200 random placebo permutations (each one re-fit),
pysyncon and diff-diff's synthetic control enumerate every donor. Peers that
are not installed are skipped (``pip install diff-diff pysyncon synthdid-py``).
Each row prints the estimate and its absolute difference from hjeval's. The
row ``hjeval warm_start`` is synthetic DiD with ``warm_start=True`` (every
placebo re-fit starts from the actual fit's weights, as R synthdid's ``vcov``
does); its ``x hjeval`` is its time over the default's.

    .venv/bin/python benchmarks/bench_synthetic.py                 # best of 3 runs each
    .venv/bin/python benchmarks/bench_synthetic.py --adh-peers     # with the peers' predictor fits (slow)
    .venv/bin/python benchmarks/bench_synthetic.py --repeat 5 --no-adh --no-peers --no-monthly

synthdid-py takes about a minute per task and is run ``--slow-repeat`` times
(default 1). The tools of a task take turns (one timed run each per round)
and each keeps its best run. On a shared 2-core machine the times vary with
load: compare ratios from the same run (the load average is printed at its
start and end).
``OPENBLAS_NUM_THREADS=1`` keeps BLAS from spinning threads on the many tiny
solves.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hjeval.estimators.synthetic_control import Predictor, synthetic_control
from hjeval.estimators.synthetic_did import synthetic_did

VALIDATION = Path(__file__).resolve().parents[2] / "shared" / "validation"
ADH_SPEC: list[Predictor] = [("lnincome", 1980, 1988), ("age15to24", 1980, 1988), ("retprice", 1980, 1988),
                             ("beer", 1984, 1988), ("cigsale", 1975), ("cigsale", 1980), ("cigsale", 1988)]
POST = list(range(1989, 2001))
HJORRING = 860
MONTHLY_START = "2015-01"
SLOW_PEERS = ("synthdid-py",)


@dataclass(frozen=True)
class Timing:
    task: str
    tool: str
    seconds: float
    estimate: float
    se: float
    note: str = ""


@dataclass(frozen=True)
class Panel:
    """A long panel with one treated unit: what every tool is given."""

    name: str
    data: pd.DataFrame
    outcome: str
    unit: str
    time: str
    treated: object
    start: object
    post: Sequence[object]


def version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def monthly_panel(folder: Path, scale: str) -> Panel:
    """Mean hours of the activity-ready persons per municipality and month, without those with an empty month."""
    rows = folder / "hours_person_month.parquet"
    if not rows.is_file():
        from hjeval.synthetic import generate

        print(f"generating the {scale} synthetic data into {folder}", flush=True)
        generate(folder, scale=scale)  # type: ignore[arg-type]
    frame = pd.read_parquet(rows, columns=["municipality", "month", "hours", "benefit_group"])
    active = frame[frame["benefit_group"] == "activity_ready_cash"]
    cells = active.groupby(["municipality", "month"], as_index=False)["hours"].mean()
    cells["month"] = pd.PeriodIndex(pd.to_datetime(cells["month"]), freq="M").astype(str)
    months = cells["month"].nunique()
    seen = cells.groupby("municipality")["month"].nunique()
    short = seen.index[seen < months]
    if len(short):
        print(f"{scale}: municipalities {list(short)} lack activity-ready persons in some months "
              f"({[int(months - seen[m]) for m in short]} of {months}); left out", flush=True)
    cells = cells[~cells["municipality"].isin(short)].reset_index(drop=True)
    units = cells["municipality"].nunique()
    post = sorted(m for m in cells["month"].unique() if m >= MONTHLY_START)
    print(f"{scale}: {units} municipalities x {months} months from {len(active):,} activity-ready person-months",
          flush=True)
    return Panel(f"{units} municipalities x {months} months ({scale})", cells,
                 "hours", "municipality", "month", HJORRING, MONTHLY_START, post)


def best_of(repeat: int, run: Callable[[], tuple[float, float]]) -> tuple[float, float, float]:
    """Best wall time over ``repeat`` runs, with the estimate and standard error of the last."""
    best = np.inf
    estimate = se = np.nan
    for _ in range(repeat):
        start = time.perf_counter()
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            estimate, se = run()
        best = min(best, time.perf_counter() - start)
    return best, estimate, se


Run = Callable[[], tuple[float, float]]


def sdid_runs(panel: Panel) -> list[tuple[str, str, Run]]:
    """(tool, note, run) for synthetic DiD with placebo inference: hjeval and every peer that imports."""
    data, y, unit, time_ = panel.data, panel.outcome, panel.unit, panel.time
    placebos = data[unit].nunique() - 1

    def ours() -> tuple[float, float]:
        r = synthetic_did(data, y, unit, time_, panel.treated, panel.start)
        return r.estimate, r.se

    def ours_warm() -> tuple[float, float]:
        r = synthetic_did(data, y, unit, time_, panel.treated, panel.start, warm_start=True)
        return r.estimate, r.se

    out: list[tuple[str, str, Run]] = [("hjeval", f"{placebos} exact re-fits", ours),
                                       ("hjeval warm_start", f"{placebos} re-fits from the actual weights", ours_warm)]
    treat = (data[unit] == panel.treated).astype(int)
    post = data[time_].isin(panel.post)
    try:
        import diff_diff
    except ImportError:
        pass
    else:
        marked = data.assign(treat=treat)

        def dd_sdid() -> tuple[float, float]:
            r = diff_diff.SyntheticDiD(variance_method="placebo", n_bootstrap=200, seed=12345).fit(
                marked, outcome=y, treatment="treat", unit=unit, time=time_, post_periods=panel.post)
            return float(r.att), float(r.se)

        out.append((f"diff-diff {version('diff-diff')}", "200 random placebo draws", dd_sdid))
    try:
        import synthdid as sd
    except ImportError:
        pass
    else:
        matrices = sd.panel_matrices(data.assign(D=(treat & post).astype(int))[[unit, time_, y, "D"]])

        def sd_sdid() -> tuple[float, float]:
            est = sd.synthdid_estimate(matrices.Y, matrices.N0, matrices.T0)
            return float(est), float(np.sqrt(sd.vcov(est, method="placebo", replications=200, random_state=1)[0, 0]))

        out.append((f"synthdid-py {version('synthdid-py')}", "200 random placebo draws", sd_sdid))
    return out


def prop99_runs(prop99: pd.DataFrame, smoking: pd.DataFrame, adh: bool, adh_peers: bool,
                ) -> list[tuple[str, str, str, Run]]:
    """(task, tool, note, run) of the synthetic-control tasks on Proposition 99, hjeval first in each task."""
    def sc_synthdid() -> tuple[float, float]:
        r = synthetic_control(prop99, "PacksPerCapita", "State", "Year", "California", 1989, solver="synthdid")
        return r.estimate, r.se

    def sc_exact() -> tuple[float, float]:
        r = synthetic_control(prop99, "PacksPerCapita", "State", "Year", "California", 1989)
        return r.estimate, r.se

    def sc_adh() -> tuple[float, float]:
        r = synthetic_control(smoking, "cigsale", "state", "year", "California", 1989, predictors=ADH_SPEC,
                              fit_window=(1970, 1988))
        return r.estimate, r.pre_rmspe**2

    exact = "SC (exact weights) + placebo"
    weights_fw = "SC (synthdid weights) + placebo"
    adh_task = "SC on ADH predictors + placebo"
    out: list[tuple[str, str, str, Run]] = [(weights_fw, "hjeval", "38 exact re-fits", sc_synthdid),
                                            (exact, "hjeval", "38 exact re-fits", sc_exact)]
    if adh:
        out.append((adh_task, "hjeval", "38 exact re-fits; MSPE", sc_adh))
    panel = prop99.assign(D=((prop99.State == "California") & (prop99.Year >= 1989)).astype(int))
    try:
        import diff_diff
    except ImportError:
        pass
    else:
        dd = f"diff-diff {version('diff-diff')}"

        def dd_sc() -> tuple[float, float]:
            model = diff_diff.SyntheticControl(v_method="custom", custom_v=np.ones(19), standardize="none")
            r = model.fit(panel, outcome="PacksPerCapita", treatment="D", unit="State", time="Year")
            r.in_space_placebo()
            return float(r.att), float(r.placebo_p_value)

        out.append((exact, dd, "every donor, California among the donors; p-value", dd_sc))
        if adh and adh_peers:
            smoke = smoking.assign(D=((smoking.state == "California") & (smoking.year >= 1989)).astype(int))

            def dd_adh() -> tuple[float, float]:
                model = diff_diff.SyntheticControl(n_starts=16, seed=0)
                r = model.fit(
                    smoke, outcome="cigsale", treatment="D", unit="state", time="year",
                    predictors=["lnincome", "age15to24", "retprice"], predictor_window=list(range(1980, 1989)),
                    special_predictors=[("beer", list(range(1984, 1989)), "mean"), ("cigsale", [1975], "mean"),
                                        ("cigsale", [1980], "mean"), ("cigsale", [1988], "mean")],
                )
                gap = r.pre_rmspe if hasattr(r, "pre_rmspe") else np.nan
                r.in_space_placebo()
                return float(r.att), float(gap) ** 2

            out.append((adh_task, dd, "16 starts; MSPE", dd_adh))
    try:
        import synthdid as sd
    except ImportError:
        pass
    else:
        matrices = sd.panel_matrices(panel[["State", "Year", "PacksPerCapita", "D"]])

        def sd_sc() -> tuple[float, float]:
            est = sd.sc_estimate(matrices.Y, matrices.N0, matrices.T0)
            return float(est), float(np.sqrt(sd.vcov(est, method="placebo", replications=200, random_state=1)[0, 0]))

        out.append((weights_fw, f"synthdid-py {version('synthdid-py')}", "200 random placebo draws", sd_sc))
    if adh and adh_peers:
        try:
            import pysyncon
        except ImportError:
            pass
        else:
            controls = sorted(s for s in smoking.state.unique() if s != "California")

            def prep(treated: str, donors: list[str]) -> pysyncon.Dataprep:
                return pysyncon.Dataprep(
                    foo=smoking, predictors=["lnincome", "age15to24", "retprice"], predictors_op="mean",
                    time_predictors_prior=range(1980, 1989), dependent="cigsale", unit_variable="state",
                    time_variable="year", treatment_identifier=treated, controls_identifier=donors,
                    time_optimize_ssr=range(1970, 1989),
                    special_predictors=[("beer", range(1984, 1989), "mean"), ("cigsale", [1975], "mean"),
                                        ("cigsale", [1980], "mean"), ("cigsale", [1988], "mean")],
                )

            def ps_adh() -> tuple[float, float]:
                synth = pysyncon.Synth()
                synth.fit(dataprep=prep("California", controls))
                placebo = pysyncon.utils.PlaceboTest()
                placebo.fit(dataprep=prep("California", controls), scm=pysyncon.Synth(), max_workers=2,
                            verbose=False)
                mspe = float(synth.mspe()) if hasattr(synth, "mspe") else np.nan
                return float(synth.att(range(1989, 2001))["att"]), mspe

            out.append((adh_task, f"pysyncon {version('pysyncon')}", "defaults, 2 processes; MSPE", ps_adh))
    order = {task: k for k, task in enumerate((weights_fw, exact, adh_task))}
    return sorted(out, key=lambda row: (order[row[0]], row[1] != "hjeval"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slow-repeat", type=int, default=1, help=f"runs of the slow peers {SLOW_PEERS}")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-adh", action="store_true", help="skip the predictor-based synthetic control")
    parser.add_argument("--adh-peers", action="store_true",
                        help="also time the peers' predictor-based synthetic control with placebos (many minutes)")
    parser.add_argument("--no-monthly", action="store_true", help="skip the municipality x month panel")
    parser.add_argument("--scale", nargs="+", default=["region"], choices=["region", "national"],
                        help="synthetic data for the municipality x month panel (default region)")
    parser.add_argument("--synth-dir", type=Path, default=Path("/tmp/hjeval-bench-synthetic"),
                        help="folder holding (or to receive) the synthetic data, one subfolder per scale")
    args = parser.parse_args()
    load_start = os.getloadavg()
    prop99 = pd.read_csv(VALIDATION / "california_prop99.csv")
    smoking = pd.read_csv(VALIDATION / "smoking_adh2010.csv")
    adh = not args.no_adh
    panels = [Panel("Prop. 99 (39 states x 31 years)", prop99, "PacksPerCapita", "State", "Year", "California", 1989,
                    POST)]
    if not args.no_monthly:
        panels += [monthly_panel(args.synth_dir / scale, scale) for scale in args.scale]
    print(f"load average {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f} at the start; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '')}; hjeval {version('hjeval')}, "
          f"numpy {np.__version__}, pandas {pd.__version__}")
    rows: list[tuple[str, str, str, Run]] = []
    for panel in panels:
        rows += [(f"SDID + placebo, {panel.name}", tool, note, run) for tool, note, run in sdid_runs(panel)]
    rows += [(f"{task}, Prop. 99", tool, note, run) for task, tool, note, run in
             prop99_runs(prop99, smoking, adh, args.adh_peers)]
    if args.no_peers:
        rows = [row for row in rows if row[1].startswith("hjeval")]
    ours: dict[str, tuple[float, float]] = {}
    print(f"{'task':58s} {'tool':20s} {'seconds':>8s} {'x hjeval':>9s} {'estimate':>10s} {'|diff|':>8s} "
          f"{'se/other':>9s}  note", flush=True)
    for task in dict.fromkeys(row[0] for row in rows):
        # the tools of a task take turns, one timed run each per round, so that a change in the machine's load
        # falls on all of them alike; each keeps its best run
        entries = [row for row in rows if row[0] == task]
        repeats = [1 if "ADH" in task else args.slow_repeat if any(tool.startswith(name) for name in SLOW_PEERS)
                   else args.repeat for _, tool, _, _ in entries]
        best = [(np.inf, np.nan, np.nan)] * len(entries)
        failed: dict[int, str] = {}
        for turn in range(max(repeats)):
            for k, (_, tool, _, run) in enumerate(entries):
                if turn >= repeats[k] or k in failed:
                    continue
                try:
                    seconds, estimate, se = best_of(1, run)
                except Exception as err:  # a peer's failure is reported, not fatal
                    if tool.startswith("hjeval"):
                        raise
                    failed[k] = f"failed: {type(err).__name__}: {err}"
                    continue
                best[k] = (min(best[k][0], seconds), estimate, se)
        for k, (_, tool, note, _) in enumerate(entries):
            seconds, estimate, se = best[k] if k not in failed else (np.nan, np.nan, np.nan)
            note = failed.get(k, note)
            if tool == "hjeval":
                ours[task] = (seconds, estimate)
                ratio = difference = np.nan
            else:
                ratio = seconds / ours[task][0]
                difference = abs(estimate - ours[task][1])
            note += f"; best of {repeats[k]}" if repeats[k] > 1 else "; 1 run"
            print(f"{task:58s} {tool:20s} {seconds:8.3f} {ratio:9.2f} {estimate:10.4f} {difference:8.1e} {se:9.4f}  "
                  f"{note}", flush=True)
    load_end = os.getloadavg()
    print(f"load average {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f} at the end")


if __name__ == "__main__":
    main()
