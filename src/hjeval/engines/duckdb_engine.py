"""Build a :class:`PanelDesign` from a Parquet dataset out of core with DuckDB.

The row-level table never becomes a pandas frame. DuckDB makes three passes
over the files, reading only the columns the design uses:

1. a group-by of (group, time) with row counts: the distinct groups and
   periods, from which the treated labels, the comparison pool and the
   period codes are resolved in Python (a few thousand cells);
2. a group-by of (group, time) over the pool's rows, counting what would be
   refused (missing role values, text or infinite numbers, negative weights)
   and what is left out (missing outcome or regressors), with the cycle panel
   joined to the resulting cells (one value per cell, so its checks -- cells
   it does not cover, infinite or missing values -- are made per cell rather
   than per row), so every check runs before the heavy step;
3. the kept rows, joined to the small code tables and ordered by unit and
   period, streamed as Arrow record batches straight into the design's int32
   code arrays and float64 columns.

The fit then needs per-row arrays: with person fixed effects the exact
projection walks each person's run of periods, so the design holds unit,
group, period (and cluster, when it differs) codes and the outcome and
regressors per row -- 12 bytes of codes and 8 bytes per float column a row,
against the raw columns' width in a DataFrame. Checks that need the row order
(a unit seen in two groups, a repeated unit-period pair, clusters varying
within a unit) run on the sorted codes in numpy; only when one fails does
DuckDB look up the offending rows to name them.

Passes 1 and 2 are :func:`scan`, shared with
:mod:`hjeval.engines.cell_statistics`, which replaces pass 3 by group-bys
when the design can be fitted from cell statistics (no row is held).
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hjeval.design.panel import (
    Comparison,
    Movers,
    PanelDesign,
    _check_weight_sums,
    _period_codes,
    _pool_labels,
    as_list,
    check_clusters_nest,
    check_treatment,
    design_starts,
    resolve_labels,
    start_values,
    warn_exclusions,
)
from hjeval.design.rows import row_slices
from hjeval.engines.dataset import dataset_files, is_dataset_path
from hjeval.errors import DataError, HjevalWarning
from hjeval.periods import parse_periods

__all__ = ["BATCH_ROWS", "duckdb_design"]

BATCH_ROWS = 1 << 20
"""Rows per Arrow record batch taken from DuckDB (about 30 MB for five columns)."""

_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL", "DECIMAL", "BOOLEAN")
_FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class _Source:
    """A relation DuckDB reads, how to name it in messages, and its columns with their types."""

    sql: str
    name: str
    types: dict[str, str]
    has_rows: bool  # file name and row number columns are available for messages

    def require(self, roles: dict[str, str | None], *, extra: dict[str, str] | None = None) -> None:
        absent = {role: col for role, col in roles.items() if col is not None and col not in self.types
                  and col not in (extra or {})}
        if absent:
            detail = ", ".join(f"{role}={col!r}" for role, col in absent.items())
            raise DataError(
                f"{self.name}: column(s) not in the dataset: {detail}; it has {list(self.types)}. "
                "Rename the argument to one of these columns, or add the column to the files"
            )


@contextmanager
def _connection() -> Iterator[object]:
    import duckdb

    with tempfile.TemporaryDirectory(prefix="hjeval-duckdb-") as spill:
        con = duckdb.connect(config={"temp_directory": spill, "preserve_insertion_order": False})
        try:
            yield con
        finally:
            con.close()


def _registrable(frame: object) -> object:
    """The frame with period columns as their text (``2015-01``, ``2015Q1``), which DuckDB reads and parses back."""
    if not isinstance(frame, pd.DataFrame):
        return frame
    periods = [c for c in frame.columns if isinstance(frame[c].dtype, pd.PeriodDtype)]
    if not periods:
        return frame
    shallow = frame.copy(deep=False)
    for column in periods:
        shallow[column] = frame[column].astype(str).where(frame[column].notna(), None)
    return shallow


def _open(con: object, data: object) -> _Source:
    """Register the dataset (a path or a DataFrame) as the view ``_data`` and describe its columns."""
    if is_dataset_path(data):
        root = Path(data)  # type: ignore[arg-type]
        files = dataset_files(root)
        hive = root.is_dir() and any("=" in part for f in files for part in f.relative_to(root).parts[:-1])
        listed = ", ".join(_literal(str(f)) for f in files)
        sql = (f"read_parquet([{listed}], union_by_name = true, hive_partitioning = {str(hive).lower()}, "
               "filename = '_hj_file', file_row_number = true)")
        name, has_rows = str(root), True
    else:
        con.register("_frame", _registrable(data))  # type: ignore[attr-defined]
        sql, name, has_rows = "_frame", "the DataFrame", False
    con.execute(f"CREATE TEMP VIEW _data AS SELECT * FROM {sql}")  # type: ignore[attr-defined]
    described = con.execute("DESCRIBE _data").fetchall()  # type: ignore[attr-defined]
    types = {str(row[0]): str(row[1]) for row in described if row[0] not in ("_hj_file", "file_row_number")}
    return _Source("_data", name, types, has_rows)


def _missing(col: str, kind: str) -> str:
    q = _quote(col)
    return f"({q} IS NULL OR isnan({q}))" if kind.startswith(_FLOAT_TYPES) else f"({q} IS NULL)"


def _examples(con: object, source: _Source, condition: str, columns: Sequence[str], limit: int = 5) -> str:
    """The first rows where ``condition`` holds, as file and row (counted from 1) with the named columns."""
    shown = ", ".join(_quote(c) for c in columns)
    if source.has_rows:
        query = (f"SELECT _hj_file, file_row_number, {shown} FROM _data WHERE {condition} "
                 f"ORDER BY _hj_file, file_row_number LIMIT {limit}")
    else:
        query = f"SELECT NULL, NULL, {shown} FROM _data WHERE {condition} LIMIT {limit}"
    rows = con.execute(query).fetchall()  # type: ignore[attr-defined]
    parts = []
    for row in rows:
        values = ", ".join(f"{c}={v!r}" for c, v in zip(columns, row[2:], strict=True))
        if source.has_rows:
            file, root = Path(str(row[0])), Path(source.name)
            where_ = file.relative_to(root).as_posix() if root.is_dir() and file.is_relative_to(root) else file.name
            parts.append(f"{where_} row {int(row[1]) + 1} ({values})")
        else:
            parts.append(f"({values})")
    return "; ".join(parts)


def _cycle_table(
    panel: object, *, cycle: str, group: str, time: str, freq: object, raw_times: pd.Series, raw_arrow: object,
) -> object:
    """The cycle panel as an Arrow table keyed by the dataset's own group and time values."""
    import pyarrow as pa

    if is_dataset_path(panel):
        path = Path(panel)  # type: ignore[arg-type]
        if not path.exists():
            raise DataError(f"cycle_panel {path} does not exist; give a municipality-period panel (Parquet or CSV) "
                            "or a DataFrame")
        if path.is_dir() or path.suffix.lower() in (".parquet", ".parq", ".pq"):
            frame = pd.concat([pd.read_parquet(f) for f in dataset_files(path)], ignore_index=True)
        elif path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, sep=None, engine="python")
        else:
            raise DataError(f"cycle_panel {path} is neither Parquet nor CSV; convert it or pass a DataFrame")
        name = str(path)
    elif isinstance(panel, pd.DataFrame):
        frame, name = panel, "cycle_panel (DataFrame)"
    else:
        raise DataError(f"cycle_panel must be a DataFrame or a path, not {type(panel).__name__}")
    period_col = time if time in frame.columns else "period" if "period" in frame.columns else None
    absent = [c for c in (group, cycle) if c not in frame.columns] + ([] if period_col else [f"{time}/period"])
    if absent:
        raise DataError(
            f"{name}: column(s) {absent} not in the cycle panel; it has {[str(c) for c in frame.columns]}. "
            f"The panel needs the group column {group!r}, the period ({time!r} or 'period') and {cycle!r}"
        )
    periods = parse_periods(frame[period_col], column=str(period_col), source=name)
    if len(periods) and periods.dtype != pd.PeriodDtype(freq):
        raise DataError(f"{name}: column {period_col!r} holds {periods.dtype} periods but the dataset's {time!r} "
                        f"holds {pd.PeriodDtype(freq)} (freq of the data); give the panel at the data's frequency")
    keyed = pd.DataFrame({"g": frame[group].to_numpy(), "p": periods.to_numpy(), "v": frame[cycle].to_numpy()})
    repeated = keyed.duplicated(["g", "p"], keep=False)
    if repeated.any():
        first = keyed[repeated].iloc[0]
        raise DataError(f"{name}: {int(repeated.sum())} rows repeat a ({group}, {period_col}) pair, e.g. "
                        f"({first['g']!r}, {first['p']}); keep one row per {group} and period")
    # the dataset's raw time value of every period it holds
    position = pd.Series(np.arange(len(raw_times)), index=pd.Index(raw_times.to_numpy()))
    positions = keyed["p"].map(position)
    keyed = keyed[positions.notna().to_numpy()]
    take = positions.dropna().to_numpy().astype(np.int64)
    values = pd.to_numeric(keyed["v"], errors="coerce").to_numpy(dtype=np.float64)
    return pa.table({
        "g": pa.array(keyed["g"].tolist()), "t": raw_arrow.take(pa.array(take)),  # type: ignore[attr-defined]
        "v": pa.array(values, mask=np.isnan(values)), "hit": pa.array(np.ones(len(keyed), dtype=bool)),
    })


