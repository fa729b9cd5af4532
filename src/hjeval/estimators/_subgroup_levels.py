"""The levels of a subgroup split and each level's rows: slices of a DataFrame, or copies of a dataset's rows.

In memory a level's rows are a slice of the frame. For a Parquet dataset on
DuckDB or Dask the levels and their persons come from group-bys on the engine
(:mod:`hjeval.engines.levels`), and each level's rows are copied out of core
to a Parquet file of their own (:func:`hjeval.engines.subset.subset_rows`)
that the estimators read on the same engine, one level at a time, so memory
stays bounded by the engine's own.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hjeval.design.panel import as_list, where
from hjeval.engines import Data
from hjeval.engines.levels import rows_where, treated_persons
from hjeval.engines.subset import subset_rows
from hjeval.errors import DataError

__all__ = ["DatasetLevels", "FrameLevels", "Level", "by_columns", "check_by_values", "level_label"]

Rename = Callable[[str], str]
"""Rewrites an error message about a level's rows to name them as the user knows them."""


@dataclass(frozen=True)
class Level:
    """One level (combination of levels) of ``by``: its values, its rows and its persons in the treated groups."""

    values: tuple[object, ...]
    rows: int
    persons: int

    @property
    def key(self) -> object:
        """The level as a pandas group-by names it: the value, or the tuple of values for several columns."""
        return self.values[0] if len(self.values) == 1 else self.values


def level_label(by: Sequence[str], key: object) -> str:
    """The level as text, e.g. ``"sex='f', band='young'"``."""
    values = key if isinstance(key, tuple) else (key,)
    return ", ".join(f"{col}={value!r}" for col, value in zip(by, values, strict=True))


def by_columns(names: Sequence[str], by: object, roles: dict[str, str | None], *, place: str = "the data",
               holder: str = "the data") -> list[str]:
    """``by`` as a list of column names, checked: present among ``names`` (those of ``place``), not a design role."""
    columns = as_list(by)
    if not columns or not all(isinstance(c, str) for c in columns):
        raise DataError(f"by={by!r} must be a column name or a list of column names, e.g. by='sex'")
    chosen = [str(c) for c in columns]
    if len(set(chosen)) != len(chosen):
        raise DataError(f"by={by!r} names a column twice; name each column once")
    absent = [c for c in chosen if c not in names]
    if absent:
        raise DataError(f"by: column(s) {absent} not in {place}; {holder} has {list(names)}")
    taken = {col: role for role, col in roles.items() if col is not None}
    clash = [c for c in chosen if c in taken]
    if clash:
        raise DataError(f"by={clash[0]!r} is already the {taken[clash[0]]} column; subgroups must be another "
                        "column (a level of the unit, group or time leaves nothing to compare within)")
    return chosen


def _missing_message(col: str, rows: str) -> str:
    return (f"by: column {col!r} has missing values in {rows}; give those rows a level (e.g. 'unknown') or drop "
            "them before calling subgroups")


def check_by_values(data: Data, columns: Sequence[str], *, missing: int = 0, engine: str = "pandas",
                    client: object | None = None) -> None:
    """Refuse missing values in the ``by`` columns, naming the column and the first rows.

    For a DataFrame the rows are its index labels; for a dataset (``missing``
    rows miss some level, counted by the engine) file and row.
    """
    if isinstance(data, pd.DataFrame):
        for col in columns:
            mask = data[col].isna().to_numpy()
            if mask.any():
                raise DataError(_missing_message(col, where(data, mask)))
        return
    if not missing:
        return
    for col in columns:
        count, shown = rows_where(data, col, engine=engine, client=client)
        if count:
            raise DataError(_missing_message(col, f"{count} rows of {data}, e.g. {shown}"))


def _no_person_counts(unit: str) -> DataError:
    return DataError(
        f"subgroups needs the number of persons per level for the disclosure rule, but unit={unit!r} is "
        f"the group column and no weights are given; pass a person-level unit= or weights= counting the "
        "persons behind each row"
    )


def _persons(rows: pd.DataFrame, unit: str, group: str, time: str, weights: str | None) -> int:
    """Distinct persons of these rows of the treated group(s).

    With a person-level panel these are distinct units; with an aggregated
    panel (the unit is the group) the weights count persons per cell, and the
    largest period's sum is the number of persons.
    """
    if unit != group:
        return int(rows[unit].nunique())
    if weights is None:
        raise _no_person_counts(unit)
    if rows.empty:
        return 0
    return math.floor(float(rows.groupby(time, observed=True)[weights].sum().max()) + 1e-9)


class FrameLevels:
    """The levels of a DataFrame, in sorted order, and each one's rows as a slice of it."""

    def __init__(self, data: pd.DataFrame, columns: list[str], treated: list[object], *, unit: str, group: str,
                 time: str, weights: str | None) -> None:
        self.data = data
        is_treated = data[group].isin(treated).to_numpy()
        self.positions = data.groupby(columns if len(columns) > 1 else columns[0], sort=True, observed=True).indices
        self.levels = []
        for key, index in self.positions.items():
            values = key if isinstance(key, tuple) else (key,)
            rows = data.iloc[np.sort(index[is_treated[index]])]
            self.levels.append(Level(values, len(index), _persons(rows, unit, group, time, weights)))

    @contextmanager
    def rows(self, level: Level) -> Iterator[tuple[Data, Rename]]:
        yield self.data.iloc[self.positions[level.key]], str


class DatasetLevels:
    """The levels of a Parquet dataset, found on the engine, and each one's rows copied to a Parquet file.

    ``counts`` holds each level's values and its rows (``rows``), as
    :func:`hjeval.engines.levels.value_rows` gives them; ``copied`` are the
    columns the estimators read; copies go to subfolders of ``folder``, each
    removed once its level is estimated.
    """

    def __init__(self, source: Data, columns: list[str], counts: pd.DataFrame, treated: list[object], *,
                 unit: str, group: str, time: str, weights: str | None, copied: list[str], engine: str,
                 client: object | None, folder: Path) -> None:
        self.source, self.columns, self.copied = source, columns, copied
        self.engine, self.client, self.folder = engine, client, folder
        counts = counts.sort_values(columns, kind="stable").reset_index(drop=True)
        if len(counts) and unit == group and weights is None:
            raise _no_person_counts(unit)
        persons = treated_persons(source, by=columns, unit=unit, group=group, time=time, weights=weights,
                                  treated=treated, engine=engine, client=client)
        found = counts.merge(persons, on=columns, how="left", validate="one_to_one")
        counted = found["persons"].astype(np.float64).fillna(0.0).to_numpy()
        self.levels = [
            Level(tuple(values), int(rows), math.floor(float(n) + 1e-9))
            for values, rows, n in zip(found[columns].itertuples(index=False, name=None), found["rows"], counted,
                                       strict=True)
        ]

    @contextmanager
    def rows(self, level: Level) -> Iterator[tuple[Data, Rename]]:
        folder = self.folder / f"level-{self.levels.index(level)}"
        subset_rows(self.source, folder, values={c: [v] for c, v in zip(self.columns, level.values, strict=True)},
                    columns=self.copied, engine=self.engine, client=self.client)
        shown = f"{self.source} (the rows of {level_label(self.columns, level.key)}, copied)"
        try:
            yield str(folder), lambda text: text.replace(str(folder), shown)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
