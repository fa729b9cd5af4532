"""The arithmetic of the staggered (Callaway-Sant'Anna) estimator on unit-by-period arrays.

Everything here works on plain numpy arrays of a balanced panel whose units
are sorted by cohort: ``y`` (units x periods), each unit's cohort (the position
of its first treated period, ``inf`` for never treated), unit weights
(mean 1) and, with covariates, a (periods x units x k) array with an
intercept column. Period positions are the periods' ordinals in steps of the
data's frequency, so distances are calendar distances.

Conventions follow R ``did`` 2.5.1 (``att_gt``, ``aggte``, ``mboot``) and
``DRDID`` (``reg_did_panel``, ``drdid_panel``): every ATT(g,t) carries an
influence function per unit, scaled so that its standard error is
``sqrt(sum_c S_c^2) / n`` with ``S_c`` the sum over the units of cluster ``c``
and ``n`` the number of units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from hjeval.errors import DataError

__all__ = [
    "Aggregation",
    "BaseMethod",
    "BootstrapDraws",
    "CellEstimates",
    "ControlGroup",
    "EstMethod",
    "MultiplierWeights",
    "StaggeredArrays",
    "aggregate",
    "bootstrap_deviations",
    "estimate_cells",
    "plan_cells",
    "wald_pretest",
]

ControlGroup = Literal["never", "notyet"]
EstMethod = Literal["reg", "dr"]
BaseMethod = Literal["varying", "universal"]
MultiplierWeights = Literal["rademacher", "mammen"]

_TINY_SE = float(np.sqrt(np.finfo(float).eps) * 10)
"""Standard errors at or below this are treated as zero (R did's threshold)."""

_CELL_BLOCK = 64
"""Cells whose influence functions are formed together (bounds the temporaries to units x 64)."""


@dataclass(frozen=True)
class StaggeredArrays:
    """A balanced panel as arrays, units sorted by cohort.

    Attributes
    ----------
    y : numpy.ndarray, shape (n, T)
    cohort : numpy.ndarray, shape (n,)
        Position of each unit's first treated period; ``inf`` for never treated.
    weight : numpy.ndarray, shape (n,)
        Unit weights with mean 1.
    cluster : numpy.ndarray of int, shape (n,)
        Cluster code of each unit (``0 .. n_clusters - 1``).
    n_clusters : int
    positions : numpy.ndarray of int64, shape (T,)
        Period positions, increasing.
    x : numpy.ndarray or None, shape (T, n, k)
        Covariates per period with an intercept first; None without covariates.
    """

    y: np.ndarray
    cohort: np.ndarray
    weight: np.ndarray
    cluster: np.ndarray
    n_clusters: int
    positions: np.ndarray
    x: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.y.shape[0])

    def cohort_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct cohorts (increasing, never treated last) and the first row of each."""
        values, starts = np.unique(self.cohort, return_index=True)
        return values, starts


@dataclass(frozen=True)
class CellPlan:
    """Which 2 x 2 comparisons make the ATT(g,t): one entry per cell."""

    group: np.ndarray  # cohort position
    time: np.ndarray  # period position
    current: np.ndarray  # period index of t
    base: np.ndarray  # period index of the base period
    reference: np.ndarray  # universal base period: the normalised cell (ATT 0)

    @property
    def post(self) -> np.ndarray:
        return self.group <= self.time

    def __len__(self) -> int:
        return len(self.group)


def plan_cells(positions: np.ndarray, groups: np.ndarray, base_period: BaseMethod, anticipation: int) -> CellPlan:
    """The (g, t) cells and their base periods, as R did's ``compute.att_gt2`` orders them.

    Pre-treatment cells compare ``t`` with the period before it (``"varying"``)
    or with the cohort's last period before ``g - anticipation``
    (``"universal"``, which also keeps that period as a cell normalised to 0);
    post-treatment cells always use that last period before ``g - anticipation``.

    Examples
    --------
    >>> plan = plan_cells(np.array([0, 1, 2, 3]), np.array([2]), "varying", 0)
    >>> plan.time.tolist(), plan.base.tolist()
    ([1, 2, 3], [0, 1, 1])
    """
    rows: list[tuple[float, int, int, int, bool]] = []
    first = 1 if base_period == "varying" else 0
    for g in groups:
        before = np.flatnonzero(positions + anticipation < g)
        last_before = int(before[-1])  # cohorts without one were removed upstream
        for cur in range(first, len(positions)):
            if base_period == "universal":
                base = last_before
            else:
                base = last_before if g <= positions[cur] else cur - 1
            rows.append((float(g), int(positions[cur]), cur, base, base_period == "universal" and base == cur))
    columns = list(zip(*rows, strict=True))
    return CellPlan(np.array(columns[0], dtype=np.float64), np.array(columns[1], dtype=np.int64),
                    np.array(columns[2], dtype=np.intp), np.array(columns[3], dtype=np.intp),
                    np.array(columns[4], dtype=bool))


def control_masks(plan: CellPlan, cohorts: np.ndarray, positions: np.ndarray, control: ControlGroup,
                  anticipation: int) -> np.ndarray:
    """``(cells, cohorts)`` booleans: which cohorts are the comparison of each cell."""
    never = np.isinf(cohorts)
    if control == "never":
        return np.broadcast_to(never, (len(plan), len(cohorts))).copy()
    cutoff = positions[np.maximum(plan.current, plan.base)] + anticipation
    later = (cohorts[None, :] > cutoff[:, None]) & (cohorts[None, :] != plan.group[:, None])
    return later | never[None, :]


@dataclass(frozen=True)
class CellEstimates:
    """ATT(g,t) of every cell with its influence function.

    Attributes
    ----------
    plan : CellPlan
    att : numpy.ndarray, shape (K,)
    influence : numpy.ndarray, shape (n, K)
        R did's scaling: ``se = sqrt(sum_c S_c^2) / n``.
    treated_units, control_units : numpy.ndarray of int, shape (K,)
    """

    plan: CellPlan
    att: np.ndarray
    influence: np.ndarray
    treated_units: np.ndarray
    control_units: np.ndarray


def estimate_cells(arrays: StaggeredArrays, groups: np.ndarray, *, control: ControlGroup, est_method: EstMethod,
                   base_period: BaseMethod, anticipation: int) -> CellEstimates:
    """Every ATT(g,t) and its influence function.

    Without covariates the outcome regression and the doubly robust estimator
    both reduce to the difference in mean changes, which is computed for all
    cells at once from per-cohort sums; with covariates each cell fits its
    regression (and propensity score) on the cell's units.

    Raises
    ------
    DataError
        A cell without comparison units, or a singular covariate design.
    """
    plan = plan_cells(arrays.positions, groups, base_period, anticipation)
    cohorts, starts = arrays.cohort_blocks()
    masks = control_masks(plan, cohorts, arrays.positions, control, anticipation)
    sizes = np.diff(np.append(starts, arrays.n))
    code = np.repeat(np.arange(len(cohorts)), sizes)
    treated_code = np.searchsorted(cohorts, plan.group)
    treated_units = sizes[treated_code]
    control_units = masks.astype(np.int64) @ sizes
    empty = (control_units == 0) & ~plan.reference
    if empty.any():
        k = int(np.flatnonzero(empty)[0])
        raise DataError(
            f"no comparison units for cohort {plan.group[k]:g} in period position {plan.time[k]}: with "
            f"control={control!r} every other unit is already treated there; use control='never' with a "
            "never-treated group, or drop the late periods"
        )
    if arrays.x is None:
        att, influence = _cells_by_means(arrays, plan, starts, code, treated_code, masks)
    else:
        att, influence = _cells_by_regression(arrays, plan, code, treated_code, masks, est_method)
    att[plan.reference] = 0.0
    influence[:, plan.reference] = 0.0
    return CellEstimates(plan, att, influence, treated_units, control_units)


def _cells_by_means(arrays: StaggeredArrays, plan: CellPlan, starts: np.ndarray, code: np.ndarray,
                    treated_code: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All cells from per-cohort weighted sums; influence functions in blocks of cells."""
    y, w, n = arrays.y, arrays.weight, arrays.n
    sums = np.add.reduceat(w[:, None] * y, starts, axis=0)  # cohorts x T
    weight_sums = np.add.reduceat(w, starts)
    change = sums[:, plan.current] - sums[:, plan.base]  # cohorts x K
    k_index = np.arange(len(plan))
    w_treated = weight_sums[treated_code]
    w_control = masks.astype(np.float64) @ weight_sums
    mean_treated = change[treated_code, k_index] / w_treated
    mean_control = (masks * change.T).sum(axis=1) / np.where(w_control > 0, w_control, 1.0)
    att = mean_treated - mean_control
    influence = np.empty((n, len(plan)))
    for lo in range(0, len(plan), _CELL_BLOCK):
        ks = slice(lo, min(lo + _CELL_BLOCK, len(plan)))
        dy = y[:, plan.current[ks]] - y[:, plan.base[ks]]
        is_treated = code[:, None] == treated_code[None, ks]
        is_control = masks[ks].T[code]
        scale_t = np.where(is_treated, n / w_treated[ks], 0.0)
        scale_c = np.where(is_control, n / np.where(w_control[ks] > 0, w_control[ks], 1.0), 0.0)
        influence[:, ks] = w[:, None] * (scale_t * (dy - mean_treated[ks]) - scale_c * (dy - mean_control[ks]))
    return att, influence