def duckdb_design(
    data: object,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    group: str | None = None,
    cluster: str | None = None,
    regressors: Sequence[str] = (),
    weights: str | None = None,
    comparison: Comparison = None,
    movers: Movers = "error",
    cycle: str | None = None,
    cycle_panel: object = None,
) -> PanelDesign:
    """Build the design of a Parquet dataset (or a DataFrame) with DuckDB, out of core.

    The same design as :func:`hjeval.design.panel.build_design` on the data
    loaded into memory: the same checks, exclusions, labels and codes (units
    are coded in sorted order rather than order of appearance).

    Parameters
    ----------
    data : path or pandas.DataFrame
        A Parquet file or a folder of Parquet files (``key=value`` folders are
        read as partition columns), or a DataFrame DuckDB scans in place.
    outcome, unit, time, treated, start, group, cluster, regressors, weights, comparison, movers
        As :func:`hjeval.design.panel.build_design`.
    cycle : str, optional
        The regressor ``cycle_panel`` supplies.
    cycle_panel : DataFrame or path, optional
        A group-period panel (Parquet or CSV) with the group column, the
        period (named like ``time``, or ``period``) and ``cycle``; joined to the
        rows on group and period. Every kept row must find its cell.

    Returns
    -------
    PanelDesign

    Raises
    ------
    DataError
        A missing path or one without Parquet files, missing columns (named),
        a cycle panel that does not cover the rows, and every error of
        :func:`hjeval.design.panel.build_design`, naming the file and rows.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"m": [1, 1, 2, 2], "year": [2014, 2015] * 2,
    ...               "y": [1.0, 3.0, 1.0, 2.0]}).to_parquet(f"{folder}/panel.parquet")
    >>> design = duckdb_design(folder, outcome="y", unit="m", time="year", treated=1, start=2015)
    >>> design.treat.tolist(), design.period_labels
    ([False, True, False, False], (Period('2014', 'Y-DEC'), Period('2015', 'Y-DEC')))
    """
    if movers not in ("error", "entry", "split"):
        raise DataError(f"movers={movers!r} is not one of ['error', 'entry', 'split']")
    group = group or unit
    cluster = cluster or group
    regressors = list(regressors)
    with _connection() as con:
        return _build(con, data, outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group,
                      cluster=cluster, regressors=regressors, weights=weights, comparison=comparison, movers=movers,
                      cycle=cycle if cycle_panel is not None else None, cycle_panel=cycle_panel)


