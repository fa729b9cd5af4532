"""Staggered adoption: Callaway & Sant'Anna (2021) group-time effects and their aggregations."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from hjeval._version import __version__
from hjeval.design.panel import require_columns, where
from hjeval.errors import DataError, HjevalWarning
from hjeval.estimators._att_gt import (
    Aggregate,
    BaseMethod,
    BootstrapDraws,
    CellEstimates,
    ControlGroup,
    EstMethod,
    MultiplierWeights,
    StaggeredArrays,
    aggregate,
    analytic_se,
    bootstrap_deviations,
    cluster_sums,
    estimate_cells,
    wald_pretest,
)
from hjeval.inference.record import InferenceRecord
from hjeval.periods import parse_period
from hjeval.results.staggered import AggregationKind, StaggeredAggregate, StaggeredResult

__all__ = ["StaggeredInference", "staggered_did"]

StaggeredInference = Literal["cluster", "multiplier-bootstrap"]
Band = Literal["uniform", "pointwise"]

_COMPARISON = {"never": "never treated", "notyet": "not yet treated"}
_KINDS: tuple[AggregationKind, ...] = get_args(AggregationKind)


def _check_option(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise DataError(f"{name}={value!r} is not one of {list(allowed)}")


def _whole(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < minimum:
        raise DataError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class _Periods:
    """Row positions of a period column, the frequency and the label of each position."""

    position: np.ndarray  # per row, int64
    code: np.ndarray  # per row: index into ``ordinals``
    ordinals: np.ndarray  # position of each distinct value
    freq: object
    step: int
    labels: dict[int, object]


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _time_positions(values: pd.Series, column: str, data: pd.DataFrame) -> _Periods:
    """Parse each distinct value once; positions are ordinals in steps of the frequency."""
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # values of mixed types: the parser below names them
        codes, uniques = pd.factorize(values, sort=False)
    if (codes < 0).any():
        raise DataError(f"column {column!r} (time) has missing values in {where(data, codes < 0)}; fill them in "
                        "or drop those rows")
    parsed, bad = [], []
    for raw in uniques:
        try:
            parsed.append(parse_period(_plain(raw)))
        except DataError:
            bad.append(raw)
    if bad:
        raise DataError(
            f"column {column!r} (time) has values that are not periods (first: {_plain(bad[0])!r}) in "
            f"{where(data, values.isin(bad).to_numpy())}; use 2015, 2015Q1/2015K1, 2015M01/2015-01 or 2015H1"
        )
    freqs = {p.freqstr for p in parsed}
    if len(freqs) > 1:
        raise DataError(f"column {column!r} (time) mixes period frequencies {sorted(freqs)}; use one frequency")
    freq = parsed[0].freq
    step = int(getattr(freq, "n", 1) or 1)
    ordinals = np.array([p.ordinal for p in parsed], dtype=np.int64) // step
    labels: dict[int, object] = {}
    for pos, raw in zip(ordinals.tolist(), uniques, strict=True):
        labels.setdefault(int(pos), _plain(raw))
    return _Periods(ordinals[codes], codes, ordinals, freq, step, labels)


def _present(periods: _Periods, keep: np.ndarray) -> np.ndarray:
    """The positions of the periods on kept rows, increasing."""
    seen = np.bincount(periods.code[keep], minlength=len(periods.ordinals)) > 0
    return np.sort(periods.ordinals[seen])


def _count_distinct(codes: np.ndarray, size: int) -> int:
    return int(np.count_nonzero(np.bincount(codes, minlength=size)))


def _repeated_pairs(unit_code: np.ndarray, n_units: int, time_code: np.ndarray, n_times: int) -> np.ndarray:
    """Rows whose (unit, period) pair occurs more than once."""
    key = unit_code.astype(np.int64) * n_times + time_code
    if n_units * n_times <= 4 * len(key) + (1 << 20):
        return np.bincount(key, minlength=n_units * n_times)[key] > 1
    return pd.Series(key).duplicated(keep=False).to_numpy()


def _is_never(raw: object) -> bool:
    if raw is None or (isinstance(raw, float | np.floating) and (math.isnan(raw) or math.isinf(raw))):
        return True
    if isinstance(raw, str):
        return raw.strip() in ("", "0")
    return bool(isinstance(raw, numbers.Number) and raw == 0)


def _cohort_positions(values: pd.Series, column: str, periods: _Periods, data: pd.DataFrame) -> np.ndarray:
    """Each row's cohort as a period position; ``inf`` for never treated (0, empty, NaN or inf)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    out = np.full(len(uniques), np.inf)
    bad: list[object] = []
    for j, raw in enumerate(uniques):
        raw = _plain(raw)
        if _is_never(raw):
            continue
        try:
            period = parse_period(raw)
        except DataError:
            bad.append(raw)
            continue
        if period.freq != periods.freq:
            bad.append(raw)
            continue
        out[j] = period.ordinal // periods.step
    if bad:
        example = next(iter(periods.labels.values()))
        raise DataError(
            f"column {column!r} (cohort) has values that are not periods of the kind in the time column "
            f"(first: {bad[0]!r}) in {where(data, values.isin(bad).to_numpy())}; give each unit's first treated "
            f"period like the time values (e.g. {example!r}), or 0 or empty for never treated"
        )
    return np.where(codes < 0, np.inf, out[np.maximum(codes, 0)])


