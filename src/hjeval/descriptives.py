"""Descriptive tables behind the report's figures: outcomes and caseloads over time.

Each function turns a panel into a tidy, aggregated table -- one row per
period and series (``"treated"`` or ``"comparison"``) -- with unrounded
numbers and a count column on every row (``persons`` for the hours panel,
``open_cases`` and ``municipalities`` for the caseload panel), so that
small-cell suppression can be applied before anything is shown. Nothing here
rounds, suppresses or draws; :mod:`hjeval.plots` draws these tables.

The comparison series pools the comparison municipalities: its numbers are
ratios of totals over the whole pool (person-month weighted means, cases per
caseworker of the pool), not averages of municipal averages.

:func:`outcome_by_period` also reads the person rows from a Parquet dataset:
with ``engine="duckdb"`` (the default for a path) DuckDB groups them out of
core into one cell per series and period (:mod:`hjeval.engines.duckdb_person_cells`),
and the table is made from those cells as it is from the cells of a pandas
group-by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from hjeval.data.municipalities import comparison_pool
from hjeval.design.panel import Comparison, as_list, require_columns
from hjeval.engines import Data, Engine
from hjeval.engines.dask_support import POS, by_person, dask_rows, distinct_first, first_rows, gather, shown_rows
from hjeval.engines.duckdb_person_cells import outcome_cells, repeated_keys
from hjeval.engines.duckdb_rows import open_rows
from hjeval.engines.in_memory import naming, read_columns, row_engine
from hjeval.errors import DataError, format_rows
from hjeval.periods import parse_period, parse_periods, period_lookup
from hjeval.results.effect import EffectResult

__all__ = ["Frequency", "caseload_by_period", "outcome_by_period"]

Frequency = Literal["period", "year"]
"""``"period"``: the data's own periods; ``"year"``: calendar years."""

SERIES: tuple[str, str] = ("treated", "comparison")
_NAMED_POOLS = ("north_jutland", "rural", "all")


def _no_missing(data: pd.DataFrame, columns: Sequence[str], positions: np.ndarray | None = None) -> None:
    """Raise naming the first rows (0-based positions in the caller's frame) with missing values."""
    where = np.arange(len(data)) if positions is None else positions
    for col in columns:
        missing = data[col].isna().to_numpy()
        if missing.any():
            raise DataError(
                f"column {col!r} has missing values in {format_rows(list(where[missing]))} "
                "(0-based positions); drop or fill them first"
            )


def _numeric(data: pd.DataFrame, columns: Sequence[str]) -> None:
    for col in columns:
        if not pd.api.types.is_numeric_dtype(data[col].dtype) or pd.api.types.is_bool_dtype(data[col].dtype):
            raise DataError(f"column {col!r} must be numeric, not {data[col].dtype}")


def _check_frequency(frequency: str) -> None:
    if frequency not in get_args(Frequency):
        raise DataError(f"frequency={frequency!r} is not one of {list(get_args(Frequency))}")


def _series_of(groups: pd.Series, treated: object, comparison: Comparison) -> tuple[pd.Series, list[object], str]:
    """Label each row "treated", "comparison" or missing (outside both); also the pool's description."""
    treated_labels = as_list(treated)
    absent = [t for t in treated_labels if not (groups == t).any()]
    if absent:
        examples = sorted(pd.unique(groups.dropna()).tolist(), key=str)[:8]
        raise DataError(
            f"treated={absent if len(absent) > 1 else absent[0]!r} is not a value of column "
            f"{groups.name!r} (values include {examples})"
        )
    if comparison is None:
        pool_name = "all other groups"
        in_pool = ~groups.isin(treated_labels)
    elif isinstance(comparison, str):
        if comparison not in _NAMED_POOLS:
            raise DataError(
                f"comparison={comparison!r} is not a named pool; use one of {list(_NAMED_POOLS)}, "
                "a list of group labels, or None for all other groups"
            )
        codes = [int(t) for t in treated_labels if isinstance(t, int | np.integer)]
        pool = comparison_pool(comparison, codes)  # type: ignore[arg-type]  # checked above
        pool_name = comparison
        in_pool = groups.isin(pool) & ~groups.isin(treated_labels)
    else:
        pool_labels = list(comparison)
        missing = [c for c in pool_labels if not (groups == c).any()]
        if missing:
            raise DataError(f"comparison groups {missing} are not in column {groups.name!r}")
        pool_name = "list: " + ", ".join(str(c) for c in pool_labels)
        in_pool = groups.isin(pool_labels) & ~groups.isin(treated_labels)
    if not in_pool.any():
        raise DataError(f"no rows of the comparison pool ({pool_name}) in column {groups.name!r}")
    series = pd.Series(np.where(groups.isin(treated_labels), SERIES[0],
                                np.where(in_pool, SERIES[1], "")), index=groups.index)
    return series, treated_labels, pool_name