@dataclass(frozen=True)
class Scan:
    """What passes 1 and 2 leave for the pass that reads the kept rows.

    DuckDB holds the view ``_data`` and the code tables ``_groups`` (group
    value -> code) and ``_times`` (time value -> period code) of the kept
    groups and periods; ``join`` attaches the cycle panel as ``c`` to ``_data d``
    and ``kept`` is the condition of the rows the design uses.

    Attributes
    ----------
    per_cell : pandas.DataFrame
        One row per (group, time) value pair of the pool, with ``g``, ``t``, the
        row count ``n``, the check counts and any extra aggregates asked for.
    kept_unjoined : str or None
        The kept rows' condition without the cycle panel joined: None when
        some rows are left out for a missing cycle value (then ``join`` and
        ``kept`` are needed).
    floats : list of str
        SQL of the outcome, the regressors and the weights (in that order) on ``d``/``c``.
    kept_times, period_codes : numpy.ndarray
        The kept periods' raw time values and their period codes.
    group_values : pandas.Series
        The kept groups' values (in the order ``_groups`` lists them).
    treated_starts : numpy.ndarray or None
        As :attr:`hjeval.design.panel.PanelDesign.treated_starts`.
    """

    source: _Source
    per_cell: pd.DataFrame
    join: str
    kept: str
    kept_unjoined: str | None
    floats: list[str]
    n_input: int
    n_rows: int
    exclusions: list[dict[str, object]]
    pool_name: str
    treated_labels: list[object]
    times_arrow: object
    kept_times: np.ndarray
    period_codes: np.ndarray
    group_values: pd.Series
    group_labels: tuple[object, ...]
    period_labels: tuple[object, ...]
    start_code: int
    treated_codes: np.ndarray
    treated_starts: np.ndarray | None

    def warn_exclusions(self, stacklevel: int) -> None:
        """The warning that rows were left out, counted by reason (none when none were)."""
        if self.exclusions:
            detail = "; ".join(f"{e['rows']} rows: {e['reason']}" for e in self.exclusions)
            warnings.warn(f"rows left out of the estimation: {detail}", HjevalWarning, stacklevel=stacklevel + 1)


