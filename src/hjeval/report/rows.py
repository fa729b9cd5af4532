"""The report's person rows: a frame in memory, or Parquet datasets that DuckDB reads out of core.

The analysis asks the same few questions of the target group's rows whatever
holds them -- persons and hours per municipality and month, persons per
municipality, the treated municipality's own rows, persons and person-months
before and after the start -- and hands the estimators either the frame or
the dataset's path. :class:`FrameRows` answers from a DataFrame;
:class:`DatasetRows` from a Parquet dataset with DuckDB, where the target
group is first copied (with the cycle series and the dose joined) to a
scratch dataset, so that no estimator and no question holds all the rows.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from hjeval.data.readers import canonical_name
from hjeval.data.schemas import HOURS_PERSON
from hjeval.data.validate import VALUE_ALIASES
from hjeval.engines.duckdb_engine import _connection, _literal, _open, _quote
from hjeval.errors import DataError
from hjeval.periods import parse_periods

__all__ = ["DatasetIdentifiers", "DatasetRows", "FrameRows", "GroupRows", "IdentifierLookup", "KnownIdentifiers",
           "Panel", "copy_target_group", "scratch_folder"]


@dataclass(frozen=True)
class Panel:
    """A municipality-period panel to join to the rows: its column ``column`` as ``name``."""

    frame: pd.DataFrame
    column: str
    name: str


@dataclass(frozen=True)
class FrameRows:
    """The target group's rows in memory (``municipality``, ``month`` as periods, ``person_id``, the outcome)."""

    frame: pd.DataFrame
    outcome: str

    @property
    def data(self) -> pd.DataFrame:
        """What the estimators read."""
        return self.frame

    @property
    def engine_options(self) -> dict[str, Any]:
        """The estimators' engine arguments: none, a frame is read in memory."""
        return {}

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of the rows."""
        return tuple(str(c) for c in self.frame.columns)

    @property
    def n_rows(self) -> int:
        """Rows of the target group."""
        return len(self.frame)

    def last_month(self) -> pd.Period:
        """The last month of the rows."""
        return self.frame["month"].max()

    def n_months(self) -> int:
        """Distinct months of the rows."""
        return int(self.frame["month"].nunique())

    def cells(self, members: Sequence[int]) -> pd.DataFrame:
        """``municipality, period, persons, hours_total`` of the given municipalities, sorted."""
        rows = self.frame[self.frame["municipality"].isin(list(members))]
        return (rows.groupby(["municipality", "month"], observed=True, sort=True)
                .agg(persons=("person_id", "nunique"), hours_total=(self.outcome, "sum"))
                .reset_index().rename(columns={"month": "period"}))

    def persons_by_municipality(self, before: pd.Period | None = None) -> pd.Series:
        """Distinct persons per municipality (before ``before`` only, when given)."""
        rows = self.frame if before is None else self.frame[self.frame["month"] < before]
        counts = rows.groupby("municipality", observed=True)["person_id"].nunique().astype(np.int64)
        counts.index = counts.index.astype(np.int64)
        return counts

    def of_municipality(self, code: int, columns: Sequence[str]) -> pd.DataFrame:
        """The rows of one municipality, those columns."""
        return self.frame.loc[self.frame["municipality"] == code, list(columns)]

    def windows(self, treated: int, members: Sequence[int], start: pd.Period) -> pd.DataFrame:
        """Persons, person-months and the outcome total by series (treated, comparison) and window."""
        rows = self.frame[self.frame["municipality"].isin(list(members))]
        frame = (rows.assign(series=np.where(rows["municipality"] == treated, "treated", "comparison"),
                             window=np.where(rows["month"] < start, "before", "after"))
                 .groupby(["series", "window"], sort=False)
                 .agg(persons=("person_id", "nunique"), person_months=("person_id", "size"),
                      total=(self.outcome, "sum"))
                 .reset_index())
        return _in_window_order(frame)


_WINDOW_ORDER = {("comparison", "before"): 0, ("comparison", "after"): 1, ("treated", "before"): 2,
                 ("treated", "after"): 3}


def _in_window_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The windows' rows in a fixed order, whatever order the rows came in."""
    keys = [_WINDOW_ORDER[(s, w)] for s, w in zip(frame["series"], frame["window"], strict=True)]
    return frame.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True)


