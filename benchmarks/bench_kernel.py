"""Time the regression kernel against pyfixest on a simulated person-month panel.

Person and month fixed effects, two regressors (a covariate and a DiD
treatment of one municipality), CR1 clustered by municipality (98 clusters).

    .venv/bin/python benchmarks/bench_kernel.py            # ~1 M rows
    .venv/bin/python benchmarks/bench_kernel.py --full     # ~10 M rows (about 6 GB at peak with pyfixest)
    .venv/bin/python benchmarks/bench_kernel.py --weights --no-pyfixest

On a busy 2-core machine multithreaded OpenBLAS can make the small dense
products 10-30x slower; ``OPENBLAS_NUM_THREADS=1`` avoids that (pyfixest's
demeaning runs in its own threads and is not affected).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd

from hjeval.regression import FixedEffects, fit

MONTHS = 120
MUNICIPALITIES = 98


def simulate(persons: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Unbalanced panel: each person enters in a random month and stays 1-80 months, cut at the panel end."""
    first = rng.integers(0, MONTHS, persons)
    length = np.minimum(rng.integers(1, 81, persons), MONTHS - first)
    pid = np.repeat(np.arange(persons), length)
    month = np.repeat(first, length) + np.arange(len(pid)) - np.repeat(np.cumsum(length) - length, length)
    muni = rng.integers(0, MUNICIPALITIES, persons)[pid]
    treat = ((muni == 0) & (month >= MONTHS // 2)).astype(float)
    x1 = rng.normal(size=len(pid)) + 0.01 * (pid % 11)
    y = 0.4 * x1 + 1.5 * treat + 0.05 * (pid % 13) + 0.01 * month + rng.normal(size=len(pid))
    return {"y": y, "x1": x1, "treat": treat, "pid": pid, "month": month, "muni": muni,
            "w": rng.uniform(0.5, 2.0, len(pid))}


def time_kernel(data: dict[str, np.ndarray], weights: bool, repeat: int) -> tuple[float, float, float, object]:
    """Best wall time of (build + demean + fit) over ``repeat`` runs, and its parts."""
    best = (np.inf, 0.0, 0.0, None)
    x = np.column_stack([data["x1"], data["treat"]])
    for _ in range(repeat):
        start = time.perf_counter()
        fe = FixedEffects.build([data["pid"], data["month"]], data["w"] if weights else None)
        built = time.perf_counter()
        res = fit(data["y"], x, fixed_effects=fe, cluster=data["muni"], vcov="CR1")
        done = time.perf_counter()
        if done - start < best[0]:
            best = (done - start, built - start, done - built, res)
    return best


def time_pyfixest(data: dict[str, np.ndarray], weights: bool, tol: float) -> tuple[float, object]:
    import pyfixest as pf

    frame = pd.DataFrame(data)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pf.feols("y ~ x1 + treat | pid + month", frame, vcov={"CRV1": "muni"},
                         weights="w" if weights else None, fixef_rm="none", fixef_tol=tol)
    return time.perf_counter() - start, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="~10 M rows (300,000 persons) instead of ~1 M")
    parser.add_argument("--persons", type=int, default=None, help="number of persons (overrides --full)")
    parser.add_argument("--weights", action="store_true", help="analytic weights")
    parser.add_argument("--no-pyfixest", action="store_true", help="time the kernel only")
    parser.add_argument("--repeat", type=int, default=3, help="kernel runs; the best is reported")
    parser.add_argument("--pyfixest-tol", type=float, default=1e-6,
                        help="pyfixest's fixef_tol (its default 1e-6 leaves ~1e-4 relative error in clustered SEs)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    persons = args.persons or (300_000 if args.full else 30_000)

    data = simulate(persons, np.random.default_rng(args.seed))
    print(f"rows {len(data['y']):,}  persons {persons:,}  months {MONTHS}  clusters {MUNICIPALITIES}"
          f"  weights {args.weights}")
    print(f"load average before timing: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          "(other processes slow multithreaded BLAS a lot on small machines)")
    total, build, solve, res = time_kernel(data, args.weights, args.repeat)
    print(f"hjeval kernel : {total:6.2f} s  (fixed effects {build:.2f} s, demean + fit {solve:.2f} s)"
          f"  method {res.demean_info.method}")
    print(f"  coef {np.round(res.coef, 6).tolist()}  se {np.round(res.se, 6).tolist()}")
    if args.no_pyfixest:
        return
    seconds, model = time_pyfixest(data, args.weights, args.pyfixest_tol)
    ref_coef, ref_se = model.coef().to_numpy(), model.se().to_numpy()
    print(f"pyfixest.feols: {seconds:6.2f} s  (fixef_tol {args.pyfixest_tol:g}, fixef_rm='none')")
    print(f"  max relative difference: coef {np.max(np.abs(res.coef / ref_coef - 1)):.1e}"
          f"  se {np.max(np.abs(res.se / ref_se - 1)):.1e}")
    print(f"  speed-up {seconds / total:.1f}x")


if __name__ == "__main__":
    main()