def _numeric(data: pd.DataFrame, column: str, role: str) -> np.ndarray:
    values = data[column]
    if not (pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)):
        coerced = pd.to_numeric(values, errors="coerce")
        bad = (coerced.isna() & values.notna()).to_numpy()
        shown = f" such as {values[bad].iloc[0]!r} in {where(data, bad)}" if bad.any() else ""
        raise DataError(f"column {column!r} ({role}) must hold numbers, not {values.dtype}{shown}; convert it "
                        "(e.g. pd.to_numeric) or fix those rows")
    array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    infinite = np.isinf(array)
    if infinite.any():
        raise DataError(f"column {column!r} ({role}) has infinite values in {where(data, infinite)}; replace them "
                        "or leave them empty to have those rows left out (and counted)")
    return array


def _constant_within(unit_code: np.ndarray, values: np.ndarray, keep: np.ndarray, data: pd.DataFrame, *,
                     column: str, role: str, unit: str, units: np.ndarray, hint: str) -> None:
    """``values`` must be the same on every kept row of a unit: name the units, their values and rows otherwise."""
    seen = np.full(len(units), np.nan)
    seen[unit_code[keep]] = values[keep]  # one of each unit's values
    differs = keep & (values != seen[unit_code])
    varying = np.unique(unit_code[differs])
    if not len(varying):
        return
    raw = data[column]
    examples = []
    for u in varying[:3]:
        rows = np.flatnonzero((unit_code == u) & keep)
        parts = []
        for value in pd.unique(values[rows]):
            mask = np.zeros(len(data), dtype=bool)
            mask[rows[values[rows] == value]] = True
            shown = _plain(raw.iloc[int(np.flatnonzero(mask)[0])])
            parts.append(f"{shown!r} in {where(data, mask)}")
        examples.append(f"{_plain(units[u])!r}: " + ", ".join(parts))
    raise DataError(
        f"column {column!r} ({role}) varies within {len(varying)} {unit} value(s), e.g. {'; '.join(examples)}; "
        f"{hint}"
    )


