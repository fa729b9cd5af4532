"""Benefit spells from person-month rows: runs of months on a benefit.

A row of the input is one month in which a person received the benefit. A
spell is a run of such months of one person (and one benefit group, when
``benefit=`` names the column that tells them apart): consecutive months, or
months separated by a gap of at most ``gap_months`` months without a row.
Spells are built on integer arrays in one pass over rows sorted by person,
benefit and month (rows already in that order, as a register extract usually
is, are not sorted again).

Spells still running when the data end are right-censored, and spells already
running when the data begin are left-truncated: both are flagged, never
treated as complete.

The rows may also be the path of a Parquet dataset (a file, or a folder such
as one partitioned by year): with ``engine="duckdb"`` (the default for a
path) DuckDB builds the spells out of core with window functions
(:mod:`hjeval.engines.duckdb_spells`), with the same checks, and hands back
the same spells; ``engine="pandas"`` reads the columns whole. With
``engine="dask"`` the rows are read on a Dask cluster, checked there, shuffled
so that each person's rows are in one partition, and the spells of each
partition built by the in-memory code on its rows in the dataset's order
(:func:`_on_dask`); only the spells come back, and are coded and ordered as
DuckDB's are.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hjeval.design.panel import require_columns, where
from hjeval.engines import Data, Engine
from hjeval.engines.dask_support import POS, by_person, dask_rows, distinct_first, first_rows, gather, shown_rows
from hjeval.engines.duckdb_person_cells import repeated_keys
from hjeval.engines.duckdb_rows import Distinct, DuckRows, open_rows
from hjeval.engines.duckdb_spells import spell_runs
from hjeval.engines.in_memory import naming, read_columns, row_engine
from hjeval.errors import DataError
from hjeval.periods import parse_period, parse_periods

__all__ = ["WEEKS_PER_MONTH", "OnEngine", "SpellArrays", "benefit_spells", "build_spells", "month_label",
           "month_ordinal"]

WEEKS_PER_MONTH = 52.0 / 12.0
"""Weeks in a month of spell duration (a year of 52 weeks over 12 months)."""

_MONTHLY = pd.PeriodDtype("M")


@dataclass(frozen=True)
class SpellArrays:
    """Spells as integer arrays, one entry per spell (what the estimators use; no person ids).

    Attributes
    ----------
    person : numpy.ndarray of int64
        Person code (order of first appearance in the data).
    group : numpy.ndarray of int64
        Code of the group (municipality) of the spell's first month; labels in ``group_labels``.
    benefit : numpy.ndarray of int64
        Benefit-group code (all 0 without ``benefit=``); labels in ``benefit_labels``.
    first, last : numpy.ndarray of int64
        First and last month on the benefit, as monthly period ordinals.
    months_on_benefit : numpy.ndarray of int64
        Months with a row (fewer than ``last - first + 1`` where gaps were bridged).
    left_truncated, right_censored, moved : numpy.ndarray of bool
        Already running at the data's start; still running at the data's end;
        rows in more than one group.
    first_row : numpy.ndarray of int64
        Position in the data of each spell's first row.
    group_labels, benefit_labels : tuple
    data_start, data_end : int
        First and last month the data cover (ordinals).
    gap_months : int
    n_rows : int
        Rows read.
    merged_rows : int
        Rows repeating a person-month (several benefits in one month without
        ``benefit=``), counted once.
    """

    person: np.ndarray
    group: np.ndarray
    benefit: np.ndarray
    first: np.ndarray
    last: np.ndarray
    months_on_benefit: np.ndarray
    left_truncated: np.ndarray
    right_censored: np.ndarray
    moved: np.ndarray
    first_row: np.ndarray
    group_labels: tuple[object, ...]
    benefit_labels: tuple[object, ...]
    data_start: int
    data_end: int
    gap_months: int
    n_rows: int
    merged_rows: int

    @property
    def n_spells(self) -> int:
        """Number of spells."""
        return len(self.first)

    @property
    def months(self) -> np.ndarray:
        """Duration of each spell in months, first to last month inclusive (bridged gaps count)."""
        return self.last - self.first + 1

    @property
    def survival_time(self) -> np.ndarray:
        """Duration for survival analysis: ``months``, or ``months - 1`` for a right-censored spell.

        A spell seen for ``d`` months and still running is known to last more
        than ``d - 1`` months; whether its ``d``-th month was its last is not
        known, so it leaves the risk set after duration ``d - 1``.
        """
        return self.months - self.right_censored.astype(np.int64)


@dataclass(frozen=True)
class OnEngine:
    """Person-month rows (a DataFrame or a Parquet path) with the engine to build their spells on.

    What :func:`build_spells` takes in place of the rows, for callers that
    pass the rows on without an ``engine`` argument of their own.

    Examples
    --------
    >>> OnEngine("registers/hours/", "duckdb").engine
    'duckdb'
    """

    data: Data
    engine: Engine | None = None
    client: object = None


def month_ordinal(value: object, argument: str) -> int:
    """The monthly period ordinal of ``value`` (``"2015-01"``, a Period or Timestamp).

    Examples
    --------
    >>> month_ordinal("2015-01", "start") - month_ordinal("2014-12", "start")
    1
    """
    try:
        period = parse_period(value)
    except DataError as err:
        raise DataError(f"{argument}={value!r} is not a month: {err}") from err
    if pd.PeriodDtype(period.freq) != _MONTHLY:
        raise DataError(f"{argument}={value!r} is a {period.freqstr} period; durations are counted in months: "
                        "give a month such as '2015-01'")
    return int(period.ordinal)


def _month_codes(data: pd.DataFrame, time: str) -> np.ndarray:
    """Monthly ordinals of the time column (Period[M], datetimes, or month spellings)."""
    values = data[time]
    if isinstance(values.dtype, pd.PeriodDtype):
        if values.dtype != _MONTHLY:
            raise DataError(f"column {time!r} (time) holds {values.dtype} periods; durations are counted in "
                            "months: give one row per person and month")
        return np.asarray(values.array.asi8, dtype=np.int64)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        return stamps.to_numpy().astype("datetime64[M]").astype(np.int64)
    periods = parse_periods(values, column=time)
    if periods.dtype != _MONTHLY:
        example = values.iloc[0]
        raise DataError(f"column {time!r} (time) holds {periods.dtype} values such as {example!r}, not months; "
                        "durations are counted in months: give one row per person and month (e.g. '2015-01')")
    return np.asarray(periods.array.asi8, dtype=np.int64)


def _person_codes(values: pd.Series) -> np.ndarray:
    """Codes in order of first appearance; ids in runs (rows grouped by person) are hashed once per run."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu" and len(values) > 1:
        array = values.to_numpy()
        heads = np.flatnonzero(array[1:] != array[:-1]) + 1
        if len(heads) < len(array) // 4:
            heads = np.r_[0, heads]
            codes = pd.factorize(array[heads])[0]
            return np.repeat(codes.astype(np.int64), np.diff(np.r_[heads, len(array)]))
    return pd.factorize(values)[0].astype(np.int64)