def _cycle_checks(
    per_cell: pd.DataFrame, numeric_roles: list[tuple[str, str]], order: list[str], cycle: str, *, weighted: bool,
) -> None:
    """The cycle panel's checks and exclusions per cell, in place, from its value ``_cycle_v`` joined to the cells.

    Rows of a cell the panel lacks are uncovered; all rows of a cell whose
    value is infinite are infinite; a missing value leaves out the cell's
    rows not already left out for an earlier column, and no later column or
    check counts them again.
    """
    rows = per_cell["n"].to_numpy()
    value = per_cell["_cycle_v"].to_numpy(dtype=np.float64, na_value=np.nan)
    per_cell["uncovered"] = np.where(per_cell["_cycle_hit"].isna().to_numpy(), rows, 0)
    at = next(i for i, (_, name) in enumerate(numeric_roles) if name == cycle)
    per_cell[f"inf_{at}"] = np.where(np.isinf(value), rows, 0)
    gone = np.isnan(value)
    k = order.index(cycle)
    before = sum((per_cell[f"miss_{j}"].to_numpy() for j in range(k)), np.zeros(len(per_cell), dtype=np.int64))
    per_cell[f"miss_{k}"] = np.where(gone, rows - before, 0)
    later = [f"miss_{j}" for j in range(k + 1, len(order))] + (["negative"] if weighted else [])
    for key in later:
        per_cell[key] = np.where(gone, 0, per_cell[key].to_numpy())


ExtraAggregates = Callable[[Callable[[str], str], str], list[tuple[str, str]]]
"""``extra(col, kept) -> [(name, aggregate SQL)]``: further per-cell aggregates for pass 2.

``col(name)`` is the SQL of a role column and ``kept`` the condition of the
rows the design keeps, but for the cycle panel's column, which is joined to
the cells after the group-by (``per_cell["_cycle_v"]``): the aggregates must
not use it, and a cell whose cycle value is missing keeps no rows whatever
``kept`` says.
"""