def _aggregate_periods(periods: pd.Series, frequency: Frequency) -> pd.Series:
    return periods if frequency == "period" else periods.dt.asfreq("Y")


def _treated_attr(labels: list[object]) -> object:
    return labels[0] if len(labels) == 1 else labels


def _cycle_term(result: EffectResult, cycle: str | None) -> tuple[str, float]:
    """Name and coefficient of the cycle series in a DiD result."""
    terms = result.other_terms
    names = list(terms["term"]) if "term" in terms.columns else []
    if cycle is None:
        method = result.provenance.get("cycle_method")
        if method != "covariate" or not names:
            raise DataError(
                f"adjust= needs a result estimated with the cycle series as a regressor "
                f"(cycle_method='covariate'); this one used cycle_method={method!r} and has no cycle coefficient"
            )
        cycle = str(names[0])  # did puts the cycle series first among the other terms
    if cycle not in names:
        raise DataError(f"cycle={cycle!r} is not a term of the result; its other terms are {names}")
    coefficient = float(terms.loc[terms["term"] == cycle, "estimate"].iloc[0])
    if not np.isfinite(coefficient):
        raise DataError(f"the result's coefficient of {cycle!r} is not finite ({coefficient})")
    return cycle, coefficient


def _result_start(result: EffectResult, dtype: pd.PeriodDtype, time: str) -> pd.Period:
    try:
        start = parse_period(result.start)
    except DataError as err:
        raise DataError(f"the result's start {result.start!r} is not a period: {err}") from err
    if pd.PeriodDtype(start.freq) != dtype:
        raise DataError(
            f"the result's start {start} is a {start.freqstr} period but column {time!r} holds {dtype} values"
        )
    return start


@dataclass(frozen=True)
class _OutcomeCells:
    """The person rows grouped: what the outcome table is made of, whichever engine grouped them.

    ``cells`` has one row per series and (reported) period: ``series, period,
    persons, person_months, periods, y`` (the outcome's sum) and ``c`` (the
    cycle's sum, with a cycle); ``by_period`` (with a cycle) one row per
    series and data period: ``series, source_period, person_months, c``.
    """

    cells: pd.DataFrame
    by_period: pd.DataFrame | None
    dtype: pd.PeriodDtype
    treated: list[object]
    pool: str