def _check_gap(gap_months: object) -> int:
    if isinstance(gap_months, bool) or not isinstance(gap_months, numbers.Integral) or int(gap_months) < 0:
        raise DataError(f"gap_months must be a whole number of months, 0 or more, not {gap_months!r}")
    return int(gap_months)


def _observed(observed: tuple[object, object] | None, months: np.ndarray) -> tuple[int, int]:
    if observed is None:
        return int(months.min()), int(months.max())
    if not isinstance(observed, tuple | list) or len(observed) != 2:
        raise DataError(f"observed must be a (first month, last month) pair, not {observed!r}")
    first, last = month_ordinal(observed[0], "observed[0]"), month_ordinal(observed[1], "observed[1]")
    if last < first:
        raise DataError(f"observed={tuple(observed)!r} ends before it begins")
    return first, last


def build_spells(
    data: Data | OnEngine,
    *,
    unit: str,
    group: str,
    time: str,
    benefit: str | None = None,
    gap_months: int = 0,
    observed: tuple[object, object] | None = None,
    engine: Engine | None = None,
    client: object = None,
) -> SpellArrays:
    """Spells as arrays, without person ids (see :func:`benefit_spells`).

    ``data`` may also be an :class:`OnEngine`, which carries the engine (and the client).

    Raises
    ------
    DataError
        As :func:`benefit_spells`.
    """
    return _build(data, unit=unit, group=group, time=time, benefit=benefit, gap_months=gap_months,
                  observed=observed, engine=engine, client=client)[0]