def scan(
    con: object, data: object, *, outcome: str, unit: str, time: str, treated: object, start: object, group: str,
    cluster: str, regressors: list[str], weights: str | None, comparison: Comparison, cycle: str | None,
    cycle_panel: object, extra: ExtraAggregates | None = None,
) -> Scan:
    """Passes 1 and 2: resolve labels and periods, run every check, count the exclusions, register the codes.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        An open connection; ``_data``, ``_groups`` and ``_times`` (and the
        cycle panel's ``_cycle``) are registered on it.
    data, outcome, unit, time, treated, start, group, cluster, regressors, weights, comparison, cycle, cycle_panel
        As :func:`duckdb_design`, with ``group`` and ``cluster`` resolved.
    extra : callable, optional
        Further per-cell aggregates for pass 2 (:data:`ExtraAggregates`).

    Returns
    -------
    Scan

    Raises
    ------
    DataError
        Every error of :func:`duckdb_design` that needs no row order, naming the file and rows.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"m": [1, 1, 2, 2], "year": [2014, 2015] * 2, "y": [1.0, None, 1.0, 2.0]})
    >>> with _connection() as con:
    ...     found = scan(con, frame, outcome="y", unit="m", time="year", treated=1, start=2015, group="m",
    ...                  cluster="m", regressors=[], weights=None, comparison=None, cycle=None, cycle_panel=None,
    ...                  extra=lambda col, kept: [("y_sum", f"sum({col('y')}) FILTER (WHERE {kept})")])
    >>> found.n_rows, found.exclusions, sorted(found.per_cell["y_sum"].dropna().tolist())
    (3, [{'reason': "missing 'y'", 'rows': 1}], [1.0, 1.0, 2.0])
    """
    import pyarrow as pa

    sql = con.sql  # type: ignore[attr-defined]
    source = _open(con, data)
    from_panel = {cycle: "DOUBLE"} if cycle is not None else {}
    if cycle is not None and cycle in source.types:
        raise DataError(f"{source.name}: column {cycle!r} is in the dataset and in cycle_panel; drop cycle_panel= "
                        "to use the dataset's column, or rename one of them")
    source.require({"outcome": outcome, "unit": unit, "time": time, "group": group, "cluster": cluster,
                    "weights": weights, **{f"regressor {r!r}": r for r in regressors}}, extra=from_panel)
    types = {**source.types, **from_panel}
    g, t = _quote(group), _quote(time)

    # pass 1: cells (group, time) -> rows
    cells = sql(f"SELECT {g} AS g, {t} AS t, count(*) AS n FROM _data GROUP BY ALL").to_arrow_table()
    n_input = int(pa.compute.sum(cells["n"]).as_py() or 0)
    if n_input == 0:
        raise DataError(f"{source.name} has no rows")
    cell_frame = cells.to_pandas()
    distinct = pd.unique(cell_frame["g"].dropna())
    treated_labels = resolve_labels(as_list(treated), distinct, argument="treated", column=group)
    if len(set(treated_labels)) != len(treated_labels):
        raise DataError(f"treated={as_list(treated)!r} names a group twice; name each treated group once")
    pool, pool_name = _pool_labels(comparison, treated_labels, pd.Series([], name=group, dtype=object), distinct)
    exclusions: list[dict[str, object]] = []
    if pool is not None:
        members = set(treated_labels + list(pool))
        in_pool = cell_frame["g"].map(lambda v: v in members).to_numpy(dtype=bool)
        outside = int(cell_frame["n"].to_numpy()[~in_pool].sum())
        if outside:
            exclusions.append({"reason": f"group not in the comparison pool ({pool_name})", "rows": outside})
        con.register("_pool", pa.table({"g": cells["g"].filter(pa.array(in_pool))}))  # type: ignore[attr-defined]
        pool_filter = f"{g} IN (SELECT g FROM _pool)"
    else:
        pool_filter = "TRUE"

    # periods: every distinct time value parsed once; the cycle panel keyed by the dataset's raw values
    times_arrow = pa.compute.unique(cells["t"].combine_chunks()).drop_null()
    times = pa.table({"t": times_arrow}).to_pandas()["t"]
    join = ""
    if cycle is not None:
        freq = parse_periods(times, column=time, source=source.name).dtype.freq if len(times) else "M"
        con.register("_cycle", _cycle_table(  # type: ignore[attr-defined]
            cycle_panel, cycle=cycle, group=group, time=time, freq=freq,
            raw_times=parse_periods(times, column=time, source=source.name), raw_arrow=times_arrow,
        ))
        join = f" LEFT JOIN _cycle c ON d.{g} = c.g AND d.{t} = c.t"

    def col(name: str) -> str:
        return "c.v" if name == cycle else f"d.{_quote(name)}"

    def missing(name: str) -> str:
        return "(c.v IS NULL OR isnan(c.v))" if name == cycle else row_missing(name)

    def row_missing(name: str) -> str:  # the cycle is judged per cell, after the group-by
        return "FALSE" if name == cycle else _missing(name, types[name]).replace(_quote(name), f"d.{_quote(name)}")

    numeric_roles = [("outcome", outcome), *(("regressor", r) for r in regressors),
                     *([("weights", weights)] if weights else [])]
    for role, name in numeric_roles:
        if not types[name].upper().startswith(_NUMERIC_TYPES):
            raise DataError(f"{source.name}: column {name!r} ({role}) has type {types[name]}; it must hold numbers: "
                            "convert the column (e.g. pandas.to_numeric) when writing the files")

    # pass 2: checks and exclusions per cell, over the pool's rows; the cycle panel, one value per cell, is
    # joined to the cells after the group-by and its checks made per cell (None: no row-level condition)
    checks: list[tuple[str, str | None]] = [(f"null_{role}", f"d.{_quote(c)} IS NULL") for role, c in
                                            (("unit", unit), ("time", time), ("group", group), ("cluster", cluster))]
    checks += [(f"inf_{i}", None if c == cycle else f"isinf({col(c)})") for i, (_, c) in enumerate(numeric_roles)
               if c == cycle or types[c].upper().startswith(_FLOAT_TYPES)]
    if cycle is not None:
        checks.append(("uncovered", None))
    excluded_so_far, excluded_rows = "FALSE", "FALSE"
    order = [outcome, *regressors, *([weights] if weights else [])]
    for i, name in enumerate(order):
        checks.append((f"miss_{i}", None if name == cycle else f"{row_missing(name)} AND NOT ({excluded_rows})"))
        excluded_so_far = f"{excluded_so_far} OR {missing(name)}"
        excluded_rows = f"{excluded_rows} OR {row_missing(name)}"
    if weights:
        checks.append(("negative", f"{col(weights)} < 0 AND NOT ({excluded_rows})"))
    selects = ", ".join(f"count(*) FILTER (WHERE {cond}) AS {key}" for key, cond in checks if cond is not None)
    if extra is not None:
        selects += "".join(f", {aggregate} AS {key}" for key, aggregate in extra(col, f"NOT ({excluded_rows})"))
    where_pool = pool_filter.replace(g, f"d.{g}", 1)
    query = f"SELECT d.{g} AS g, d.{t} AS t, count(*) AS n, {selects} FROM _data d WHERE {where_pool} GROUP BY ALL"
    if cycle is not None:
        query = (f"SELECT r.*, c.v AS _cycle_v, c.hit AS _cycle_hit FROM ({query}) r "
                 "LEFT JOIN _cycle c ON r.g = c.g AND r.t = c.t")
    per_cell = sql(query).to_arrow_table().to_pandas()
    cycle_excludes = False
    if cycle is not None:
        _cycle_checks(per_cell, numeric_roles, order, cycle, weighted=weights is not None)
        cycle_excludes = bool(per_cell[f"miss_{order.index(cycle)}"].sum())
    totals = per_cell[[key for key, _ in checks]].sum()
    for role, name in (("unit", unit), ("time", time), ("group", group), ("cluster", cluster)):
        if totals[f"null_{role}"]:
            shown = _examples(con, source, f"{_quote(name)} IS NULL AND {pool_filter}", [unit, time, group])
            raise DataError(f"{source.name}: column {name!r} ({role}) has missing values in "
                            f"{int(totals[f'null_{role}'])} rows, e.g. {shown}; fill them in or drop those rows")
    for i, (role, name) in enumerate(numeric_roles):
        if totals.get(f"inf_{i}", 0):
            where_ = f"isinf({_quote(name)})" if name != cycle else "FALSE"
            shown = _examples(con, source, f"{where_} AND {pool_filter}", [unit, time, name]) if name != cycle else ""
            raise DataError(f"{source.name}: column {name!r} ({role}) has infinite values in "
                            f"{int(totals[f'inf_{i}'])} rows{', e.g. ' + shown if shown else ''}; replace them "
                            "with the right numbers, or leave them empty to have those rows left out (and counted)")
    if cycle is not None and totals["uncovered"]:
        gaps = per_cell[per_cell["uncovered"] > 0]
        example = ", ".join(f"({a!r}, {b!r})" for a, b in zip(gaps["g"][:5], gaps["t"][:5], strict=True))
        raise DataError(
            f"cycle_panel does not cover {int(totals['uncovered'])} rows of {source.name} in {len(gaps)} "
            f"({group}, {time}) cells, e.g. {example}; add those {group}-period rows to the cycle panel "
            f"(column {cycle!r}), or leave the value empty there to have the rows left out"
        )
    for i, name in enumerate(order):
        if totals[f"miss_{i}"]:
            exclusions.append({"reason": f"missing {name!r}", "rows": int(totals[f"miss_{i}"])})
    if weights and totals["negative"]:
        shown = _examples(con, source, f"{_quote(weights)} < 0 AND {pool_filter}", [unit, time, weights])
        raise DataError(f"{source.name}: column {weights!r} (weights) has negative values in "
                        f"{int(totals['negative'])} rows, e.g. {shown}; weights count persons or shares and must be "
                        "zero or more")

    # codes of the kept groups and periods (cells with rows left)
    dropped = sum(per_cell[f"miss_{i}"] for i in range(len(order)))
    kept = per_cell[(per_cell["n"] - dropped).to_numpy() > 0]
    n_rows = int((per_cell["n"] - dropped).sum())
    kept_times = pd.unique(kept["t"])
    time_series = pd.Series(kept_times, name=time)
    period_codes, period_labels, start_codes = _period_codes(
        time_series, start_values(start, treated_labels, distinct, column=group), time
    )
    group_values = pd.Series(pd.unique(kept["g"]), name=group)
    group_codes, uniques = pd.factorize(group_values, sort=True)
    group_labels = tuple(uniques.tolist())
    treated_codes = np.array(sorted(group_labels.index(v) for v in treated_labels if v in group_labels),
                             dtype=np.int64)
    if len(treated_codes) < len(treated_labels):
        raise DataError(f"the treated group(s) {treated_labels} have no rows left after the exclusions")
    start_code, treated_starts = design_starts(start_codes, treated_labels, group_labels, treated_codes)
    if len(treated_codes) == len(group_labels):
        raise DataError("every group is treated: there is no comparison group")
    con.register("_times", pa.table({  # type: ignore[attr-defined]
        "t": pa.array(kept_times, type=times_arrow.type), "code": pa.array(period_codes, type=pa.int32()),
    }))
    con.register("_groups", pa.table({  # type: ignore[attr-defined]
        "g": pa.array(group_values.tolist()), "code": pa.array(group_codes, type=pa.int32()),
    }))
    floats = [col(c) for c in [outcome, *regressors, *([weights] if weights else [])]]
    return Scan(
        source=source, per_cell=per_cell, join=join, kept=f"NOT ({excluded_so_far})", floats=floats,
        kept_unjoined=None if cycle_excludes else f"NOT ({excluded_rows})",
        n_input=n_input, n_rows=n_rows, exclusions=exclusions, pool_name=pool_name, treated_labels=treated_labels,
        times_arrow=times_arrow, kept_times=kept_times, period_codes=np.asarray(period_codes),
        group_values=group_values, group_labels=group_labels,
        period_labels=period_labels, start_code=start_code, treated_codes=treated_codes,
        treated_starts=treated_starts,
    )