class DatasetRows:
    """The target group's rows as a Parquet dataset, asked with DuckDB (see the module notes).

    Parameters
    ----------
    path : pathlib.Path
        The target group's dataset, with columns ``person_id, municipality,
        month`` and the outcome.
    outcome : str
    n_rows : int
        Its rows.
    engine_options : mapping, optional
        The estimators' engine arguments, e.g. ``{"engine": "dask", "client": client}``
        (default: none, so they read the path on DuckDB).
    """

    def __init__(self, path: Path, outcome: str, n_rows: int,
                 engine_options: Mapping[str, Any] | None = None) -> None:
        self.path = path
        self.outcome = outcome
        self.n_rows = n_rows
        self._engine_options = dict(engine_options or {})
        with _connection() as con:
            found = _open(con, str(path))
            self._columns = tuple(found.types)
            raw = con.execute("SELECT DISTINCT month FROM _data").df()  # type: ignore[attr-defined]
        self._months, self._freq = _month_ordinals(raw["month"], path)

    @property
    def engine_options(self) -> dict[str, Any]:
        """The estimators' engine arguments (see the parameters)."""
        return dict(self._engine_options)

    @property
    def data(self) -> Path:
        """What the estimators read."""
        return self.path

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of the dataset."""
        return self._columns

    @contextmanager
    def _query(self) -> Iterator[Any]:
        with _connection() as con:
            _open(con, str(self.path))
            con.register("_months", self._months)  # type: ignore[attr-defined]
            yield con

    def _period(self, ordinals: pd.Series) -> pd.Series:
        return pd.Series(pd.PeriodIndex.from_ordinals(ordinals.to_numpy(dtype=np.int64), freq=self._freq),
                         index=ordinals.index)

    def require_cells(self, column: str, *, what: str) -> None:
        """Raise, naming ``what`` and the first cells, where rows found no value of ``column`` in a joined panel."""
        with self._query() as con:
            missing = con.execute(
                f"SELECT municipality, m.ordinal, count(*) AS n FROM _data d JOIN _months m ON d.month = m.month "
                f"WHERE {_quote(column)} IS NULL GROUP BY ALL ORDER BY municipality, m.ordinal").df()
        if missing.empty:
            return
        shown = ", ".join(f"{int(r.municipality)} {pd.Period(ordinal=int(r.ordinal), freq=self._freq)}"
                          for r in missing.head(5).itertuples())
        raise DataError(f"{int(missing['n'].sum())} rows of {self.path.parent.name} have no {column!r} in {what} "
                        f"({len(missing)} municipality-months, e.g. {shown}); add those cells to the panel")

    def last_month(self) -> pd.Period:
        """The last month of the rows."""
        return pd.Period(ordinal=int(self._months["ordinal"].max()), freq=self._freq)

    def n_months(self) -> int:
        """Distinct months of the rows."""
        return int(self._months["ordinal"].nunique())

    def cells(self, members: Sequence[int]) -> pd.DataFrame:
        """``municipality, period, persons, hours_total`` of the given municipalities, sorted."""
        listed = ", ".join(str(int(m)) for m in members) or "NULL"
        y = _quote(self.outcome)
        with self._query() as con:
            frame = con.execute(
                f"SELECT municipality, m.ordinal, count(DISTINCT person_id) AS persons, sum({y}) AS hours_total "
                f"FROM _data d JOIN _months m ON d.month = m.month WHERE municipality IN ({listed}) "
                "GROUP BY ALL ORDER BY municipality, m.ordinal").df()
        frame.insert(1, "period", self._period(frame.pop("ordinal")))
        frame["persons"] = frame["persons"].astype(np.int64)
        return frame

    def persons_by_municipality(self, before: pd.Period | None = None) -> pd.Series:
        """Distinct persons per municipality (before ``before`` only, when given)."""
        cut = "" if before is None else f"WHERE m.ordinal < {int(before.ordinal)}"
        with self._query() as con:
            frame = con.execute(
                f"SELECT municipality, count(DISTINCT person_id) AS persons FROM _data d JOIN _months m "
                f"ON d.month = m.month {cut} GROUP BY municipality ORDER BY municipality").df()
        counts = frame.set_index("municipality")["persons"].astype(np.int64).rename("person_id")
        counts.index = counts.index.astype(np.int64)
        return counts

    def of_municipality(self, code: int, columns: Sequence[str]) -> pd.DataFrame:
        """The rows of one municipality, those columns (``month`` as periods)."""
        wanted = ", ".join(f"d.{_quote(c)}" if c != "month" else "m.ordinal AS month" for c in columns)
        with self._query() as con:
            frame = con.execute(
                f"SELECT {wanted} FROM _data d JOIN _months m ON d.month = m.month "
                f"WHERE municipality = {int(code)} ORDER BY person_id, m.ordinal").df()
        if "month" in frame:
            frame["month"] = self._period(frame["month"])
        return frame

    def windows(self, treated: int, members: Sequence[int], start: pd.Period) -> pd.DataFrame:
        """Persons, person-months and the outcome total by series (treated, comparison) and window."""
        listed = ", ".join(str(int(m)) for m in members) or "NULL"
        y = _quote(self.outcome)
        with self._query() as con:
            frame = con.execute(
                f"SELECT CASE WHEN municipality = {int(treated)} THEN 'treated' ELSE 'comparison' END AS series, "
                f"CASE WHEN m.ordinal < {int(start.ordinal)} THEN 'before' ELSE 'after' END AS window, "
                f"count(DISTINCT person_id) AS persons, count(*) AS person_months, sum({y}) AS total "
                f"FROM _data d JOIN _months m ON d.month = m.month WHERE municipality IN ({listed}) "
                "GROUP BY ALL").df()
        return _in_window_order(frame.astype({"persons": np.int64, "person_months": np.int64}))


def copy_target_group(
    source: str | os.PathLike[str], out_dir: Path, *, benefit_group: str, columns: Sequence[str],
    optional: Sequence[str] = (), panels: Sequence[Panel] = (), derived: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[Path, int, tuple[str, ...]]:
    """Copy one benefit group's rows of a Parquet dataset to ``out_dir``, with panel columns joined, out of core.

    Parameters
    ----------
    source : str or path-like
        The hours dataset (a Parquet file or folder; hive partitions are columns).
    out_dir : pathlib.Path
        Folder to write ``part-0.parquet`` into.
    benefit_group : str
        The ``benefit_group`` value to keep.
    columns : sequence of str
        Columns that must be there and are copied.
    optional : sequence of str
        Columns copied when the dataset has them.
    panels : sequence of Panel
        Municipality-period panels (``municipality, period`` and the column):
        each row gets its cell's value (missing where the panel has no cell).
    derived : mapping, optional
        New column name -> (the optional column it needs, an SQL expression
        over the copied columns ``d."name"``); added when that column is there.

    Returns
    -------
    (path, rows, copied) : the file written, its rows, and the optional columns found.

    Raises
    ------
    DataError
        For a missing column, naming the dataset and its columns.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> rows = pd.DataFrame({"person_id": [1, 2, 3], "municipality": [860, 860, 851],
    ...                      "month": ["2015-01"] * 3, "benefit_group": ["sickness", "integration", "sickness"],
    ...                      "hours": [1.0, 2.0, 3.0]})
    >>> rows.to_parquet(folder / "hours.parquet")
    >>> cycle = pd.DataFrame({"municipality": [860, 851], "period": ["2015-01"] * 2, "rate": [4.0, 5.0]})
    >>> path, n, found = copy_target_group(folder / "hours.parquet", folder / "a", benefit_group="sickness",
    ...                                    columns=["person_id", "municipality", "month", "hours"],
    ...                                    panels=[Panel(cycle, "rate", "rate")])
    >>> n, pd.read_parquet(path).sort_values("person_id")["rate"].tolist()
    (2, [4.0, 5.0])
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "part-0.parquet"
    with _connection() as con:
        found = _open(con, str(source))
        found.require({"benefit group": "benefit_group", **{f"column {c!r}": c for c in columns}})
        present = tuple(c for c in optional if c in found.types)
        labelled = [c for c in ("benefit_group", *present) if _allowed(c)]
        # one pass over the rows: the labels and months that occur, with their rows, answer every check
        summary = con.execute(  # type: ignore[attr-defined]
            f"SELECT {', '.join(f'CAST({_quote(c)} AS VARCHAR) AS {_quote(c)}' for c in labelled)}, month, "
            "count(*) AS n FROM _data GROUP BY ALL").df()
        for column in labelled:
            _check_labels(summary, source, column)
        undated = int(summary.loc[(summary["benefit_group"] == benefit_group) & summary["month"].isna(), "n"].sum())
        if undated:
            raise DataError(f"{source}: column 'month' is missing in {undated} rows of benefit group "
                            f"{benefit_group!r}; fill in the month or drop those rows")
        months, _ = _month_ordinals(summary["month"].drop_duplicates().reset_index(drop=True), source)
        con.register("_months", months)  # type: ignore[attr-defined]
        joins, selected = [], [f"d.{_quote(c)}" for c in (*columns, *present)]
        for k, panel in enumerate(panels):
            cells = panel.frame[["municipality", "period", panel.column]].copy()
            cells["ordinal"] = parse_periods(cells.pop("period"), column="period", source=panel.name).array.asi8
            con.register(f"_panel{k}", cells)  # type: ignore[attr-defined]
            joins.append(f"LEFT JOIN _panel{k} p{k} ON p{k}.municipality = d.municipality AND p{k}.ordinal = m.ordinal")
            selected.append(f"p{k}.{_quote(panel.column)} AS {_quote(panel.name)}")
        for name, (needs, expression) in (derived or {}).items():
            if needs in present:
                selected.append(f"{expression} AS {_quote(name)}")
        con.execute(  # type: ignore[attr-defined]
            f"COPY (SELECT {', '.join(selected)} FROM _data d JOIN _months m ON d.month = m.month {' '.join(joins)} "
            f"WHERE d.benefit_group = {_literal(benefit_group)}) TO {_literal(str(target))} "
            "(FORMAT parquet, COMPRESSION zstd)")
        rows = con.execute(f"SELECT count(*) FROM read_parquet({_literal(str(target))})").fetchone()[0]  # type: ignore[attr-defined]
    return target, int(rows), present