def _build(
    data: Data | OnEngine, *, unit: str, group: str, time: str, benefit: str | None, gap_months: int,
    observed: tuple[object, object] | None, engine: Engine | None, values: bool = False, client: object = None,
) -> tuple[SpellArrays, dict[str, pd.Series]]:
    """The spells and, with ``values``, the ``unit``, ``group`` and ``benefit`` values of each spell's first row."""
    gap = _check_gap(gap_months)
    if isinstance(data, OnEngine):
        engine = engine if engine is not None else data.engine
        client = client if client is not None else data.client
        data = data.data
    chosen = row_engine(data, engine, function="benefit_spells")
    if chosen in ("duckdb", "dask"):
        on = _on_duckdb if chosen == "duckdb" else _on_dask
        spells, found = on(data, unit=unit, group=group, time=time, benefit=benefit, gap=gap, observed=observed,
                           client=client)
        if found is not None or not values or not isinstance(data, pd.DataFrame):
            return spells, found or {}
        rows = data  # a DataFrame: its own values
    else:
        rows = data if isinstance(data, pd.DataFrame) else read_columns(
            data, {"unit": unit, "group": group, "time": time, "benefit": benefit})
        with naming(data):
            spells = _in_memory(rows, unit=unit, group=group, time=time, benefit=benefit, gap=gap,
                                observed=observed)
    if not values:
        return spells, {}
    columns = [c for c in dict.fromkeys((unit, group, benefit)) if c is not None]
    return spells, {c: rows[c].iloc[spells.first_row].reset_index(drop=True) for c in columns}


