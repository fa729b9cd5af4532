"""Time synthetic control and synthetic DiD with placebo inference on Proposition 99, against Python peers.

hjeval enumerates the placebo exactly (38 re-fits, every comparison state
treated once, California left out of the donors). The peers are timed with
their own placebo procedures at their defaults: diff-diff's and synthdid's
draw 200 random placebo permutations (each one re-fit), pysyncon and
diff-diff's synthetic control enumerate every donor. Peers that are not
installed are skipped (``pip install diff-diff pysyncon synthdid-py``).

    .venv/bin/python benchmarks/bench_synthetic.py                 # best of 3 runs each
    .venv/bin/python benchmarks/bench_synthetic.py --adh-peers     # with the peers' predictor fits (slow)
    .venv/bin/python benchmarks/bench_synthetic.py --repeat 5 --no-adh --no-peers

On a shared 2-core machine the times vary with load: compare ratios from the
same run. ``OPENBLAS_NUM_THREADS=1`` keeps BLAS from spinning threads on the
many tiny solves.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hjeval.estimators.synthetic_control import synthetic_control
from hjeval.estimators.synthetic_did import synthetic_did

VALIDATION = Path(__file__).resolve().parents[2] / "shared" / "validation"
ADH_SPEC = [("lnincome", 1980, 1988), ("age15to24", 1980, 1988), ("retprice", 1980, 1988), ("beer", 1984, 1988),
            ("cigsale", 1975), ("cigsale", 1980), ("cigsale", 1988)]
POST = list(range(1989, 2001))


@dataclass(frozen=True)
class Timing:
    task: str
    tool: str
    seconds: float
    estimate: float
    se: float
    note: str = ""


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


def hjeval_runs(prop99: pd.DataFrame, smoking: pd.DataFrame, adh: bool) -> dict[str, Callable[[], tuple[float, float]]]:
    def sdid() -> tuple[float, float]:
        r = synthetic_did(prop99, "PacksPerCapita", "State", "Year", "California", 1989)
        return r.estimate, r.se

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

    runs = {"SDID + placebo": sdid, "SC (synthdid weights) + placebo": sc_synthdid,
            "SC (exact weights) + placebo": sc_exact}
    if adh:
        runs["SC on ADH predictors + placebo"] = sc_adh
    return runs


def peer_runs(prop99: pd.DataFrame, smoking: pd.DataFrame, adh: bool,
              ) -> list[tuple[str, str, str, Callable[[], tuple[float, float]]]]:
    """(task, tool, note, run) for every peer that imports."""
    out: list[tuple[str, str, str, Callable[[], tuple[float, float]]]] = []
    panel = prop99.assign(treat=(prop99.State == "California").astype(int),
                          D=((prop99.State == "California") & (prop99.Year >= 1989)).astype(int))
    try:
        import diff_diff
    except ImportError:
        pass
    else:
        version = f"diff-diff {diff_diff.__version__}"

        def dd_sdid() -> tuple[float, float]:
            r = diff_diff.SyntheticDiD(variance_method="placebo", n_bootstrap=200, seed=12345).fit(
                panel, outcome="PacksPerCapita", treatment="treat", unit="State", time="Year", post_periods=POST)
            return float(r.att), float(r.se)

        def dd_sc() -> tuple[float, float]:
            model = diff_diff.SyntheticControl(v_method="custom", custom_v=np.ones(19), standardize="none")
            r = model.fit(panel, outcome="PacksPerCapita", treatment="D", unit="State", time="Year")
            r.in_space_placebo()
            return float(r.att), float(r.placebo_p_value)

        out += [("SDID + placebo", version, "200 random placebo draws", dd_sdid),
                ("SC (exact weights) + placebo", version, "every donor, California among the donors; p-value",
                 dd_sc)]
        if adh:
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

            out.append(("SC on ADH predictors + placebo", version, "16 starts; MSPE", dd_adh))
    try:
        import synthdid as sd
    except ImportError:
        pass
    else:
        matrices = sd.panel_matrices(panel[["State", "Year", "PacksPerCapita", "D"]])

        def sd_sdid() -> tuple[float, float]:
            est = sd.synthdid_estimate(matrices.Y, matrices.N0, matrices.T0)
            return float(est), float(np.sqrt(sd.vcov(est, method="placebo", replications=200, random_state=1)[0, 0]))

        def sd_sc() -> tuple[float, float]:
            est = sd.sc_estimate(matrices.Y, matrices.N0, matrices.T0)
            return float(est), float(np.sqrt(sd.vcov(est, method="placebo", replications=200, random_state=1)[0, 0]))

        name = "synthdid-py " + getattr(sd, "__version__", "")
        out += [("SDID + placebo", name.strip(), "200 random placebo draws", sd_sdid),
                ("SC (synthdid weights) + placebo", name.strip(), "200 random placebo draws", sd_sc)]
    if adh:
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

            out.append(("SC on ADH predictors + placebo", f"pysyncon {pysyncon.__version__}"
                        if hasattr(pysyncon, "__version__") else "pysyncon", "defaults, 2 processes; MSPE", ps_adh))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-adh", action="store_true", help="skip the predictor-based synthetic control")
    parser.add_argument("--adh-peers", action="store_true",
                        help="also time the peers' predictor-based synthetic control with placebos (many minutes)")
    args = parser.parse_args()
    prop99 = pd.read_csv(VALIDATION / "california_prop99.csv")
    smoking = pd.read_csv(VALIDATION / "smoking_adh2010.csv")
    adh = not args.no_adh
    ours: dict[str, float] = {}
    print(f"load average {os.getloadavg()[0]:.2f}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '')}")
    print(f"{'task':32s} {'tool':20s} {'seconds':>8s} {'x hjeval':>9s} {'estimate':>10s} {'se/other':>9s}  note",
          flush=True)

    def show(r: Timing) -> None:
        ratio = r.seconds / ours[r.task] if r.tool != "hjeval" and np.isfinite(r.seconds) else np.nan
        print(f"{r.task:32s} {r.tool:20s} {r.seconds:8.3f} {ratio:9.1f} {r.estimate:10.4f} {r.se:9.4f}  {r.note}",
              flush=True)

    for task, run in hjeval_runs(prop99, smoking, adh).items():
        repeat = 1 if "ADH" in task else args.repeat
        seconds, estimate, se = best_of(repeat, run)
        ours[task] = seconds
        show(Timing(task, "hjeval", seconds, estimate, se, "38 exact re-fits" + ("; MSPE" if "ADH" in task else "")))
    if args.no_peers:
        return
    for task, tool, note, run in peer_runs(prop99, smoking, adh and args.adh_peers):
        repeat = 1 if "ADH" in task else args.repeat
        try:
            seconds, estimate, se = best_of(repeat, run)
        except Exception as err:  # a peer's failure is reported, not fatal
            show(Timing(task, tool, np.nan, np.nan, np.nan, f"failed: {type(err).__name__}: {err}"))
            continue
        show(Timing(task, tool, seconds, estimate, se, note))


if __name__ == "__main__":
    main()