def _build(
    con: object, data: object, *, outcome: str, unit: str, time: str, treated: object, start: object, group: str,
    cluster: str, regressors: list[str], weights: str | None, comparison: Comparison, movers: str,
    cycle: str | None, cycle_panel: object,
) -> PanelDesign:
    import pyarrow as pa

    sql = con.sql  # type: ignore[attr-defined]
    found = scan(con, data, outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group,
                 cluster=cluster, regressors=regressors, weights=weights, comparison=comparison, cycle=cycle,
                 cycle_panel=cycle_panel)
    source, join, n_rows, group_labels = found.source, found.join, found.n_rows, found.group_labels
    period_labels, start_code, treated_codes = found.period_labels, found.start_code, found.treated_codes
    treated_starts = found.treated_starts
    exclusions, n_input, pool_name = found.exclusions, found.n_input, found.pool_name
    g, t = _quote(group), _quote(time)
    floats = found.floats
    cluster_join, cluster_select = "", ""
    cluster_labels: tuple[object, ...] = group_labels
    if cluster != group:
        found = sql(f"SELECT DISTINCT d.{_quote(cluster)} AS k FROM _data d JOIN _groups gm ON d.{g} = gm.g "
                    f"JOIN _times tm ON d.{t} = tm.t{join} WHERE {found.kept}").to_arrow_table()
        found = found.to_pandas()["k"]
        k_codes, k_uniques = pd.factorize(found, sort=True)
        cluster_labels = tuple(k_uniques.tolist())
        con.register("_clusters", pa.table({  # type: ignore[attr-defined]
            "k": pa.array(found.tolist()), "code": pa.array(k_codes, type=pa.int32()),
        }))
        cluster_join = f" JOIN _clusters km ON d.{_quote(cluster)} = km.k"
        cluster_select = ", km.code AS k"

    # pass 3: the kept rows by unit and period, into the design's arrays
    float_sql = ", ".join(f"CAST({f} AS DOUBLE) AS f{i}" for i, f in enumerate(floats))
    reader = sql(
        f"SELECT d.{_quote(unit)} AS u, gm.code AS g, tm.code AS p{cluster_select}, {float_sql} "
        f"FROM _data d JOIN _groups gm ON d.{g} = gm.g JOIN _times tm ON d.{t} = tm.t{join}{cluster_join} "
        f"WHERE {found.kept} ORDER BY d.{_quote(unit)}, tm.code"
    ).to_arrow_reader(BATCH_ROWS)
    unit_codes = np.empty(n_rows, dtype=np.int32)
    groups = np.empty(n_rows, dtype=np.int32)
    period = np.empty(n_rows, dtype=np.int32)
    clusters = np.empty(n_rows, dtype=np.int32) if cluster != group else groups
    y = np.empty(n_rows)
    x = np.empty((n_rows, len(regressors)))
    w = np.empty(n_rows) if weights else None
    at, last, next_code = 0, None, 0
    for batch in reader:
        m = batch.num_rows
        if not m:
            continue
        if at + m > n_rows:
            raise DataError(f"{source.name} changed while it was read (more rows than counted); read it again")
        rows = slice(at, at + m)
        u = batch.column(0)
        new = np.empty(m, dtype=bool)
        new[0] = last is None or u[0].as_py() != last
        if m > 1:
            new[1:] = pa.compute.not_equal(u.slice(1), u.slice(0, m - 1)).to_numpy(zero_copy_only=False)
        unit_codes[rows] = next_code - 1 + np.cumsum(new, dtype=np.int64)
        next_code = int(unit_codes[at + m - 1]) + 1
        last = u[m - 1].as_py()
        groups[rows] = batch.column(1).to_numpy()
        period[rows] = batch.column(2).to_numpy()
        offset = 3
        if cluster != group:
            clusters[rows] = batch.column(3).to_numpy()
            offset = 4
        y[rows] = batch.column(offset).to_numpy(zero_copy_only=False)
        for j in range(len(regressors)):
            x[rows, j] = batch.column(offset + 1 + j).to_numpy(zero_copy_only=False)
        if w is not None:
            w[rows] = batch.column(offset + 1 + len(regressors)).to_numpy(zero_copy_only=False)
        at += m
    if at != n_rows:
        raise DataError(f"{source.name} changed while it was read ({at} rows, {n_rows} counted); read it again")

    adjustments: list[dict[str, object]] = []
    unit_is_group = unit == group
    if unit_is_group:
        unit_codes = groups
    else:
        moved = _moved_units(unit_codes, groups)
        if moved is not None:
            groups, unit_codes, adjustment = _movers(con, source, unit_codes, groups, moved, unit=unit, group=group,
                                                     time=time, movers=movers, labels=group_labels)
            adjustments.append(adjustment)
            warnings.warn(f"{adjustment['units']} {unit} value(s) appear in more than one {group}: "
                          f"{adjustment['reason']} ({adjustment['rows']} rows)", HjevalWarning, stacklevel=4)
            if cluster == group:
                clusters = groups
        _check_unique_pairs(con, source, unit_codes, period, groups, unit=unit, time=time)
    nested = check_clusters_nest(unit_codes, clusters, unit_is_group=unit_is_group, unit=unit, cluster=cluster)
    check_treatment(groups, period, treated_codes, start_code, len(group_labels), treated_starts, start=start)
    if w is not None:
        _check_weight_sums(w, groups, treated_codes, group_labels, weights)  # type: ignore[arg-type]
    warn_exclusions(exclusions)
    return PanelDesign(
        y=y, unit=unit_codes, group=groups, cluster=clusters, period=period, weight=w,
        regressors=x, regressor_names=tuple(regressors), treated_groups=treated_codes, start=start_code,
        group_labels=group_labels, period_labels=period_labels, cluster_labels=cluster_labels,
        unit_is_group=unit_is_group, outcome=outcome, comparison=pool_name, n_rows_input=n_input,
        exclusions=tuple(exclusions), units_nested_in_clusters=nested, adjustments=tuple(adjustments),
        treated_starts=treated_starts,
    )