def _in_memory(
    data: pd.DataFrame, *, unit: str, group: str, time: str, benefit: str | None, gap: int,
    observed: tuple[object, object] | None,
) -> SpellArrays:
    """The spells of rows in memory: integer keys sorted once, runs found by their breaks."""
    require_columns(data, {"unit": unit, "group": group, "time": time, "benefit": benefit})
    if len(data) == 0:
        raise DataError("data has no rows: there are no spells to build")
    roles = [("unit", unit), ("group", group), ("time", time)] + ([("benefit", benefit)] if benefit else [])
    for role, column in roles:
        missing = data[column].isna().to_numpy()
        if missing.any():
            raise DataError(f"column {column!r} ({role}) has missing values in {where(data, missing)}; "
                            "fill them in or drop those rows")
    month = _month_codes(data, time)
    data_start, data_end = _observed(observed, month)
    outside = (month < data_start) | (month > data_end)
    if outside.any():
        raise DataError(f"column {time!r} (time) has months outside observed={observed!r} in "
                        f"{where(data, outside)}")
    person = _person_codes(data[unit])
    group_codes, group_uniques = pd.factorize(data[group], sort=True)
    if benefit is None:
        benefit_codes = np.zeros(len(data), dtype=np.int64)
        benefit_labels: tuple[object, ...] = (None,)
    else:
        codes, uniques = pd.factorize(data[benefit], sort=True)
        benefit_codes, benefit_labels = codes.astype(np.int64), tuple(pd.Index(uniques).tolist())
    n_benefits = len(benefit_labels)
    span = data_end - data_start + 1
    key = (person * n_benefits + benefit_codes) * span + (month - data_start)
    order: np.ndarray | None = None
    if not bool(np.all(key[1:] > key[:-1])):
        order = np.argsort(key, kind="stable")
        key = key[order]
    repeated = np.flatnonzero(key[1:] == key[:-1]) + 1
    merged = 0
    if len(repeated):
        if benefit is not None:
            rows = np.zeros(len(data), dtype=bool)
            positions = np.r_[repeated, repeated - 1]
            rows[positions if order is None else order[positions]] = True
            raise DataError(
                f"{len(repeated)} rows repeat a ({unit}, {benefit}, {time}) triple, e.g. {where(data, rows)}: "
                f"a person has at most one row per benefit and month; drop the duplicates (e.g. "
                f"data.drop_duplicates([{unit!r}, {benefit!r}, {time!r}]))"
            )
        # without benefit=, a person on two benefits in a month is one month on support
        keep = np.ones(len(key), dtype=bool)
        keep[repeated] = False
        merged = len(repeated)
        key = key[keep]
        order = np.flatnonzero(keep) if order is None else order[keep]
    pair = key // span
    offset = key - pair * span
    breaks = np.empty(len(key), dtype=bool)
    breaks[0] = True
    np.not_equal(pair[1:], pair[:-1], out=breaks[1:])
    breaks[1:] |= (offset[1:] - offset[:-1]) > gap + 1
    starts = np.flatnonzero(breaks)
    ends = np.r_[starts[1:] - 1, len(key) - 1]
    sorted_groups = group_codes.astype(np.int64) if order is None else group_codes[order].astype(np.int64)
    first = offset[starts] + data_start
    last = offset[ends] + data_start
    spells = SpellArrays(
        person=pair[starts] // n_benefits,
        group=sorted_groups[starts],
        benefit=pair[starts] % n_benefits,
        first=first,
        last=last,
        months_on_benefit=(ends - starts + 1).astype(np.int64),
        left_truncated=first <= data_start + gap,
        right_censored=last >= data_end - gap,
        moved=np.minimum.reduceat(sorted_groups, starts) != np.maximum.reduceat(sorted_groups, starts),
        first_row=(starts if order is None else order[starts]).astype(np.int64),
        group_labels=tuple(pd.Index(group_uniques).tolist()),
        benefit_labels=benefit_labels,
        data_start=data_start,
        data_end=data_end,
        gap_months=gap,
        n_rows=len(data),
        merged_rows=merged,
    )
    return spells


def _on_duckdb(
    data: Data, *, unit: str, group: str, time: str, benefit: str | None, gap: int,
    observed: tuple[object, object] | None, client: object = None,
) -> tuple[SpellArrays, dict[str, pd.Series] | None]:
    """The spells built by DuckDB, with the same checks as in memory (the first-row values for a path)."""
    roles = [("unit", unit), ("group", group), ("time", time)] + ([("benefit", benefit)] if benefit else [])
    with open_rows(data, [c for _, c in roles], dict(roles)) as rows:
        n_rows = rows.count()
        if n_rows == 0:
            raise DataError(f"{rows.name} has no rows: there are no spells to build")
        rows.refuse_missing(roles, shown=[unit, time], fix="fill them in or drop those rows")
        times = rows.distinct(time)
        month = _distinct_months(rows, times, time, shown=[unit])
        data_start, data_end = _observed(observed, month)
        outside = (month < data_start) | (month > data_end)
        if outside.any():
            shown = rows.rows_with(time, times.raw.filter(outside), [unit])
            raise DataError(f"{rows.name}: column {time!r} (time) has months outside observed={observed!r} in "
                            f"{int(times.rows[outside].sum())} rows, e.g. {shown}")
        keys = [unit, benefit, time] if benefit is not None else [unit, time]
        extra, shown = repeated_keys(rows, keys, mapped={time: (times, month)})
        if extra and benefit is not None:
            raise DataError(
                f"{rows.name}: {extra} rows repeat a ({unit}, {benefit}, {time}) triple, e.g. {shown}: a person has "
                f"at most one row per benefit and month; drop the duplicates (e.g. "
                f"data.drop_duplicates([{unit!r}, {benefit!r}, {time!r}]))"
            )
        group_labels = _sorted_labels(rows.distinct(group).values)
        benefit_labels = _sorted_labels(rows.distinct(benefit).values) if benefit is not None else (None,)
        runs = spell_runs(rows, unit=unit, group=group, time=time, benefit=benefit, months=times, codes=month,
                          gap=gap, merge=bool(extra))
    return _from_runs(data, runs, unit=unit, group=group, benefit=benefit, group_labels=group_labels,
                      benefit_labels=benefit_labels, data_start=data_start, data_end=data_end, gap=gap,
                      n_rows=n_rows, merged=extra if benefit is None else 0)


