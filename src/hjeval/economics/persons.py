"""Full-time persons off public support: the reform's effect on the number of persons on support.

Each municipality's persons on support in each period (the stock: distinct
persons with a row, or the sum of a ``persons`` column) is divided by its mean
before the start, so that municipalities of every size share one scale, and an
event study by year compares the treated municipality's stock with the
comparison municipalities', weighted by their size, net of the business cycle
when a cycle series is given. An effect of ``b`` on that scale in a year is
``-b`` times the treated municipality's stock before the start persons fewer
on support in each period of that year: summed over the year's periods and
divided by the periods in a year, full-time persons off support. The
placebo re-assignments of the event study go through the same arithmetic.

The person rows may be the path of a Parquet dataset: with ``engine="duckdb"``
(the default for a path) DuckDB counts the distinct persons per municipality
and period out of core (:mod:`hjeval.engines.duckdb_person_cells`), with
``engine="dask"`` the workers of a Dask cluster count them
(:mod:`hjeval.engines.dask_person_cells`), with the same checks, and the stock
panel is made from those counts as it is from the counts of a pandas group-by.
"""

from __future__ import annotations

import html
import warnings
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hjeval._version import __version__
from hjeval.cycle import CycleMethod
from hjeval.data.combine import attach
from hjeval.data.schemas import BENEFIT_GROUPS
from hjeval.design.panel import Comparison, as_list, resolve_labels
from hjeval.economics._checks import BenefitGroup, Language, check_option, numeric_column, where
from hjeval.engines import Data, Engine, dask_person_cells, duckdb_person_cells
from hjeval.engines.dask_person_cells import DaskPersonRows, person_rows
from hjeval.engines.duckdb_rows import DuckRows, open_rows
from hjeval.engines.in_memory import naming, read_columns, row_engine
from hjeval.errors import DataError, HjevalWarning
from hjeval.estimators.event_study import event_study
from hjeval.periods import parse_period, parse_periods
from hjeval.results.event_study import EventStudyResult

__all__ = ["PersonsOffSupport", "persons_off_support"]

_PERIODS_PER_YEAR = {"M": 12, "Q": 4, "Y": 1, "A": 1}
_STOCK = "persons_on_support"
_RATIO = "stock_relative_to_before"
_BASE = "stock_before_start"


@dataclass(frozen=True)
class PersonsOffSupport:
    """Full-time persons off public support by year, with draws that carry the effect's uncertainty.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per calendar year from the start on: ``year``,
        ``persons_off_support`` (full-time persons fewer on support because of
        the reform), ``ci_low``, ``ci_high`` (at level ``1 - alpha``),
        ``persons_on_support`` (the treated municipality's mean stock that
        year), ``persons_without_reform`` (the estimated stock without it) and
        ``periods`` (the year's periods in the data).
    draws : pandas.DataFrame
        One row per placebo re-assignment (indexed by the group it went to),
        one column per year: the persons off support computed with
        ``estimate - error`` for that re-assignment. Rows are joint draws: the
        same re-assignment in every year. Empty without placebo inference.
    event_study : EventStudyResult
        The event study on the relative stock behind the persons, pre-trend
        test included (effects in shares of the stock before the start).
    stock_before_start : float
        The treated municipality's mean stock before the start: the factor
        from the event study's scale to persons.
    alpha : float
    benefit_group : str or None
        The target group whose persons were counted (``None`` when the data
        held several and none was chosen).
    treated, start
        As in the estimation.
    inference : str
        How the uncertainty was obtained.
    provenance : dict
        Groups and periods counted, groups left out and why, how each
        interval was obtained, draws kept and dropped, version.
    """

    table: pd.DataFrame
    draws: pd.DataFrame
    event_study: EventStudyResult
    stock_before_start: float
    alpha: float
    benefit_group: str | None
    treated: object
    start: object
    inference: str
    source: str = "event study on the persons on support"
    outcome: str = "persons on support"
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
            ``year, persons_off_support, ci_low, ci_high, persons_on_support,
            persons_without_reform, periods``.
        """
        return self.table.copy()

    def title(self) -> str:
        """A one-line title for text and HTML."""
        return f"Full-time persons off public support (treated {self.treated}, start {self.start})"

    def _notes(self) -> list[str]:
        group = f" in {self.benefit_group}" if self.benefit_group else ""
        draws = (f"{len(self.draws):,} placebo re-assignments ({self.inference})" if len(self.draws)
                 else f"none ({self.inference})")
        pre = self.event_study.pretrend
        return [
            f"Estimated from the persons on support{group}: an event study by year of each municipality's stock "
            f"relative to its mean before the start ({self.stock_before_start:,.1f} persons in the treated "
            "municipality), weighted by that mean.",
            f"Pre-trend test of the years before the start: p = {pre['pvalue']:.3f}." if pre else "",
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
        return "\n".join([title, "-" * len(title), body, "", *[n for n in self._notes() if n]])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.table.columns)
        body = "".join(
            "<tr>" + "".join(
                f"<td style='text-align:right'>"
                f"{'' if pd.isna(v) else (f'{v:.0f}' if c in ('year', 'periods') else f'{v:,.1f}')}"
                "</td>" for c, v in zip(self.table.columns, row, strict=True)
            ) + "</tr>"
            for row in self.table.itertuples(index=False)
        )
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self._notes() if n)
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
class _Stock:
    """The stock panel: one row per group and period, every period of the data's range."""

    panel: pd.DataFrame
    start: pd.Period
    periods_per_year: int
    excluded: list[object]
    rows_counted: int
    chosen: str | None