def staggered_did(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    *,
    control: ControlGroup = "never",
    covariates: Sequence[str] | None = None,
    est_method: EstMethod = "reg",
    anticipation: int = 0,
    base_period: BaseMethod = "varying",
    cluster: str | None = None,
    weights: str | None = None,
    inference: StaggeredInference = "cluster",
    band: Band = "uniform",
    alpha: float = 0.05,
    seed: int = 0,
    draws: int = 999,
    bootstrap_weights: MultiplierWeights = "rademacher",
) -> StaggeredResult:
    """Difference-in-differences with staggered adoption (Callaway & Sant'Anna 2021).

    Estimates every group-time effect ATT(g,t), the average effect in period
    ``t`` of the units first treated in period ``g`` (cohort ``g``), by a 2 x 2
    comparison of their outcome change from a base period with that of the
    comparison units, and aggregates them by event time, cohort and period.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period. Units not seen in every
        period are left out (the estimator needs a balanced panel), counted in
        ``provenance["exclusions"]`` with a warning.
    outcome, unit, time : str
        Column names. ``time`` holds periods (int years, ``"2015-01"``
        months, ``"2015Q1"`` quarters, pandas Periods); event time is the
        calendar distance to the cohort's start, whatever periods the data
        lacks.
    cohort : str
        Each unit's first treated period, of the same kind as ``time``; 0 or
        empty (NaN) for never treated. Units first treated after the last
        period count as never treated, and units treated in the first period
        (or, with ``anticipation``, by then) are left out (both counted).
    control : {"never", "notyet"}, default "never"
        Comparison units: the never treated, or those not yet treated in
        either period of the comparison (never treated included). Without
        never-treated units ``"notyet"`` keeps the periods before the last
        cohort starts, which then serves only as comparison (as R did does).
    covariates : sequence of str, optional
        Covariates taken at each comparison's base period (a time-invariant
        one is used as it is): the outcome regression (``est_method="reg"``)
        or the doubly robust estimator (``"dr"``) then condition on them.
    est_method : {"reg", "dr"}, default "reg"
        Outcome regression (``DRDID::reg_did_panel``) or doubly robust
        (Sant'Anna & Zhao 2020, ``DRDID::drdid_panel``). Without covariates
        both are the difference in mean changes.
    anticipation : int, default 0
        Periods before ``g`` in which units may already react: post periods
        are compared with the last period before ``g - anticipation``.
    base_period : {"varying", "universal"}, default "varying"
        Pre-treatment cells compare each period with the one before
        (``"varying"``, R did's default) or with the cohort's last untreated
        period (``"universal"``, which keeps that period as a cell fixed at 0).
        Post-treatment cells always use the last untreated period.
    cluster : str, optional
        A column constant within units (e.g. the municipality of persons)
        whose clusters the standard errors allow for; default: the unit.
    weights : str, optional
        Unit weights, constant within units.
    inference : {"cluster", "multiplier-bootstrap"}, default "cluster"
        Standard errors from the influence functions, clustered (analytic;
        R did's ``bstrap=FALSE``), or from the multiplier bootstrap's
        interquartile range (R did's ``bstrap=TRUE``). p-values and pointwise
        intervals use the normal distribution.
    band : {"uniform", "pointwise"}, default "uniform"
        Also give uniform (sup-t) bands over the ATT(g,t) and over each
        aggregation's rows, from the multiplier bootstrap (R did's
        ``cband=TRUE``), or pointwise intervals only.
    alpha : float, default 0.05
    seed : int, default 0
        Seed of the bootstrap multipliers (recorded).
    draws : int, default 999
        Bootstrap draws.
    bootstrap_weights : {"rademacher", "mammen"}, default "rademacher"
        Multipliers drawn per cluster.

    Returns
    -------
    StaggeredResult
        ``estimate`` is the simple aggregate; ``att_gt`` the group-time
        effects; ``aggregate(kind)`` the aggregations; ``pretrend`` the Wald
        pre-test.

    Raises
    ------
    DataError
        Missing columns or options not allowed; a cohort that varies within a
        unit or is not a period of the data's kind; no never-treated units with
        ``control="never"``; duplicated unit-periods; a cluster or weight
        varying within a unit; cells without comparison units; collinear
        covariates.

    Warns
    -----
    HjevalWarning
        Rows or units left out; cohorts (or the comparison group) in a single
        cluster, for which the analytic standard errors are not valid.

    Notes
    -----
    For a cohort ``g`` and period ``t`` with base period ``b``,
    ``ATT(g,t) = E[Y_t - Y_b | G = g] - E[Y_t - Y_b | C]`` (with covariates:
    the comparison's change predicted by a regression on the covariates, or
    the doubly robust combination with a propensity score). Every ATT(g,t)
    carries an influence function per unit; standard errors are
    ``sqrt(sum_c S_c^2) / n`` with ``S_c`` the influence function summed over
    cluster ``c`` and ``n`` units. Aggregations weight cells by the cohorts'
    shares of units and add the influence of estimating those shares, as R did
    2.5.1's ``aggte``; all numbers agree with R did to rounding on its mpdta
    example. The Wald pre-test is ``b' V^{-1} b`` over the pre-treatment cells
    with the influence-function covariance, against chi-square with as many
    degrees of freedom as cells. The multiplier bootstrap draws one weight per
    cluster and perturbs the cluster sums of the influence functions
    (Callaway & Sant'Anna 2021, Remark 10); the uniform band's critical value
    is the ``1 - alpha`` quantile of the largest absolute t-statistic.

    Callaway, B. and P. H. C. Sant'Anna (2021), "Difference-in-Differences
    with multiple time periods", *Journal of Econometrics* 225(2); Sant'Anna,
    P. H. C. and J. Zhao (2020), "Doubly robust difference-in-differences
    estimators", *Journal of Econometrics* 219(1).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from hjeval.estimators.staggered import staggered_did
    >>> rng = np.random.default_rng(0)
    >>> first = np.repeat([2012, 2014, 0], [40, 40, 80])
    >>> panel = pd.DataFrame([(i, y, g) for i, g in enumerate(first) for y in range(2010, 2017)],
    ...                      columns=["unit", "year", "first_treated"])
    >>> treated = (panel.first_treated > 0) & (panel.year >= panel.first_treated)
    >>> panel["hours"] = rng.normal(size=len(panel)) + 2.0 * treated
    >>> cs = staggered_did(panel, "hours", unit="unit", time="year", cohort="first_treated")
    >>> bool(abs(cs.estimate - 2) < 3 * cs.se), cs.att_gt.shape[0]
    (True, 12)
    >>> cs.aggregate("dynamic").to_frame()["rel_time"].tolist()
    [-3, -2, -1, 0, 1, 2, 3, 4]
    """
    _check_option("control", control, get_args(ControlGroup))
    _check_option("est_method", est_method, get_args(EstMethod))
    _check_option("base_period", base_period, get_args(BaseMethod))
    _check_option("inference", inference, get_args(StaggeredInference))
    _check_option("band", band, get_args(Band))
    _check_option("bootstrap_weights", bootstrap_weights, get_args(MultiplierWeights))
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise DataError(f"alpha must be a number between 0 and 1, not {alpha!r}")
    anticipation = _whole("anticipation", anticipation, minimum=0)
    draws = _whole("draws", draws, minimum=1)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise DataError(f"seed must be a whole number, not {seed!r}")
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates or [])
    roles = {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort, "cluster": cluster,
             "weights": weights, **{f"covariates[{i}]": c for i, c in enumerate(covariates)}}
    require_columns(data, roles)
    named = [c for r, c in roles.items() if c is not None and r != "cluster"]
    if len(set(named)) != len(named):
        raise DataError(f"a column has two roles: {roles}; give each role its own column")

    prepared = _prepare(data, outcome=outcome, unit=unit, time=time, cohort=cohort, control=control,
                        covariates=covariates, anticipation=anticipation, cluster=cluster, weights=weights)
    arrays = prepared.arrays
    cells = estimate_cells(arrays, prepared.groups, control=control, est_method=est_method,
                           base_period=base_period, anticipation=anticipation)
    aggregates = {kind: aggregate(kind, cells, arrays.weight, arrays.cohort) for kind in _KINDS}
    return _assemble(prepared, cells, aggregates, outcome=outcome, control=control, est_method=est_method,
                     base_period=base_period, anticipation=anticipation, inference=inference, band=band,
                     alpha=float(alpha), seed=int(seed), draws=draws, bootstrap_weights=bootstrap_weights,
                     cluster_by=cluster or unit)


