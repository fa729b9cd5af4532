"""Time on public support before and after a reform, and the reform's effect on it.

:func:`time_on_support` describes the spells starting before and after the
start, in the treated municipality and the comparison municipalities, by
Kaplan-Meier curves, medians and restricted means. :func:`duration_did`
estimates the reform's effect as a difference in differences of restricted
means, with a stratified Cox model's hazard ratio beside it, and placebo
inference from the shared layer in :mod:`hjeval.inference`.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from hjeval._version import __version__
from hjeval.duration.cox import common_log_hazard_ratio, phreg_log_hazard_ratio
from hjeval.duration.results import DurationDidResult, TimeOnSupport
from hjeval.duration.sample import ROLES, WINDOWS, DurationSample, Window, build_sample
from hjeval.duration.spells import WEEKS_PER_MONTH, OnEngine, month_label
from hjeval.duration.survival import kaplan_meier, median, median_ci, restricted_mean, restricted_mean_se, risk_set
from hjeval.engines import Data, Engine
from hjeval.engines.in_memory import row_engine
from hjeval.errors import DataError
from hjeval.inference.reassignment import PlaceboSample, Reassignable, Target
from hjeval.inference.record import InferenceMethod, InferenceOptions, InferenceRecord
from hjeval.inference.strategies import InferenceOffer, infer

__all__ = ["duration_did", "time_on_support"]

Comparison = str | Sequence[object] | None

_COUNT_COLUMNS = ("spells", "persons", "censored_share")
_VALUE_COLUMNS = ("spells", "persons", "censored_share", "median_weeks", "median_ci_low", "median_ci_high",
                  "mean_weeks", "mean_se", "mean_ci_low", "mean_ci_high")


def _check_min_persons(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise DataError(f"min_persons must be a whole number of persons, 0 or more, not {value!r}")
    return int(value)


def _check_alpha(alpha: object) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise DataError(f"alpha must be a number between 0 and 1, not {alpha!r}")
    return float(alpha)


def _horizon(sample: DurationSample, horizon: float | None, min_persons: int) -> tuple[float, str]:
    """The horizon in months, and the rule that chose it.

    By default, the longest duration up to which every window of the treated
    and of the comparison municipalities keeps at least ``min_persons``
    persons at risk: the restricted mean to ``H`` months uses the exit
    hazards at durations ``1 .. H - 1``, so ``H`` is one more than the
    longest such duration.
    """
    if horizon is not None:
        if isinstance(horizon, bool) or not isinstance(horizon, int | float) or not math.isfinite(horizon) \
                or horizon <= 0:
            raise DataError(f"horizon must be a positive number of weeks, not {horizon!r}")
        return float(horizon) / WEEKS_PER_MONTH, "given"
    threshold = max(min_persons, 1)
    longest = []
    for r in range(2):
        for w in range(2):
            at_risk = sample.role_persons_at_risk[r, w]
            enough = np.flatnonzero(at_risk >= threshold)
            if len(enough):
                longest.append(int(enough[-1]))
    months = max(1, min(longest) + 1) if longest else 1
    rule = (f"the longest duration at which every window of the treated and of the comparison municipalities "
            f"has at least {threshold} persons at risk")
    return float(months), rule


def _cell(events: np.ndarray, censored: np.ndarray, persons_at_risk: np.ndarray, tau: float,
          alpha: float) -> dict[str, float]:
    """Kaplan-Meier summaries of one cell (weeks)."""
    survival, at_risk = kaplan_meier(events, censored)
    spells = float(at_risk[0])
    if spells == 0:
        return {name: math.nan for name in _VALUE_COLUMNS} | {"spells": 0.0, "persons": 0.0}
    mean = float(restricted_mean(survival, tau))
    se = float(restricted_mean_se(survival, events, at_risk, tau))
    z = float(stats.norm.ppf(1 - alpha / 2))
    low, high = median_ci(survival, events, at_risk, alpha)
    return {
        "spells": spells, "persons": float(persons_at_risk[0]), "censored_share": float(censored.sum()) / spells,
        "median_weeks": median(survival) * WEEKS_PER_MONTH,
        "median_ci_low": low * WEEKS_PER_MONTH, "median_ci_high": high * WEEKS_PER_MONTH,
        "mean_weeks": mean * WEEKS_PER_MONTH, "mean_se": se * WEEKS_PER_MONTH,
        "mean_ci_low": (mean - z * se) * WEEKS_PER_MONTH, "mean_ci_high": (mean + z * se) * WEEKS_PER_MONTH,
    }


Cell = tuple[str, object, int, np.ndarray, np.ndarray]


def _cells(sample: DurationSample, by_municipality: bool) -> list[Cell]:
    """(role, municipality or None, window, group mask, persons at risk) of every row of the table."""
    out: list[Cell] = []
    for r, role in enumerate(ROLES):
        mask = sample.role_mask(role)
        for w in range(2):
            out.append((role, None, w, mask, sample.role_persons_at_risk[r, w]))
        if by_municipality:
            for g in np.flatnonzero(mask):
                one = np.zeros(sample.n_groups, dtype=bool)
                one[g] = True
                for w in range(2):
                    out.append((role, sample.group_labels[g], w, one, sample.persons_at_risk[g, w]))
    return out


def _tables(sample: DurationSample, tau: float, alpha: float, min_persons: int,
            by_municipality: bool) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """The disclosure-controlled table and curves.

    A row resting on fewer than ``min_persons`` persons is withheld. When a
    single municipality row of a role and window is withheld, the counts
    (spells, persons, censored share) of the smallest other municipality row
    there are withheld too, so that the role's total does not give it back.
    """
    threshold = max(min_persons, 1)
    rows, curves = [], []
    for role, municipality, w, mask, persons_at_risk in _cells(sample, by_municipality):
        events = sample.events[mask, w].sum(axis=0)
        censored = sample.censored[mask, w].sum(axis=0)
        values = _cell(events, censored, persons_at_risk, tau, alpha)
        small = values["persons"] < min_persons
        if small:
            values = {name: math.nan for name in _VALUE_COLUMNS}
        rows.append({"role": role, "municipality": municipality, "window": WINDOWS[w], **values,
                     "horizon_weeks": tau * WEEKS_PER_MONTH, "suppressed": bool(small)})
        if not small:
            survival, _ = kaplan_meier(events, censored)
            shown = np.flatnonzero(persons_at_risk >= threshold)
            curves.append(pd.DataFrame({
                "role": role, "municipality": [municipality] * len(shown), "window": WINDOWS[w],
                "months": shown, "weeks": shown * WEEKS_PER_MONTH, "survival": survival[shown],
                "at_risk": persons_at_risk[shown].astype(np.int64),
            }))
    table = pd.DataFrame(rows)
    table["municipality"] = table["municipality"].astype(object)
    secondary = 0
    if by_municipality:
        for role in ROLES:
            for window in WINDOWS:
                here = table.index[(table["role"] == role) & (table["window"] == window)
                                   & table["municipality"].notna()]
                withheld = [i for i in here if table.at[i, "suppressed"]]
                visible = [i for i in here if not table.at[i, "suppressed"]]
                if len(withheld) == 1 and visible:
                    smallest = min(visible, key=lambda i: table.at[i, "persons"])
                    table.loc[smallest, list(_COUNT_COLUMNS)] = math.nan
                    secondary += 1
    for column in ("spells", "persons"):
        table[column] = table[column].astype("Float64").round().astype("Int64")
    curve_frame = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(
        columns=["role", "municipality", "window", "months", "weeks", "survival", "at_risk"])
    suppressed = {"primary": int(table["suppressed"].sum()), "secondary": secondary}
    return table, curve_frame, suppressed


def time_on_support(
    data: Data,
    unit: str,
    group: str,
    time: str,
    treated: object,
    start: object,
    *,
    horizon: float | None = None,
    benefit: str | None = None,
    gap_months: int = 0,
    before: Window = None,
    after: Window = None,
    comparison: Comparison = None,
    observed: tuple[object, object] | None = None,
    by_municipality: bool = False,
    alpha: float = 0.05,
    min_persons: int = 5,
    engine: Engine | None = None,
    client: object = None,
) -> TimeOnSupport:
    """Weeks on public support of spells starting before and after the start.

    Spells are built from person-month rows (see :func:`benefit_spells`) and
    classified by their first month into the before and after windows; spells
    already running when the data begin are left out (their start, and so
    their duration, is unknown) and counted. For the treated municipality (or
    municipalities, together) and the comparison municipalities together,
    and for each municipality with ``by_municipality=True``, each window has
    its Kaplan-Meier curve of the time on support, its median and its
    restricted mean to a horizon (the mean of ``min(duration, horizon)``,
    the area under the curve), with confidence intervals. Weeks are months x
    52 / 12.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Person-month rows, a row a month on the benefit (not changed), or the
        path of a Parquet dataset of them (a file, or a folder of files such
        as one partitioned by year).
    unit, group, time : str
        Columns of the person, the municipality and the month.
    treated : label or list of labels
        The treated municipality (a code, or a name such as ``"Hjørring"``
        where the column holds codes).
    start : str, pandas.Period or Timestamp
        The reform's first month.
    horizon : float, optional
        Horizon of the restricted means, in weeks. Default: the longest
        duration at which every window of the treated and of the comparison
        municipalities still has at least ``min_persons`` persons at risk
        (recorded in the result).
    benefit : str, optional
        Column of the benefit group, to count spells per benefit (see
        :func:`benefit_spells`); to study one benefit, select its rows first.
    gap_months : int, default 0
        Longest gap, in months off benefit, bridged inside a spell.
    before, after : (first month, last month), optional
        Start months of the spells in each window; default: the data's first
        month to the month before ``start``, and ``start`` to the data's last month.
    comparison : None, {"north_jutland", "rural", "all"} or list
        Comparison municipalities (default: all others).
    observed : (first month, last month), optional
        The months the data cover (default: the first and last in the data).
    by_municipality : bool, default False
        Add a row per municipality and window.
    alpha : float, default 0.05
    min_persons : int, default 5
        Disclosure threshold: rows resting on fewer persons are shown as NaN
        (and counted in ``suppressed_cells``); curves stop where fewer are at risk.
    engine : {"pandas", "duckdb", "dask"}, optional
        Where the spells are built (see :func:`benefit_spells`): ``"pandas"``
        in memory (the default for a DataFrame; a path is read whole),
        ``"duckdb"`` out of core (the default for a path), ``"dask"`` on a
        Dask cluster. The estimates start from the spells and do not depend
        on the engine.
    client : dask.distributed.Client, optional
        The cluster of ``engine="dask"``; default: a local cluster started
        for the call and closed afterwards.

    Returns
    -------
    TimeOnSupport

    Raises
    ------
    DataError
        Bad columns or options, naming the column and rows or the allowed values.

    Notes
    -----
    The curves are Kaplan-Meier estimates on monthly durations computed from
    counts by duration, which is exact with tied durations. A spell still
    running at the data's end leaves the risk set after its last complete
    month (its last month may or may not be its last). The median is the
    shortest duration at which the curve is at or below one half, its interval
    the Brookmeyer-Crowley inversion on the complementary log-log scale; the
    restricted mean's standard error is the Greenwood-type delta method
    (Klein and Moeschberger 2003, sec. 4.5).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from hjeval.duration import time_on_support
    >>> rng = np.random.default_rng(0)
    >>> rows = [(f"{m}-{i}", m, pd.Period("2012-01", "M") + s + k)
    ...         for m in range(4) for i, s in enumerate(rng.integers(1, 60, 300))
    ...         for k in range(rng.geometric(0.08 if m == 0 and s >= 36 else 0.04))]
    >>> panel = pd.DataFrame(rows, columns=["person_id", "municipality", "month"])
    >>> tos = time_on_support(panel, "person_id", "municipality", "month", treated=0, start="2015-01")
    >>> tos.to_frame()[["role", "window", "spells"]].values.tolist()[:2]
    [['treated', 'before', 156], ['treated', 'after', 137]]

    The same rows as a Parquet file, with the spells built by DuckDB:

    >>> import tempfile
    >>> path = f"{tempfile.mkdtemp()}/rows.parquet"
    >>> panel.to_parquet(path)
    >>> time_on_support(path, "person_id", "municipality", "month", treated=0, start="2015-01").to_frame().equals(
    ...     tos.to_frame())
    True

    And with the spells built on a Dask cluster (a local one, started for the call):

    >>> time_on_support(path, "person_id", "municipality", "month", treated=0, start="2015-01",
    ...                 engine="dask").to_frame().equals(tos.to_frame())
    True
    """
    alpha = _check_alpha(alpha)
    min_persons = _check_min_persons(min_persons)
    if not isinstance(by_municipality, bool):
        raise DataError(f"by_municipality must be True or False, not {by_municipality!r}")
    rows = OnEngine(data, row_engine(data, engine, function="time_on_support"), client)
    sample = build_sample(rows, unit=unit, group=group, time=time, treated=treated, start=start,
                          benefit=benefit, gap_months=gap_months, before=before, after=after, comparison=comparison,
                          observed=observed, one_treated=False)
    tau, rule = _horizon(sample, horizon, min_persons)
    table, curves, suppressed = _tables(sample, tau, alpha, min_persons, by_municipality)
    return TimeOnSupport(
        table=table, curves=curves, horizon_weeks=tau * WEEKS_PER_MONTH, horizon_rule=rule,
        treated=sample.treated_label(), start=month_label(sample.start), comparison=sample.comparison_name,
        windows=sample.window_labels(), alpha=alpha, min_persons=min_persons, suppressed_cells=suppressed,
        provenance={**sample.provenance(), "hjeval_version": __version__},
    )


def _reassignable(sample: DurationSample, tau: float) -> Reassignable:
    """The restricted-mean DiD and the Cox coefficient under any single treated municipality.

    A re-assignment to municipality ``j`` compares ``j`` with the comparison
    municipalities other than ``j``; the truly treated municipality is in
    none of these comparisons, so removing a hypothesised effect from it
    moves no placebo estimate (slopes 0) and moves the actual estimate one
    for one (slope 1). That is exact for any effect on the restricted mean,
    which is not a linear function of the spells.
    """
    g = sample.n_groups
    is_comparison = sample.role_mask("comparison")
    events, censored = sample.events, sample.censored
    at_risk_before, at_risk_after = risk_set(events[:, 0], censored[:, 0]), risk_set(events[:, 1], censored[:, 1])
    treated_set = frozenset(int(t) for t in sample.treated)

    def evaluate(sets: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        member = np.zeros((len(sets), g), dtype=bool)
        for s, groups in enumerate(sets):
            member[s, groups] = True
        pool = is_comparison[None, :] & ~member

        def restricted(mask: np.ndarray) -> np.ndarray:
            m = mask.astype(np.float64)
            survival, _ = kaplan_meier(np.einsum("sg,gwd->swd", m, events), np.einsum("sg,gwd->swd", m, censored))
            return restricted_mean(survival, tau)

        treated_mean, pool_mean = restricted(member), restricted(pool)
        did = WEEKS_PER_MONTH * ((treated_mean[:, 1] - treated_mean[:, 0]) - (pool_mean[:, 1] - pool_mean[:, 0]))
        theta = common_log_hazard_ratio(member, events[:, 0], events[:, 1], at_risk_before, at_risk_after)
        common = common_log_hazard_ratio(pool, events[:, 0], events[:, 1], at_risk_before, at_risk_after)
        estimates = np.column_stack([did, theta - common])
        slopes = np.zeros((len(sets), 2, 2))
        for s, groups in enumerate(sets):
            if frozenset(int(x) for x in groups) == treated_set:
                slopes[s] = np.eye(2)
        return estimates, slopes

    actual, _ = evaluate([sample.treated])
    return Reassignable(
        coef=actual[0], treated=sample.treated, comparison=sample.comparison, group_labels=sample.group_labels,
        sizes=sample.persons.copy(), shares=sample.persons.copy(), size_measure="persons", evaluate=evaluate,
        residual_errors=None,
    )


_PHREG_AGREEMENT = 1e-6
"""Largest difference in the log hazard ratio allowed between the counts' fit and statsmodels ``PHReg``."""


