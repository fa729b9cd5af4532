"""Power and minimum detectable effect of a planned evaluation, from a pretend start in the pre-period."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.polynomial.hermite_e import hermegauss
from scipy import optimize, stats

from hjeval.cycle import CycleMethod
from hjeval.design.panel import Comparison, Movers, PanelDesign, as_list, require_columns
from hjeval.engines import Data, Engine, resolve_engine
from hjeval.engines.in_memory import missing_columns, naming, read_columns
from hjeval.engines.levels import dataset_columns, dataset_periods, engine_client
from hjeval.engines.subset import subset_rows
from hjeval.errors import DataError
from hjeval.estimators.did import inference_options, prepare_design, provenance_record, twfe_offer
from hjeval.estimators.twfe import fit_twfe
from hjeval.inference.reassignment import Target
from hjeval.inference.strategies import infer
from hjeval.periods import parse_period, parse_periods
from hjeval.results.power import PowerResult

__all__ = ["power", "rejection_probability"]

_NODES, _WEIGHTS = hermegauss(96)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def rejection_probability(effect: float, sigma: float, slopes: np.ndarray, alpha: float) -> float:
    """Probability that the placebo test at level ``alpha`` rejects no effect when the true effect is ``effect``.

    The treated group's estimate is ``effect + sigma Z_0``; re-assigning the
    treatment to comparison group ``g`` gives ``slopes[g] effect + sigma Z_g``
    (the effect leaks into a placebo estimate through the treated group's
    place among its controls); the ``Z`` are independent standard normal (the
    size correction makes the draws exchangeable). The test rejects when at
    most ``k - 1`` of the ``N`` placebo estimates are at least as large in
    absolute value as the treated one, ``k = floor(alpha (N + 1))``; the count
    is Poisson-binomial given ``Z_0``, integrated over ``Z_0`` by Gauss-Hermite
    quadrature.

    Parameters
    ----------
    effect, sigma : float
    slopes : numpy.ndarray, shape (N,)
    alpha : float

    Returns
    -------
    float
        ``k / (N + 1)`` (the attainable size) at ``effect = 0`` when the
        slopes are zero; 0 when ``alpha (N + 1) < 1``.

    Examples
    --------
    >>> round(rejection_probability(0.0, 1.0, np.zeros(39), 0.05), 6)
    0.05
    """
    n = len(slopes)
    k = math.floor(alpha * (n + 1) + 1e-9)
    if k < 1:
        return 0.0
    treated = np.abs(effect + sigma * _NODES)[:, None]
    shift = np.asarray(slopes, dtype=np.float64)[None, :] * effect
    # P(|sigma Z_g + shift_g| >= |treated|), per node and comparison group
    exceed = stats.norm.sf((treated - shift) / sigma) + stats.norm.cdf((-treated - shift) / sigma)
    counts = np.zeros((len(_NODES), k))
    counts[:, 0] = 1.0
    for g in range(n):
        q = exceed[:, g : g + 1]
        counts = counts * (1 - q) + np.pad(counts[:, :-1], ((0, 0), (1, 0))) * q
    return float(np.clip(_WEIGHTS @ counts.sum(axis=1), 0.0, 1.0))


def _minimum_detectable(sigma: float, slopes: np.ndarray, alpha: float, target: float) -> float:
    """The smallest positive effect rejected with probability ``target`` (inf when never)."""
    def gap(effect: float) -> float:
        return rejection_probability(effect, sigma, slopes, alpha) - target

    if gap(0.0) >= 0:
        return 0.0
    high = sigma
    for _ in range(60):
        if gap(high) >= 0:
            return float(optimize.brentq(gap, 0.0, high, xtol=1e-10 * sigma, rtol=1e-12))
        high *= 2
    return math.inf


def _before(periods: pd.Series, start: object, time: str) -> np.ndarray:
    """Which of the periods lie before ``start`` (checked to be a period of their kind)."""
    try:
        first = parse_period(start)
    except DataError as err:
        raise DataError(f"start={start!r} is not a period: {err}") from err
    if pd.PeriodDtype(first.freq) != periods.dtype:
        raise DataError(f"start={start!r} is a {first.freqstr} period but column {time!r} holds {periods.dtype} "
                        "values; give start in the same kind")
    return np.asarray((periods < first).to_numpy(), dtype=bool)


def _pre_period(data: pd.DataFrame, time: str, start: object) -> tuple[pd.DataFrame, list[pd.Period], int]:
    """The rows before ``start``, their distinct periods in order, and how many rows were left out."""
    periods = parse_periods(data[time], column=time)
    before = _before(periods, start, time)
    distinct = sorted(pd.unique(periods[before]))
    return data.loc[before], distinct, int((~before).sum())


def _pretend_start(periods: list[pd.Period], horizon: int | None, time: str, start: object) -> tuple[object, int]:
    """The pretend start ``horizon`` periods before the end of the pre-period, and the horizon."""
    if len(periods) < 2:
        raise DataError(f"column {time!r} has {len(periods)} period(s) before start={start!r}; power needs at "
                        "least two (a pretend pre- and post-period)")
    horizon = len(periods) // 2 if horizon is None else horizon
    if horizon >= len(periods):
        raise DataError(f"horizon={horizon} leaves no pretend pre-period: the data has {len(periods)} periods "
                        f"before start={start!r}; choose a horizon below {len(periods)}")
    return periods[len(periods) - horizon], horizon


def _pretend_design(data: Data, start: object, horizon: int | None, roles: dict[str, object], *,
                    engine: str | None, cycle_panel: Data | None, client: object | None,
                    ) -> tuple[PanelDesign, str, list[pd.Period], int, int, int]:
    """The pretend evaluation's design on the pre-period's rows, on the engine.

    Returns the design, the cycle method, the pre-period's periods, the
    horizon, the rows left out (from ``start`` on) and the rows given.
    """
    time = str(roles["time"])
    chosen = resolve_engine(data, "dask" if engine is None and client is not None else engine)
    if isinstance(data, pd.DataFrame) or chosen == "pandas":
        if isinstance(data, pd.DataFrame):
            frame = data
        else:  # the pandas engine reads the used columns of a path whole
            frame = read_columns(data, {"time": time}, optional=_used(roles))
        with naming(data):
            require_columns(frame, {"time": time})
            pre, periods, left_out = _pre_period(frame, time, start)
            pretend, horizon = _pretend_start(periods, horizon, time, start)
            design, method = prepare_design(pre, **roles, start=pretend, engine=engine,  # type: ignore[arg-type]
                                            cycle_panel=cycle_panel, client=client)
        return design, method, periods, horizon, left_out, len(frame)
    with engine_client(chosen, client) as running:
        names = dataset_columns(data)
        missing_columns(data, names, {"time": time})
        found = dataset_periods(data, time, engine=chosen, client=running)
        before = _before(found["period"], start, time)
        periods = sorted(pd.unique(found["period"][before]))
        pretend, horizon = _pretend_start(periods, horizon, time, start)
        missing_columns(data, names, {
            "outcome": roles["outcome"], "unit": roles["unit"], "group": roles["group"],  # type: ignore[dict-item]
            "cluster": roles["cluster"], "weights": roles["weights"],  # type: ignore[dict-item]
            **{f"covariate {c!r}": c for c in roles["covariates"] or []},  # type: ignore[attr-defined]
            "cycle": None if cycle_panel is not None else roles["cycle"],  # type: ignore[dict-item]
        })
        with tempfile.TemporaryDirectory(prefix="hjeval-power-") as tmp:
            folder = Path(tmp) / "pre-period"
            subset_rows(data, folder, values={time: found["value"][before].tolist()},
                        columns=[c for c in [time, *_used(roles)] if c in names], engine=chosen, client=running)
            try:
                design, method = prepare_design(str(folder), **roles, start=pretend, engine=chosen,  # type: ignore[arg-type]
                                                cycle_panel=cycle_panel, client=running)
            except DataError as err:
                shown = f"{data} (its rows before start={start!r}, copied)"
                raise DataError(str(err).replace(str(folder), shown)) from err
    rows = found["rows"].to_numpy()
    return design, method, periods, horizon, int(rows[~before].sum()), int(rows.sum())


def _used(roles: dict[str, object]) -> list[str]:
    """The columns the design reads besides the time."""
    names = [roles["outcome"], roles["unit"], roles["group"], roles["cluster"], roles["weights"],
             *(roles["covariates"] or []), roles["cycle"]]  # type: ignore[misc]
    return [str(c) for c in dict.fromkeys(names) if c is not None]


def power(
    data: Data,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    effects: Sequence[float] | None = None,
    horizon: int | None = None,
    group: str | None = None,
    cycle: str | None = None,
    cycle_method: CycleMethod | None = None,
    covariates: Sequence[str] | None = None,
    cluster: str | None = None,
    weights: str | None = None,
    comparison: Comparison = None,
    size_correction: bool = True,
    movers: Movers = "error",
    engine: Engine | None = None,
    cycle_panel: Data | None = None,
    client: object | None = None,
) -> PowerResult:
    """Minimum detectable effect and power of a planned DiD evaluation with size-corrected placebo inference.

    For a municipality that plans to start the model at ``start``: its data
    before ``start`` plays the whole evaluation with a pretend start
    ``horizon`` periods earlier, where no effect exists. The placebo
    re-assignments of that pretend evaluation, size-corrected to the planning
    municipality, are draws of the estimator's error under no effect; their
    spread ``sigma`` and the placebo test's exact rule give the power.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Long panel, one row per unit and period (unbalanced allowed); or the
        path of a Parquet file or folder of Parquet files (e.g. partitioned by
        year), read out of core (see ``engine``). Rows from ``start`` on (if
        any) are left out and counted.
    outcome, unit, time : str
    treated : label
        The planning municipality (one group).
    start : int, str, pandas.Period or Timestamp
        The planned first treated period.
    alpha : float, default 0.05
        Level of the planned placebo test.
    power : float, default 0.8
        Power at which the minimum detectable effect is reported.
    effects : sequence of float, optional
        Effects at which ``curve`` is evaluated (default: 41 points from 0 to
        twice the MDE).
    horizon : int, optional
        Periods after the start in the planned evaluation (default: half of
        the periods before ``start``, rounded down). The evaluation is
        assumed to use the other ``pre-period - horizon`` periods before its
        start.
    group, cycle, cycle_method, covariates, cluster, weights, comparison, size_correction, movers
        As for :func:`hjeval.did`; the planned evaluation uses the same.
    engine, cycle_panel, client
        As in :func:`hjeval.did` (every engine gives the same result). For a
        path the periods are found on the engine and the rows before
        ``start`` copied out of core to a Parquet file in a temporary folder,
        from which the engine builds the design (on Dask the workers write and
        read it, so they must share that folder with the client, as a local
        cluster does).

    Returns
    -------
    PowerResult
        ``mde``, ``curve`` (``effect, power``), ``power_at(effect)``; its
        ``estimate``, ``ci`` and ``pvalue`` are those of the pretend
        evaluation (a placebo-in-time check: it should be near 0).

    Raises
    ------
    DataError
        Bad options (alpha, power, horizon, effects, several treated groups)
        or anything :func:`hjeval.did` refuses for the pretend design.

    Notes
    -----
    Design: periods ``p_1 < ... < p_T`` before ``start``; the pretend start is
    ``p_(T - horizon + 1)``, so the pretend evaluation has ``T - horizon``
    periods before and ``horizon`` after, with the comparison groups and
    specification asked for. Its estimate for the planning municipality and
    its ``N`` size-corrected placebo estimates are ``N + 1`` draws of the
    error of such an evaluation; ``sigma`` is their root mean square (about 0,
    so a pretend trend counts as noise). The power at effect ``d`` is the
    probability that the exact placebo test of the planned evaluation (same
    shape: ``T - horizon`` periods before, ``horizon`` after) rejects, for
    errors ``N(0, sigma^2)`` that the size correction makes exchangeable, with
    the effect's leak into each placebo estimate (see
    :func:`rejection_probability`). At ``d = 0`` this is ``floor(alpha (N + 1))
    / (N + 1)``, the test's exact size; with ``alpha (N + 1) < 1`` the test
    can never reject and the MDE is infinite. An evaluation with more periods
    before its start usually has a smaller error, so the MDE is then
    conservative. Ferman and Pinto (2019) for the size correction.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hjeval as hj
    >>> rng = np.random.default_rng(3)
    >>> panel = pd.DataFrame([(m, y) for m in range(40) for y in range(2005, 2015)],
    ...                      columns=["municipality", "year"])
    >>> panel["hours"] = rng.normal(size=len(panel))
    >>> pw = hj.power(panel, "hours", unit="municipality", time="year", treated=0, start=2015)
    >>> pw.horizon, round(pw.power_at(0.0), 3), pw.mde > 0
    (5, 0.05, True)
    >>> abs(pw.power_at(pw.mde) - 0.8) < 1e-6
    True
    """
    _check_options(alpha, power, effects, horizon)
    if len(as_list(treated)) != 1:
        raise DataError(f"treated={treated!r}: power is for one planning municipality; give one group label")
    roles: dict[str, object] = dict(
        outcome=outcome, unit=unit, time=time, treated=treated, group=group, cycle=cycle, cycle_method=cycle_method,
        covariates=covariates, cluster=cluster, weights=weights, comparison=comparison, alpha=alpha, movers=movers,
    )
    design, method, periods, horizon, left_out, rows_input = _pretend_design(
        data, start, horizon, roles, engine=engine, cycle_panel=cycle_panel, client=client)
    fit = fit_twfe(design)
    offer = twfe_offer(fit, cluster or group or unit, "power")
    options = inference_options("placebo", offer, alpha=alpha, seed=0, draws=999, size_correction=size_correction)
    target = Target(np.ones(1), np.zeros(1), np.ones(1))
    outcome_ = infer(offer, [target], options)
    record = outcome_.records[0]
    if outcome_.placebo is None:
        raise RuntimeError("placebo inference returned no re-assignments")
    dist = outcome_.placebo.distribution(target)
    null = pd.Series(dist.estimates, index=pd.Index(list(dist.labels), name="assigned_to", tupleize_cols=False),
                     name="null_estimate")
    slopes = np.asarray(dist.slopes[1:], dtype=np.float64)
    sigma = float(np.sqrt(np.mean(dist.estimates**2)))
    if not sigma > 0:
        raise DataError("the pretend evaluation's estimates are all zero: the outcome does not vary; check "
                        f"column {outcome!r}")
    mde = _minimum_detectable(sigma, slopes, alpha, power)
    grid = np.asarray(effects, dtype=np.float64) if effects is not None else np.linspace(
        0.0, 2 * mde if math.isfinite(mde) and mde > 0 else 10 * sigma, 41)
    curve = pd.DataFrame({"effect": grid, "power": [rejection_probability(float(d), sigma, slopes, alpha)
                                                    for d in grid]})
    provenance = provenance_record(design, 0, cycle_method=method, draws=record.draws,
                                   degenerate_draws=record.degenerate)
    provenance["rows_input"] = rows_input
    if left_out:
        provenance["exclusions"] = [{"reason": f"period at or after start={start!r} (power uses the pre-period)",
                                     "rows": left_out}, *provenance["exclusions"]]  # type: ignore[misc]
    notes = () if math.isfinite(mde) else (
        f"with {len(slopes)} comparison groups the placebo test at alpha={alpha} can never reject: "
        "add comparison groups or raise alpha",)
    return PowerResult(
        estimate=record.estimate, se=record.se, ci=(float(record.ci[0]), float(record.ci[1])),
        pvalue=float(record.pvalue), n_obs=design.n_obs, alpha=alpha, inference=record, method="power",
        outcome=outcome, treated=design.treated_label(), start=design.period_labels[design.start],
        comparison=design.comparison, mde=mde, target_power=power, curve=curve, sigma=sigma, slopes=slopes,
        null_estimates=null, horizon=horizon, pre_periods=len(periods) - horizon, planned_start=parse_period(start),
        notes=notes, provenance=provenance,
    )


def _check_options(alpha: float, power: float, effects: Sequence[float] | None, horizon: int | None) -> None:
    for name, value in (("alpha", alpha), ("power", power)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            raise DataError(f"{name} must be a number between 0 and 1, not {value!r}")
    if horizon is not None and (isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1):
        raise DataError(f"horizon must be a whole number of periods of at least 1, not {horizon!r}")
    if effects is not None:
        values = np.asarray(effects, dtype=object)
        if values.ndim != 1 or not all(isinstance(v, int | float | np.integer | np.floating)
                                       and not isinstance(v, bool) and math.isfinite(float(v)) for v in values):
            raise DataError(f"effects must be a list of finite numbers, not {effects!r}")