def _cells_in_memory(data: pd.DataFrame, *, outcome: str, unit: str, group: str, time: str, treated: object,
                     comparison: Comparison, cycle: str | None, frequency: Frequency) -> _OutcomeCells:
    """Check the rows and group them with pandas."""
    require_columns(data, {"outcome": outcome, "unit": unit, "group": group, "time": time})
    if cycle is not None:
        require_columns(data, {"cycle": cycle})
    value_columns = [outcome] + ([cycle] if cycle else [])
    _no_missing(data, [unit, group, time, *value_columns])
    _numeric(data, value_columns)
    series, treated_labels, pool_name = _series_of(data[group], treated, comparison)
    periods = parse_periods(data[time], column=time)
    duplicated = pd.DataFrame({"u": data[unit].to_numpy(), "t": periods.array.asi8}).duplicated().to_numpy()
    if duplicated.any():
        raise DataError(
            f"columns {unit!r} and {time!r}: a person has more than one row in a period in "
            f"{format_rows(list(np.flatnonzero(duplicated)))} (0-based positions); aggregate them first"
        )
    frame = pd.DataFrame({
        "series": series.to_numpy(),
        "period": _aggregate_periods(periods, frequency).array,
        "source_period": periods.array,
        "unit": data[unit].to_numpy(),
        "y": data[outcome].to_numpy(dtype=np.float64),
    })
    if cycle is not None:
        frame["c"] = data[cycle].to_numpy(dtype=np.float64)
    frame = frame[frame["series"] != ""]
    grouped = frame.groupby(["series", "period"], sort=True)
    cells = pd.DataFrame({
        "persons": grouped["unit"].nunique(),
        "person_months": grouped.size(),
        "periods": grouped["source_period"].nunique(),
        "y": grouped["y"].sum(),
        **({"c": grouped["c"].sum()} if cycle is not None else {}),
    }).reset_index()
    by_period = None
    if cycle is not None:
        fine = frame.groupby(["series", "source_period"], sort=True)
        by_period = pd.DataFrame({"person_months": fine.size(), "c": fine["c"].sum()}).reset_index()
    return _OutcomeCells(cells, by_period, periods.dtype, treated_labels, pool_name)


def _cells_on_duckdb(data: Data, *, outcome: str, unit: str, group: str, time: str, treated: object,
                     comparison: Comparison, cycle: str | None, frequency: Frequency) -> _OutcomeCells:
    """The same checks and cells with DuckDB, out of core: only the cells come back."""
    value_columns = [outcome] + ([cycle] if cycle else [])
    roles = {"outcome": outcome, "unit": unit, "group": group, "time": time}
    with open_rows(data, [unit, group, time, *value_columns], roles) as rows:
        if cycle is not None:
            rows.require({"cycle": cycle})
        rows.refuse_missing([("unit", unit), ("group", group), ("time", time), ("outcome", outcome),
                             *([("cycle", cycle)] if cycle else [])], shown=[unit, time], fix="drop or fill them first")
        rows.refuse_types([("outcome", outcome), *([("cycle", cycle)] if cycle else [])])
        groups = rows.distinct(group)
        with naming(data, whole=False):
            series, treated_labels, pool_name = _series_of(groups.values.rename(group), treated, comparison)
        times = rows.distinct(time)
        try:
            periods = parse_periods(times.values, column=time, source=rows.name)
        except DataError as err:
            bad = period_lookup(times.values)[1]
            if not bad:
                raise
            shown = rows.rows_with(time, times.raw.filter(np.asarray(times.values.isin(bad))), [unit])
            raise DataError(f"{err}; e.g. {shown}") from err
        codes = np.asarray(periods.array.asi8, dtype=np.int64)
        extra, shown = repeated_keys(rows, [unit, time], mapped={time: (times, codes)})
        if extra:
            raise DataError(f"{rows.name}: columns {unit!r} and {time!r}: a person has more than one row in a period "
                            f"({extra} extra rows), e.g. {shown}; aggregate them first")
        reported = _aggregate_periods(periods, frequency)
        cells, fine = outcome_cells(
            rows, unit=unit, group=group, time=time, labels=series.to_numpy(dtype=str), groups=groups,
            times=times, periods=codes, buckets=np.asarray(reported.array.asi8, dtype=np.int64),
            values=value_columns, by_period=cycle is not None,
        )
    sums = {"s0": "y", "s1": "c"}
    cells = cells.rename(columns={"label": "series", "rows": "person_months", **sums})
    cells["period"] = pd.PeriodIndex.from_ordinals(cells.pop("bucket"), freq=reported.dtype.freq).array
    by_period = None
    if fine is not None:
        by_period = fine.rename(columns={"label": "series", "rows": "person_months", "s1": "c"})
        by_period["source_period"] = pd.PeriodIndex.from_ordinals(by_period.pop("period"),
                                                                  freq=periods.dtype.freq).array
        by_period = by_period[["series", "source_period", "person_months", "c"]]
    return _OutcomeCells(cells, by_period, periods.dtype, treated_labels, pool_name)