def _checked_by_phreg(sample: DurationSample, ratio: InferenceRecord) -> InferenceRecord:
    """The hazard ratio's record with the estimate from statsmodels ``PHReg``, checked against the counts' fit.

    The re-assignments are re-fitted from the counts by Newton's method (fast for many strata
    sets at once); the treated municipality's own coefficient is the one statsmodels gives on the
    spells. The two solve the same partial likelihood, so they must agree.
    """
    stratified = sample.role_mask("treated") | sample.role_mask("comparison")
    library = phreg_log_hazard_ratio(sample.events[stratified], sample.censored[stratified],
                                     sample.role_mask("treated")[stratified])
    if not abs(library - ratio.estimate) <= _PHREG_AGREEMENT * max(1.0, abs(library)):
        raise DataError(f"the Cox fit from counts ({ratio.estimate:.10g}) and statsmodels PHReg ({library:.10g}) "
                        "disagree on the log hazard ratio; the exit hazard cannot be estimated reliably here")
    return dataclasses.replace(ratio, estimate=library)


def _placebo_series(sample: PlaceboSample | None, target: Target, j: int, name: str,
                    remove: float | None = None) -> pd.Series:
    if sample is None:
        return pd.Series(dtype=float, name=name)
    dist = sample.distribution(target, j)
    values = dist.estimates[1:] if remove is None else dist.null_spread(remove)
    index = pd.Index(list(sample.labels[1:]), name="assigned_to", tupleize_cols=False)
    return pd.Series(values, index=index, name=name)


