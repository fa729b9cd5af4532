"""Size and power of placebo and Conley-Taber inference when the treated municipality is small or large.

With one treated municipality, placebo-in-space and Conley-Taber inference compare the
treated municipality's estimate with the same estimate for comparison municipalities. That
comparison is fair only when the treated municipality's error is drawn like theirs. When
municipalities differ a hundredfold in size it is not: a small municipality's difference in
differences carries far more sampling noise. This simulation measures the rejection rates
of ``hj.did`` with and without the size correction of Ferman and Pinto (2019) for a small, a
median and a large treated municipality, under no effect and under effects of 1-4 times the
treated municipality's own standard deviation.

Data-generating process (one municipality-year cell per row, the cell mean of the outcome
with its number of persons as the weight)::

    y[j, t] = a[j] + g[t] + u[j, t] + e[j, t],      j = 1..98, t = 2008..2019, start 2015
    u[j, t] = rho u[j, t-1] + v[j, t],  rho = 0.5, Var u = SHOCK_SD^2 for every j (stationary)
    e[j, t] ~ N(0, noise_sd^2 / M[j]),  independent across years (the mean of M[j] persons)
    M[j]: the 98 quantiles of a lognormal spanning 10-850 persons (median 92), fixed
    a[j] ~ N(300, 50^2), g[t] ~ N(0, 20^2) drawn anew each replication; no effect under H0

``noise_sd`` is set so that, in the treated municipality's difference in differences (mean of
the 5 post years minus mean of the 7 pre years), sampling noise and the municipality shock
have equal variance at ``BALANCE_SIZE`` = 95 persons: sampling noise dominates below (3.8 times
the shock's variance at 25 persons), the shock above (5 times the noise's at 470). The treated
municipality is the one closest to 25, 95 and 470 persons in turn. Under the alternative,
``k`` times that municipality's own standard deviation (exact, from the estimator's weights
and the data-generating covariance) is added to its post-period cells.

Every replication draws one data set; for each treated municipality ``hj.did`` is called once
per inference method and correction. The ``k > 0`` rows use the first ``--power-reps`` data
sets. Replication ``r`` uses ``SeedSequence(seed).spawn(reps)[r]``, so results do not depend
on ``--jobs``. The simulation standard error of a rejection rate ``p`` is ``sqrt(p (1-p) /
reps)``; with 2000 replications it is 0.49 percentage points at 5 %.

A permutation test over 98 assignments can reject only at the levels k/98: at 5 % the
attainable level is 4/98 = 4.08 %, so a test that is exact under exchangeability rejects
4.08 % of the time, not 5 %.

Usage::

    .venv/bin/python benchmarks/size_simulation.py                 # 2000 reps (1000 for power), 2 processes
    .venv/bin/python benchmarks/size_simulation.py --reps 200 --power-reps 100 --jobs 1
    .venv/bin/python benchmarks/size_simulation.py --out benchmarks/results/size

Writes ``size_simulation.md``, ``size_simulation.json`` and ``power_curve.png`` to ``--out``
(default ``benchmarks/results/``, not kept in git).

``size_correction=`` is passed to ``hj.did`` only where it accepts the keyword; without it
only the uncorrected rows are computed and the corrected ones are reported as unavailable.

Reference: Ferman, B. and C. Pinto (2019), "Inference in differences-in-differences with few
treated groups and heteroskedasticity", Review of Economics and Statistics 101(3), 452-467.
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import hjeval as hj

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

N_MUNICIPALITIES = 98
SIZE_RANGE = (10.0, 850.0)
YEARS = tuple(range(2008, 2020))
START = 2015
RHO = 0.5
SHOCK_SD = 10.0
BALANCE_SIZE = 95.0
TARGETS: dict[str, float] = {"small": 25.0, "median": 95.0, "large": 470.0}
METHODS: tuple[str, ...] = ("placebo", "conley-taber")
EFFECTS: tuple[float, ...] = (0.0, 1.0, 2.0, 3.0, 4.0)
ALPHA = 0.05
FIRST_CODE = 101


def municipality_sizes(n: int = N_MUNICIPALITIES, low: float = SIZE_RANGE[0],
                       high: float = SIZE_RANGE[1]) -> np.ndarray:
    """Target-group sizes: the ``n`` mid-point quantiles of a lognormal spanning ``low``-``high``.

    The quantiles at ``(i + 0.5) / n`` of a lognormal with median ``sqrt(low high)``, its
    log-scale chosen so that the smallest is ``low`` and the largest ``high``; rounded to whole
    persons. The same for every seed, so rejection rates for different seeds are comparable.

    Examples
    --------
    >>> sizes = municipality_sizes()
    >>> int(sizes[0]), int(np.median(sizes)), int(sizes[-1])
    (10, 92, 850)
    """
    z = np.array([statistics.NormalDist().inv_cdf((i + 0.5) / n) for i in range(n)])
    scale = np.log(high / low) / (z[-1] - z[0])
    return np.round(np.sqrt(low * high) * np.exp(scale * z))


def contrast(years: Sequence[int] = YEARS, start: int = START) -> np.ndarray:
    """The before/after contrast over years: ``1/n_post`` after ``start``, ``-1/n_pre`` before."""
    post = np.asarray(years) >= start
    return np.where(post, 1.0 / post.sum(), -1.0 / (~post).sum())


def ar1_correlation(rho: float, periods: int) -> np.ndarray:
    """Correlation matrix ``rho^|s - t|`` of a stationary AR(1)."""
    lag = np.abs(np.subtract.outer(np.arange(periods), np.arange(periods)))
    return rho**lag


def balanced_noise_sd(shock_sd: float = SHOCK_SD, rho: float = RHO, balance_size: float = BALANCE_SIZE,
                      years: Sequence[int] = YEARS, start: int = START) -> float:
    """Person-level noise SD at which a municipality of ``balance_size`` persons has equal shock and noise variance.

    Both are taken in the municipality's own before/after contrast ``c``: shock ``shock_sd^2
    c'Rc``, noise ``noise_sd^2 c'c / M``.
    """
    c = contrast(years, start)
    shock = shock_sd**2 * c @ ar1_correlation(rho, len(c)) @ c
    return float(np.sqrt(shock * balance_size / (c @ c)))


@dataclass(frozen=True, eq=False)
class Design:
    """The fixed part of the data-generating process.

    Attributes
    ----------
    sizes : numpy.ndarray
        Persons per municipality (the cell weight), one per municipality.
    years : tuple of int
    start : int
        First treated year.
    rho : float
        AR(1) coefficient of the municipality shocks.
    shock_sd : float
        Stationary SD of the municipality shocks (the same for every municipality).
    balance_size : float
        Size at which sampling noise and shock have equal variance in the DiD contrast;
        sets :attr:`noise_sd`.
    """

    sizes: np.ndarray = field(default_factory=municipality_sizes)
    years: tuple[int, ...] = YEARS
    start: int = START
    rho: float = RHO
    shock_sd: float = SHOCK_SD
    balance_size: float = BALANCE_SIZE

    @property
    def noise_sd(self) -> float:
        """SD of one person's outcome around the cell's expectation (the cell mean has ``noise_sd^2 / M``)."""
        return balanced_noise_sd(self.shock_sd, self.rho, self.balance_size, self.years, self.start)

    @property
    def codes(self) -> np.ndarray:
        """Municipality codes, in the order of ``sizes``."""
        return np.arange(FIRST_CODE, FIRST_CODE + len(self.sizes))

    def treated(self, targets: dict[str, float] = TARGETS) -> dict[str, int]:
        """Index of the municipality closest in size (on the log scale) to each target."""
        log_sizes = np.log(self.sizes)
        return {name: int(np.argmin(np.abs(log_sizes - np.log(size)))) for name, size in targets.items()}

    def describe(self) -> dict[str, Any]:
        """The design as plain numbers (for the JSON summary)."""
        out = asdict(self)
        out["sizes"] = [int(s) for s in self.sizes]
        out["years"] = list(self.years)
        out["noise_sd"] = self.noise_sd
        return out


def simulate_panel(rng: np.random.Generator, design: Design) -> pd.DataFrame:
    """One data set under no effect: a municipality x year frame of cell means.

    Parameters
    ----------
    rng : numpy.random.Generator
    design : Design

    Returns
    -------
    pandas.DataFrame
        ``municipality`` (code), ``year``, ``y`` (cell mean) and ``persons`` (the weight),
        municipality-major.

    Examples
    --------
    >>> cells = simulate_panel(np.random.default_rng(0), Design())
    >>> cells.shape, list(cells.columns)
    ((1176, 4), ['municipality', 'year', 'y', 'persons'])
    """
    n, periods = len(design.sizes), len(design.years)
    shocks = np.empty((n, periods))
    shocks[:, 0] = design.shock_sd * rng.standard_normal(n)
    innovation_sd = design.shock_sd * np.sqrt(1.0 - design.rho**2)
    for t in range(1, periods):
        shocks[:, t] = design.rho * shocks[:, t - 1] + innovation_sd * rng.standard_normal(n)
    noise = design.noise_sd / np.sqrt(design.sizes)[:, None] * rng.standard_normal((n, periods))
    municipality_effect = rng.normal(300.0, 50.0, n)
    year_effect = rng.normal(0.0, 20.0, periods)
    y = municipality_effect[:, None] + year_effect[None, :] + shocks + noise
    return pd.DataFrame({
        "municipality": np.repeat(design.codes, periods),
        "year": np.tile(np.asarray(design.years), n),
        "y": y.ravel(),
        "persons": np.repeat(design.sizes, periods),
    })


def add_effect(cells: pd.DataFrame, code: int, start: int, effect: float) -> pd.DataFrame:
    """A copy of ``cells`` with ``effect`` added to municipality ``code`` from ``start`` on."""
    treated = (cells["municipality"].to_numpy() == code) & (cells["year"].to_numpy() >= start)
    return cells.assign(y=cells["y"].to_numpy() + effect * treated)


def did_weights(design: Design, treated: int) -> np.ndarray:
    """The weighted two-way fixed-effects DiD estimate as a linear function of the cells.

    Returns the ``(municipalities, years)`` array ``w`` with ``estimate = sum(w * y)`` for the
    regression of ``y`` on municipality and year effects and the treated-after indicator,
    weighted by persons (the regression ``hj.did`` runs on these cells).
    """
    n, periods = len(design.sizes), len(design.years)
    unit = np.repeat(np.arange(n), periods)
    period = np.tile(np.arange(periods), n)
    post = np.asarray(design.years)[period] >= design.start
    x = np.column_stack([
        (unit == treated) & post,
        unit[:, None] == np.arange(n)[None, :],
        period[:, None] == np.arange(1, periods)[None, :],
    ]).astype(np.float64)
    root = np.sqrt(np.repeat(design.sizes, periods))
    weights = np.linalg.pinv(x * root[:, None])[0] * root
    return weights.reshape(n, periods)


def did_sd(design: Design, treated: int) -> float:
    """Exact SD of the DiD estimate with ``treated`` treated, under the data-generating process.

    ``Var = sum_j w_j' (shock_sd^2 R + noise_sd^2 / M_j I) w_j`` with ``w`` from
    :func:`did_weights` and ``R`` the AR(1) correlation.
    """
    w = did_weights(design, treated)
    corr = ar1_correlation(design.rho, len(design.years))
    shock = design.shock_sd**2 * np.einsum("jt,ts,js->", w, corr, w)
    noise = design.noise_sd**2 * np.sum(w**2 / design.sizes[:, None])
    return float(np.sqrt(shock + noise))


def has_size_correction() -> bool:
    """Whether ``hj.did`` takes the ``size_correction`` keyword."""
    return "size_correction" in inspect.signature(hj.did).parameters


def did_pvalue(cells: pd.DataFrame, code: int, start: int, method: str, corrected: bool) -> float:
    """P-value of no effect from ``hj.did`` on the cells, municipality ``code`` treated.

    ``size_correction`` is passed only where ``hj.did`` takes it; without it the
    uncorrected test is the only one and ``corrected=True`` raises.
    """
    kwargs: dict[str, Any] = {}
    if has_size_correction():
        kwargs["size_correction"] = corrected
    elif corrected:
        raise RuntimeError("hj.did has no size_correction keyword yet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        res = hj.did(cells, "y", unit="municipality", time="year", treated=code, start=start,
                     weights="persons", inference=method, **kwargs)  # type: ignore[arg-type]
    return res.pvalue


@dataclass(frozen=True)
class Cell:
    """One rejection rate to estimate: treated municipality, method, correction, effect size."""

    treated: str
    method: str
    corrected: bool
    k: float


def default_corrections() -> tuple[bool, ...]:
    """``(False, True)`` when the size correction exists, else ``(False,)``."""
    return (False, True) if has_size_correction() else (False,)


def _count(seeds: list[np.random.SeedSequence], design: Design, cells: list[Cell], power_reps: int,
           first: int, alpha: float) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Rejections and replications per cell over the replications ``first, first + 1, ...``.

    Also returns the seconds spent in ``hj.did`` and the number of calls.
    """
    index = design.treated()
    sds = {name: did_sd(design, i) for name, i in index.items()}
    rejected = np.zeros(len(cells), dtype=np.int64)
    used = np.zeros(len(cells), dtype=np.int64)
    seconds, calls = 0.0, 0
    for r, seed in enumerate(seeds, start=first):
        panel = simulate_panel(np.random.default_rng(seed), design)
        shifted: dict[tuple[str, float], pd.DataFrame] = {}
        for c, cell in enumerate(cells):
            if cell.k != 0 and r >= power_reps:
                continue
            code = int(design.codes[index[cell.treated]])
            key = (cell.treated, cell.k)
            if key not in shifted:
                effect = cell.k * sds[cell.treated]
                shifted[key] = panel if cell.k == 0 else add_effect(panel, code, design.start, effect)
            tic = time.perf_counter()
            p = did_pvalue(shifted[key], code, design.start, cell.method, cell.corrected)
            seconds += time.perf_counter() - tic
            calls += 1
            rejected[c] += p <= alpha
            used[c] += 1
    return rejected, used, seconds, calls