def _partition_repeats(part: pd.DataFrame, *, unit: str, time: str, lookup: pd.Index,
                       codes: np.ndarray) -> pd.DataFrame:
    """Positions of the rows of one partition (whole persons, in order) repeating a person and period."""
    period = codes[lookup.get_indexer(part[time])]
    repeated = pd.DataFrame({"u": part[unit].to_numpy(), "t": period}).duplicated().to_numpy()
    return pd.DataFrame({POS: part[POS].to_numpy()[repeated]})


def _partition_cells(part: pd.DataFrame, *, unit: str, group: str, time: str, values: Sequence[str],
                     series: pd.Series, lookup: pd.Index, periods: pd.Series, reported: pd.Series,
                     persons: bool) -> pd.DataFrame:
    """One partition's rows (whole persons) grouped by series, reported period and data period (or, with
    ``persons``, its distinct persons per series and reported period)."""
    at = lookup.get_indexer(part[time])
    frame = pd.DataFrame({
        "series": series.to_numpy()[series.index.get_indexer(part[group])],
        "period": reported.array[at], "source_period": periods.array[at], "unit": part[unit].to_numpy(),
        **{f"s{i}": part[c].to_numpy(dtype=np.float64) for i, c in enumerate(values)},
    })
    frame = frame[frame["series"] != ""]
    if persons:
        return frame.groupby(["series", "period"], sort=False)["unit"].nunique().rename("persons").reset_index()
    grouped = frame.groupby(["series", "period", "source_period"], sort=False)
    sums = grouped[[f"s{i}" for i in range(len(values))]].sum()
    return sums.assign(rows=grouped.size()).reset_index()


def _cells_on_dask(data: Data, *, outcome: str, unit: str, group: str, time: str, treated: object,
                   comparison: Comparison, cycle: str | None, frequency: Frequency,
                   client: object = None) -> _OutcomeCells:
    """The same checks and cells on a Dask cluster: the rows shuffled by person, grouped per partition; only the
    cells come back. Rows are named by position from 0 over the dataset (or the DataFrame)."""
    value_columns = [outcome] + ([cycle] if cycle else [])
    roles = {"outcome": outcome, "unit": unit, "group": group, "time": time, "cycle": cycle}
    with dask_rows(data, roles, client=client) as rows, naming(data, note=" (rows counted from 0 in file order)"):
        frame, running = rows.frame, rows.client
        for column in [unit, group, time, *value_columns]:
            count, first = first_rows(frame, running, _Missing(column), positions=True)
            if count:
                raise DataError(f"column {column!r} has missing values in {shown_rows(count, first, note='')} "
                                "(0-based positions); drop or fill them first")
        _numeric(frame._meta, value_columns)
        groups, times = distinct_first(frame, running, [group, time])
        series, treated_labels, pool_name = _series_of(groups[group], treated, comparison)
        series = pd.Series(series.to_numpy(), index=pd.Index(groups[group]))
        periods = parse_periods(times[time], column=time)
        lookup = pd.Index(times[time])
        codes = np.asarray(periods.array.asi8, dtype=np.int64)
        shuffled = running.persist(by_person(frame, unit))
        repeated = gather(shuffled, running, _partition_repeats, pd.DataFrame({POS: np.array([], dtype=np.int64)}),
                          unit=unit, time=time, lookup=lookup, codes=codes)
        if len(repeated):
            at = np.sort(repeated[POS].to_numpy())
            raise DataError(
                f"columns {unit!r} and {time!r}: a person has more than one row in a period in "
                f"{shown_rows(len(at), at.tolist(), note='')} (0-based positions); aggregate them first"
            )
        reported = _aggregate_periods(periods, frequency)
        options = dict(unit=unit, group=group, time=time, values=value_columns, series=series, lookup=lookup,
                       periods=periods, reported=reported)
        fine = gather(shuffled, running, _partition_cells, persons=False, **options)
        persons = gather(shuffled, running, _partition_cells, persons=True, **options)
        del shuffled
    sums = {"s0": "y", "s1": "c"}
    by_source = fine.groupby(["series", "period", "source_period"], sort=True).sum()
    coarse = by_source.groupby(level=["series", "period"], sort=True)
    cells = pd.DataFrame({
        "persons": persons.groupby(["series", "period"], sort=True)["persons"].sum(),
        "person_months": coarse["rows"].sum(),
        "periods": coarse.size(),
        **{name: coarse[s].sum() for s, name in sums.items() if s in fine.columns},
    }).reset_index()
    by_period = None
    if cycle is not None:
        per_source = by_source.groupby(level=["series", "source_period"], sort=True)
        by_period = pd.DataFrame({"person_months": per_source["rows"].sum(), "c": per_source["s1"].sum()}).reset_index()
    return _OutcomeCells(cells, by_period, periods.dtype, treated_labels, pool_name)