@dataclass(frozen=True)
class _Counted:
    """The rows counted: persons on support per (group, period), whichever engine counted them."""

    counts: pd.Series
    groups: Any
    span: tuple[pd.Period, pd.Period]
    start: pd.Period
    periods_per_year: int
    rows_counted: int
    chosen: str | None
    cycle: pd.Series | None


def _frequency(start: pd.Period) -> int:
    code = start.freqstr.split("-")[0]
    if code not in _PERIODS_PER_YEAR:
        raise DataError(f"start={start}: the time periods must be months, quarters or years, not {start.freqstr}")
    return _PERIODS_PER_YEAR[code]


def _start(start: object, dtype: object, time: str) -> tuple[pd.Period, int]:
    """The start as a period of the data's kind, and the periods in a year."""
    try:
        first = parse_period(start)
    except DataError as err:
        raise DataError(f"start={start!r} is not a period: {err}") from err
    if getattr(dtype, "freq", None) != first.freq:
        raise DataError(f"start={start!r} is a {first.freqstr} period but column {time!r} holds {dtype} "
                        "values; give start in the same kind")
    return first, _frequency(first)


def _rows(data: pd.DataFrame, benefit_group: BenefitGroup | None, columns: list[str]) -> tuple[pd.DataFrame,
                                                                                                  str | None]:
    if benefit_group is None:
        chosen = None
        if "benefit_group" in data.columns:
            found = pd.unique(data["benefit_group"].dropna().astype(object))
            chosen = _only_group(found)
        return data[columns], chosen
    if "benefit_group" not in data.columns:
        raise DataError(_no_benefit_column(benefit_group, list(data.columns)))
    mask = (data["benefit_group"].astype(object) == benefit_group).to_numpy()
    if not mask.any():
        raise DataError(f"data: no rows of benefit_group {benefit_group!r} in column 'benefit_group'")
    return data.loc[mask, columns], benefit_group


def _only_group(found: Any) -> str | None:
    """The benefit group of the rows when they hold exactly one known group."""
    return str(found[0]) if len(found) == 1 and str(found[0]) in BENEFIT_GROUPS else None


def _no_benefit_column(benefit_group: str, columns: list[object]) -> str:
    return (f"data: column 'benefit_group' not found, so benefit_group={benefit_group!r} cannot be chosen; the data "
            f"has {columns}; leave benefit_group out to count every row")


def _one_value(spread: pd.DataFrame, *, group: str, cycle: str) -> pd.Series:
    """The cycle of each group and period from its least and greatest value there, which must agree."""
    varies = spread["min"] != spread["max"]
    if varies.any():
        cells = ", ".join(f"{g} {p}" for g, p in spread.index[varies.to_numpy()][:5])
        raise DataError(f"data: column {cycle!r} (cycle) takes several values within one {group!r} and period "
                        f"({cells}); the business cycle is one value per municipality and period")
    return spread["min"].rename(cycle)