def _from_runs(
    data: Data, runs: pd.DataFrame, *, unit: str, group: str, benefit: str | None, group_labels: tuple[object, ...],
    benefit_labels: tuple[object, ...], data_start: int, data_end: int, gap: int, n_rows: int, merged: int,
) -> tuple[SpellArrays, dict[str, pd.Series] | None]:
    """The spells of one row per spell (see :func:`~hjeval.engines.duckdb_spells.spell_runs`), coded and ordered
    as in memory: persons by their first row, then benefit and first month."""
    person = np.unique(runs["person_pos"].to_numpy(), return_inverse=True)[1].astype(np.int64)
    benefits = (pd.Index(benefit_labels).get_indexer(runs["b"]) if benefit is not None
                else np.zeros(len(runs), dtype=np.int64)).astype(np.int64)
    first = runs["first"].to_numpy(dtype=np.int64)
    order = np.lexsort((first, benefits, person))
    runs = runs.iloc[order].reset_index(drop=True)
    first, last = first[order], runs["last"].to_numpy(dtype=np.int64)
    spells = SpellArrays(
        person=person[order],
        group=pd.Index(group_labels).get_indexer(runs["g"]).astype(np.int64),
        benefit=benefits[order],
        first=first,
        last=last,
        months_on_benefit=runs["months_on"].to_numpy(dtype=np.int64),
        left_truncated=first <= data_start + gap,
        right_censored=last >= data_end - gap,
        moved=runs["moved"].to_numpy(dtype=bool),
        first_row=runs["first_pos"].to_numpy(dtype=np.int64),
        group_labels=group_labels,
        benefit_labels=benefit_labels,
        data_start=data_start,
        data_end=data_end,
        gap_months=gap,
        n_rows=n_rows,
        merged_rows=merged,
    )
    if isinstance(data, pd.DataFrame):
        return spells, None
    found = {unit: runs["u"], group: runs["g"], **({benefit: runs["b"]} if benefit is not None else {})}
    return spells, {c: v.rename(c) for c, v in found.items()}


_RUNS = {"u": object, "b": object, "g": object, "first": np.int64, "last": np.int64, "months_on": np.int64,
         "first_pos": np.int64, "person_pos": np.int64, "moved": bool, "merged": np.int64}


def _partition_runs(part: pd.DataFrame, *, unit: str, group: str, time: str, benefit: str | None, gap: int,
                    observed: tuple[pd.Period, pd.Period], meta: pd.DataFrame) -> pd.DataFrame:
    """The spells of one partition's rows (whole persons, in the dataset's order), one row each, as DuckDB's runs."""
    pos = part[POS].to_numpy()
    if len(part):
        spells = _in_memory(part, unit=unit, group=group, time=time, benefit=benefit, gap=gap, observed=observed)
        at, merged = spells.first_row, spells.merged_rows
        first_of_person = np.unique(pd.factorize(part[unit])[0], return_index=True)[1]
        arrays = {"first": spells.first, "last": spells.last, "months_on": spells.months_on_benefit,
                  "first_pos": pos[at], "person_pos": pos[first_of_person][spells.person], "moved": spells.moved}
    else:  # an empty partition: empty columns of the partition's dtypes
        at, merged = np.zeros(0, dtype=np.int64), 0
        arrays = {c: meta[c].to_numpy() for c in ("first", "last", "months_on", "first_pos", "person_pos", "moved")}
    out = pd.DataFrame({
        "u": part[unit].array[at],
        "b": part[benefit].array[at] if benefit is not None else np.full(len(at), None, dtype=object),
        "g": part[group].array[at],
        **arrays,
        "merged": np.zeros(len(at), dtype=np.int64),
    })
    if len(out):
        out.loc[0, "merged"] = merged
    return out