def _cells_by_regression(arrays: StaggeredArrays, plan: CellPlan, code: np.ndarray, treated_code: np.ndarray,
                         masks: np.ndarray, est_method: EstMethod) -> tuple[np.ndarray, np.ndarray]:
    """Cell by cell: ``DRDID::reg_did_panel`` or ``drdid_panel`` on the cell's units."""
    assert arrays.x is not None
    n = arrays.n
    att = np.zeros(len(plan))
    influence = np.zeros((n, len(plan)))
    pscores: dict[tuple[int, bytes, int], tuple[np.ndarray, np.ndarray]] = {}
    invariant = bool(np.all(arrays.x == arrays.x[:1]))
    for k in range(len(plan)):
        if plan.reference[k]:
            continue
        in_cell = (code == treated_code[k]) | masks[k][code]
        rows = np.flatnonzero(in_cell)
        d = (code[rows] == treated_code[k]).astype(np.float64)
        dy = arrays.y[rows, plan.current[k]] - arrays.y[rows, plan.base[k]]
        x = arrays.x[plan.base[k]][rows]
        w = arrays.weight[rows]
        cohort_label = f"{plan.group[k]:g}"
        if est_method == "reg":
            att[k], inf = reg_did_panel(dy, d, x, w, cell=cohort_label)
        else:
            key = (int(treated_code[k]), masks[k].tobytes(), 0 if invariant else int(plan.base[k]))
            if key not in pscores:
                pscores[key] = logit(x, d, w / w.mean(), cell=cohort_label)
            att[k], inf = drdid_panel(dy, d, x, w, pscores[key], cell=cohort_label)
        influence[rows, k] = (n / len(rows)) * inf
    return att, influence


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray, cell: str) -> np.ndarray:
    gram = (x * w[:, None]).T @ x
    if np.linalg.cond(gram) > 1 / np.finfo(float).eps:
        raise DataError(
            f"the covariates are collinear (or constant) among the comparison units of cohort {cell}: the outcome "
            "regression cannot be fitted; drop or rescale covariates"
        )
    return np.linalg.solve(gram, (x * w[:, None]).T @ y)