@dataclass(frozen=True)
class _Missing:
    """Rows missing a value of ``column``."""

    column: str

    def __call__(self, part: pd.DataFrame) -> np.ndarray:
        return part[self.column].isna().to_numpy()


def outcome_by_period(
    data: Data,
    outcome: str,
    *,
    unit: str,
    group: str,
    time: str,
    treated: object,
    comparison: Comparison = None,
    adjust: EffectResult | None = None,
    cycle: str | None = None,
    frequency: Frequency = "period",
    engine: Engine | None = None,
    client: object = None,
) -> pd.DataFrame:
    """Mean outcome per person-month over time, treated vs comparison municipalities.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Person-period panel: one row per person (``unit``) and period
        (``time``); or the path of a Parquet dataset of such rows (a file, or
        a folder of files such as one partitioned by year).
    outcome : str
        Outcome column, e.g. monthly hours worked.
    unit, group, time : str
        Person, municipality and period columns.
    treated : label or list of labels
        Treated value(s) of ``group``.
    comparison : None, {"north_jutland", "rural", "all"} or list
        Comparison groups, as in :func:`hjeval.did`: all other groups (None),
        a named pool of municipality codes, or a list of labels. Rows of
        other groups are left out.
    adjust : EffectResult, optional
        A :func:`hjeval.did` result estimated with the cycle series as a
        regressor (``cycle_method="covariate"``). Its coefficient of the
        cycle series gives the cycle-adjusted mean (see Notes).
    cycle : str, optional
        The cycle column in ``data`` and term in ``adjust.other_terms``;
        by default the result's cycle series (its first other term).
    frequency : {"period", "year"}, default "period"
        ``"year"`` aggregates periods into calendar years: the mean is still
        per person-month (times 12 gives a year's worth), ``persons`` counts
        distinct persons in the year.
    engine : {"pandas", "duckdb", "dask"}, optional
        Where the rows are grouped: ``"pandas"`` in memory (the default for a
        DataFrame; a path is read whole), ``"duckdb"`` out of core (the
        default for a path): DuckDB groups the rows into one cell per series
        and period and only those cells come back; ``"dask"`` on a Dask
        cluster: the rows are shuffled by person and grouped there, and only
        the cells come back. All give the same table.
    client : dask.distributed.Client, optional
        The cluster of ``engine="dask"``; default: a local cluster started
        for the call and closed afterwards.

    Returns
    -------
    pandas.DataFrame
        One row per series and period, treated rows first, periods ascending:

        ``period``
            pandas Period (calendar years with ``frequency="year"``).
        ``series``
            ``"treated"`` or ``"comparison"``.
        ``persons``
            Distinct persons (``unit`` values) behind the row: the count for
            small-cell suppression.
        ``person_months``
            Rows (person-periods) behind the row.
        ``periods``
            Distinct data periods in the row (e.g. months of a year).
        ``mean``
            Sum of the outcome over ``person_months``: the person-month
            weighted mean, so large municipalities weigh more in the pool.
        ``cycle_mean``, ``adjusted_mean``
            Only with ``adjust``: the person-month weighted mean of the cycle
            series, and the cycle-adjusted mean.

        ``attrs`` records ``outcome``, ``treated``, ``comparison``,
        ``frequency`` and, with ``adjust``, ``start``, ``cycle``,
        ``cycle_coefficient`` and ``cycle_reference`` (per series).

    Raises
    ------
    DataError
        Missing columns, missing or non-numeric values, a person with two rows
        in one period, a treated label not in ``group``, an empty comparison
        pool, a result without a cycle coefficient, a series without periods
        before the result's start.

    Notes
    -----
    With cycle coefficient ``g`` (outcome per unit of the cycle series), the
    adjusted mean of series ``s`` in period ``t`` is

    ``adjusted_mean = mean - g * (cycle_mean - reference_s)``

    where ``reference_s`` is the person-month weighted mean of the cycle
    series in series ``s`` over all periods before the result's start. It is
    the outcome as it would have been had the business cycle (e.g. the local
    unemployment rate) stayed at its pre-reform level, by the model's estimate
    of how much the outcome moves with the cycle. Before the start the raw and
    adjusted means agree on average; after it, their gap is the part of the
    change the model attributes to the cycle.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "person": [1, 1, 2, 2, 3, 3],
    ...     "municipality": [860, 860, 860, 860, 813, 813],
    ...     "month": ["2014-12", "2015-01"] * 3,
    ...     "hours": [2.0, 10.0, 4.0, 6.0, 3.0, 3.0]})
    >>> table = outcome_by_period(panel, "hours", unit="person", group="municipality",
    ...                           time="month", treated=860)
    >>> print(table[["period", "series", "persons", "person_months", "mean"]].to_string(index=False))
     period     series  persons  person_months  mean
    2014-12    treated        2              2   3.0
    2015-01    treated        2              2   8.0
    2014-12 comparison        1              1   3.0
    2015-01 comparison        1              1   3.0

    The same rows as a Parquet file, grouped by DuckDB:

    >>> import tempfile
    >>> path = f"{tempfile.mkdtemp()}/panel.parquet"
    >>> panel.to_parquet(path)
    >>> outcome_by_period(path, "hours", unit="person", group="municipality", time="month",
    ...                   treated=860).equals(table)
    True

    And on a Dask cluster (a local one, started for the call):

    >>> outcome_by_period(path, "hours", unit="person", group="municipality", time="month",
    ...                   treated=860, engine="dask").equals(table)
    True
    """
    _check_frequency(frequency)
    chosen = row_engine(data, engine, function="outcome_by_period")
    if isinstance(data, pd.DataFrame):
        require_columns(data, {"outcome": outcome, "unit": unit, "group": group, "time": time})
    if adjust is not None and adjust.outcome != outcome:
        raise DataError(
            f"adjust= was estimated for outcome {adjust.outcome!r}, not {outcome!r}: its cycle coefficient "
            "is in another outcome's units"
        )
    cycle_name, coefficient = _cycle_term(adjust, cycle) if adjust is not None else (None, 0.0)
    roles = dict(outcome=outcome, unit=unit, group=group, time=time, treated=treated, comparison=comparison,
                 cycle=cycle_name, frequency=frequency)
    if chosen == "duckdb":
        grouped = _cells_on_duckdb(data, **roles)  # type: ignore[arg-type]
    elif chosen == "dask":
        grouped = _cells_on_dask(data, **roles, client=client)  # type: ignore[arg-type]
    else:
        rows = data if isinstance(data, pd.DataFrame) else read_columns(
            data, {"outcome": outcome, "unit": unit, "group": group, "time": time, "cycle": cycle_name})
        with naming(data):
            grouped = _cells_in_memory(rows, **roles)  # type: ignore[arg-type]
    return _outcome_table(grouped, outcome=outcome, time=time, frequency=frequency, adjust=adjust,
                          cycle=cycle_name, coefficient=coefficient)