@dataclass(frozen=True)
class _Prepared:
    arrays: StaggeredArrays
    groups: np.ndarray
    labels: dict[int, object]
    freq: object
    rows_input: int
    exclusions: tuple[dict[str, object], ...]
    adjustments: tuple[dict[str, object], ...]
    single_cluster_cohorts: tuple[float, ...]
    treated_clusters: int


def _prepare(data: pd.DataFrame, *, outcome: str, unit: str, time: str, cohort: str, control: ControlGroup,
             covariates: list[str], anticipation: int, cluster: str | None, weights: str | None) -> _Prepared:
    """Check the columns, leave out what cannot be used (counted), and build the balanced arrays."""
    n_input = len(data)
    unit_values = data[unit]
    if unit_values.isna().any():
        raise DataError(f"column {unit!r} (unit) has missing values in {where(data, unit_values.isna().to_numpy())}"
                        "; fill them in or drop those rows")
    try:  # sorted labels: the units' order (and so the bootstrap's draws) does not depend on the row order
        unit_code, units = pd.factorize(unit_values, sort=True)
    except TypeError:  # labels of mixed types
        unit_code, units = pd.factorize(unit_values, sort=False)
    periods = _time_positions(data[time], time, data)
    position = periods.position
    first_cohort = _cohort_positions(data[cohort], cohort, periods, data)
    y = _numeric(data, outcome, "outcome")
    x_columns = [_numeric(data, c, "covariate") for c in covariates]
    w_rows = _numeric(data, weights, "weights") if weights else None
    if w_rows is not None and (w_rows < 0).any():
        raise DataError(f"column {weights!r} (weights) has negative values in {where(data, w_rows < 0)}")
    every = np.ones(n_input, dtype=bool)
    duplicated = _repeated_pairs(unit_code, len(units), periods.code, len(periods.ordinals))
    if duplicated.any():
        raise DataError(
            f"{int(duplicated.sum())} rows repeat a ({unit}, {time}) pair, e.g. {where(data, duplicated)}: each "
            f"{unit} has one row per period; drop the duplicates or sum them first"
        )
    _constant_within(unit_code, first_cohort, every, data, column=cohort, role="cohort", unit=unit, units=units,
                     hint="the cohort is the first treated period and must be the same on every row of a unit "
                          "(treatment does not switch off)")
    cluster_code = None
    if cluster is not None:
        if data[cluster].isna().any():
            raise DataError(f"column {cluster!r} (cluster) has missing values in "
                            f"{where(data, data[cluster].isna().to_numpy())}")
        cluster_code = pd.factorize(data[cluster])[0]
        _constant_within(unit_code, cluster_code.astype(np.float64), every, data, column=cluster, role="cluster",
                         unit=unit, units=units, hint="clusters must contain whole units")
    exclusions: list[dict[str, object]] = []
    adjustments: list[dict[str, object]] = []
    keep = np.ones(n_input, dtype=bool)
    for column, values in ((outcome, y), *zip(covariates, x_columns, strict=True),
                           *([(weights, w_rows)] if weights and w_rows is not None else [])):
        missing = np.isnan(values) & keep
        if missing.any():
            exclusions.append({"reason": f"missing {column!r}", "rows": int(missing.sum())})
            keep &= ~missing
    if w_rows is not None:
        _constant_within(unit_code, w_rows, keep, data, column=str(weights), role="weights", unit=unit, units=units,
                         hint="weights are per unit: give each unit one weight")
    if not keep.any():
        raise DataError("no rows are left once rows with missing values are left out")
    t_positions = _present(periods, keep)
    late = np.isfinite(first_cohort) & (first_cohort > t_positions[-1] + anticipation) & keep
    if late.any():
        adjustments.append({"reason": "first treated after the last period: counted as never treated",
                            "rows": int(late.sum()), "units": _count_distinct(unit_code[late], len(units))})
        first_cohort = np.where(late, np.inf, first_cohort)
    latest_only_control = None
    if not np.isinf(first_cohort[keep]).any():
        if control == "never":
            raise DataError(
                f"column {cohort!r} (cohort) has no never-treated units (0 or empty) and control='never' needs "
                "them; use control='notyet' to compare with units not yet treated"
            )
        latest_only_control = float(first_cohort[keep].max())
        cut = position >= latest_only_control - anticipation
        dropped = cut & keep
        if dropped.any():
            exclusions.append({"reason": "periods from the last cohort's start on (no comparison units left): "
                                         "the last cohort serves as comparison only",
                               "rows": int(dropped.sum())})
            keep &= ~cut
        t_positions = _present(periods, keep)
    if len(t_positions) < 2:
        raise DataError(f"column {time!r} has {len(t_positions)} usable period(s); the estimator needs two or more")
    early = np.isfinite(first_cohort) & (first_cohort <= t_positions[0] + anticipation) & keep
    if early.any():
        exclusions.append({"reason": "treated in the first period (no untreated period to compare with)",
                           "rows": int(early.sum()), "units": _count_distinct(unit_code[early], len(units))})
        keep &= ~early
    rows_per_unit = np.bincount(unit_code[keep], minlength=len(units))
    partial = (rows_per_unit > 0) & (rows_per_unit < len(t_positions))
    if partial.any():
        gone = keep & partial[unit_code]
        exclusions.append({"reason": "unit not observed in every period (a balanced panel is needed)",
                           "rows": int(gone.sum()), "units": int(partial.sum())})
        keep &= ~gone
    if exclusions:
        detail = "; ".join(f"{e['rows']} rows" + (f" ({e['units']} units)" if "units" in e else "")
                           + f": {e['reason']}" for e in exclusions)
        warnings.warn(f"rows left out of the estimation: {detail}", HjevalWarning, stacklevel=3)
    if not keep.any():
        raise DataError("no rows are left: every unit misses a period or was left out")

    rows = np.flatnonzero(keep)
    kept_units = np.flatnonzero(np.bincount(unit_code[rows], minlength=len(units)))
    unit_cohort = np.full(len(units), np.inf)
    unit_cohort[unit_code[rows]] = first_cohort[rows]
    unit_cohort = unit_cohort[kept_units]
    groups = np.unique(unit_cohort[np.isfinite(unit_cohort)])
    if latest_only_control is not None:
        groups = groups[groups < latest_only_control]
    if not len(groups):
        raise DataError(f"column {cohort!r} (cohort) leaves no treated cohort with a period before its start; "
                        "give each treated unit its first treated period, 0 or empty for never treated")
    order = np.argsort(unit_cohort, kind="stable")
    new_index = np.empty(len(units), dtype=np.int64)
    new_index[kept_units[order]] = np.arange(len(kept_units))
    t_index = np.searchsorted(t_positions, position[rows])
    n, n_t = len(kept_units), len(t_positions)
    y_mat = np.empty((n, n_t))
    y_mat[new_index[unit_code[rows]], t_index] = y[rows]
    x = None
    if covariates:
        x = np.empty((n_t, n, len(covariates) + 1))
        x[:, :, 0] = 1.0
        for j, values in enumerate(x_columns):
            x[t_index, new_index[unit_code[rows]], j + 1] = values[rows]
    weight = np.ones(n)
    if w_rows is not None:
        weight[new_index[unit_code[rows]]] = w_rows[rows]
        if weight.sum() <= 0:
            raise DataError(f"column {weights!r} (weights) is zero for every unit")
        weight = weight / weight.mean()
    if cluster_code is not None:
        unit_cluster = np.zeros(n, dtype=np.int64)
        unit_cluster[new_index[unit_code[rows]]] = cluster_code[rows]
        unit_cluster = pd.factorize(unit_cluster)[0].astype(np.int64)
    else:
        unit_cluster = np.arange(n, dtype=np.int64)
    n_clusters = int(unit_cluster.max()) + 1
    cohort_sorted = unit_cohort[order]
    arrays = StaggeredArrays(y=y_mat, cohort=cohort_sorted, weight=weight, cluster=unit_cluster,
                             n_clusters=n_clusters, positions=t_positions, x=x)
    single = []
    for g in [*groups.tolist(), math.inf]:
        members = unit_cluster[cohort_sorted == g]
        if len(members) and len(np.unique(members)) == 1:
            single.append(g)
    ever = np.isfinite(cohort_sorted)
    labels = dict(periods.labels)
    return _Prepared(arrays, groups, labels, periods.freq, n_input, tuple(exclusions), tuple(adjustments),
                     tuple(single), len(np.unique(unit_cluster[ever])))