def rejection_rates(reps: int, seed: int, *, design: Design | None = None,
                    treated: Iterable[str] = tuple(TARGETS), methods: Iterable[str] = METHODS,
                    corrections: Iterable[bool] | None = None, effects: Iterable[float] = (0.0,),
                    power_reps: int | None = None, alpha: float = ALPHA, jobs: int = 1) -> pd.DataFrame:
    """Rejection rates of ``hj.did`` tests of no effect over simulated data sets.

    Parameters
    ----------
    reps : int
        Replications (data sets) for the rows with no effect.
    seed : int
        Replication ``r`` uses ``np.random.SeedSequence(seed).spawn(reps)[r]``.
    design : Design, optional
        Default: :class:`Design` ``()``.
    treated : iterable of str
        Keys of :data:`TARGETS`.
    methods : iterable of str
        ``hj.did`` inference methods.
    corrections : iterable of bool, optional
        Default: both when ``hj.did`` has ``size_correction``, else the uncorrected only.
    effects : iterable of float
        ``k``: the effect in units of the treated municipality's own DiD SD.
    power_reps : int, optional
        Replications for the rows with ``k != 0`` (the first ones); default ``reps``.
    alpha : float
        Reject when the p-value is at most ``alpha``.
    jobs : int
        Processes; the result does not depend on it.

    Returns
    -------
    pandas.DataFrame
        One row per (treated, size, method, corrected, k): ``rejections``, ``reps``, ``rate``
        and ``se`` = ``sqrt(rate (1 - rate) / reps)``. ``attrs`` holds ``seconds_per_call``,
        ``calls`` and ``wall_seconds``.

    Examples
    --------
    >>> table = rejection_rates(2, seed=1, treated=["small"], methods=["placebo"], corrections=[False])
    >>> table[["treated", "size", "method", "corrected", "k", "reps"]].to_dict("records")
    [{'treated': 'small', 'size': 25, 'method': 'placebo', 'corrected': False, 'k': 0.0, 'reps': 2}]
    """
    design = design or Design()
    corrections = tuple(default_corrections() if corrections is None else corrections)
    power_reps = reps if power_reps is None else min(power_reps, reps)
    cells = [Cell(t, m, bool(c), float(k)) for t in treated for m in methods for c in corrections for k in effects]
    seeds = np.random.SeedSequence(seed).spawn(reps)
    tic = time.perf_counter()
    if jobs <= 1:
        parts = [_count(seeds, design, cells, power_reps, 0, alpha)]
    else:
        bounds = np.linspace(0, reps, jobs + 1).astype(int)
        with ProcessPoolExecutor(jobs) as pool:
            futures = [pool.submit(_count, seeds[lo:hi], design, cells, power_reps, int(lo), alpha)
                       for lo, hi in itertools.pairwise(bounds) if hi > lo]
            parts = [f.result() for f in futures]
    wall = time.perf_counter() - tic
    rejected = np.sum([p[0] for p in parts], axis=0)
    used = np.sum([p[1] for p in parts], axis=0)
    seconds, calls = sum(p[2] for p in parts), sum(p[3] for p in parts)
    index = design.treated()
    rows = []
    for cell, k_rejected, n in zip(cells, rejected, used, strict=True):
        rate = k_rejected / n if n else float("nan")
        rows.append({"treated": cell.treated, "size": int(design.sizes[index[cell.treated]]),
                     "method": cell.method, "corrected": cell.corrected, "k": cell.k,
                     "rejections": int(k_rejected), "reps": int(n), "rate": rate,
                     "se": float(np.sqrt(rate * (1 - rate) / n)) if n else float("nan")})
    table = pd.DataFrame(rows)
    table.attrs.update(seconds_per_call=seconds / calls if calls else float("nan"), calls=calls, wall_seconds=wall)
    return table