def _outcome_table(grouped: _OutcomeCells, *, outcome: str, time: str, frequency: Frequency,
                   adjust: EffectResult | None, cycle: str | None, coefficient: float) -> pd.DataFrame:
    """The outcome table from the cells (see :func:`outcome_by_period`)."""
    cells = grouped.cells.set_index(["series", "period"])
    size = cells["person_months"]
    table = pd.DataFrame({
        "persons": cells["persons"],
        "person_months": size,
        "periods": cells["periods"],
        "mean": cells["y"] / size,
    })
    attrs: dict[str, object] = {"outcome": outcome, "treated": _treated_attr(grouped.treated),
                                "comparison": grouped.pool, "frequency": frequency}
    if adjust is not None and cycle is not None and grouped.by_period is not None:
        start = _result_start(adjust, grouped.dtype, time)
        by_period = grouped.by_period
        before = (by_period["source_period"] < start).to_numpy()
        reference: dict[str, float] = {}
        for name in SERIES:
            pre = by_period[before & (by_period["series"] == name).to_numpy()]
            if not pre["person_months"].sum():
                raise DataError(f"the {name} series has no rows before the result's start {start}")
            reference[name] = float(pre["c"].sum() / pre["person_months"].sum())
        table["cycle_mean"] = cells["c"] / size
        offset = table.index.get_level_values("series").map(reference).to_numpy(dtype=np.float64)
        table["adjusted_mean"] = table["mean"] - coefficient * (table["cycle_mean"] - offset)
        attrs.update(start=start, cycle=cycle, cycle_coefficient=coefficient, cycle_reference=reference)
    table = table.reset_index()
    table["series"] = pd.Categorical(table["series"], categories=list(SERIES))
    table = table.sort_values(["series", "period"], kind="stable").reset_index(drop=True)
    table["series"] = table["series"].astype(str)
    table = table[["period", "series", *[c for c in table.columns if c not in ("period", "series")]]]
    table = table.astype({"persons": np.int64, "person_months": np.int64, "periods": np.int64})
    table.attrs = attrs
    return table