def _label(position: float, prepared: _Prepared) -> object:
    """A period position as the data spells it (or as the period, when the data lacks it)."""
    pos = int(position)
    if pos in prepared.labels:
        return prepared.labels[pos]
    step = int(getattr(prepared.freq, "n", 1) or 1)
    period = pd.Period(ordinal=pos * step, freq=prepared.freq)
    return int(period.year) if period.freqstr.startswith("Y") else str(period)


def _assemble(prepared: _Prepared, cells: CellEstimates, aggregates: dict[AggregationKind, Aggregate], *,
              outcome: str, control: ControlGroup, est_method: EstMethod, base_period: BaseMethod,
              anticipation: int, inference: StaggeredInference, band: Band, alpha: float, seed: int, draws: int,
              bootstrap_weights: MultiplierWeights, cluster_by: str) -> StaggeredResult:
    """Standard errors, bands, the pre-test, the records and the frozen results."""
    arrays = prepared.arrays
    n = arrays.n
    blocks = [cells.influence] + [aggregates[k].influence for k in _KINDS] + [
        aggregates[k].overall_influence[:, None] for k in _KINDS]
    widths = [b.shape[1] for b in blocks]
    edges = np.cumsum([0, *widths])
    sums = cluster_sums(np.hstack(blocks), arrays.cluster, arrays.n_clusters)
    se = analytic_se(sums, n)
    boot: BootstrapDraws | None = None
    if inference == "multiplier-bootstrap" or band == "uniform":
        boot = bootstrap_deviations(sums, n, draws=draws, weights=bootstrap_weights, seed=seed)
        if inference == "multiplier-bootstrap":
            se = np.where(np.isfinite(se), boot.scale(), np.nan)
    z = float(stats.norm.ppf(1 - alpha / 2))

    def columns(block: int) -> np.ndarray:
        return np.arange(edges[block], edges[block + 1])

    def critical(block: int) -> float:
        if boot is None or band != "uniform":
            return np.nan
        value = boot.critical_value(columns(block), se, alpha)
        return max(value, z) if np.isfinite(value) else np.nan

    notes = _notes(prepared, boot, inference, band, cluster_by)

    def record(estimate: float, se_k: float) -> InferenceRecord:
        ci, p = _interval(estimate, se_k, z)
        return InferenceRecord(
            "cluster", float(estimate), float(se_k), ci, p, alpha, draws=boot.draws if boot else 0,
            seed=seed if boot else None, clusters=arrays.n_clusters, treated_clusters=prepared.treated_clusters,
            df=math.inf, vcov="influence function", bootstrap_weights=boot.weights if boot else "",
            cluster_by=cluster_by, notes=notes,
        )

    def table(estimates: np.ndarray, se_block: np.ndarray, crit: float) -> dict[str, np.ndarray]:
        with np.errstate(invalid="ignore"):
            return {
                "estimate": estimates, "se": se_block, "ci_low": estimates - z * se_block,
                "ci_high": estimates + z * se_block,
                "p_value": 2 * stats.norm.sf(np.abs(estimates / se_block)),
                "band_low": estimates - crit * se_block, "band_high": estimates + crit * se_block,
            }

    plan = cells.plan
    crit_cells = critical(0)
    cell_cols = table(cells.att, se[columns(0)], crit_cells)
    att_gt = pd.DataFrame({
        "group": [_label(g, prepared) for g in plan.group],
        "time": [_label(t, prepared) for t in plan.time],
        "rel_time": (plan.time - plan.group).astype(np.int64),
        "att": cells.att, "se": cell_cols["se"], "ci_low": cell_cols["ci_low"], "ci_high": cell_cols["ci_high"],
        "band_low": cell_cols["band_low"], "band_high": cell_cols["band_high"], "p_value": cell_cols["p_value"],
        "post": plan.post, "treated_units": cells.treated_units, "control_units": cells.control_units,
    })
    statistic, q, why = wald_pretest(cells.att, sums[:, columns(0)], n, ~plan.post & ~plan.reference)
    pretrend = {
        "statistic": statistic, "df": q,
        "pvalue": float(stats.chi2.sf(statistic, q)) if q and np.isfinite(statistic) else np.nan,
        "method": (f"Wald chi2({q}), influence-function covariance clustered by {cluster_by}" if not why
                   else f"none ({why})"),
    }
    treated = tuple(_label(g, prepared) for g in prepared.groups)
    provenance = {
        "rows_input": prepared.rows_input, "rows_used": n * len(arrays.positions),
        "exclusions": list(prepared.exclusions), "adjustments": list(prepared.adjustments),
        "units": n, "periods": len(arrays.positions), "clusters": arrays.n_clusters,
        "cohort_units": {str(_label(g, prepared)): int(np.sum(arrays.cohort == g)) for g in prepared.groups},
        "never_treated_units": int(np.isinf(arrays.cohort).sum()),
        "control": control, "est_method": est_method, "base_period": base_period, "anticipation": anticipation,
        "seed": seed, "draws": boot.draws if boot else 0, "bootstrap_weights": boot.weights if boot else "",
        "hjeval_version": __version__,
    }
    common = {"n_obs": n * len(arrays.positions), "alpha": alpha, "method": "staggered_did", "outcome": outcome,
              "treated": treated, "start": treated[0], "comparison": _COMPARISON[control]}
    results: dict[str, StaggeredAggregate] = {}
    first_column = {"dynamic": "rel_time", "group": "group", "calendar": "time"}
    for block, kind in enumerate(_KINDS, start=1):
        agg = aggregates[kind]
        overall_col = edges[len(_KINDS) + block]
        rec = record(agg.overall, float(se[overall_col]))
        frame = pd.DataFrame()
        crit = np.nan
        if kind != "simple":
            crit = critical(block)
            labels = agg.labels.astype(np.int64) if kind == "dynamic" else [_label(v, prepared) for v in agg.labels]
            frame = pd.DataFrame({first_column[kind]: labels, **table(agg.estimates, se[columns(block)], crit)})
        results[kind] = StaggeredAggregate(
            estimate=rec.estimate, se=rec.se, ci=rec.ci, pvalue=rec.pvalue, inference=rec, **common,  # type: ignore[arg-type]
            kind=kind, table=frame, critical_value=crit, provenance=provenance,
        )
    simple = results["simple"]
    return StaggeredResult(
        estimate=simple.estimate, se=simple.se, ci=simple.ci, pvalue=simple.pvalue, inference=simple.inference,
        **common, att_gt=att_gt, pretrend=pretrend, aggregates=results, critical_value=crit_cells,  # type: ignore[arg-type]
        control=control, est_method=est_method, base_period=base_period, anticipation=anticipation,
        provenance=provenance,
    )