def _month_ordinals(values: pd.Series, source: str | os.PathLike[str]) -> tuple[pd.DataFrame, Any]:
    """Each distinct ``month`` value as the dataset holds it, beside its period's ordinal; and the frequency."""
    periods = parse_periods(values, column="month", source=str(source))
    return pd.DataFrame({"month": values, "ordinal": periods.array.asi8}), periods.dtype.freq


def _allowed(column: str) -> tuple[str, ...]:
    """The labels the schema allows in a category column of the hours panel (none: not a category)."""
    return next((c.allowed for c in HOURS_PERSON.columns if c.name == column and c.allowed), ())


def _check_labels(summary: pd.DataFrame, source: str | os.PathLike[str], column: str) -> None:
    """Refuse labels of a category column that are not the schema's own (e.g. Danish spellings), naming the fix.

    ``summary`` holds the rows (``n``) of every combination of values that
    occurs. The in-memory loader maps other spellings to the schema's labels;
    read out of core, the rows are used as they are, so they must hold those
    labels.
    """
    allowed = _allowed(column)
    counts = (summary.dropna(subset=[column]).groupby(column, sort=False)["n"].sum()
              .rename_axis("value").reset_index().sort_values(["n", "value"], ascending=[False, True]))
    odd = counts[~counts["value"].isin(list(allowed))]
    if odd.empty:
        return
    lookup = {canonical_name(c): c for c in allowed}
    lookup.update({canonical_name(k): v for k, v in VALUE_ALIASES.get(column, {}).items()})
    shown = []
    for value in odd["value"].head(5):
        known = lookup.get(canonical_name(value))
        shown.append(f"{value!r} (write {known!r})" if known else repr(value))
    raise DataError(
        f"{source}: column {column!r} has {int(odd['n'].sum())} rows with labels outside {list(allowed)}: "
        f"{', '.join(shown)}; a dataset read out of core is used as it is, so write the files again with "
        f"these labels (or load a single file in memory with engine = \"pandas\", which maps other spellings)"
    )


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A temporary folder for the target group's copies, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="hjeval-report-") as folder:
        yield Path(folder)