def _partition_repeats(part: pd.DataFrame, *, unit: str, benefit: str, time: str) -> pd.DataFrame:
    """Rows of one partition repeating a (unit, benefit, month) triple: all copies, and how many extra rows."""
    key = pd.DataFrame({"u": part[unit].to_numpy(), "b": part[benefit].to_numpy(), "m": _month_codes(part, time)})
    extra = key.duplicated().to_numpy()
    rows = key.duplicated(keep=False).to_numpy()
    return pd.DataFrame({POS: part[POS].to_numpy()[rows], "label": part.index.to_numpy()[rows].astype(object),
                         "extra": extra[rows]})


def _on_dask(
    data: Data, *, unit: str, group: str, time: str, benefit: str | None, gap: int,
    observed: tuple[object, object] | None, client: object = None,
) -> tuple[SpellArrays, dict[str, pd.Series] | None]:
    """The spells built on a Dask cluster, with the checks and messages of the in-memory path on the rows read whole.

    Rows are named by index label: for a path, the row's position from 0 over the dataset in file order.
    """
    roles = {"unit": unit, "group": group, "time": time, "benefit": benefit}
    keys = [("unit", unit), ("group", group), ("time", time)] + ([("benefit", benefit)] if benefit else [])
    with dask_rows(data, roles, client=client) as rows, naming(data, note=" (rows counted from 0 in file order)"):
        frame, running = rows.frame, rows.client
        if rows.n_rows == 0:
            raise DataError("data has no rows: there are no spells to build")
        for role, column in keys:
            count, labels = first_rows(frame, running, _Missing(column))
            if count:
                raise DataError(f"column {column!r} ({role}) has missing values in {shown_rows(count, labels)}; "
                                "fill them in or drop those rows")
        times, groups, *benefits = distinct_first(frame, running, [time, group, *([benefit] if benefit else [])])
        month = _month_codes(times, time)
        data_start, data_end = _observed(observed, month)
        outside = (month < data_start) | (month > data_end)
        if outside.any():
            count, labels = first_rows(frame, running, _Outside(time, data_start, data_end))
            raise DataError(f"column {time!r} (time) has months outside observed={observed!r} in "
                            f"{shown_rows(count, labels)}")
        shuffled = running.persist(by_person(frame, unit))
        if benefit is not None:
            meta = pd.DataFrame({POS: np.array([], dtype=np.int64), "label": np.array([], dtype=object),
                                 "extra": np.array([], dtype=bool)})
            repeats = gather(shuffled, running, _partition_repeats, meta, unit=unit, benefit=benefit, time=time)
            if len(repeats):
                repeats = repeats.sort_values(POS, kind="stable")
                extra = int(repeats["extra"].sum())
                raise DataError(
                    f"{extra} rows repeat a ({unit}, {benefit}, {time}) triple, e.g. "
                    f"{shown_rows(len(repeats), repeats['label'].tolist())}: a person has at most one row per "
                    f"benefit and month; drop the duplicates (e.g. data.drop_duplicates([{unit!r}, {benefit!r}, "
                    f"{time!r}]))"
                )
        meta = pd.DataFrame({c: np.array([], dtype=t) for c, t in _RUNS.items()})
        runs = gather(shuffled, running, _partition_runs, meta, unit=unit, group=group, time=time, benefit=benefit,
                      gap=gap, observed=(month_label(data_start), month_label(data_end)), meta=meta)
        del shuffled
        group_labels = _sorted_labels(groups[group])
        benefit_labels = _sorted_labels(benefits[0][benefit]) if benefit is not None else (None,)
        merged = int(runs.pop("merged").sum())
        spells, found = _from_runs(data, runs, unit=unit, group=group, benefit=benefit, group_labels=group_labels,
                                   benefit_labels=benefit_labels, data_start=data_start, data_end=data_end, gap=gap,
                                   n_rows=rows.n_rows, merged=merged if benefit is None else 0)
    return spells, found


