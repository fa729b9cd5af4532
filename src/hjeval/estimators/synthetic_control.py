"""Synthetic control: the treated unit against a weighted average of comparison units.

The comparison units' weights are non-negative and sum to one; they are
chosen so that the weighted average (the synthetic control) follows the
treated unit before the start. The effect is the mean gap between the
treated unit and its synthetic control after the start.

This module also holds what synthetic control and synthetic
difference-in-differences (:mod:`hjeval.estimators.synthetic_did`) share:
the balanced panel as a unit x period matrix, and their inference, which
re-fits the estimator for every re-assignment of the treatment.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import minimize

from hjeval.design.cells import CellDesign
from hjeval.design.panel import Comparison, Movers
from hjeval.engines import Data, Engine
from hjeval.errors import DataError, warn_user
from hjeval.estimators._simplex import FrankWolfeProblems, frank_wolfe, simplex_least_squares, sparsify
from hjeval.estimators.did import placebo_errors, placebo_series, provenance_record
from hjeval.estimators.wide_panel import Predictor, WidePanel, _Predictors, predictor_values, wide_panel, window_codes
from hjeval.inference.reassignment import PlaceboSample, Reassignable, Target
from hjeval.inference.record import InferenceOptions, InferenceRecord
from hjeval.inference.strategies import InferenceOffer, infer
from hjeval.results.synthetic import Refit, SyntheticResult, rmspe, rmspe_ratio

__all__ = ["Predictor", "SyntheticInference", "SyntheticSolver", "synthetic_control"]

SyntheticInference = Literal["placebo", "jackknife", "bootstrap"]
"""Inference of synthetic control and synthetic DiD: placebo, or jackknife and bootstrap with several treated."""

SyntheticSolver = Literal["exact", "synthdid"]

_FW_MAX_ITER = 10_000
_FW_MAX_ITER_BEFORE_SPARSIFY = 100
_FW_TABLE_ENTRIES = 2_000_000
"""Frank-Wolfe problems are batched so that their Gram matrices hold at most this many numbers (16 MB)."""
_LOG_V_RANGE = 10.0
"""Predictor weights lie within a factor ``exp(10)`` of each other: every predictor counts and W(V) is unique."""

_PERFECT_FIT = 1e-16
"""A squared gap before the start at most this share of the treated path's squared length is a perfect fit."""

_BOOTSTRAP_ATTEMPTS = 100
"""A bootstrap draw without treated or without comparison units is drawn again, at most this many times per draw."""


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Raise DataError unless ``value`` is one of ``allowed`` (listed in the message)."""
    if not isinstance(value, str) or value not in allowed:
        raise DataError(f"{name}={value!r} is not one of {list(allowed)}")


def check_whole(name: str, value: object, minimum: int) -> int:
    """A whole number of at least ``minimum``, or DataError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < minimum:
        raise DataError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


# --------------------------------------------------------------------------- fitting


Assignment = tuple[np.ndarray, np.ndarray]
"""Rows of the panel that are treated, and rows that are donors (repeats allowed, as in a bootstrap draw)."""


@dataclass(frozen=True)
class UnitFit:
    """One fit of an assignment.

    Attributes
    ----------
    estimate : float
    omega : numpy.ndarray
        Weights of the donor rows, summing to 1.
    lam : numpy.ndarray
        Weights of the periods before the start (all 0 for synthetic control).
    treated_y, donor_y : numpy.ndarray
        The outcome rows the weights apply to (after any covariate adjustment).
    v : numpy.ndarray or None
        Predictor weights.
    """

    estimate: float
    omega: np.ndarray
    lam: np.ndarray
    treated_y: np.ndarray
    donor_y: np.ndarray
    v: np.ndarray | None = None

    def gap(self) -> np.ndarray:
        """Treated mean minus synthetic path per period, net of the ``lam``-weighted level before the start."""
        raw = self.treated_y.mean(axis=0) - self.omega @ self.donor_y
        return raw - self.lam @ raw[: len(self.lam)]


def effect(treated_y: np.ndarray, donor_y: np.ndarray, omega: np.ndarray, lam: np.ndarray) -> float:
    """Mean gap (treated mean minus ``omega``-weighted donors) after the start, less its ``lam``-weighted mean before.

    The start is ``len(lam)``; synthetic control has ``lam = 0``.
    """
    gap = treated_y.mean(axis=0) - omega @ donor_y
    start = len(lam)
    return float(gap[start:].mean() - lam @ gap[:start])


@dataclass(frozen=True)
class Start:
    """Weights a re-fit's solver starts from: donor weights, and time weights where the estimator has them."""

    omega: np.ndarray
    lam: np.ndarray | None = None


Warm = Sequence[Start | None] | None
"""Per assignment, the weights to start the solver from (None: the solver's own start)."""