def simulation_se(p: float, reps: int) -> float:
    """Simulation SE of a rejection rate ``p`` estimated from ``reps`` replications."""
    return float(np.sqrt(p * (1 - p) / reps))


def attainable_level(alpha: float, assignments: int) -> float:
    """Largest ``k / assignments`` not above ``alpha``: the size of an exact permutation test."""
    return float(np.floor(alpha * assignments + 1e-9) / assignments)


def _percent(rate: float, se: float) -> str:
    return "n/a" if not np.isfinite(rate) else f"{100 * rate:.1f} ± {100 * se:.1f}"


def markdown_table(frame: pd.DataFrame) -> str:
    """A frame as a GitHub markdown table, the index as the first column."""
    head = [str(frame.index.name or ""), *map(str, frame.columns)]
    rows = [[str(i), *map(str, values)] for i, values in zip(frame.index, frame.to_numpy(), strict=True)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def size_table(table: pd.DataFrame) -> pd.DataFrame:
    """The no-effect rows as a wide table: one row per treated municipality, one column per test."""
    null = table[table["k"] == 0]
    out = {}
    for (name, size), rows in null.groupby(["treated", "size"], sort=False):
        line = {}
        for method in METHODS:
            for corrected in (True, False):
                hit = rows[(rows["method"] == method) & (rows["corrected"] == corrected)]
                label = f"{method} {'corrected' if corrected else 'uncorrected'}"
                line[label] = _percent(*hit[["rate", "se"]].iloc[0]) if len(hit) else "n/a"
        out[f"{name} ({size} persons)"] = line
    return pd.DataFrame(out).T


def power_figure(table: pd.DataFrame, alpha: float = ALPHA) -> Figure:
    """Rejection rate against the effect (in treated DiD SDs), one panel per treated municipality.

    Returns a :class:`matplotlib.figure.Figure` (no pyplot state).
    """
    from matplotlib.figure import Figure

    from hjeval.plots.style import A4_WIDTH_IN, PALETTE, styled

    colours = {"placebo": PALETTE["treated"], "conley-taber": PALETTE["comparison"]}
    markers = {"placebo": "o", "conley-taber": "s"}
    shift = {"placebo": -0.06, "conley-taber": 0.06}  # the two tests nearly coincide; keep both visible
    names = list(dict.fromkeys(table["treated"]))
    with styled():
        fig = Figure(figsize=(A4_WIDTH_IN, 3.0), layout="constrained")
        axes = fig.subplots(1, len(names), sharey=True, squeeze=False)[0]
        for ax, name in zip(axes, names, strict=True):
            rows = table[table["treated"] == name]
            for (method, corrected), line in rows.groupby(["method", "corrected"], sort=False):
                line = line.sort_values("k")
                ax.errorbar(line["k"] + shift.get(str(method), 0.0), 100 * line["rate"], yerr=196 * line["se"],
                            marker=markers.get(str(method), "o"), markersize=3, capsize=2,
                            color=colours.get(str(method), PALETTE["neutral"]),
                            linestyle="-" if corrected else "--", linewidth=1,
                            label=f"{method}, {'corrected' if corrected else 'uncorrected'}")
            ax.axhline(100 * alpha, color=PALETTE["neutral"], linewidth=0.7, linestyle=":",
                       label=f"level {100 * alpha:g} %")
            ax.set_title(f"{name} ({int(rows['size'].iloc[0])} persons)")
            ax.set_xlabel("effect (treated DiD SDs)")
            ax.set_ylim(0, 100)
        axes[0].set_ylabel("rejection rate, % (± 1.96 SE)")
        handles, labels = axes[0].get_legend_handles_labels()
        order = sorted(range(len(labels)), key=lambda i: labels[i].startswith("level"))  # the level line last
        fig.legend([handles[i] for i in order], [labels[i] for i in order], loc="outside lower center", ncols=3,
                   fontsize=7)
    return fig


def report(table: pd.DataFrame, design: Design, args: argparse.Namespace, total_seconds: float) -> str:
    """The markdown summary."""
    index = design.treated()
    reps = int(table.loc[table["k"] == 0, "reps"].max())
    lines = [
        "# Size and power with a small, median or large treated municipality",
        "",
        f"{reps} replications (seed {args.seed}) under no effect; the power rows use the first "
        f"{int(table.loc[table['k'] != 0, 'reps'].max()) if (table['k'] != 0).any() else 0}. "
        f"Level {100 * ALPHA:.0f} % (attainable with {len(design.sizes)} assignments: "
        f"{100 * attainable_level(ALPHA, len(design.sizes)):.2f} %); simulation SE at 5 %: "
        f"{100 * simulation_se(0.05, reps):.2f} points. "
        f"size_correction available: {has_size_correction()}.",
        "",
        f"{len(design.sizes)} municipalities of {int(design.sizes.min())}-{int(design.sizes.max())} persons "
        f"(median {np.median(design.sizes):.0f}); years {design.years[0]}-{design.years[-1]}, start {design.start}; "
        f"AR(1) shocks rho {design.rho}, SD {design.shock_sd}; person-level noise SD {design.noise_sd:.1f}.",
        "",
        "Treated municipality's own DiD SD (exact): "
        + ", ".join(f"{name} {did_sd(design, i):.2f}" for name, i in index.items()) + ".",
        "",
        "## Rejection rates under no effect (%, ± simulation SE)",
        "",
        markdown_table(size_table(table)),
        "",
        "## Power (% rejected; effect in treated DiD SDs)",
        "",
    ]
    power = table.assign(test=table["method"] + " " + np.where(table["corrected"], "corrected", "uncorrected"),
                         cell=[_percent(r, s) for r, s in zip(table["rate"], table["se"], strict=True)])
    wide = power.pivot_table(index=["treated", "size", "test"], columns="k", values="cell", aggfunc="first", sort=False)
    wide.columns = [f"k={k:g}" for k in wide.columns]
    wide.index = [f"{name} ({size}), {test}" for name, size, test in wide.index]
    lines += [markdown_table(wide), ""]
    lines += [
        "## Timing",
        "",
        f"{table.attrs['calls']:,} calls of hj.did, {1000 * table.attrs['seconds_per_call']:.1f} ms each "
        f"(inside the processes); {total_seconds:.0f} s wall with {args.jobs} process(es) on "
        f"{os.cpu_count()} cores; Python {platform.python_version()}, hjeval {hj.__version__}.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulation and write the markdown, JSON and figure to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=2000, help="replications under no effect (default 2000)")
    parser.add_argument("--power-reps", type=int, default=1000,
                        help="replications for each effect size k > 0 (default 1000)")
    parser.add_argument("--seed", type=int, default=20150101)
    parser.add_argument("--effects", type=float, nargs="+", default=list(EFFECTS),
                        help="effects in treated DiD SDs (default 0 1 2 3 4)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the summary and the figure")
    args = parser.parse_args(argv)
    effects = sorted(set(args.effects) | {0.0})
    design = Design()
    print(f"size_correction available: {has_size_correction()}; {args.reps} reps, {args.power_reps} for power, "
          f"{args.jobs} process(es) ...", flush=True)
    tic = time.perf_counter()
    table = rejection_rates(args.reps, args.seed, design=design, effects=effects, power_reps=args.power_reps,
                            jobs=args.jobs)
    total = time.perf_counter() - tic
    text = report(table, design, args, total)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "size_simulation.md").write_text(text)
    summary = {
        "seed": args.seed, "reps": args.reps, "power_reps": args.power_reps, "alpha": ALPHA,
        "attainable_level": attainable_level(ALPHA, len(design.sizes)),
        "size_correction_available": has_size_correction(),
        "design": design.describe(),
        "treated": {name: {"index": i, "code": int(design.codes[i]), "size": int(design.sizes[i]),
                           "did_sd": did_sd(design, i)} for name, i in design.treated().items()},
        "seconds_per_call": table.attrs["seconds_per_call"], "calls": table.attrs["calls"],
        "wall_seconds": total, "jobs": args.jobs,
        "rates": table.to_dict("records"),
    }
    (args.out / "size_simulation.json").write_text(json.dumps(summary, indent=2) + "\n")
    power_figure(table).savefig(args.out / "power_curve.png")
    print(f"wrote {args.out / 'size_simulation.md'}, size_simulation.json and power_curve.png", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