def caseload_by_period(
    caseload: pd.DataFrame,
    *,
    treated: object = 860,
    comparison: Comparison = None,
    benefit_area: str | None = "cash_benefit",
    frequency: Frequency = "period",
) -> pd.DataFrame:
    """Cases per caseworker over time: the treated municipality and the comparison pool.

    Parameters
    ----------
    caseload : pandas.DataFrame
        Caseload panel (see :func:`hjeval.load_caseload`): ``municipality,
        period, benefit_area, caseworker_fte, open_cases``; one row per
        municipality, period and benefit area.
    treated : label or list of labels, default 860
        Treated municipality code(s).
    comparison : None, {"north_jutland", "rural", "all"} or list
        Comparison municipalities, as in :func:`hjeval.did` (default: all others).
    benefit_area : str or None, default "cash_benefit"
        The benefit area to keep; None pools all areas of the panel
        (and then needs no ``benefit_area`` column).
    frequency : {"period", "year"}, default "period"
        ``"year"``: each municipality's open cases and caseworkers are first
        averaged over the periods of the calendar year it reports, then pooled.

    Returns
    -------
    pandas.DataFrame
        One row per series and period, treated rows first, periods ascending:
        ``period, series, municipalities, open_cases, caseworker_fte,
        cases_per_caseworker``. ``open_cases`` and ``caseworker_fte`` are
        totals over the series' municipalities (averages over the year with
        ``frequency="year"``); ``open_cases`` is the count of citizens behind
        a row, for small-cell suppression. ``cases_per_caseworker`` is
        ``open_cases / caseworker_fte`` (NaN without caseworkers). ``attrs``
        records ``treated``, ``comparison``, ``benefit_area`` and ``frequency``.

    Raises
    ------
    DataError
        Missing columns or values, non-numeric or negative counts, open cases
        without caseworkers, two rows for one municipality, period and area,
        an unknown benefit area or treated code, an empty comparison pool.

    Notes
    -----
    The comparison series is the pool's total open cases over its total
    caseworkers. That is the caseworker-weighted mean of the municipalities'
    ratios -- the caseload of the average caseworker in the pool -- and the
    figure comparable with the treated municipality's own ratio. An
    unweighted mean of ratios would let a municipality with two caseworkers
    count as much as one with two hundred; a case-weighted mean answers
    another question (the caseload of the caseworker an average citizen
    meets) and lies above the pool's ratio whenever ratios differ. The
    ``cases_per_caseworker`` column of the input is not used: it is
    recomputed from the counts so that treated and comparison series are
    defined alike.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "municipality": [860, 813, 846], "period": ["2016-01"] * 3,
    ...     "benefit_area": "cash_benefit", "caseworker_fte": [40.0, 10.0, 30.0],
    ...     "open_cases": [1400.0, 900.0, 2100.0]})
    >>> table = caseload_by_period(panel)
    >>> print(table[["series", "municipalities", "open_cases", "cases_per_caseworker"]].to_string(index=False))
        series  municipalities  open_cases  cases_per_caseworker
       treated               1      1400.0                  35.0
    comparison               2      3000.0                  75.0
    """
    _check_frequency(frequency)
    counts = ["caseworker_fte", "open_cases"]
    require_columns(caseload, {"municipality": "municipality", "period": "period",
                        "benefit area": "benefit_area" if benefit_area is not None else None,
                        "caseworker_fte": "caseworker_fte", "open_cases": "open_cases"})
    rows = caseload
    if benefit_area is not None:
        _no_missing(caseload, ["benefit_area"])
        keep = (caseload["benefit_area"] == benefit_area).to_numpy()
        if not keep.any():
            areas = sorted(pd.unique(caseload["benefit_area"]).tolist(), key=str)
            raise DataError(f"benefit_area={benefit_area!r} is not in column 'benefit_area' (values: {areas})")
        rows = caseload.loc[keep]
    position = np.flatnonzero(keep) if benefit_area is not None else np.arange(len(caseload))
    _no_missing(rows, ["municipality", "period", *counts], position)
    _numeric(rows, counts)
    for col in counts:
        negative = (rows[col] < 0).to_numpy()
        if negative.any():
            raise DataError(f"column {col!r} has negative values in {format_rows(list(position[negative]))} "
                            "(0-based positions)")
    unstaffed = ((rows["caseworker_fte"] == 0) & (rows["open_cases"] > 0)).to_numpy()
    if unstaffed.any():
        raise DataError(f"column 'caseworker_fte' is 0 with open cases in {format_rows(list(position[unstaffed]))} "
                        "(0-based positions)")
    series, treated_labels, pool_name = _series_of(rows["municipality"], treated, comparison)
    periods = parse_periods(rows["period"], column="period")
    key = pd.DataFrame({"m": rows["municipality"].to_numpy(), "p": periods.array.asi8,
                        "a": rows["benefit_area"].to_numpy() if "benefit_area" in rows else 0})
    duplicated = key.duplicated().to_numpy()
    if duplicated.any():
        raise DataError(
            "columns 'municipality', 'period' and 'benefit_area': more than one row for a key in "
            f"{format_rows(list(position[duplicated]))} (0-based positions)"
        )
    frame = pd.DataFrame({
        "series": series.to_numpy(),
        "period": _aggregate_periods(periods, frequency).array,
        "source_period": periods.array,
        "municipality": rows["municipality"].to_numpy(),
        "open_cases": rows["open_cases"].to_numpy(dtype=np.float64),
        "caseworker_fte": rows["caseworker_fte"].to_numpy(dtype=np.float64),
    })
    frame = frame[frame["series"] != ""]
    # areas pooled first (sums within a municipality and data period), then periods averaged
    per_period = frame.groupby(["series", "period", "municipality", "source_period"], sort=True)[counts].sum()
    per_municipality = per_period.groupby(level=["series", "period", "municipality"]).mean()
    grouped = per_municipality.groupby(level=["series", "period"])
    table = grouped.sum()
    table.insert(0, "municipalities", grouped.size().astype(np.int64))
    table = table[["municipalities", "open_cases", "caseworker_fte"]]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = table["open_cases"].to_numpy() / table["caseworker_fte"].to_numpy()
    table["cases_per_caseworker"] = np.where(table["caseworker_fte"].to_numpy() > 0, ratio, np.nan)
    table = table.reset_index()
    table["series"] = pd.Categorical(table["series"], categories=list(SERIES))
    table = table.sort_values(["series", "period"], kind="stable").reset_index(drop=True)
    table["series"] = table["series"].astype(str)
    table = table[["period", "series", "municipalities", "open_cases", "caseworker_fte", "cases_per_caseworker"]]
    table.attrs = {"treated": _treated_attr(treated_labels), "comparison": pool_name,
                   "benefit_area": benefit_area, "frequency": frequency}
    return table