def _moved_units(unit: np.ndarray, group: np.ndarray) -> np.ndarray | None:
    """Codes of units seen in more than one group (rows ordered by unit), or None when there are none."""
    found = []
    for rows in row_slices(len(unit) - 1):
        pair = slice(rows.start + 1, rows.stop + 1)
        change = (unit[pair] == unit[rows]) & (group[pair] != group[rows])
        if change.any():
            found.append(unit[rows][change])
    return np.unique(np.concatenate(found)) if found else None


def _movers_error(con: object, source: _Source, n_moved: int, *, unit: str, group: str) -> DataError:
    """The error for units seen in more than one group, naming the first few (``_groups`` registered)."""
    q_unit, q_group = _quote(unit), _quote(group)
    rows = con.execute(  # type: ignore[attr-defined]
        f"SELECT {q_unit}, list(DISTINCT {q_group} ORDER BY {q_group}) FROM _data WHERE {q_group} IN "
        f"(SELECT g FROM _groups) GROUP BY {q_unit} HAVING count(DISTINCT {q_group}) > 1 "
        f"ORDER BY {q_unit} LIMIT 5"
    ).fetchall()
    examples = "; ".join(f"{u!r} in {list(gs)}" for u, gs in rows)
    return DataError(
        f"{source.name}: {n_moved} {unit} value(s) appear in more than one {group}, e.g. {examples}. "
        f"Treatment is assigned by {group!r}, so each {unit} must belong to one: pass movers='entry' to keep "
        f"each in the {group} of its first period, or movers='split' to make {unit} x {group} the "
        "fixed-effect unit"
    )