GroupRows: TypeAlias = FrameRows | DatasetRows
"""The target group's rows, wherever they are held."""

_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class KnownIdentifiers:
    """The input's person identifiers, held as a set (the rows were in memory anyway)."""

    values: frozenset[str]

    def among(self, output: Path) -> frozenset[str]:
        """The identifiers to look for in ``output``: all of them."""
        return self.values


@dataclass(frozen=True)
class DatasetIdentifiers:
    """The person identifiers of a Parquet dataset, looked up by DuckDB instead of held.

    An identifier can only be found in an output as one of its tokens (runs
    of letters and digits, see :mod:`hjeval.disclosure.identifiers`), or, if
    it holds other characters, as itself: so the identifiers to look for in
    an output are those among its tokens, and those that are no single token.
    """

    path: Path
    column: str = "person_id"

    def among(self, output: Path) -> frozenset[str]:
        """The dataset's identifiers that could occur in ``output`` (a text file)."""
        tokens = sorted(set(_TOKEN.findall(output.read_text(encoding="utf-8"))))
        text = f"trim(CAST({_quote(self.column)} AS VARCHAR))"
        with _connection() as con:
            _open(con, str(self.path))
            con.register("_tokens", pd.DataFrame({"token": pd.Series(tokens, dtype=object)}))  # type: ignore[attr-defined]
            found = con.execute(  # type: ignore[attr-defined]
                f"SELECT DISTINCT {text} AS id FROM _data WHERE {text} IN (SELECT token FROM _tokens) "
                f"OR NOT regexp_full_match({text}, '[[:alnum:]]+')").fetchall()
        return frozenset(str(row[0]) for row in found if row[0])


IdentifierLookup: TypeAlias = KnownIdentifiers | DatasetIdentifiers
"""Where the report finds the identifiers to look for in an output."""