def _cycle_values(data: pd.DataFrame, group: str, cycle: str, periods: pd.Series) -> pd.Series:
    """One cycle value per group and period, read from every row of the data (all benefit groups)."""
    values = numeric_column(data, cycle, argument="data")
    frame = pd.DataFrame({"group": data[group].to_numpy(), "period": periods.to_numpy(), "value": values})
    spread = frame.groupby(["group", "period"], observed=True, sort=False)["value"].agg(["min", "max"])
    return _one_value(spread, group=group, cycle=cycle)


def _cycle_from_panel(panel: pd.DataFrame, cycle_panel: pd.DataFrame, *, group: str, time: str,
                      cycle: str) -> pd.DataFrame:
    """The cycle of every municipality and period from a panel of its own (as ``hj.load_cycle`` returns it)."""
    if not isinstance(cycle_panel, pd.DataFrame):
        raise DataError(f"cycle_panel must be a pandas DataFrame (as hj.load_cycle returns it), "
                        f"not {type(cycle_panel).__name__}")
    panel_time = time if time in cycle_panel.columns else "period"
    for name, role in ((group, "group"), (panel_time, "time"), (cycle, "cycle")):
        if name not in cycle_panel.columns:
            raise DataError(f"cycle_panel: column {name!r} ({role}) not found; it has {list(cycle_panel.columns)}")
    right = cycle_panel[[group, panel_time, cycle]].copy()
    right[panel_time] = parse_periods(right[panel_time], column=panel_time, source="cycle_panel")
    right = right.rename(columns={group: "group"})
    joined = attach(panel, right, [cycle], time="period", panel_time=panel_time, key="group")
    numeric_column(joined, cycle, argument="cycle_panel")
    return joined


def _count_in_memory(data: pd.DataFrame, *, unit: str, group: str, time: str, treated: object, start: object,
                     persons: str | None, benefit_group: BenefitGroup | None, cycle: str | None,
                     cycle_panel: pd.DataFrame | None) -> tuple[list[object], _Counted]:
    """Check the rows and count the persons on support per (group, period) with pandas."""
    roles = {"unit": unit, "time": time, "group": group, "persons": persons,
             "cycle": cycle if cycle_panel is None else None}
    absent = {role: col for role, col in roles.items() if col is not None and col not in data.columns}
    if absent:
        detail = ", ".join(f"{role}={col!r}" for role, col in absent.items())
        raise DataError(f"data: column(s) not found: {detail}; the data has {list(data.columns)}")
    distinct = np.asarray(pd.unique(data[group].dropna()), dtype=object)
    labels = resolve_labels(as_list(treated), distinct, argument="treated", column=group)
    columns = list(dict.fromkeys(c for c in (unit, group, time, persons, "benefit_group")
                                 if c is not None and c in data.columns))
    rows, chosen = _rows(data, benefit_group, columns)
    periods = parse_periods(rows[time], column=time, source="data")
    first, per_year = _start(start, periods.dtype, time)
    missing_group = rows[group].isna().to_numpy()
    if missing_group.any():
        raise DataError(f"data: column {group!r} is missing in {where(rows, missing_group)}; every row must name "
                        "its municipality")
    if persons is None:
        keys = [unit, time] + (["benefit_group"] if "benefit_group" in rows.columns else [])
        repeated = rows.duplicated(keys).to_numpy()
        if repeated.any():
            raise DataError(
                f"data: rows repeat a {unit!r}, {time!r}" + (" and 'benefit_group'" if len(keys) == 3 else "")
                + f" ({where(rows, repeated)}); each row must be one person in one period, or name the column of "
                "persons a row stands for with persons="
            )
        cells = pd.DataFrame({"group": rows[group].to_numpy(), "period": periods.to_numpy(),
                              "unit": rows[unit].to_numpy()})
        # a person on two benefits in one period is one person on support
        counts = cells.drop_duplicates().groupby(["group", "period"], observed=True)["unit"].size()
    else:
        weight = numeric_column(rows, persons, argument="data", minimum=0.0)
        counts = (pd.DataFrame({"group": rows[group].to_numpy(), "period": periods.to_numpy(), "n": weight})
                  .groupby(["group", "period"], observed=True)["n"].sum())
    values = None
    if cycle is not None and cycle_panel is None:
        values = _cycle_values(data, group, cycle, parse_periods(data[time], column=time, source="data"))
    return labels, _Counted(counts=counts, groups=pd.unique(rows[group]), span=(periods.min(), periods.max()),
                            start=first, periods_per_year=per_year, rows_counted=len(rows), chosen=chosen,
                            cycle=values)


