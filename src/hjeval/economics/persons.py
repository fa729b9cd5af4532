"""Full-time persons off public support: the hours effect re-expressed per calendar year.

The effect on hours worked is in hours a recipient a month. Multiplied by the
treated municipality's person-months on support in a year it is the extra hours
the reform brought that year; divided by the hours of a full-time year (37 hours
a week, 52 weeks: 1,924 hours) it is the number of full-time persons who were in
work instead of on support. The placebo draws of the effect go through the same
arithmetic, so the interval and the draws of the persons carry the uncertainty
of the hours effect, estimated with one treated municipality, and nothing more.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hjeval._version import __version__
from hjeval.data.schemas import BENEFIT_GROUPS
from hjeval.design.panel import as_list, resolve_labels
from hjeval.economics._checks import (
    HOURS_PER_FULL_TIME_YEAR,
    BenefitGroup,
    Language,
    check_option,
    check_positive,
    numeric_column,
    where,
)
from hjeval.errors import DataError, HjevalWarning
from hjeval.periods import parse_periods
from hjeval.results.effect import EffectResult
from hjeval.results.event_study import EventStudyResult

__all__ = ["PersonsOffSupport", "persons_off_support"]

_HOURS_IN_A_MONTH = 24.0 * 31.0
"""No one works more hours in a month than it has."""

_FREQUENCIES = ("M", "Q", "6M", "Y", "A")


@dataclass(frozen=True)
class PersonsOffSupport:
    """Full-time persons off public support by year, with draws that carry the effect's uncertainty.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per calendar year from the start on: ``year``,
        ``persons_off_support`` (full-time persons), ``ci_low``, ``ci_high``
        (at level ``1 - alpha``), ``person_months`` (the treated
        municipality's person-months on support that year, an aggregate),
        ``hours_per_month`` (the effect that year, in hours a recipient a month)
        and ``extra_hours`` (the year's extra hours worked in all).
    draws : pandas.DataFrame
        One row per placebo re-assignment (indexed by the group it went to),
        one column per year: the persons off support computed with
        ``estimate - error`` for that re-assignment. Rows are joint draws: the
        same re-assignment in every year. Empty without placebo inference.
    alpha : float
        The effect's level.
    hours_per_full_time_year : float
    benefit_group : str or None
        The target group whose person-months were counted (``None`` when the
        data held several and none was chosen).
    source : str
        The estimator the effect came from: ``"event_study"`` or ``"did"``.
    outcome, treated, start
        As in the effect.
    inference : str
        How the effect's uncertainty was obtained.
    provenance : dict
        Rows counted, the relative periods behind each year, how each
        interval was obtained, draws kept and dropped, version.
    """

    table: pd.DataFrame
    draws: pd.DataFrame
    alpha: float
    hours_per_full_time_year: float
    benefit_group: str | None
    source: str
    outcome: str
    treated: object
    start: object
    inference: str
    provenance: dict[str, Any] = field(default_factory=dict, repr=False, kw_only=True)

    @property
    def conf_level(self) -> float:
        """Confidence level, ``1 - alpha``."""
        return 1.0 - self.alpha

    @property
    def years(self) -> list[int]:
        """The calendar years, in order."""
        return [int(y) for y in self.table["year"]]

    @property
    def series(self) -> pd.Series:
        """Full-time persons off support, indexed by year."""
        return pd.Series(self.table["persons_off_support"].to_numpy(dtype=np.float64),
                         index=pd.Index(self.years, name="year"), name="persons_off_support")

    def to_frame(self) -> pd.DataFrame:
        """One row per year.

        Returns
        -------
        pandas.DataFrame
            ``year, persons_off_support, ci_low, ci_high, person_months,
            hours_per_month, extra_hours``.
        """
        return self.table.copy()

    def title(self) -> str:
        """A one-line title for text and HTML."""
        return f"Full-time persons off public support (treated {self.treated}, start {self.start})"

    def _notes(self) -> list[str]:
        group = f" in {self.benefit_group}" if self.benefit_group else ""
        draws = (f"{len(self.draws):,} placebo re-assignments ({self.inference})" if len(self.draws)
                 else "none (the effect has no placebo draws)")
        return [
            f"The {self.source} effect on {self.outcome} (hours a recipient a month) times the treated "
            f"municipality's person-months on support{group}, over {self.hours_per_full_time_year:,.0f} hours "
            "a full-time year.",
            "Assumes an hour of work replaces an hour of benefit one-for-one, at full-time rates; it is the "
            "hours effect re-expressed, not a separate estimate of benefit receipt.",
            f"Interval: {self.conf_level:.0%}; draws: {draws}.",
        ]

    def summary(self) -> str:
        """A plain-text summary: the persons by year, their intervals, and what they rest on.

        Returns
        -------
        str
        """
        title = self.title()
        body = self.table.to_string(index=False, float_format=lambda v: f"{v:,.1f}")
        return "\n".join([title, "-" * len(title), body, "", *self._notes()])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.table.columns)
        body = "".join(
            "<tr>" + "".join(
                f"<td style='text-align:right'>{'' if pd.isna(v) else (f'{v:.0f}' if c == 'year' else f'{v:,.1f}')}"
                "</td>" for c, v in zip(self.table.columns, row, strict=True)
            ) + "</tr>"
            for row in self.table.itertuples(index=False)
        )
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self._notes())
        return (f"<div class='hjeval-result'><table><caption>{html.escape(self.title())}</caption>"
                f"<tr>{head}</tr>{body}</table>{notes}</div>")

    def plot(self, ax: Any = None, *, language: Language = "en", **kwargs: Any) -> Any:
        """Persons off support by year with their intervals.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        language : {"en", "da"}

        Returns
        -------
        matplotlib.figure.Figure
        """
        from hjeval.economics.figures import persons_plot

        return persons_plot(self, ax=ax, language=language, **kwargs)


@dataclass(frozen=True)
class _Effects:
    """The effect by relative period as the conversion needs it."""

    estimates: dict[int, float]
    intervals: dict[int, tuple[float, float]]
    errors: pd.DataFrame
    last: int | None
    pooled_last: bool
    bin_width: int


def _effects(effect: EffectResult | EventStudyResult) -> _Effects:
    if isinstance(effect, EventStudyResult):
        table = effect.table[effect.table["rel_time"] >= 0]
        if table.empty:
            raise DataError("effect: the event study has no period from the start on")
        bins = [int(b) for b in table["rel_time"]]
        errors = effect.placebo_errors
        if len(errors):
            absent = [b for b in bins if b not in errors.columns]
            if absent:
                raise DataError(f"effect.placebo_errors has no column for relative period(s) {absent}")
            errors = errors[bins]
        else:
            errors = pd.DataFrame(columns=pd.Index(bins), dtype=float)
        return _Effects(
            estimates=dict(zip(bins, table["estimate"].astype(float), strict=True)),
            intervals={b: (float(lo), float(hi))
                       for b, lo, hi in zip(bins, table["ci_low"], table["ci_high"], strict=True)},
            errors=errors, last=max(bins), pooled_last=bool(effect.pooled_ends[1]), bin_width=int(effect.bin_width),
        )
    if isinstance(effect, EffectResult):
        errors = effect.placebo_errors.to_frame(0) if len(effect.placebo_errors) else pd.DataFrame(
            columns=pd.Index([0]), dtype=float)
        return _Effects(estimates={0: float(effect.estimate)},
                        intervals={0: (float(effect.ci[0]), float(effect.ci[1]))},
                        errors=errors, last=None, pooled_last=True, bin_width=1)
    raise DataError(
        f"effect must be the result of hj.event_study (by year: bin_width=12 on months) or hj.did, "
        f"not {type(effect).__name__}"
    )


def _treated(effect: EffectResult | EventStudyResult, data: pd.DataFrame, group: str, treated: object) -> list[object]:
    expected = as_list(effect.treated)
    distinct = np.asarray(pd.unique(data[group].dropna()), dtype=object)
    if treated is None:
        present = set(distinct.tolist())
        absent = [t for t in expected if t not in present]
        if absent:
            raise DataError(f"data: column {group!r} has no rows of the effect's treated group(s) {absent}; "
                            "pass the data the effect was estimated on")
        return expected
    labels = resolve_labels(as_list(treated), distinct, argument="treated", column=group)
    if set(labels) != set(expected):
        raise DataError(f"treated={treated!r} is not the effect's treated group ({effect.treated!r}); "
                        "leave treated out to use the effect's")
    return labels


def persons_off_support(
    effect: EffectResult | EventStudyResult,
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    group: str | None = None,
    treated: object = None,
    benefit_group: BenefitGroup | None = None,
    persons: str | None = None,
    hours_per_full_time_year: float = HOURS_PER_FULL_TIME_YEAR,
) -> PersonsOffSupport:
    """The reform's effect as full-time persons off public support per year, with its draws.

    For each calendar year from the start on: the effect in hours a recipient
    a month, times the treated municipality's person-months on support that
    year, over the hours of a full-time year. The draws repeat this with
    ``estimate - error`` for each placebo re-assignment of the effect.

    Parameters
    ----------
    effect : EventStudyResult or EffectResult
        Preferably an event study by year, ``hj.event_study(..., bin_width=12,
        window=(..., last post year))`` on a monthly panel: each year is then
        multiplied by its own effect. A DiD result (one effect for all years
        after the start) is accepted and applied to every year.
    data : pandas.DataFrame
        The person-period data the effect was estimated on (one row a person
        on support in a period, ``outcome`` = hours worked in that period).
        It is only read.
    unit, time, group : str
        Columns as in the estimation (``group`` defaults to ``unit``).
    treated : label or list, optional
        The treated group(s); by default the effect's. A name such as
        ``"Hjørring"`` is read as the code where ``group`` holds codes.
    benefit_group : {"activity_ready_cash", "job_ready_cash", "sickness", "integration"}, optional
        Count only the rows of this group (column ``benefit_group``) when the
        data holds several; by default every row counts, and the group is
        taken from the data when it holds one.
    persons : str, optional
        Column with the number of persons a row stands for, when the data is
        aggregated (a municipality-period panel whose outcome is mean hours a
        person); by default each row is one person in one period.
    hours_per_full_time_year : float, default 1924.0
        37 hours a week, 52 weeks (a full-time person in Danish statistics).

    Returns
    -------
    PersonsOffSupport
        ``.to_frame()`` by year, ``.draws``, ``.series``; accepted as
        ``effect`` by :func:`hjeval.economics.cost_benefit`.

    Raises
    ------
    DataError
        If the effect is of another kind, a column is missing, the periods
        are not of the effect's frequency, the outcome is not hours in each
        row's period (values above the hours a period has, or negative),
        rows repeat a unit and period, or the data reaches beyond the
        event study's last period.

    Notes
    -----
    Which estimate: the event study by year with the same specification as
    the headline effect (cycle adjustment, comparison pool, placebo inference
    with the size correction). The effect builds up over the first year and
    changes when resources change, so a year's persons should use that
    year's effect; the DiD average would move effect from later years into
    earlier ones. Each year's estimate is tested against the same
    re-assignments of the treatment to comparison municipalities, and a
    draw is one re-assignment in every year, so sums over years (the
    cumulative savings) keep the correlation between years.

    The interval of a year is the effect's own interval (the inverted
    placebo test) times the same factor, exact because the conversion is
    linear and positive; where a year spans several estimated periods (an
    event study not binned by calendar year) it is the ``alpha / 2`` and
    ``1 - alpha / 2`` quantiles of the draws. Periods after the last bin of an
    event study whose last bin pools them get that bin's effect.

    The conversion assumes that an hour of work replaces an hour of benefit
    one-for-one, at full-time rates (1,924 hours of work = one full-time
    person off support). It is the hours effect re-expressed, not a separate
    estimate of benefit receipt: effects on exits from support are not in it.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hjeval as hj
    >>> from hjeval.economics import persons_off_support
    >>> rng = np.random.default_rng(0)
    >>> months = pd.period_range("2013-01", "2016-12", freq="M")
    >>> panel = pd.DataFrame([(m, p, t) for m in range(25) for p in range(10) for t in months],
    ...                      columns=["municipality", "person_id", "month"])
    >>> panel["person_id"] += 100 * panel["municipality"]
    >>> after = (panel["municipality"] == 0) & (panel["month"] >= pd.Period("2015-01", "M"))
    >>> panel["hours"] = 40 + rng.normal(0, 4, len(panel)) + 24.0 * after
    >>> es = hj.event_study(panel, "hours", unit="person_id", group="municipality", time="month",
    ...                     treated=0, start="2015-01", window=(-2, 1), bin_width=12)
    >>> pos = persons_off_support(es, panel, unit="person_id", group="municipality", time="month")
    >>> pos.to_frame()[["year", "person_months"]].values.tolist()
    [[2015.0, 120.0], [2016.0, 120.0]]
    >>> round(10 * 24 * 12 / 1924, 2)  # ten recipients, 24 hours a month more: full-time persons a year
    1.5
    >>> bool((abs(pos.series - 1.5) < 0.1).all()), pos.draws.shape
    (True, (24, 2))
    """
    hours_full = check_positive("hours_per_full_time_year", hours_per_full_time_year)
    if benefit_group is not None:
        check_option("benefit_group", benefit_group, BENEFIT_GROUPS)
    effects = _effects(effect)
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame (the person-period data), not {type(data).__name__}")
    group = group or unit
    outcome = effect.outcome
    roles = {"unit": unit, "time": time, "group": group, "outcome (the effect's)": outcome, "persons": persons,
             "benefit_group": "benefit_group" if benefit_group is not None else None}
    absent = {role: col for role, col in roles.items() if col is not None and col not in data.columns}
    if absent:
        detail = ", ".join(f"{role}={col!r}" for role, col in absent.items())
        raise DataError(f"data: column(s) not found: {detail}; the data has {list(data.columns)}")
    labels = _treated(effect, data, group, treated)

    mask = data[group].isin(labels).to_numpy()
    if benefit_group is not None:
        mask &= (data["benefit_group"].astype(object) == benefit_group).to_numpy()
    columns = list(dict.fromkeys(c for c in (unit, time, group, outcome, persons, "benefit_group")
                                 if c is not None and c in data.columns))
    rows = data.loc[mask, columns]
    if rows.empty:
        which = f" of benefit_group {benefit_group!r}" if benefit_group is not None else ""
        raise DataError(f"data: no rows of the treated group(s) {labels}{which} in column {group!r}")

    start = effect.start
    if not isinstance(start, pd.Period) or start.freqstr.split("-")[0] not in _FREQUENCIES:
        raise DataError(f"effect.start={start!r}: the time periods must be months, quarters, half-years or years")
    periods = parse_periods(rows[time], column=time, source="data")
    if getattr(periods.dtype, "freq", None) != start.freq:
        raise DataError(f"data: column {time!r} holds periods of another frequency ({periods.dtype}) than the "
                        f"effect's start ({start.freqstr}); pass the data the effect was estimated on")
    months_per_period = start.asfreq("M", "end").ordinal - start.asfreq("M", "start").ordinal + 1
    index = pd.PeriodIndex(periods)
    relative = (index.asi8 - start.ordinal) // start.freq.n
    post = relative >= 0
    if not post.any():
        raise DataError(f"data: the treated group has no rows from the start ({start}) on")

    hours = numeric_column(rows, outcome, argument="data")
    limit = _HOURS_IN_A_MONTH * months_per_period
    bad = (hours < 0) | (hours > limit)
    if bad.any():
        raise DataError(
            f"data: column {outcome!r} is not hours worked in each row's period: values below 0 or above "
            f"{limit:,.0f} (the hours in a {start.freqstr} period) in {where(rows, bad)}; estimate the effect on "
            "hours worked per person and period"
        )
    if outcome != "hours":
        warnings.warn(f"persons_off_support reads the effect on {outcome!r} as hours worked a person a period",
                      HjevalWarning, stacklevel=2)
    if persons is None:
        repeated = rows.duplicated([unit, time]).to_numpy()
        if repeated.any():
            raise DataError(
                f"data: rows repeat a {unit!r} and {time!r} in the treated group ({where(rows, repeated)}); "
                "each row must be one person in one period, or name the column of persons a row stands for "
                "with persons="
            )
        weight = np.ones(len(rows))
    else:
        weight = numeric_column(rows, persons, argument="data", minimum=0.0)

    bins = relative[post] // effects.bin_width if effects.last is not None else np.zeros(int(post.sum()), np.int64)
    if effects.last is not None:
        beyond = bins > effects.last
        if beyond.any() and not effects.pooled_last:
            raise DataError(
                f"data: {int(beyond.sum()):,} treated rows lie after the event study's last period "
                f"(relative period {effects.last}); pass the data the effect was estimated on"
            )
        bins = np.minimum(bins, effects.last)
        lacking = sorted(set(bins.tolist()) - set(effects.estimates))
        if lacking:
            raise DataError(f"effect: the event study has no estimate for relative period(s) {lacking}, which the "
                            "data's treated rows fall in; pass the data the effect was estimated on")
    cells = (
        pd.DataFrame({"year": index.year[post], "bin": bins, "person_months": weight[post] * months_per_period})
        .groupby(["year", "bin"])["person_months"].sum()
        .unstack("bin", fill_value=0.0)
    )
    years = [int(y) for y in cells.index]
    used_bins = [int(b) for b in cells.columns]
    m = cells.to_numpy(dtype=np.float64)  # person-months: years x relative periods
    per_month = np.array([effects.estimates[b] for b in used_bins]) / months_per_period
    scale = 1.0 / hours_full
    extra = m @ per_month
    persons_by_year = extra * scale

    draws, dropped = _draws(effects.errors, effects.estimates, used_bins, months_per_period, m, scale, years)
    low, high, how = _intervals(m, used_bins, effects.intervals, months_per_period, scale, draws, effect.alpha)
    total = m.sum(axis=1)
    table = pd.DataFrame({
        "year": years, "persons_off_support": persons_by_year, "ci_low": low, "ci_high": high,
        "person_months": total, "hours_per_month": extra / total, "extra_hours": extra,
    })
    if not len(draws):
        warnings.warn("the effect has no placebo draws (estimate it with inference='placebo'): the persons off "
                      "support have no draws, and a cost-benefit from them no probability", HjevalWarning,
                      stacklevel=2)
    if dropped:
        warnings.warn(f"{dropped} placebo draw(s) without an error in some period were left out", HjevalWarning,
                      stacklevel=2)
    chosen: str | None = benefit_group
    if chosen is None and "benefit_group" in rows.columns:
        found = pd.unique(rows["benefit_group"].dropna().astype(object))
        chosen = str(found[0]) if len(found) == 1 and str(found[0]) in BENEFIT_GROUPS else None
    provenance = {
        "rows_counted": int(post.sum()),
        "months_per_period": int(months_per_period),
        "relative_periods": {y: [b for b, v in zip(used_bins, m[i], strict=True) if v > 0]
                             for i, y in enumerate(years)},
        "interval": dict(zip(years, how, strict=True)),
        "draws": len(draws),
        "draws_dropped": dropped,
        "hjeval_version": __version__,
    }
    return PersonsOffSupport(
        table=table, draws=draws, alpha=float(effect.alpha), hours_per_full_time_year=hours_full,
        benefit_group=chosen, source=effect.method, outcome=outcome, treated=effect.treated, start=start,
        inference=str(effect.inference), provenance=provenance,
    )


def _draws(errors: pd.DataFrame, estimates: dict[int, float], bins: list[int], months_per_period: int,
           m: np.ndarray, scale: float, years: list[int]) -> tuple[pd.DataFrame, int]:
    """Persons off support for each re-assignment: ``estimate - error`` through the same conversion."""
    columns = pd.Index(years, name="year")
    if not len(errors):
        return pd.DataFrame(columns=columns, dtype=float), 0
    err = errors[bins].to_numpy(dtype=np.float64)
    keep = np.isfinite(err).all(axis=1)
    effect_draws = (np.array([estimates[b] for b in bins])[None, :] - err[keep]) / months_per_period
    values = effect_draws @ m.T * scale
    return pd.DataFrame(values, index=errors.index[keep], columns=columns), int((~keep).sum())


def _intervals(m: np.ndarray, bins: list[int], intervals: dict[int, tuple[float, float]], months_per_period: int,
               scale: float, draws: pd.DataFrame, alpha: float) -> tuple[np.ndarray, np.ndarray, list[str]]:
    low = np.full(len(m), np.nan)
    high = np.full(len(m), np.nan)
    how: list[str] = []
    for i, row in enumerate(m):
        present = np.flatnonzero(row > 0)
        if len(present) == 1:
            j = int(present[0])
            factor = row[j] * scale / months_per_period
            low[i], high[i] = (intervals[bins[j]][0] * factor, intervals[bins[j]][1] * factor)
            how.append("effect interval")
        elif len(draws):
            low[i], high[i] = np.quantile(draws.iloc[:, i].to_numpy(), [alpha / 2, 1 - alpha / 2])
            how.append("draw quantiles")
        else:
            how.append("none")
    return low, high, how