def _interval(estimate: float, se: float, z: float) -> tuple[tuple[float, float], float]:
    if not np.isfinite(se):
        return (np.nan, np.nan), np.nan
    return (estimate - z * se, estimate + z * se), float(2 * stats.norm.sf(abs(estimate / se)))


def _notes(prepared: _Prepared, boot: BootstrapDraws | None, inference: StaggeredInference, band: Band,
           cluster_by: str) -> tuple[str, ...]:
    arrays = prepared.arrays
    notes = []
    if inference == "cluster":
        notes.append(f"standard errors from the influence functions (the influence-function variance), summed "
                     f"within {arrays.n_clusters} clusters of {cluster_by}; normal reference")
    elif boot is not None:
        notes.append(f"standard errors from the multiplier bootstrap's interquartile range ({boot.draws} "
                     f"{boot.weights} draws per {cluster_by} cluster, seed {boot.seed}); normal reference")
    if band == "uniform" and boot is not None:
        notes.append(f"uniform bands from the multiplier bootstrap ({boot.draws} {boot.weights} draws per "
                     f"{cluster_by} cluster, seed {boot.seed}): sup-t critical value over the rows shown")
    if prepared.single_cluster_cohorts:
        names = ", ".join("never treated" if math.isinf(g) else str(_label(g, prepared))
                          for g in prepared.single_cluster_cohorts)
        message = (f"cohort(s) {names} lie in a single {cluster_by} cluster: analytic standard errors "
                   "(and the multiplier bootstrap) treat that cluster's own shock as sampling noise and are not "
                   "valid for those cohorts; for one treated municipality use hj.did with placebo inference")
        warnings.warn(message, HjevalWarning, stacklevel=4)
        notes.append(message)
    return tuple(notes)