def _cells_series(cells: pd.DataFrame, column: str, dtype: pd.PeriodDtype) -> pd.Series:
    """A column of DuckDB's (g, period) cells as a Series indexed by group and Period."""
    index = pd.MultiIndex.from_arrays(
        [cells["g"].to_numpy(), pd.PeriodIndex.from_ordinals(cells["period"].to_numpy(), freq=dtype.freq)],
        names=["group", "period"])
    return pd.Series(cells[column].to_numpy(), index=index)


def _count_on_rows(data: Data, *, engine: str, client: object, unit: str, group: str, time: str, treated: object,
                   start: object, persons: str | None, benefit_group: BenefitGroup | None, cycle: str | None,
                   cycle_panel: pd.DataFrame | None) -> tuple[list[object], _Counted]:
    """The same checks and counts with DuckDB, out of core, or on a Dask cluster: only the (group, period) counts
    come back. Both engines' rows answer the same questions and their cell passes take the same arguments."""
    cycle_column = cycle if cycle_panel is None else None
    roles = {"unit": unit, "time": time, "group": group, "persons": persons, "cycle": cycle_column}
    columns = [c for c in (unit, group, time, persons, "benefit_group", cycle_column) if c is not None]
    cells: Any = dask_person_cells if engine == "dask" else duckdb_person_cells
    opened: AbstractContextManager[DuckRows | DaskPersonRows] = (
        person_rows(data, columns, roles, client=client) if engine == "dask" else open_rows(data, columns, roles))
    with opened as rows:
        distinct = np.asarray(pd.unique(rows.distinct(group).values.dropna()), dtype=object)
        with naming(data, whole=False):
            labels = resolve_labels(as_list(treated), distinct, argument="treated", column=group)
        kept, chosen = _restricted(rows, benefit_group)
        if time not in rows.periods:  # as parse_periods refuses them (missing Periods are left out, as in memory)
            kept.refuse_missing([("time", time)], shown=[unit, group], fix="every row must name its period")
        times = kept.distinct(time)
        periods = parse_periods(times.values, column=time, source=rows.name)
        codes = np.asarray(periods.array.asi8, dtype=np.int64)
        first, per_year = _start(start, periods.dtype, time)
        kept.refuse_missing([("group", group)], shown=[unit, time], fix="every row must name its municipality")
        if persons is None:
            keys = [unit, time] + (["benefit_group"] if rows.has("benefit_group") else [])
            extra, shown = cells.repeated_keys(kept, keys)
            if extra:
                raise DataError(
                    f"{rows.name}: rows repeat a {unit!r}, {time!r}" + (" and 'benefit_group'" if len(keys) == 3
                                                                         else "")
                    + f" ({extra} extra rows, e.g. {shown}); each row must be one person in one period, or name the "
                    "column of persons a row stands for with persons="
                )
            counted = cells.distinct_persons(kept, unit=unit, group=group, time=time, times=times, periods=codes)
            counts = _cells_series(counted, "n", periods.dtype)
        else:
            value = kept.numbers(persons, role="persons", shown=[group, time], minimum=0.0)
            summed = cells.value_cells(kept, group=group, time=time, times=times, periods=codes, value=value)
            counts = _cells_series(summed, "total", periods.dtype)
        values = None
        if cycle_column is not None:
            every = rows.distinct(time)
            every_periods = parse_periods(every.values, column=time, source=rows.name)
            value = rows.numbers(cycle_column, role="cycle", shown=[group, time])
            spread = cells.value_cells(rows, group=group, time=time, times=every,
                                       periods=np.asarray(every_periods.array.asi8, dtype=np.int64), value=value)
            frame = pd.DataFrame({"min": _cells_series(spread, "low", every_periods.dtype),
                                  "max": _cells_series(spread, "high", every_periods.dtype)})
            try:
                values = _one_value(frame, group=group, cycle=cycle_column)
            except DataError as err:
                raise DataError(f"{rows.name}: {str(err).removeprefix('data: ')}") from err
        groups = pd.unique(kept.distinct(group).values)
        n_rows = kept.count()
    return labels, _Counted(counts=counts, groups=groups, span=(periods.min(), periods.max()), start=first,
                            periods_per_year=per_year, rows_counted=n_rows, chosen=chosen, cycle=values)