@dataclass(frozen=True)
class _Missing:
    """Rows missing a value of ``column``."""

    column: str

    def __call__(self, part: pd.DataFrame) -> np.ndarray:
        return part[self.column].isna().to_numpy()


@dataclass(frozen=True)
class _Outside:
    """Rows whose month lies outside ``first`` .. ``last`` (ordinals)."""

    time: str
    first: int
    last: int

    def __call__(self, part: pd.DataFrame) -> np.ndarray:
        if not len(part):
            return np.zeros(0, dtype=bool)
        month = _month_codes(part, self.time)
        return (month < self.first) | (month > self.last)


def _sorted_labels(values: pd.Series) -> tuple[object, ...]:
    """The labels of the codes ``pandas.factorize(column, sort=True)`` gives, from the column's distinct values."""
    return tuple(pd.Index(pd.factorize(values, sort=True)[1]).tolist())


def _distinct_months(rows: DuckRows, times: Distinct, time: str, *, shown: list[str]) -> np.ndarray:
    """Month ordinals of the distinct time values, read as in memory; errors name the dataset's rows."""
    try:
        return _month_codes(pd.DataFrame({time: times.values}), time)
    except DataError as err:
        bad = np.zeros(len(times.values), dtype=bool)
        for i in range(len(bad)):
            try:
                _month_codes(pd.DataFrame({time: times.values.iloc[[i]]}), time)
            except DataError:
                bad[i] = True
        raise rows.restate(err, rows.rows_with(time, times.raw.filter(bad if bad.any() else ~bad), shown)) from err


def month_label(ordinal: int) -> pd.Period:
    """The monthly Period of an ordinal.

    Examples
    --------
    >>> month_label(month_ordinal("2015-01", "start"))
    Period('2015-01', 'M')
    """
    return pd.PeriodIndex.from_ordinals([int(ordinal)], freq="M")[0]