def _movers(
    con: object, source: _Source, unit_codes: np.ndarray, group_codes: np.ndarray, moved: np.ndarray, *,
    unit: str, group: str, time: str, movers: str, labels: tuple[object, ...],
) -> tuple[np.ndarray, np.ndarray, dict[str, object]]:
    """Handle units seen in more than one group as ``movers`` says (rows ordered by unit and period)."""
    if movers == "error":
        raise _movers_error(con, source, len(moved), unit=unit, group=group)
    is_moving = np.zeros(int(unit_codes[-1]) + 1, dtype=bool)
    is_moving[moved] = True
    if movers == "entry":
        heads = np.flatnonzero(np.r_[True, unit_codes[1:] != unit_codes[:-1]])
        entry = np.repeat(group_codes[heads], np.diff(np.r_[heads, len(unit_codes)]))
        changed = int((entry != group_codes).sum())
        return entry.astype(np.int32), unit_codes, {
            "reason": f"each {unit} seen in several {group} values kept in the {group} of its first period",
            "rows": changed, "units": len(moved),
        }
    pairs = pd.factorize(unit_codes.astype(np.int64) * len(labels) + group_codes)[0].astype(np.int32)
    rows_moving = sum(int(is_moving[unit_codes[rows]].sum()) for rows in row_slices(len(unit_codes)))
    return group_codes, pairs, {
        "reason": f"{unit} x {group} used as the fixed-effect unit for each {unit} seen in several {group} values",
        "rows": rows_moving, "units": len(moved),
    }


def _check_unique_pairs(
    con: object, source: _Source, unit_codes: np.ndarray, period: np.ndarray, group_codes: np.ndarray, *,
    unit: str, time: str,
) -> None:
    """A unit has at most one row per period (rows ordered by unit and period); name the repeats otherwise."""
    repeats = 0
    for rows in row_slices(len(unit_codes) - 1):
        pair = slice(rows.start + 1, rows.stop + 1)
        same = (unit_codes[pair] == unit_codes[rows]) & (period[pair] == period[rows])
        same &= group_codes[pair] == group_codes[rows]
        repeats += int(same.sum())
    if repeats:
        raise _repeated_pairs_error(con, source, repeats, unit=unit, time=time)


def _repeated_pairs_error(con: object, source: _Source, repeats: int, *, unit: str, time: str) -> DataError:
    """The error for ``repeats`` extra rows of a (unit, period) pair, naming the first few."""
    q_unit, q_time = _quote(unit), _quote(time)
    found = con.execute(  # type: ignore[attr-defined]
        f"SELECT {q_unit}, {q_time}, count(*) FROM _data GROUP BY ALL HAVING count(*) > 1 "
        f"ORDER BY {q_unit}, {q_time} LIMIT 5"
    ).fetchall()
    examples = "; ".join(f"{u!r} in {p!r} ({n} rows)" for u, p, n in found)
    return DataError(
        f"{source.name}: rows repeat a ({unit}, {time}) pair ({repeats} extra rows), e.g. {examples}: "
        f"each {unit} has at most one row per period; drop the duplicates or sum them first"
    )