def reg_did_panel(dy: np.ndarray, d: np.ndarray, x: np.ndarray, weights: np.ndarray, *,
                  cell: str = "") -> tuple[float, np.ndarray]:
    """Outcome-regression DiD for panel data (Heckman, Ichimura & Todd 1997), as ``DRDID::reg_did_panel``.

    Examples
    --------
    >>> dy = np.array([1.0, 2.0, 0.0, 1.0]); d = np.array([1.0, 1.0, 0.0, 0.0])
    >>> att, inf = reg_did_panel(dy, d, np.ones((4, 1)), np.ones(4))
    >>> float(att)
    1.0
    """
    n = len(d)
    w = weights / weights.mean()
    control = d == 0
    beta = _wls(x[control], dy[control], w[control], cell)
    out = x @ beta
    w_t = w * d
    eta_t = np.mean(w_t * dy) / np.mean(w_t)
    eta_c = np.mean(w_t * out) / np.mean(w_t)
    w_ols = w * (1 - d)
    xpx = (w_ols[:, None] * x).T @ x / n
    asy = ((w_ols * (dy - out))[:, None] * x) @ np.linalg.inv(xpx)
    inf_treat = (w_t * dy - w_t * eta_t) / np.mean(w_t)
    m1 = np.mean(w_t[:, None] * x, axis=0)
    inf_control = (w_t * out - w_t * eta_c + asy @ m1) / np.mean(w_t)
    return float(eta_t - eta_c), inf_treat - inf_control