def restricted(omega: np.ndarray, comparison: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """The actual fit's donor weights on another donor pool (a subset of ``comparison``, repeats allowed), summing to 1.

    Uniform where the pool carries no weight (R synthdid's ``sum_normalize``).
    """
    w = omega[np.searchsorted(comparison, donors)]
    total = w.sum()
    return w / total if total > 0 else np.full(len(w), 1.0 / len(w))


class Fitter(Protocol):
    """What an estimator of unit weights offers: fits of any assignments of the treatment to rows of its panel."""

    @property
    def exact_starts(self) -> bool:
        """Whether its solver reaches the same minimiser from any start, so that a warm start only saves work."""
        ...

    @property
    def warm_inference(self) -> bool:
        """Whether placebo and bootstrap re-fits start from the actual fit's weights."""
        ...

    def fit_many(self, assignments: Sequence[Assignment], *, warm: Warm = None) -> list[UnitFit]:
        """Fit every assignment (treated rows, donor rows), each as if alone.

        ``warm`` gives each assignment's starting weights to solvers that take
        a start (the nested predictor fit does not). With ``exact_starts`` the
        fits are the same (to the solver's tolerance); otherwise a start
        changes them, and callers pass one only where asked to
        (``warm_inference``).
        """
        ...

    def truncated(self, start: int, actual: Assignment, context: str) -> Fitter:
        """The fitter on the periods before its start only, with the start moved to ``start``.

        ``actual`` is the real assignment (for checks of the design);
        ``context`` leads any DataError message.
        """
        ...

    def reuse(self) -> str:
        """What its re-fits share or reuse, for the result's provenance."""
        ...


def noise_level(donor_y: np.ndarray) -> float:
    """Standard deviation of the donors' first differences before the start (synthdid's noise level)."""
    diffs = np.diff(donor_y, axis=1)
    return float(np.std(diffs, ddof=1)) if diffs.size > 1 else 0.0


def regularised_weights(a: Sequence[np.ndarray], b: Sequence[np.ndarray], zeta: np.ndarray, noise: np.ndarray,
                        *, intercept: bool, start: Sequence[np.ndarray | None] | None = None) -> list[np.ndarray]:
    """synthdid's weights: Frank-Wolfe for 100 iterations, sparsified, then to the stop.

    Problem ``k`` is ``min ||A_k w - b_k||^2 / n_k + zeta_k^2 ||w||^2`` over
    the simplex (``a[k]``: n_k x c_k; with ``intercept`` the columns and
    ``b_k`` are centred first), stopped once an iteration lowers it by no more
    than ``(1e-5 noise_k)^2`` or after 10,000 iterations. The iteration
    starts from uniform weights, or from ``start[k]`` where given (a warm
    start, which changes the early-stopped iterate). All problems run
    together (padded to the largest); each problem's Gram matrix and vertex
    table are computed once and serve both phases.
    """
    count = len(a)
    n_max = max(m.shape[0] for m in a)
    c_max = max(m.shape[1] for m in a)
    big_a = np.zeros((count, n_max, c_max))
    big_b = np.zeros((count, n_max))
    usable = np.zeros((count, c_max), dtype=bool)
    rows = np.empty(count)
    first = np.zeros((count, c_max))
    for k, (ak, bk) in enumerate(zip(a, b, strict=True)):
        n_k, c_k = ak.shape
        if intercept:
            np.subtract(ak, ak.mean(axis=0), out=big_a[k, :n_k, :c_k])
            np.subtract(bk, bk.mean(), out=big_b[k, :n_k])
        else:
            big_a[k, :n_k, :c_k] = ak
            big_b[k, :n_k] = bk
        usable[k, :c_k] = True
        rows[k] = n_k
        begin = None if start is None else start[k]
        if begin is None or not np.sum(begin) > 0:
            first[k, :c_k] = 1.0 / c_k
        else:
            first[k, :c_k] = begin / np.sum(begin)
    out = np.zeros((count, c_max))
    chunk = max(1, _FW_TABLE_ENTRIES // (c_max * c_max))
    for lo in range(0, count, chunk):
        part = slice(lo, lo + chunk)
        problems = FrankWolfeProblems.from_matrices(big_a[part], big_b[part], zeta[part], usable[part], rows[part])
        decrease = 1e-5 * noise[part]
        before, _ = frank_wolfe(problems, first[part], min_decrease=decrease, max_iter=_FW_MAX_ITER_BEFORE_SPARSIFY)
        out[part], _ = frank_wolfe(problems, sparsify(before), min_decrease=decrease, max_iter=_FW_MAX_ITER)
    return [w[: m.shape[1]] for w, m in zip(out, a, strict=True)]


def _regression_v(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Predictor weights from regressing the fitted outcomes on the predictors (the start Abadie et al. use)."""
    design = np.column_stack([np.ones(len(x)), x])
    beta = np.linalg.lstsq(design, z, rcond=None)[0][1:]
    v = np.sum(beta * beta, axis=1)
    return v / v.sum() if v.sum() > 0 else np.full(x.shape[1], 1.0 / x.shape[1])


@dataclass(frozen=True)
class ScFitter:
    """Synthetic-control weights: exact, synthdid's Frank-Wolfe, or nested on predictors."""

    y: np.ndarray
    start: int
    solver: Literal["exact", "synthdid", "predictors"]
    fit: np.ndarray
    predictors: _Predictors | None = None
    starts: int = 16
    seed: int = 0

    @property
    def exact_starts(self) -> bool:
        """The exact solver's minimiser does not depend on its start."""
        return self.solver == "exact"

    @property
    def warm_inference(self) -> bool:
        """No: placebo and bootstrap re-fits start from their own best donor (see :meth:`reuse`)."""
        return False

    def reuse(self) -> str:
        """What the re-fits reuse."""
        if self.solver == "exact":
            return ("exact solver: leave_one_out() and placebo_in_time() re-fits start from the actual weights "
                    "restricted to the remaining donors (the same minimiser, reached in fewer active-set changes; "
                    "a re-fit that fits perfectly, whose weights are not unique, is solved again from scratch); "
                    "placebo and bootstrap re-fits start from their best single donor, since their treated unit "
                    "differs and starting from the actual weights took more changes")
        if self.solver == "synthdid":
            return ("every re-fit starts synthdid's Frank-Wolfe from uniform weights (its early-stopped iterate "
                    "depends on the start); the actual fit and the placebo re-fits run as one batch, each "
                    "problem's Gram matrix and vertex table computed once for both of its phases")
        return ("nested predictor fit: within a fit each inner simplex solve starts from the previous one; every "
                "re-fit runs the nested fit afresh from its fixed starts")

    def fit_many(self, assignments: Sequence[Assignment], *, warm: Warm = None) -> list[UnitFit]:
        """Fit every assignment (treated rows, donor rows).

        ``warm`` starts the exact solver (its minimiser is the same from any
        start) and synthdid's Frank-Wolfe (whose early-stopped iterate is
        not); the nested fit takes the best of its fixed starts and ignores it.
        """
        starting: Sequence[Start | None] = [None] * len(assignments) if warm is None else warm
        no_time_weights = np.zeros(self.start)
        if self.solver == "synthdid":
            a, b, noise = [], [], []
            for treated, donors in assignments:
                a.append(self.y[np.ix_(donors, self.fit)].T)
                b.append(self.y[np.ix_(treated, self.fit)].mean(axis=0))
                noise.append(noise_level(self.y[np.ix_(donors, self.fit)]))
                # sc_estimate: no intercept, an 'infinitesimal' ridge of 1e-6 times the noise level
            level = np.array(noise)
            weights = regularised_weights(a, b, 1e-6 * level, level, intercept=False,
                                          start=[None if w is None else w.omega for w in starting])
        else:
            weights = []
            vs = []
            for (treated, donors), begin in zip(assignments, starting, strict=True):
                if self.solver == "predictors":
                    omega, v = self._nested(treated, donors)
                    vs.append(v)
                else:
                    omega = self._exact(donors, treated, None if begin is None else begin.omega)
                weights.append(omega)
        fits = []
        for j, ((treated, donors), omega) in enumerate(zip(assignments, weights, strict=True)):
            treated_y, donor_y = self.y[treated], self.y[donors]
            fits.append(UnitFit(effect(treated_y, donor_y, omega, no_time_weights), omega, no_time_weights,
                                treated_y, donor_y, vs[j] if self.solver == "predictors" else None))
        return fits

    def _exact(self, donors: np.ndarray, treated: np.ndarray, start: np.ndarray | None) -> np.ndarray:
        """The exact weights, from ``start`` where given.

        The fitted path before the start is unique, the weights only where it
        is not a perfect fit: several weightings may then reproduce the
        treated path exactly. A warm start that ends in a perfect fit is
        therefore re-solved from the solver's own start, so that a re-fit
        picks the weights the estimator itself would.
        """
        a = self.y[np.ix_(donors, self.fit)].T
        b = self.y[np.ix_(treated, self.fit)].mean(axis=0)
        solution = simplex_least_squares(a, b, start=start)
        if start is not None and solution.objective <= _PERFECT_FIT * float(b @ b):
            solution = simplex_least_squares(a, b)
        return solution.weights

    def truncated(self, start: int, actual: Assignment, context: str) -> ScFitter:
        """The fitter on the periods before the start, the start moved to ``start`` and the fit window cut there."""
        fit = self.fit[self.fit < start]
        if not len(fit):
            raise DataError(f"{context}: the fit_window lies wholly from the placebo start on, leaving no period "
                            "to fit the weights to; use fewer periods or re-fit with a fit_window that begins "
                            "earlier")
        if self.predictors is not None:
            late = [label for label, end in zip(self.predictors.labels, self.predictors.ends, strict=True)
                    if end >= start]
            if late:
                raise DataError(f"{context}: the predictors {late} reach the placebo start, so they would use "
                                "periods the placebo treats as treated; use fewer periods or re-fit with "
                                "predictors that end before the placebo start")
        return dataclasses.replace(self, y=self.y[:, : self.start], start=start, fit=fit)

    def _nested(self, treated: np.ndarray, donors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Abadie, Diamond and Hainmueller's fit: W(V) on the predictors, V chosen for the outcome fit.

        ``V = exp(u) / sum(exp(u))`` with ``u`` in ``[-10, 0]``; the outer loss
        is minimised by L-BFGS-B from every start with its exact gradient
        (the inner solution differentiated on its support), and the best
        end point is kept.
        """
        if self.predictors is None:  # pragma: no cover - set whenever solver == "predictors"
            raise DataError("no predictors")
        units = np.unique(np.r_[treated, donors])
        raw = self.predictors.values
        scale = np.std(raw[units], axis=0, ddof=1) if len(units) > 1 else np.ones(raw.shape[1])
        scale[~(scale > 0)] = 1.0
        x = raw / scale
        x1, x0 = x[treated].mean(axis=0), x[donors].T
        z1, z0 = self.y[np.ix_(treated, self.fit)].mean(axis=0), self.y[np.ix_(donors, self.fit)].T
        k = x0.shape[0]
        previous: list[np.ndarray | None] = [None]

        def weights_of(u: np.ndarray) -> np.ndarray:
            v = np.exp(u - u.max())
            return v / v.sum()

        def inner(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            root = np.sqrt(v)
            solution = simplex_least_squares(root[:, None] * x0, root * x1, start=previous[0])
            previous[0] = solution.weights
            return solution.weights, solution.support

        def loss_and_gradient(u: np.ndarray) -> tuple[float, np.ndarray]:
            v = weights_of(u)
            w, face = inner(v)
            gap = z1 - z0 @ w
            loss = float(gap @ gap) / len(gap)
            # on its support, W(V) solves [X'VX 1; 1' 0] [w; m] = [X'V x1; 1]; the adjoint gives dL/dV
            xf = x0[:, face]
            m = len(face)
            kkt = np.zeros((m + 1, m + 1))
            kkt[:m, :m] = xf.T @ (v[:, None] * xf)
            kkt[:m, m] = kkt[m, :m] = 1.0
            adjoint = np.linalg.lstsq(kkt, np.r_[-2.0 * z0[:, face].T @ gap / len(gap), 0.0], rcond=None)[0][:m]
            d_v = (x1 - xf @ w[face]) * (xf @ adjoint)
            return loss, v * (d_v - v @ d_v)

        rng = np.random.default_rng(self.seed)
        starts = [np.full(k, 1.0 / k), _regression_v(x[units], self.y[np.ix_(units, self.fit)])]
        starts += [np.where(np.arange(k) == j, 1.0, math.exp(-_LOG_V_RANGE)) for j in range(k)]
        while len(starts) < self.starts:
            starts.append(rng.dirichlet(np.ones(k)))
        bounds = [(-_LOG_V_RANGE, 0.0)] * k
        best = (math.inf, np.zeros(k))
        for v0 in starts[: self.starts]:
            logs = np.log(np.clip(v0, 1e-300, None))
            u0 = np.clip(logs - logs.max(), -_LOG_V_RANGE, 0.0)
            result = minimize(loss_and_gradient, u0, jac=True, method="L-BFGS-B", bounds=bounds,
                              options={"maxiter": 200})
            if result.fun < best[0]:
                best = (float(result.fun), result.x)
        v = weights_of(best[1])
        previous[0] = None
        return inner(v)[0], v


# --------------------------------------------------------------------------- inference


def _refuse_resampling(method: str, estimator: str) -> DataError:
    if method == "jackknife":
        why = ("the jackknife leaves out one unit at a time, and leaving out the only treated unit leaves no "
               "effect to estimate, so its variance is not defined")
    else:
        why = ("a bootstrap draw either misses the treated unit (and is discarded) or repeats it, so the spread "
               "of the bootstrap estimates reflects the resampling of the comparison units alone and understates "
               "the uncertainty that comes from the treated unit's own shocks")
    return DataError(
        f"inference={method!r} needs several treated units; with one treated unit {why}. Use "
        f"inference='placebo' for {estimator}: it re-fits the estimator with the treatment given to every "
        "comparison unit"
    )


def _normal_record(method: Literal["jackknife", "bootstrap"], estimate: float, se: float, alpha: float, *,
                   draws: int, seed: int | None, clusters: int, treated: int, unit: str, notes: list[str],
                   ) -> InferenceRecord:
    if not (math.isfinite(se) and se > 0):
        note = f"the {method} standard error is not positive: no interval"
        warn_user(note)
        notes = [*notes, note]
        se, ci, p = math.nan, (math.nan, math.nan), math.nan
    else:
        crit = float(stats.norm.ppf(1 - alpha / 2))
        ci = (estimate - crit * se, estimate + crit * se)
        p = float(2 * stats.norm.sf(abs(estimate / se)))
    return InferenceRecord(
        "cluster", estimate, se, ci, p, alpha, draws=draws, seed=seed, clusters=clusters, treated_clusters=treated,
        df=math.inf, vcov=method, cluster_by=unit, notes=tuple(notes),
    )


def _jackknife(panel: WidePanel, main: UnitFit, alpha: float, unit: str) -> InferenceRecord:
    """Leave each unit out, the weights held fixed (donor weights renormalised): Arkhangelsky et al.'s Algorithm 3.

    The outcome adjusted for covariates (synthetic DiD) is held fixed too.
    """
    treated_y, donor_y, omega, lam = main.treated_y, main.donor_y, main.omega, main.lam
    values = []
    notes = ["jackknife over units with the unit and time weights held fixed (Arkhangelsky et al. 2021, "
             "Algorithm 3)"]
    for i in range(len(treated_y)):
        values.append(effect(np.delete(treated_y, i, axis=0), donor_y, omega, lam))
    for j in range(len(donor_y)):
        rest = np.delete(omega, j)
        if rest.sum() <= 0:
            values = []
            notes.append("one comparison unit carries all the weight: leaving it out leaves no synthetic control")
            break
        values.append(effect(treated_y, np.delete(donor_y, j, axis=0), rest / rest.sum(), lam))
    n = len(treated_y) + len(donor_y)
    u = np.array(values)
    se = float(np.sqrt((n - 1) / n * np.sum((u - u.mean()) ** 2))) if len(values) == n else math.nan
    return _normal_record("jackknife", main.estimate, se, alpha, draws=n, seed=None, clusters=n,
                          treated=len(treated_y), unit=unit, notes=notes)


def _bootstrap(panel: WidePanel, fitter: Fitter, main: UnitFit, alpha: float, seed: int, draws: int,
               unit: str) -> InferenceRecord:
    """Resample units with replacement and re-fit: Arkhangelsky et al.'s Algorithm 2."""
    rng = np.random.default_rng(seed)
    units = np.r_[panel.comparison, panel.treated]
    is_treated = np.isin(units, panel.treated)
    assignments: list[Assignment] = []
    attempts = 0
    while len(assignments) < draws:
        attempts += 1
        if attempts > _BOOTSTRAP_ATTEMPTS * draws:
            raise DataError(f"inference='bootstrap': {attempts - 1} draws gave only {len(assignments)} with both "
                            "treated and comparison units; use inference='placebo'")
        pick = np.sort(rng.integers(0, len(units), size=len(units)))
        treated, donors = units[pick][is_treated[pick]], units[pick][~is_treated[pick]]
        if len(treated) and len(donors):
            assignments.append((treated, donors))
    warm = [_start(main, panel.comparison, donors) for _, donors in assignments] if fitter.warm_inference else None
    estimates = np.array([f.estimate for f in fitter.fit_many(assignments, warm=warm)])
    se = float(np.std(estimates, ddof=0))
    return _normal_record("bootstrap", main.estimate, se, alpha, draws=draws, seed=seed, clusters=len(units),
                          treated=len(panel.treated), unit=unit,
                          notes=[f"bootstrap over units, {draws} draws with the weights re-fitted each time "
                                 "(Arkhangelsky et al. 2021, Algorithm 2)"])


@dataclass(frozen=True)
class Inferred:
    """The inference record and, for placebo inference, its re-assignments.

    ``singles`` are the fits with each comparison unit treated alone (in
    comparison order), where placebo inference with one treated unit made them.
    """

    record: InferenceRecord
    sample: PlaceboSample | None
    singles: tuple[UnitFit, ...] = ()


def fit_and_infer(panel: WidePanel, fitter: Fitter, *, method: SyntheticInference, estimator: str,
                  options: InferenceOptions, unit: str) -> tuple[UnitFit, Inferred]:
    """Fit the actual assignment and infer on it.

    Placebo inference goes through the shared layer
    (:func:`hjeval.inference.strategies.infer`) with a re-fit per
    re-assignment; the jackknife and the bootstrap are computed here. With
    one treated unit and placebo inference, the actual fit and every placebo
    fit are made in one batch, unless the fitter asks for warm starts
    (``warm_inference``): then the actual fit comes first and every placebo
    and bootstrap re-fit starts from its weights.
    """
    treated, comparison = panel.treated, panel.comparison
    if method in ("jackknife", "bootstrap") and len(treated) < 2:
        raise _refuse_resampling(method, estimator)
    if method == "placebo" and len(treated) > 1 and len(comparison) <= len(treated):
        raise DataError(f"placebo inference with {len(treated)} treated units needs more comparison units than "
                        f"that ({len(comparison)} here)")
    cache: dict[tuple[int, ...], UnitFit] = {}
    singles_fitted: tuple[UnitFit, ...] = ()
    if method == "placebo" and len(treated) == 1:
        singles = single_assignments(comparison)
        if fitter.warm_inference:
            main = fitter.fit_many([(treated, comparison)])[0]
            fits = [main, *fitter.fit_many(singles, warm=[_start(main, comparison, d) for _, d in singles])]
        else:
            fits = fitter.fit_many([(treated, comparison), *singles])
            main = fits[0]
        cache = {(int(c),): f for c, f in zip(comparison, fits[1:], strict=True)}
        singles_fitted = tuple(fits[1:])
    else:
        main = fitter.fit_many([(treated, comparison)])[0]
    if method == "jackknife":
        if estimator == "synthetic_control":
            warn_user("the jackknife is not recommended for synthetic control (Arkhangelsky et al. 2021, section "
                      "5): its sparse weights make leaving out a weighted comparison unit a large change; prefer "
                      "inference='placebo' or 'bootstrap'")
        return main, Inferred(_jackknife(panel, main, options.alpha, unit), None)
    if method == "bootstrap":
        return main, Inferred(_bootstrap(panel, fitter, main, options.alpha, options.seed, options.draws, unit),
                              None)
    truly = {int(g) for g in treated}

    def evaluate(sets: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        estimates = np.full((len(sets), 1), np.nan)
        slopes = np.zeros((len(sets), 1, 1))
        todo: list[int] = []
        assignments: list[Assignment] = []
        for s, groups in enumerate(sets):
            chosen = np.sort(np.asarray(groups, dtype=np.int64))
            # removing an effect b0 from the truly treated lowers the estimate by b0 times their share of the
            # set: the weights are fitted to periods before the start, with comparison units only as donors
            slopes[s, 0, 0] = sum(int(g) in truly for g in chosen) / len(chosen)
            key = tuple(int(g) for g in chosen)
            if np.array_equal(chosen, treated):
                estimates[s, 0] = main.estimate
            elif key in cache:
                estimates[s, 0] = cache[key].estimate
            else:
                donors = np.setdiff1d(comparison, chosen)
                if len(donors):
                    todo.append(s)
                    assignments.append((chosen, donors))
        if assignments:
            warm = [_start(main, comparison, d) for _, d in assignments] if fitter.warm_inference else None
            for s, fit in zip(todo, fitter.fit_many(assignments, warm=warm), strict=True):
                estimates[s, 0] = fit.estimate
        return estimates, slopes

    problem = Reassignable(
        coef=np.array([main.estimate]), treated=treated, comparison=comparison,
        group_labels=panel.unit_labels, sizes=panel.sizes, shares=np.ones(len(panel.unit_labels)),
        size_measure=panel.size_measure, evaluate=evaluate, residual_errors=None,
    )
    offer = InferenceOffer(coef=problem.coef, estimator=estimator, clusters=len(panel.unit_labels),
                           treated_clusters=len(treated), cluster_by=unit, reassignment=problem,
                           covariance=None, bootstrap=None)
    outcome = infer(offer, [_TARGET], options, stacklevel=4)
    return main, Inferred(outcome.records[0], outcome.placebo, singles_fitted)


_TARGET = Target(np.ones(1), np.zeros(1), np.ones(1))


def single_assignments(comparison: np.ndarray) -> list[Assignment]:
    """Each comparison unit treated alone, the other comparison units its donors (in comparison order)."""
    others = ~np.eye(len(comparison), dtype=bool)
    return [(comparison[j: j + 1], comparison[others[j]]) for j in range(len(comparison))]


def _start(main: UnitFit, comparison: np.ndarray, donors: np.ndarray, *, time_weights: bool = True) -> Start:
    """The actual fit's weights as a re-fit's start: donor weights restricted to its donors, time weights kept."""
    return Start(restricted(main.omega, comparison, donors), main.lam if time_weights and len(main.lam) else None)


# --------------------------------------------------------------------------- robustness re-fits


@dataclass(frozen=True)
class Refitter:
    """What a synthetic result keeps to re-fit itself (:class:`hjeval.results.synthetic.SyntheticRefits`).

    The fitter holds the unit x period means (and unit-level predictors),
    never person rows. ``actual`` (the actual fit) gives the starts of the
    re-fits that take one: leave_one_out() and placebo_in_time() start an
    exact solver from the actual weights restricted to the remaining donors,
    and in_space_placebos() starts where the placebo inference did.
    ``single_fits`` are the placebo inference's fits with each comparison
    unit treated alone, turned into re-fits only when asked for.
    """

    fitter: Fitter
    treated: np.ndarray
    comparison: np.ndarray
    unit_labels: tuple[object, ...]
    period_labels: tuple[object, ...]
    start: int
    actual: UnitFit
    single_fits: tuple[UnitFit, ...] = ()

    def refit(self, fit: UnitFit, donors: np.ndarray) -> Refit:
        """A fit as the result's robustness checks report it."""
        gap = fit.gap()
        periods = pd.Index(list(self.period_labels[: len(gap)]), name="period")
        labels = pd.Index([self.unit_labels[g] for g in donors])
        return Refit(fit.estimate, pd.Series(fit.omega, index=labels, name="weight"),
                     pd.Series(gap, index=periods, name="gap"), len(fit.lam))

    def _need_two_donors(self, check: str) -> None:
        if len(self.comparison) < 2:
            raise DataError(f"{check} leaves one comparison unit out of {len(self.comparison)}, which leaves no "
                            "donors to fit the weights to; it needs at least 2 comparison units")

    def _exact_start(self, donors: np.ndarray, *, time_weights: bool = True) -> Start | None:
        """The actual weights as the start of a solver that reaches the same minimiser from any start, else None."""
        if not self.fitter.exact_starts:
            return None
        return _start(self.actual, self.comparison, donors, time_weights=time_weights)

    def without(self, donors: Sequence[object]) -> list[Refit]:
        """One re-fit per donor label, that donor left out of the pool."""
        self._need_two_donors("leave_one_out()")
        position = {self.unit_labels[g]: j for j, g in enumerate(self.comparison)}
        assignments: list[Assignment] = [(self.treated, np.delete(self.comparison, position[label]))
                                         for label in donors]
        fits = self.fitter.fit_many(assignments, warm=[self._exact_start(d) for _, d in assignments])
        return [self.refit(f, a[1]) for f, a in zip(fits, assignments, strict=True)]

    def earlier(self, periods: object) -> Refit:
        """The re-fit on the periods before the start, with the start moved ``periods`` earlier."""
        if isinstance(periods, bool) or not isinstance(periods, numbers.Integral) or int(periods) < 1:
            raise DataError(f"periods={periods!r} must be a positive whole number: how many periods before the "
                            f"start={self.period_labels[self.start]} the placebo start lies, e.g. periods=2")
        k = int(periods)
        start = self.start - k
        if start < 2:
            raise DataError(
                f"periods={k} leaves {max(start, 0)} period(s) before the placebo start, but at least 2 are "
                f"needed to fit the weights; with start={self.period_labels[self.start]} use periods of at most "
                f"{self.start - 2}" + ("" if self.start >= 3 else " (here none is possible)")
            )
        context = f"periods={k} (placebo start {self.period_labels[start]})"
        fitter = self.fitter.truncated(start, (self.treated, self.comparison), context)
        warm = [self._exact_start(self.comparison, time_weights=False)]
        fit = fitter.fit_many([(self.treated, self.comparison)], warm=warm)[0]
        return self.refit(fit, self.comparison)

    def each_donor(self) -> list[Refit]:
        """One re-fit per comparison unit treated alone, the others as donors."""
        self._need_two_donors("in_space_placebos()")
        assignments = single_assignments(self.comparison)
        fits: Sequence[UnitFit] = self.single_fits
        if not fits:
            warm = [_start(self.actual, self.comparison, d) for _, d in assignments] \
                if self.fitter.warm_inference else None
            fits = self.fitter.fit_many(assignments, warm=warm)
        return [self.refit(f, a[1]) for f, a in zip(fits, assignments, strict=True)]


def refitter(panel: WidePanel, fitter: Fitter, main: UnitFit, inferred: Inferred) -> Refitter:
    """The re-fitting state of a result: the fitter, the codes and labels, the actual and placebo fits."""
    return Refitter(fitter, panel.treated, panel.comparison, panel.unit_labels, panel.period_labels, panel.start,
                    main, inferred.singles)


def synthetic_result(
    *, method: str, panel: WidePanel, main: UnitFit, inferred: Inferred, outcome: str, unit: str, seed: int,
    solver: str, predictor_labels: Sequence[str] = (), extra: dict[str, object] | None = None,
    refits: Refitter | None = None,
) -> SyntheticResult:
    """The frozen result of a fit and its inference (``refits``: what its robustness checks re-fit with).

    What the re-fits reuse (``refits.fitter.reuse()``) goes into the
    provenance as ``solver_reuse`` and, for inference that re-fits (placebo,
    bootstrap), into the inference record's notes.
    """
    design = panel.design
    periods = pd.Index(list(panel.period_labels), name="period")
    start = panel.start
    treated_path = panel.y[panel.treated].mean(axis=0)
    gap = main.gap()
    pre_rmspe = rmspe(gap[:start])
    post_rmspe = rmspe(gap[start:])
    donors = pd.Index([panel.unit_labels[g] for g in panel.comparison], name=unit)
    record = inferred.record
    reuse = refits.fitter.reuse() if refits is not None else ""
    if reuse and record.vcov != "jackknife":
        record = dataclasses.replace(record, notes=(*record.notes, f"re-fits: {reuse}"))
    provenance = provenance_record(design, seed, **(extra or {}), solver_reuse=reuse)
    provenance.pop("clusters", None)
    provenance["units"] = provenance.pop("groups")
    provenance["engine_path"] = "cells" if isinstance(design, CellDesign) else "rows"
    provenance["inference"] = record.vcov if record.method == "cluster" else record.method
    provenance["draws"] = record.draws
    if record.method == "placebo":
        provenance["exact_enumeration"] = record.exact
        provenance["degenerate_draws"] = record.degenerate
    return SyntheticResult(
        estimate=record.estimate, se=record.se, ci=(float(record.ci[0]), float(record.ci[1])),
        pvalue=float(record.pvalue), n_obs=design.n_obs, alpha=record.alpha, inference=record, method=method,
        outcome=outcome, treated=design.treated_label(), start=design.period_labels[start],
        comparison=design.comparison,
        weights=pd.Series(main.omega, index=donors, name="weight"),
        time_weights=(pd.Series(main.lam, index=periods[:start], name="time_weight")
                      if method == "synthetic_did" else pd.Series(dtype=float, name="time_weight")),
        predictor_weights=(pd.Series(main.v, index=pd.Index(list(predictor_labels), name="predictor"),
                                     name="predictor_weight")
                           if main.v is not None else pd.Series(dtype=float, name="predictor_weight")),
        gap=pd.Series(gap, index=periods, name="gap"),
        treated_path=pd.Series(treated_path, index=periods, name="treated"),
        synthetic_path=pd.Series(treated_path - gap, index=periods, name="synthetic"),
        pre_rmspe=pre_rmspe, post_pre_rmspe_ratio=rmspe_ratio(post_rmspe, pre_rmspe),
        placebo=placebo_series(inferred.sample, _TARGET),
        placebo_errors=placebo_errors(inferred.sample, [_TARGET], [record.estimate], ["treatment"])["treatment"]
        .rename("placebo_error"),
        solver=solver, provenance=provenance, _refits=refits,
    )


def inference_choice(inference: object, *, alpha: float, seed: int, draws: int,
                     size_correction: bool) -> tuple[SyntheticInference, InferenceOptions]:
    """The checked inference method and options (placebo when none is given)."""
    method = "placebo" if inference is None else inference
    check_choice("inference", method, get_args(SyntheticInference))
    options = InferenceOptions("placebo", alpha=alpha, seed=seed, draws=draws, size_correction=size_correction)
    return method, options  # type: ignore[return-value]


# --------------------------------------------------------------------------- the estimator


def synthetic_control(
    data: Data,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    *,
    predictors: Sequence[Predictor] | None = None,
    fit_window: tuple[object, object] | None = None,
    solver: SyntheticSolver = "exact",
    group: str | None = None,
    weights: str | None = None,
    comparison: Comparison = None,
    inference: SyntheticInference | None = None,
    alpha: float = 0.05,
    seed: int = 0,
    draws: int = 200,
    size_correction: bool = True,
    starts: int = 16,
    movers: Movers = "error",
    engine: Engine | None = None,
    client: object | None = None,
) -> SyntheticResult:
    """Synthetic control: the treated unit against a weighted average of comparison units.

    The weights ``w`` (non-negative, summing to 1) make ``sum_j w_j y_jt``
    follow the treated unit's outcome before the start; the effect is the mean
    of the gap ``y_1t - sum_j w_j y_jt`` over the periods from the start on.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Long panel, or the path of a Parquet file or folder of them (read out
        of core, see ``engine``); every unit (or ``group``) must be observed in
        every period.
    outcome, unit, time : str
        Column names.
    treated : label or list of labels
        Treated unit(s); with several, their mean is the treated path.
    start : int, str, pandas.Period or Timestamp
        First treated period, of the same kind as ``time``.
    predictors : list of tuples, optional
        ``(column, first, last)``: the column's mean over those periods (an
        outcome column may appear with single periods, ``(column, period)``).
        Then the weights are Abadie, Diamond and Hainmueller's: ``W(V)``
        minimises ``(X_1 - X_0 W)' V (X_1 - X_0 W)`` over the predictors
        (each scaled by its standard deviation across units), and the
        predictor weights ``V`` minimise the mean squared gap of the outcome
        over ``fit_window``.
    fit_window : (first, last), optional
        Periods before the start the outcome is fitted to (default all of them).
    solver : {"exact", "synthdid"}, default "exact"
        Outcome-only weights: ``"exact"`` minimises the squared gap before
        the start exactly (an active-set method on the simplex);
        ``"synthdid"`` follows the synthetic control of R's synthdid
        (``sc_estimate``): Frank-Wolfe with an infinitesimal ridge, stopped
        early and sparsified, whose weights are close to the exact ones but
        not equal.
    group : str, optional
        Where the treatment is assigned when ``unit`` is finer (persons): the
        outcome is averaged to group x period cells (weighted by ``weights``).
    weights : str, optional
        Row weights for those averages.
    comparison : None, {"north_jutland", "rural", "all"} or list
        Comparison (donor) units; default all others.
    inference : {"placebo", "jackknife", "bootstrap"}, optional
        Default ``"placebo"``: the estimator is re-fitted with the treatment
        given to every comparison unit in turn (with several treated units, to
        ``draws`` random sets of as many), each time using only the
        comparison units as donors (the truly treated unit is left out of
        every placebo's donor pool, so the placebo estimates do not move
        with the treated unit's effect: their slopes are 0). The p-value is
        the rank of the estimate among the re-assignments and the interval
        inverts that test; placebo estimates are rescaled to the treated
        unit's size where sizes differ (``size_correction``). ``"jackknife"``
        (weights held fixed) and ``"bootstrap"`` (units resampled, weights
        re-fitted) need several treated units and are refused with one.
    alpha : float, default 0.05
    seed : int, default 0
        For random starts of the predictor weights, random placebo sets and
        bootstrap draws.
    draws : int, default 200
        Random placebo sets (several treated units) or bootstrap draws.
    size_correction : bool, default True
        Ferman and Pinto's correction for groups of unequal size (see
        :func:`hjeval.did`); with one row per unit and period every unit has
        the same size and nothing changes.
    starts : int, default 16
        Starting values of the predictor weights: equal weights, the
        regression-based weights of Abadie et al., each predictor alone, then
        random draws; from each, the outcome fit is improved by L-BFGS-B with
        its exact gradient, and the best end point is kept.
    movers : {"error", "entry", "split"}, default "error"
        Persons seen in several groups (see :func:`hjeval.did`).
    engine : {"pandas", "duckdb", "dask"}, optional
        Where the rows are read (:mod:`hjeval.engines`), as in
        :func:`hjeval.did`: ``"pandas"`` in memory (the default for a
        DataFrame), ``"duckdb"`` out of core (the default for a path), ``"dask"``
        on a Dask cluster. On DuckDB and Dask the unit x period means come from
        the engine's cell sums when the regressors are constant within cells
        and each unit stays in one group (no row is held), else from the rows
        the engine codes; ``provenance["engine_path"]`` says ``"cells"`` or
        ``"rows"``. Every engine gives the same weights, estimate and inference.
        One caveat: with ``predictors`` and several rows per cell the engine
        sums each predictor by cell first, so its means agree with the rows'
        to rounding only, and the nested fit (not convex) can reach another
        optimum in a placebo re-fit where the predictors determine the weights
        poorly.
    client : dask.distributed.Client, optional
        The cluster ``engine="dask"`` runs on (default: a local cluster started
        for the call and closed afterwards); giving one without ``engine``
        chooses ``"dask"``.

    Returns
    -------
    SyntheticResult
        ``weights`` (Series by comparison unit, summing to 1), ``gap``,
        ``pre_rmspe``, ``post_pre_rmspe_ratio``, ``predictor_weights``
        (with ``predictors``) and the inference record.
        Its robustness checks ``placebo_in_time(periods)``,
        ``leave_one_out()`` and ``in_space_placebos()`` re-fit the estimator.

    Raises
    ------
    DataError
        Bad columns or options; an unbalanced panel (naming the missing unit x
        period cells); a treated unit without periods before the start;
        predictors naming missing columns or periods outside the pre-period;
        ``inference="jackknife"`` or ``"bootstrap"`` with one treated unit.

    Notes
    -----
    Abadie and Gardeazabal (2003, AER 93(1)); Abadie, Diamond and Hainmueller
    (2010, JASA 105(490)) for predictors and placebo inference; Arkhangelsky,
    Athey, Hirshberg, Imbens and Wager (2021, AER 111(12)) for the
    ``"synthdid"`` solver, the jackknife and the bootstrap. Synthetic control
    has no intercept: adding a constant to every unit's outcome is not
    absorbed (unless the donors' weights reproduce it), while scaling the
    outcome scales the estimate. The nested predictor fit is not convex;
    several starts guard against poor local optima, and predictor weights are
    kept within a factor ``exp(10)`` of each other so that the unit weights
    are unique. Placebo inference with predictors re-runs the nested fit for
    every re-assignment.

    Re-fits reuse solver state where that leaves them unchanged. With the
    exact solver, ``leave_one_out()`` and ``placebo_in_time()`` start each
    re-fit from the actual weights restricted to the remaining donors: the
    minimiser is the same (the fit before the start agrees to rounding) and
    is reached in fewer active-set changes (on Proposition 99, 7 against 37
    for the leave-one-out re-fits and 69 against 141 for the 17 placebo
    starts). Only a perfect fit before the start leaves the weights
    undetermined (with 6 or fewer periods on Proposition 99); such a re-fit
    is solved again from the solver's own start, so that it keeps the
    weights a direct call of the estimator gives. Placebo and bootstrap re-fits have another treated unit (or
    treated mean), and starting them from the actual weights took more
    changes (537 against 423 for the 38 placebos), so they start from their
    best single donor. synthdid's early-stopped Frank-Wolfe always starts
    from uniform weights (its iterate depends on the start); its placebo
    problems run as one batch, each with its Gram matrix and vertex table
    computed once. ``provenance["solver_reuse"]`` (and a note in the
    inference record) says which applies.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from hjeval.estimators.synthetic_control import synthetic_control
    >>> rng = np.random.default_rng(3)
    >>> panel = pd.DataFrame([(m, y) for m in range(20) for y in range(2000, 2012)], columns=["m", "year"])
    >>> trend = rng.normal(size=20)
    >>> panel["y"] = trend[panel.m] * (panel.year - 2000) + rng.normal(scale=0.3, size=len(panel))
    >>> panel.loc[(panel.m == 0) & (panel.year >= 2008), "y"] += 4.0
    >>> res = synthetic_control(panel, "y", unit="m", time="year", treated=0, start=2008)
    >>> round(float(res.weights.sum()), 12), res.inference.label
    (1.0, 'placebo permutation over 19 re-assignments')
    """
    check_choice("solver", solver, get_args(SyntheticSolver))
    method, options = inference_choice(inference, alpha=alpha, seed=seed, draws=draws,
                                       size_correction=size_correction)
    starts = check_whole("starts", starts, 1)
    if predictors is not None and solver != "exact":
        raise DataError(f"solver={solver!r} fits the outcome only; predictors are fitted by the nested "
                        "optimisation of Abadie et al.: leave solver='exact' or drop predictors")
    panel = wide_panel(data, estimator="synthetic_control", outcome=outcome, unit=unit, time=time, treated=treated,
                       start=start, group=group, weights=weights, regressors=(), comparison=comparison,
                       movers=movers, engine=engine, client=client)
    lo, hi = (0, panel.start - 1) if fit_window is None else window_codes(panel, fit_window, "fit_window")
    fit = np.arange(lo, hi + 1)
    found = None if predictors is None else predictor_values(data, panel, predictors, group=group or unit,
                                                            time=time, weights=weights, engine=engine, client=client)
    kind: Literal["exact", "synthdid", "predictors"] = "predictors" if found is not None else solver
    fitter = ScFitter(panel.y, panel.start, kind, fit, found, starts, seed)
    main, inferred = fit_and_infer(panel, fitter, method=method, estimator="synthetic_control", options=options,
                                   unit=group or unit)
    extra: dict[str, object] = {"weights_by": kind, "fit_window": (panel.period_labels[lo], panel.period_labels[hi])}
    if found is not None:
        extra["starts"] = starts
    return synthetic_result(
        method="synthetic_control", panel=panel, main=main, inferred=inferred, outcome=outcome, unit=group or unit,
        seed=seed, solver=kind, predictor_labels=found.labels if found is not None else (), extra=extra,
        refits=refitter(panel, fitter, main, inferred),
    )
