"""Is hj.power honest in repeated samples? Rejection at the reported MDE and at effect 0, by simulation.

Each replication draws a municipality panel of unequal sizes (variance
``0.2 + 50 / persons``), computes the MDE of a planned evaluation from its
pre-period with :func:`hjeval.power`, then runs that evaluation (the same
shape, fresh data) with a true effect equal to the MDE, and once more with no
effect. The rejection rates should be the nominal power and alpha within
simulation error (the table prints 3 simulation standard errors).

Run: ``python benchmarks/power_simulation.py [replications]`` (default 2000).
"""

from __future__ import annotations

import math
import sys
import time
import warnings

import numpy as np
import pandas as pd

import hjeval as hj
from hjeval.errors import HjevalWarning

PERIODS, HORIZON = 10, 5


def panel(rng: np.random.Generator, sizes: np.ndarray, effect: float = 0.0) -> pd.DataFrame:
    """Municipality-year cells with an effect in municipality 0 in the last HORIZON years."""
    groups = len(sizes)
    g, t = np.meshgrid(np.arange(groups), np.arange(PERIODS), indexing="ij")
    y = rng.normal(size=groups)[g] + 0.3 * t + np.sqrt(0.2 + 50.0 / sizes)[g] * rng.normal(size=g.shape)
    y = y + effect * ((g == 0) & (t >= PERIODS - HORIZON))
    return pd.DataFrame({"m": g.ravel(), "year": (2005 + t).ravel(), "y": y.ravel(),
                         "persons": sizes[g].ravel().astype(float)})


def simulate(groups: int, target: float, replications: int, seed: int) -> dict[str, float]:
    """Rejection rates at the MDE and at 0 for one number of groups."""
    rng = np.random.default_rng(seed)
    sizes = np.r_[400, rng.integers(100, 2000, groups - 1)]
    spec = dict(unit="m", time="year", treated=0, weights="persons")
    at_mde = at_zero = 0
    mdes = []
    for _ in range(replications):
        pw = hj.power(panel(rng, sizes), "y", start=2015, power=target, **spec)  # type: ignore[arg-type]
        mdes.append(pw.mde)
        at_mde += hj.did(panel(rng, sizes, pw.mde), "y", start=2010, **spec).pvalue <= 0.05  # type: ignore[arg-type]
        at_zero += hj.did(panel(rng, sizes), "y", start=2010, **spec).pvalue <= 0.05  # type: ignore[arg-type]
    size = math.floor(0.05 * groups + 1e-9) / groups
    return {"groups": groups, "target": target, "attainable_size": size, "mean_mde": float(np.mean(mdes)),
            "reject_at_mde": at_mde / replications, "tol_mde": 3 * math.sqrt(target * (1 - target) / replications),
            "reject_at_0": at_zero / replications, "tol_0": 3 * math.sqrt(size * (1 - size) / replications)}


def main(replications: int = 2000) -> None:
    """Print one row per design."""
    rows = []
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HjevalWarning)
        for seed, (groups, target) in enumerate([(40, 0.8), (40, 0.5), (60, 0.9), (20, 0.8)]):
            rows.append(simulate(groups, target, replications, seed))
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"{replications} replications per row, {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