def _restricted(rows: DuckRows | DaskPersonRows,
                benefit_group: BenefitGroup | None) -> tuple[DuckRows | DaskPersonRows, str | None]:
    """The rows of ``benefit_group`` (all rows without one), and the benefit group counted."""
    if benefit_group is None:
        found = rows.distinct("benefit_group").values.dropna().to_numpy() if rows.has("benefit_group") else []
        return rows, _only_group(found)
    if not rows.has("benefit_group"):
        names: list[object] = list(rows.source.types) if isinstance(rows, DuckRows) else list(rows.source_columns)
        raise DataError(_no_benefit_column(benefit_group, names).replace("data:", f"{rows.name}:", 1))
    kept = rows.restricted("benefit_group", benefit_group)
    if not kept.count():
        raise DataError(f"{rows.name}: no rows of benefit_group {benefit_group!r} in column 'benefit_group'")
    return kept, benefit_group


def _stock(counted: _Counted, *, group: str, time: str, cycle: str | None,
           cycle_panel: pd.DataFrame | None) -> _Stock:
    """The stock panel from the counts: every group and period of the data's range, relative to before the start."""
    first = counted.start
    span = pd.period_range(counted.span[0], counted.span[1], freq=first.freq)
    grid = pd.MultiIndex.from_product([counted.groups, span], names=["group", "period"])
    panel = counted.counts.astype(np.float64).reindex(grid, fill_value=0.0).rename(_STOCK).reset_index()
    if cycle is None and cycle_panel is not None:
        raise DataError("cycle_panel is given but cycle is not: name the cycle column, e.g. cycle='unemployment_rate'")
    if cycle is not None and cycle_panel is not None:
        panel = _cycle_from_panel(panel, cycle_panel, group=group, time=time, cycle=cycle)
    elif cycle is not None and counted.cycle is not None:
        panel = panel.join(counted.cycle, on=["group", "period"])
        unknown = panel[cycle].isna().to_numpy()
        if unknown.any():
            cells = ", ".join(f"{g} {p}" for g, p in zip(panel["group"][unknown][:5], panel["period"][unknown][:5],
                                                         strict=True))
            raise DataError(f"data: the cycle ({cycle!r}) is unknown where a municipality has no row in a period "
                            f"({int(unknown.sum()):,} municipality-periods, first: {cells}); pass the cycle panel "
                            "(hj.load_cycle) as cycle_panel=, or leave cycle out")
    before = panel[panel["period"] < first].groupby("group", sort=False)[_STOCK].mean()
    panel[_BASE] = panel["group"].map(before).to_numpy(dtype=np.float64)
    empty = panel.groupby("group", sort=False)[_BASE].first()
    excluded = [g for g, b in empty.items() if not b > 0]
    panel = panel[~panel["group"].isin(excluded)].reset_index(drop=True)
    panel[_RATIO] = panel[_STOCK] / panel[_BASE]
    return _Stock(panel=panel, start=first, periods_per_year=counted.periods_per_year, excluded=excluded,
                  rows_counted=counted.rows_counted, chosen=counted.chosen)