def benefit_spells(
    data: Data,
    *,
    unit: str,
    group: str,
    time: str,
    benefit: str | None = None,
    gap_months: int = 0,
    observed: tuple[object, object] | None = None,
    engine: Engine | None = None,
    client: object = None,
) -> pd.DataFrame:
    """One row per benefit spell, from person-month rows.

    Each row of ``data`` is a month in which a person was on the benefit. A
    spell is a run of such months of one person (and one benefit group with
    ``benefit=``): consecutive months, where a gap of **at most**
    ``gap_months`` months without a row is bridged (``gap_months=0``, the
    default, bridges nothing; ``gap_months=1`` joins runs separated by one
    month off benefit). Bridged months count in the spell's duration.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Person-month rows, in any order; it is not changed. Or the path of a
        Parquet dataset of such rows: one file, or a folder of files (at any
        depth, ``key=value`` folders such as ``year=2015/`` read as partition
        columns), in the order of their sorted paths.
    unit, group, time : str
        Columns of the person id, the municipality and the month (a monthly
        Period, a datetime or a month spelling such as ``"2015-01"``).
    benefit : str, optional
        Column of the benefit group: spells are then per person and benefit
        group, and a person has at most one row per benefit and month.
        Without it, months on any benefit form one spell of public support (a
        person with rows on two benefits in a month has one month on support;
        such rows are counted in ``attrs["merged_rows"]``).
    gap_months : int, default 0
        Longest gap, in months without a row, bridged inside a spell.
    observed : (first month, last month), optional
        The months the data cover (default: the first and last month in the
        data). Censoring and truncation are judged against these months.
    engine : {"pandas", "duckdb", "dask"}, optional
        Where the rows are read: ``"pandas"`` in memory (the default for a
        DataFrame; a path is read whole), ``"duckdb"`` out of core (the
        default for a path): DuckDB builds the spells with window functions
        and hands back only the spell table, the same table as in memory;
        ``"dask"`` on a Dask cluster: the rows are shuffled by person and the
        spells of each partition built there, the same table again.
    client : dask.distributed.Client, optional
        The cluster of ``engine="dask"``; default: a local cluster in this
        process, started for the call and closed afterwards.

    Returns
    -------
    pandas.DataFrame
        One row per spell: ``unit``, ``group`` (the municipality of the
        spell's first month), ``benefit`` (with ``benefit=``),
        ``first_month``, ``last_month`` (monthly Periods), ``months`` (first to
        last month inclusive), ``weeks`` (``months * 52 / 12``),
        ``months_on_benefit`` (months with a row), ``left_truncated`` (the spell
        begins within ``gap_months`` months of the data's first month, so it
        may have begun earlier), ``right_censored`` (it ends within
        ``gap_months`` months of the data's last month, so it may go on) and
        ``moved`` (its months lie in more than one municipality). Rows are
        ordered by person (in order of first appearance), benefit and first
        month. ``attrs`` holds ``data_start``, ``data_end``, ``gap_months``,
        ``rows`` and ``merged_rows``.

        The table holds the person ids of the data: it is the user's own data,
        and nothing else in :mod:`hjeval.duration` returns them.

    Raises
    ------
    DataError
        A missing column, missing values, months that are not months or lie
        outside ``observed``, or (with ``benefit=``) a repeated person, benefit
        and month, naming the column and the rows by their index labels (for
        a path: the path, and the rows by file and row number; on
        ``engine="dask"`` by their position from 0 over the dataset).

    Examples
    --------
    >>> import pandas as pd
    >>> from hjeval.duration import benefit_spells
    >>> rows = pd.DataFrame({"person_id": [1, 1, 1, 2, 2],
    ...                      "municipality": [860] * 5,
    ...                      "month": ["2015-01", "2015-02", "2015-05", "2015-02", "2015-03"]})
    >>> spells = benefit_spells(rows, unit="person_id", group="municipality", time="month")
    >>> spells["person_id"].tolist(), spells["months"].tolist()
    ([1, 1, 2], [2, 1, 2])
    >>> spells["left_truncated"].tolist(), spells["right_censored"].tolist()
    ([True, False, False], [False, True, False])
    >>> benefit_spells(rows, unit="person_id", group="municipality", time="month", gap_months=2)["months"].tolist()
    [5, 2]

    The same rows as a Parquet dataset, read out of core:

    >>> import tempfile
    >>> path = f"{tempfile.mkdtemp()}/rows.parquet"
    >>> rows.to_parquet(path)
    >>> benefit_spells(path, unit="person_id", group="municipality", time="month").equals(spells)
    True

    And on a Dask cluster (here a local one, started for the call):

    >>> benefit_spells(path, unit="person_id", group="municipality", time="month", engine="dask").equals(spells)
    True
    """
    spells, first_values = _build(data, unit=unit, group=group, time=time, benefit=benefit,
                                  gap_months=gap_months, observed=observed, engine=engine, values=True,
                                  client=client)
    columns: dict[str, object] = {unit: first_values[unit], group: first_values[group]}
    if benefit is not None:
        columns[benefit] = first_values[benefit]
    months = spells.months
    columns.update({
        "first_month": pd.PeriodIndex.from_ordinals(spells.first, freq="M").array,
        "last_month": pd.PeriodIndex.from_ordinals(spells.last, freq="M").array,
        "months": months,
        "weeks": months * WEEKS_PER_MONTH,
        "months_on_benefit": spells.months_on_benefit,
        "left_truncated": spells.left_truncated,
        "right_censored": spells.right_censored,
        "moved": spells.moved,
    })
    frame = pd.DataFrame(columns)
    frame.attrs.update({
        "data_start": month_label(spells.data_start),
        "data_end": month_label(spells.data_end),
        "gap_months": spells.gap_months,
        "rows": spells.n_rows,
        "merged_rows": spells.merged_rows,
    })
    return frame