def duration_did(
    data: Data,
    unit: str,
    group: str,
    time: str,
    treated: object,
    start: object,
    *,
    horizon: float | None = None,
    benefit: str | None = None,
    gap_months: int = 0,
    before: Window = None,
    after: Window = None,
    comparison: Comparison = None,
    observed: tuple[object, object] | None = None,
    inference: InferenceMethod = "placebo",
    alpha: float = 0.05,
    seed: int = 0,
    draws: int = 999,
    size_correction: bool = True,
    min_persons: int = 5,
    engine: Engine | None = None,
    client: object = None,
) -> DurationDidResult:
    """The reform's effect on time on support: a difference in differences of restricted mean weeks.

    ``estimate = (T_after - T_before) - (C_after - C_before)``, where ``T`` and
    ``C`` are the restricted mean weeks on support (to ``horizon``) of the
    spells starting in each window in the treated municipality and in the
    comparison municipalities together (one Kaplan-Meier curve each).
    Negative means shorter time on support. Beside it, ``hazard_ratio`` is
    ``exp(b)`` from a Cox model of the exit hazard with a baseline hazard per
    municipality (strata), a common after-window term and the treated
    municipality's after-window term ``b``.

    Parameters
    ----------
    data, unit, group, time, treated, start, benefit, gap_months, before, after, comparison, observed
        As :func:`time_on_support`; one treated municipality.
    horizon : float, optional
        Horizon of the restricted means in weeks (default: the longest
        duration at which every window of the treated and comparison
        municipalities has at least ``min_persons`` persons at risk; in
        ``horizon_weeks`` and ``horizon_rule``). It is fixed before the
        placebo re-assignments and the same for all of them.
    inference : {"placebo"}, default "placebo"
        Placebo permutation over the comparison municipalities (the only
        strategy offered: the estimator has no cluster covariance and no
        residuals).
    alpha : float, default 0.05
    seed, draws : int
        Recorded; with one treated municipality every re-assignment is enumerated.
    size_correction : bool, default True
        Rescale each placebo estimate to the treated municipality's size
        (Ferman and Pinto 2019), with the persons with a spell used as ``M_j``:
        the restricted means' sampling noise shrinks with the number of
        independent persons (a person's spells are not independent of each
        other), so persons, not spells or rows, are the size.
    min_persons : int, default 5
        Disclosure threshold for the windows table and curves; the treated
        municipality must have at least this many persons in each window.
    engine : {"pandas", "duckdb", "dask"}, optional
        As :func:`time_on_support`: ``"pandas"`` is the default for a
        DataFrame, ``"duckdb"`` (spells built out of core) for a path;
        ``"dask"`` builds them on a Dask cluster.
    client : dask.distributed.Client, optional
        As :func:`time_on_support`.

    Returns
    -------
    DurationDidResult
        ``estimate, se, ci, pvalue`` (weeks), ``hazard_ratio`` with
        ``hazard_ratio_ci``, ``horizon_weeks``, ``windows`` (the four
        restricted means), ``curves``, ``placebo`` and ``n_obs`` (spells used).

    Raises
    ------
    DataError
        Bad columns or options, several treated municipalities, a treated
        window resting on fewer than ``min_persons`` persons, or an inference
        method other than ``"placebo"``.

    Notes
    -----
    Placebo inference (Abadie, Diamond and Hainmueller 2010) gives the
    treatment to each comparison municipality ``j`` in turn and recomputes
    the estimate against the comparison municipalities other than ``j``. The
    truly treated municipality is left out of every placebo's comparison
    group, as synthetic-control placebo studies do, so a hypothesised effect
    removed from it moves the actual estimate one for one and no placebo
    estimate: the test of any effect, and so the interval that inverts it,
    is exact although the restricted mean is not linear in the data. The
    Cox coefficient is re-fitted for every re-assignment the same way, which
    gives the hazard ratio's interval. Ties between monthly durations are
    handled by Breslow's method; the Cox fit uses the same counts as the
    curves and equals statsmodels ``PHReg(..., strata=municipality,
    ties="breslow")`` on the spells.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from hjeval.duration import duration_did
    >>> rng = np.random.default_rng(1)
    >>> rows = [(f"{m}-{i}", m, pd.Period("2012-01", "M") + s + k)
    ...         for m in range(20) for i, s in enumerate(rng.integers(1, 60, 150))
    ...         for k in range(rng.geometric(0.10 if m == 0 and s >= 36 else 0.05))]
    >>> panel = pd.DataFrame(rows, columns=["person_id", "municipality", "month"])
    >>> res = duration_did(panel, "person_id", "municipality", "month", treated=0, start="2015-01",
    ...                    horizon=52.0)
    >>> bool(res.estimate < 0), bool(res.hazard_ratio > 1), res.inference.draws
    (True, True, 19)
    """
    alpha = _check_alpha(alpha)
    min_persons = _check_min_persons(min_persons)
    options = InferenceOptions(inference, alpha=alpha, seed=seed, draws=draws, size_correction=size_correction)
    rows = OnEngine(data, row_engine(data, engine, function="duration_did"), client)
    sample = build_sample(rows, unit=unit, group=group, time=time, treated=treated, start=start,
                          benefit=benefit, gap_months=gap_months, before=before, after=after, comparison=comparison,
                          observed=observed, one_treated=True)
    for w, window in enumerate(WINDOWS):
        persons = int(sample.role_persons_at_risk[0, w, 0])
        if persons < min_persons:
            raise DataError(f"the treated municipality has {persons} person(s) with a spell starting in the {window} "
                            f"window, fewer than min_persons={min_persons}: the estimate would rest on too few "
                            "persons; widen the window, or pass a smaller min_persons for your own use")
    tau, rule = _horizon(sample, horizon, min_persons)
    problem = _reassignable(sample, tau)
    if not np.isfinite(problem.coef).all():
        raise DataError("the effect cannot be estimated: the treated municipality or the comparison municipalities "
                        "have no exits in a window")
    offer = InferenceOffer(coef=problem.coef, estimator="duration_did", clusters=sample.n_groups,
                           treated_clusters=1, cluster_by=group, reassignment=problem)
    targets = [Target.coefficient(problem.coef, 0), Target.coefficient(problem.coef, 1)]
    outcome = infer(offer, targets, options, stacklevel=2)
    record, ratio = outcome.records
    ratio = _checked_by_phreg(sample, ratio)
    table, curves, _ = _tables(sample, tau, alpha, min_persons, by_municipality=False)
    provenance = {
        **sample.provenance(), "seed": seed, "draws": record.draws, "degenerate_draws": record.degenerate,
        "exact_enumeration": record.exact, "size_measure": "persons", "cox_ties": "breslow",
        "horizon_months": tau, "hjeval_version": __version__,
    }
    return DurationDidResult(
        estimate=record.estimate, se=record.se, ci=(float(record.ci[0]), float(record.ci[1])),
        pvalue=float(record.pvalue), n_obs=sample.spells_used, alpha=alpha, inference=record,
        method="duration_did", outcome="weeks on support", treated=sample.treated_label(),
        start=month_label(sample.start), comparison=sample.comparison_name,
        hazard_ratio=float(np.exp(ratio.estimate)),
        hazard_ratio_ci=(float(np.exp(ratio.ci[0])), float(np.exp(ratio.ci[1]))),
        hazard_ratio_pvalue=float(ratio.pvalue), hazard_ratio_inference=ratio,
        horizon_weeks=tau * WEEKS_PER_MONTH, horizon_rule=rule, windows=table, curves=curves,
        placebo=_placebo_series(outcome.placebo, targets[0], 0, "placebo_estimate"),
        placebo_errors=_placebo_series(outcome.placebo, targets[0], 0, "placebo_error", record.estimate),
        placebo_log_hazard_ratio=_placebo_series(outcome.placebo, targets[1], 1, "placebo_log_hazard_ratio"),
        min_persons=min_persons, provenance=provenance,
    )