def persons_off_support(
    data: Data,
    *,
    unit: str,
    time: str,
    treated: object,
    start: object,
    group: str | None = None,
    benefit_group: BenefitGroup | None = None,
    persons: str | None = None,
    cycle: str | None = None,
    cycle_panel: pd.DataFrame | None = None,
    cycle_method: CycleMethod | None = None,
    comparison: Comparison = None,
    inference: str | None = None,
    alpha: float = 0.05,
    seed: int = 0,
    draws: int = 999,
    size_correction: bool = True,
    engine: Engine | None = None,
    client: object = None,
) -> PersonsOffSupport:
    """The reform's effect as full-time persons fewer on public support per year, with its draws.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Person-period rows, one row a person on support in a period (the
        hours panel), or an aggregated panel with the number of persons a row
        stands for in ``persons``. A municipality without a row in a period
        has no one on support then. Only read. Or the path of a Parquet
        dataset of such rows (a file, or a folder of files such as one
        partitioned by year).
    unit, time : str
        The person and period columns (with ``persons``, ``unit`` may be the
        municipality column).
    treated : label or list
        The treated municipality (code or name, as in :func:`hjeval.did`).
    start : period
        The first treated period, of the kind in ``time``.
    group : str, optional
        The municipality column; defaults to ``unit``.
    benefit_group : {"activity_ready_cash", "job_ready_cash", "sickness", "integration"}, optional
        Count only this group's persons (column ``benefit_group``); by
        default every row counts, a person on two benefits in a period once.
    persons : str, optional
        Column with the persons a row stands for.
    cycle : str, optional
        The cycle column, as in :func:`hjeval.did`: read from ``cycle_panel``
        when given, else from every row of a municipality and period (of any
        benefit group); a period without rows then has no cycle value.
    cycle_panel : pandas.DataFrame, optional
        One row per municipality and period with the cycle column (as
        ``hj.load_cycle`` returns it: the municipality column named as
        ``group``, periods in ``time`` or ``period``).
    cycle_method, comparison
        As in :func:`hjeval.did`.
    inference : {"placebo", "conley-taber", "cluster"}, optional
        As in :func:`hjeval.event_study`; with one treated municipality the
        default is placebo, whose re-assignments become the draws.
    alpha, seed, draws, size_correction
        As in :func:`hjeval.event_study`; sizes are the stocks before the start.
    engine : {"pandas", "duckdb", "dask"}, optional
        Where the rows are counted: ``"pandas"`` in memory (the default for a
        DataFrame; a path is read whole), ``"duckdb"`` out of core (the
        default for a path): DuckDB counts the distinct persons (or sums
        ``persons``) per municipality and period, and only those counts come
        back; ``"dask"`` on a Dask cluster: the workers read the rows, run the
        checks and count the persons (the rows shuffled by person), and only
        the counts come back. All give the same result.
    client : dask.distributed.Client, optional
        The cluster of ``engine="dask"``; default: a local cluster started
        for the call and closed afterwards. Giving one without ``engine``
        chooses ``"dask"``.

    Returns
    -------
    PersonsOffSupport
        ``.to_frame()`` by year, ``.draws``, ``.series``, ``.event_study``;
        accepted as ``effect`` by :func:`hjeval.economics.cost_benefit`.

    Raises
    ------
    DataError
        If a column is missing, the periods are not months, quarters or years
        of ``start``'s kind, rows repeat a person and period, the cycle is
        unknown or varies within a municipality and period, or the treated
        municipality has no one on support before the start; for a
        ``client`` with another engine than ``"dask"``.

    Notes
    -----
    Which estimate, and why: the money saved is benefit not paid, so the
    persons off support are estimated from the number of persons on support,
    not from the hours effect. The reform shortens spells, and shorter spells
    lower the stock for years, including spells that began before the start;
    an effect on hours worked while on support measures something else (a
    person can work more hours and stay on support).

    The model, by municipality ``g`` and period ``t``:
    ``N_gt / N̄_g = a_g + l_t + sum_r b_r 1{treated, year r after the start} + cycle + e``,
    with ``N̄_g`` the mean stock before the start and weights ``N̄_g``
    (each person on support before the start counts once, as in the hours
    effect on person rows). Municipalities with no one on support before the
    start cannot be put on this scale and are left out (counted in
    ``provenance["groups_excluded"]``, with a warning). Years are bins of a
    year's periods from the start (reference: the year before it); a
    calendar year's persons sum ``-b_r N̄_treated`` over its periods and
    divide by the periods in a year. Where a calendar year lies in one bin
    its interval is the event study's (the inverted placebo test) times the
    same factor; otherwise it is the ``alpha / 2`` and ``1 - alpha / 2``
    quantiles of the draws. A draw is one re-assignment in every year, so
    sums over years (the cumulative savings) keep the correlation between
    years. A full-time person is a person on support in every period of the
    year; part-time benefit receipt is not in the data.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hjeval as hj
    >>> rng = np.random.default_rng(0)
    >>> months = pd.period_range("2013-01", "2016-12", freq="M")
    >>> cells = pd.DataFrame([(m, t) for m in range(25) for t in months], columns=["municipality", "month"])
    >>> size = 100 + 10 * cells["municipality"]
    >>> after = (cells["municipality"] == 0) & (cells["month"] >= pd.Period("2015-01", "M"))
    >>> cells["persons"] = np.round(size * (1 + rng.normal(0, 0.01, len(cells)) - 0.2 * after))
    >>> pos = hj.persons_off_support(cells, unit="municipality", time="month", treated=0, start="2015-01",
    ...                              persons="persons")
    >>> pos.to_frame()["year"].tolist(), bool((abs(pos.series - 20) < 2).all()), pos.draws.shape
    ([2015, 2016], True, (24, 2))

    The same cells as a Parquet file, counted by DuckDB:

    >>> import tempfile
    >>> path = f"{tempfile.mkdtemp()}/cells.parquet"
    >>> cells.to_parquet(path)
    >>> again = hj.persons_off_support(path, unit="municipality", time="month", treated=0, start="2015-01",
    ...                                persons="persons")
    >>> bool(np.allclose(again.series, pos.series, rtol=1e-10))
    True

    On a Dask cluster (here a local one, started for the call):

    >>> on_dask = hj.persons_off_support(path, unit="municipality", time="month", treated=0, start="2015-01",
    ...                                  persons="persons", engine="dask")
    >>> bool(np.allclose(on_dask.series, pos.series, rtol=1e-10))
    True
    """
    chosen_engine = row_engine(data, "dask" if engine is None and client is not None else engine,
                               function="persons_off_support")
    if client is not None and chosen_engine != "dask":
        raise DataError(f"client= is the Dask cluster of engine='dask', but engine={chosen_engine!r}; pass "
                        "engine='dask' to run on that cluster, or drop client=")
    if benefit_group is not None:
        check_option("benefit_group", benefit_group, BENEFIT_GROUPS)
    group = group or unit
    options = dict(unit=unit, group=group, time=time, treated=treated, start=start, persons=persons,
                   benefit_group=benefit_group, cycle=cycle, cycle_panel=cycle_panel)
    if chosen_engine in ("duckdb", "dask"):
        labels, counted = _count_on_rows(data, engine=chosen_engine, client=client, **options)  # type: ignore[arg-type]
    else:
        rows = data if isinstance(data, pd.DataFrame) else read_columns(
            data, {"unit": unit, "time": time, "group": group, "persons": persons,
                   "cycle": cycle if cycle_panel is None else None}, optional=["benefit_group"])
        with naming(data):
            labels, counted = _count_in_memory(rows, **options)  # type: ignore[arg-type]
    stock = _stock(counted, group=group, time=time, cycle=cycle, cycle_panel=cycle_panel)
    panel = stock.panel
    lost = [g for g in labels if g in stock.excluded]
    if lost:
        raise DataError(f"data: the treated municipality {lost} has no one on support before the start "
                        f"({stock.start}){' in ' + benefit_group if benefit_group else ''}, so no stock to compare")
    if stock.excluded:
        warnings.warn(f"{len(stock.excluded)} municipality(ies) with no one on support before the start left out "
                      f"of the comparison: {stock.excluded[:5]}", HjevalWarning, stacklevel=2)
    per_year = stock.periods_per_year
    relative = (pd.PeriodIndex(panel["period"]).asi8 - stock.start.ordinal) // stock.start.freq.n
    bins = np.floor_divide(relative, per_year)
    window = (int(bins.min()), int(bins.max()))
    if window[0] > -1:
        raise DataError(f"data: no whole year of periods before the start ({stock.start}) could be told apart; "
                        f"the data runs from {panel['period'].min()}")
    study = event_study(
        panel, _RATIO, unit="group", time="period", treated=labels if len(labels) > 1 else labels[0],
        start=stock.start, window=window, bin_width=per_year, cycle=cycle, cycle_method=cycle_method,
        weights=_BASE, comparison=comparison, inference=inference,  # type: ignore[arg-type]
        alpha=alpha, seed=seed, draws=draws, size_correction=size_correction,
    )
    treated_rows = panel["group"].isin(labels).to_numpy() & (relative >= 0)
    base = float(panel.loc[treated_rows, _BASE].groupby(panel.loc[treated_rows, "group"]).first().sum())
    years_of = pd.PeriodIndex(panel.loc[treated_rows, "period"]).year.to_numpy()
    share = (pd.DataFrame({"year": years_of, "bin": bins[treated_rows], "n": 1.0 / per_year})
             .groupby(["year", "bin"])["n"].sum().unstack("bin", fill_value=0.0))
    if len(labels) > 1:  # every treated municipality contributes its periods; count each period once
        share = share / len(labels)
    years = [int(y) for y in share.index]
    used = [int(b) for b in share.columns]
    w = share.to_numpy(dtype=np.float64)  # years x bins: fraction of a year in each bin
    effects = study.table.set_index("rel_time")
    estimate = effects.loc[used, "estimate"].to_numpy(dtype=np.float64)
    persons_by_year = -(w @ estimate) * base
    stock_year = (panel.loc[treated_rows].assign(year=years_of).groupby("year")[_STOCK].sum() / per_year)
    stock_year = stock_year.reindex(years).to_numpy(dtype=np.float64)
    draw_frame, dropped = _draws(study.placebo_errors, estimate, used, w, base, years)
    low, high, how = _intervals(w, used, effects, base, draw_frame, float(study.alpha))
    table = pd.DataFrame({
        "year": years, "persons_off_support": persons_by_year, "ci_low": low, "ci_high": high,
        "persons_on_support": stock_year, "persons_without_reform": stock_year + persons_by_year,
        "periods": np.round(w.sum(axis=1) * per_year).astype(np.int64),
    })
    if dropped:
        warnings.warn(f"{dropped} placebo draw(s) without an error in some year were left out", HjevalWarning,
                      stacklevel=2)
    provenance = {
        "rows_counted": stock.rows_counted,
        "groups": int(panel["group"].nunique()),
        "groups_excluded": stock.excluded,
        "periods": [str(panel["period"].min()), str(panel["period"].max())],
        "municipality_periods_without_rows": int((panel[_STOCK] == 0).sum()),
        "relative_years": {y: [b for b, v in zip(used, w[i], strict=True) if v > 0] for i, y in enumerate(years)},
        "interval": dict(zip(years, how, strict=True)),
        "draws": len(draw_frame),
        "draws_dropped": dropped,
        "hjeval_version": __version__,
    }
    return PersonsOffSupport(
        table=table, draws=draw_frame, event_study=study, stock_before_start=base, alpha=float(study.alpha),
        benefit_group=stock.chosen, treated=study.treated, start=stock.start, inference=str(study.inference),
        provenance=provenance,
    )