def logit(x: np.ndarray, d: np.ndarray, w: np.ndarray, *, cell: str = "",
          tol: float = 1e-12, max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logit by Newton's method: fitted probabilities and the coefficients.

    Examples
    --------
    >>> p, b = logit(np.ones((4, 1)), np.array([1.0, 0.0, 0.0, 0.0]), np.ones(4))
    >>> round(float(p[0]), 6)
    0.25
    """
    beta = np.zeros(x.shape[1])
    mean = float(np.average(d, weights=w))
    beta[0] = np.log(mean / (1 - mean))  # the first column is the intercept
    for _ in range(max_iter):
        p = 1 / (1 + np.exp(-(x @ beta)))
        gram = (x * (w * p * (1 - p))[:, None]).T @ x
        step = np.linalg.lstsq(gram, x.T @ (w * (d - p)), rcond=None)[0]
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            break
    else:
        raise DataError(f"the propensity score of cohort {cell} did not converge: the covariates separate the "
                        "cohort from its comparison units; use est_method='reg' or fewer covariates")
    return 1 / (1 + np.exp(-(x @ beta))), beta


def drdid_panel(dy: np.ndarray, d: np.ndarray, x: np.ndarray, weights: np.ndarray,
                pscore: tuple[np.ndarray, np.ndarray], *, cell: str = "",
                trim_level: float = 0.995) -> tuple[float, np.ndarray]:
    """Doubly robust DiD for panel data (Sant'Anna & Zhao 2020), as ``DRDID::drdid_panel``.

    ``pscore`` is :func:`logit` of ``d`` on ``x`` with the normalised weights.
    """
    n = len(d)
    w = weights / weights.mean()
    ps = np.minimum(pscore[0], 1 - 1e-6)
    keep = np.where(d == 1, ps < 1.01, ps < trim_level).astype(np.float64)
    control = d == 0
    beta = _wls(x[control], dy[control], w[control], cell)
    out = x @ beta
    w_t = keep * w * d
    w_c = keep * w * ps * (1 - d) / (1 - ps)
    resid = dy - out
    eta_t = np.mean(w_t * resid) / np.mean(w_t)
    eta_c = np.mean(w_c * resid) / np.mean(w_c)
    w_ols = w * (1 - d)
    xpx = (w_ols[:, None] * x).T @ x / n
    asy_ols = ((w_ols * resid)[:, None] * x) @ np.linalg.inv(xpx)
    hessian = np.linalg.inv(x.T @ ((ps * (1 - ps) * w)[:, None] * x)) * n
    asy_ps = ((w * (d - ps))[:, None] * x) @ hessian
    inf_treat = (w_t * resid - w_t * eta_t - asy_ols @ np.mean(w_t[:, None] * x, axis=0)) / np.mean(w_t)
    m2 = np.mean((w_c * (resid - eta_c))[:, None] * x, axis=0)
    m3 = np.mean(w_c[:, None] * x, axis=0)
    inf_control = (w_c * resid - w_c * eta_c + asy_ps @ m2 - asy_ols @ m3) / np.mean(w_c)
    return float(eta_t - eta_c), inf_treat - inf_control


Aggregation = Literal["simple", "dynamic", "group", "calendar"]


@dataclass(frozen=True)
class Aggregate:
    """One aggregation: its components (event times, cohorts or periods) and the overall number."""

    kind: Aggregation
    labels: np.ndarray  # rel_time, cohort position or period position; empty for "simple"
    estimates: np.ndarray
    influence: np.ndarray  # n x components
    overall: float
    overall_influence: np.ndarray  # n


class _Shares:
    """Cohort shares and R did's ``wif`` term, formed per unit without units x cells matrices."""

    def __init__(self, weight: np.ndarray, unit_cohort: np.ndarray, cohorts: np.ndarray) -> None:
        self.weight = weight
        self.n_cohorts = len(cohorts)
        code = np.searchsorted(cohorts, unit_cohort)
        code[(code >= len(cohorts)) | (cohorts[np.minimum(code, len(cohorts) - 1)] != unit_cohort)] = len(cohorts)
        self.unit_code = code  # never treated (and other units) -> len(cohorts)
        self.pg = np.bincount(code, weights=weight, minlength=len(cohorts) + 1)[: len(cohorts)] / len(weight)

    def weight_influence_times(self, codes: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``wif(keepers) @ values`` of R did, for cells of cohorts ``codes`` with estimates ``values``.

        With ``c_ik = w_i 1{G_i = g_k} - p_k`` and ``S = sum_k p_k``, R did's
        ``wif = c / S - rowSums(c) p' / S^2``; its product with the estimates
        needs only each unit's cohort.
        """
        pg = self.pg[codes]
        total = pg.sum()
        by_cohort = np.bincount(codes, weights=values, minlength=self.n_cohorts + 1)
        count = np.bincount(codes, minlength=self.n_cohorts + 1).astype(np.float64)
        weighted = float(pg @ values)
        first = (self.weight * by_cohort[self.unit_code] - weighted) / total
        row_sums = self.weight * count[self.unit_code] - total
        return first - row_sums * weighted / total**2


def aggregate(kind: Aggregation, cells: CellEstimates, weight: np.ndarray, unit_cohort: np.ndarray) -> Aggregate:
    """Aggregate the ATT(g,t) as R did's ``aggte(type=kind)``, influence functions included.

    ``"simple"``: post cells weighted by cohort size; ``"dynamic"``: by event
    time, cohorts weighted by size, overall the mean over event times from 0
    on; ``"group"``: each cohort's mean over its post periods, overall weighted
    by cohort size; ``"calendar"``: by period over the cohorts treated then,
    overall the mean over periods. Weights estimated from cohort shares add
    their own influence term (R did's ``wif``) where R did adds it.
    """
    plan, att, inf = cells.plan, cells.att, cells.influence
    cohorts = np.unique(plan.group)
    shares = _Shares(weight, unit_cohort, cohorts)
    cell_code = np.searchsorted(cohorts, plan.group)
    pg = shares.pg[cell_code]
    post = plan.post

    def components(selections: list[np.ndarray], with_wif: bool) -> tuple[np.ndarray, np.ndarray]:
        """Estimates and influence functions of cell averages weighted by cohort shares."""
        matrix = np.zeros((len(plan), len(selections)))
        for j, keep in enumerate(selections):
            matrix[keep, j] = pg[keep] / pg[keep].sum()
        estimates = att @ matrix
        influence = inf @ matrix
        if with_wif:
            for j, keep in enumerate(selections):
                influence[:, j] += shares.weight_influence_times(cell_code[keep], att[keep])
        return estimates, influence

    if kind == "simple":
        est, influence = components([np.flatnonzero(post)], True)
        return Aggregate(kind, np.array([]), np.array([]), np.zeros((len(weight), 0)), float(est[0]),
                         influence[:, 0])
    if kind == "dynamic":
        event = plan.time - plan.group
        labels = np.unique(event)
        estimates, influence = components([np.flatnonzero(event == e) for e in labels], True)
        after = labels >= 0
        return Aggregate(kind, labels.astype(np.int64), estimates, influence, float(estimates[after].mean()),
                         influence[:, after].mean(axis=1))
    if kind == "group":
        estimates, influence = components([np.flatnonzero((plan.group == g) & post) for g in cohorts], False)
        weights = shares.pg / shares.pg.sum()
        overall = influence @ weights + shares.weight_influence_times(np.arange(len(cohorts)), estimates)
        return Aggregate(kind, cohorts, estimates, influence, float(estimates @ weights), overall)
    periods = np.unique(plan.time[post])
    periods = periods[periods >= cohorts.min()]
    estimates, influence = components([np.flatnonzero((plan.time == t) & post) for t in periods], True)
    return Aggregate("calendar", periods, estimates, influence, float(estimates.mean()), influence.mean(axis=1))


def cluster_sums(influence: np.ndarray, cluster: np.ndarray, n_clusters: int) -> np.ndarray:
    """Sums of the influence functions over each cluster's units (clusters x columns)."""
    if n_clusters == len(cluster):
        out = np.empty_like(influence)
        out[cluster] = influence
        return out
    order = np.argsort(cluster, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(cluster[order]) != 0])
    return np.add.reduceat(influence[order], starts, axis=0)


def analytic_se(sums: np.ndarray, n: int) -> np.ndarray:
    """``sqrt(sum_c S_c^2) / n`` per column; zero becomes NaN."""
    se = np.sqrt(np.einsum("ck,ck->k", sums, sums)) / n
    return np.where(se > _TINY_SE, se, np.nan)


def wald_pretest(att: np.ndarray, sums: np.ndarray, n: int, pre: np.ndarray) -> tuple[float, int, str]:
    """Wald statistic of all pre-treatment ATT(g,t) = 0 with the influence-function covariance.

    Returns the statistic, the number of restrictions and, when no statistic
    can be formed, why (else "").
    """
    se = analytic_se(sums, n)
    use = pre & np.isfinite(se)
    q = int(use.sum())
    if q == 0:
        return np.nan, 0, "no pre-treatment cells"
    cov = sums[:, use].T @ sums[:, use] / n**2
    cov = (cov + cov.T) / 2
    if 1 / np.linalg.cond(cov, 1) <= np.finfo(float).eps:
        return np.nan, q, "singular covariance of the pre-treatment cells"
    b = att[use]
    return float(b @ np.linalg.solve(cov, b)), q, ""


@dataclass(frozen=True)
class BootstrapDraws:
    """Multiplier-bootstrap deviations of every column: ``(1/n) sum_c U_bc S_c``."""

    deviations: np.ndarray  # draws x columns
    weights: MultiplierWeights
    draws: int
    seed: int

    def scale(self) -> np.ndarray:
        """R did's bootstrap standard error: the interquartile range over that of a standard normal."""
        lo, hi = np.quantile(self.deviations, [0.25, 0.75], axis=0, method="inverted_cdf")
        se = (hi - lo) / 1.3489795003921634
        return np.where(se > _TINY_SE, se, np.nan)

    def critical_value(self, columns: np.ndarray, se: np.ndarray, alpha: float) -> float:
        """Sup-t critical value over ``columns``: the ``1 - alpha`` quantile of ``max_k |dev_k / se_k|``."""
        usable = columns[np.isfinite(se[columns])]
        if not len(usable):
            return np.nan
        t = np.abs(self.deviations[:, usable] / se[usable][None, :]).max(axis=1)
        return float(np.quantile(t, 1 - alpha, method="inverted_cdf"))


def _multipliers(kind: MultiplierWeights, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    if kind == "rademacher":
        return rng.integers(0, 2, size=shape).astype(np.float64) * 2.0 - 1.0
    root5 = np.sqrt(5.0)
    low = rng.random(shape) < (root5 + 1) / (2 * root5)
    return np.where(low, (1 - root5) / 2, (1 + root5) / 2)


def bootstrap_deviations(sums: np.ndarray, n: int, *, draws: int, weights: MultiplierWeights,
                         seed: int, block: int = 1 << 21) -> BootstrapDraws:
    """Multiplier bootstrap on cluster sums of the influence functions (Callaway & Sant'Anna 2021, Remark 10).

    Draws are made in blocks of at most ``block`` multipliers, so memory stays
    bounded for many clusters; the draws are the same for any block size.

    Examples
    --------
    >>> sums = np.random.default_rng(0).normal(size=(400, 2))
    >>> boot = bootstrap_deviations(sums, 400, draws=999, weights="rademacher", seed=1)
    >>> bool(np.allclose(boot.scale(), np.sqrt((sums**2).sum(0)) / 400, rtol=0.1))
    True
    """
    rng = np.random.default_rng(seed)
    clusters = sums.shape[0]
    per_block = max(1, block // max(clusters, 1))
    out = np.empty((draws, sums.shape[1]))
    for lo in range(0, draws, per_block):
        hi = min(lo + per_block, draws)
        out[lo:hi] = _multipliers(weights, (hi - lo, clusters), rng) @ sums / n
    return BootstrapDraws(out, weights, draws, seed)