def _draws(errors: pd.DataFrame, estimate: np.ndarray, bins: list[int], w: np.ndarray, base: float,
           years: list[int]) -> tuple[pd.DataFrame, int]:
    """Persons off support for each re-assignment: ``estimate - error`` through the same conversion."""
    columns = pd.Index(years, name="year")
    if not len(errors):
        return pd.DataFrame(columns=columns, dtype=float), 0
    absent = [b for b in bins if b not in errors.columns]
    if absent:
        raise DataError(f"the event study's placebo errors have no column for relative year(s) {absent}")
    err = errors[bins].to_numpy(dtype=np.float64)
    keep = np.isfinite(err).all(axis=1)
    values = -((estimate[None, :] - err[keep]) @ w.T) * base
    return pd.DataFrame(values, index=errors.index[keep], columns=columns), int((~keep).sum())


def _intervals(w: np.ndarray, bins: list[int], effects: pd.DataFrame, base: float, draws: pd.DataFrame,
               alpha: float) -> tuple[np.ndarray, np.ndarray, list[str]]:
    low = np.full(len(w), np.nan)
    high = np.full(len(w), np.nan)
    how: list[str] = []
    for i, row in enumerate(w):
        present = np.flatnonzero(row > 0)
        if len(present) == 1:
            b = bins[int(present[0])]
            factor = row[present[0]] * base
            low[i], high[i] = -effects.loc[b, "ci_high"] * factor, -effects.loc[b, "ci_low"] * factor
            how.append("effect interval")
        elif len(draws):
            low[i], high[i] = np.quantile(draws.iloc[:, i].to_numpy(), [alpha / 2, 1 - alpha / 2])
            how.append("draw quantiles")
        else:
            how.append("none")
    return low, high, how
