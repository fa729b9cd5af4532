"""Build a :class:`PanelDesign` from a Parquet dataset on a Dask cluster.

The rows are read by the cluster's workers as a ``dask.dataframe`` of the
columns the design uses (one partition per run of a file's row groups, key=value
folders read as partition columns), and the same passes as the DuckDB engine
(:mod:`hjeval.engines.duckdb_engine`) run there:

1. a group-by of (group, time) with row counts: the distinct groups and
   periods, from which the treated labels, the comparison pool, the period
   codes and the business-cycle lookup are resolved on the client (a few
   thousand cells);
2. a group-by of (group, time) over the pool's rows, with the cycle panel
   joined through that lookup, counting what would be refused (missing role
   values, infinite numbers, negative weights, rows the cycle panel does not
   cover) and what is left out (missing outcome or regressors), so every check
   runs before the heavy step; a numeric role stored as text is counted (and
   its rows named) before this pass. Passes 1 and 2 share one read of the
   rows: each partition counts its rows per (group, time) pair of values, by
   the first numeric role missing and by what the other checks find
   (:func:`_cell_counts`), and the client applies the pool and the cycle
   panel to those few thousand pairs (:func:`_checks_per_cell`);
3. the kept rows coded by the small code tables (group, period, cluster) and
   sorted by unit and period on the cluster, then fetched partition by
   partition, in order, straight into the design's int32 code arrays and
   float64 columns.

The order is the one the in-memory path relies on: with person fixed effects
the exact projection walks each person's run of periods, which is cheapest on
rows ordered by unit; units are coded in their sorted order. Checks that need
that order (a unit seen in two groups, a repeated unit-period pair, clusters
varying within a unit) run on the sorted codes in numpy. Messages name the
file and row (counted from 1 in the file) of the first offending rows, found by
the workers only when a check fails.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.extensions import take

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
from hjeval.engines.dataset import arrow_dataset, is_dataset_path
from hjeval.engines.duckdb_engine import _cycle_table, _moved_units, _movers, _Source
from hjeval.errors import DataError, HjevalWarning
from hjeval.periods import parse_periods

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["PARTITION_ROWS", "dask_design"]

PARTITION_ROWS = 1 << 21
"""Rows per partition read from a file (whole row groups are kept together) or cut from a DataFrame."""


@dataclass(frozen=True)
class _Roles:
    """The design's columns; ``cycle`` is the regressor the cycle panel supplies (None without a panel)."""

    outcome: str
    unit: str
    time: str
    group: str
    cluster: str
    regressors: tuple[str, ...]
    weights: str | None
    cycle: str | None

    @property
    def keys(self) -> list[tuple[str, str]]:
        return [("unit", self.unit), ("time", self.time), ("group", self.group), ("cluster", self.cluster)]

    @property
    def numeric(self) -> list[tuple[str, str]]:
        """Numeric roles in the order rows are left out for missing values: outcome, regressors, weights."""
        return [("outcome", self.outcome), *(("regressor", r) for r in self.regressors),
                *([("weights", self.weights)] if self.weights else [])]

    @property
    def columns(self) -> list[str]:
        """The dataset's columns the design reads."""
        names = [self.unit, self.time, self.group, self.cluster, self.outcome, *self.regressors, self.weights]
        return [c for c in dict.fromkeys(names) if c is not None and c != self.cycle]


@dataclass(frozen=True)
class _Piece:
    """One partition of a Parquet dataset: some row groups of one file."""

    fragment: Any  # pyarrow.dataset.ParquetFileFragment restricted to the row groups
    first_row: int  # row number (from 0) in the file of the piece's first row
    file: str  # the file as named in messages
    n_rows: int = 0  # rows of the piece's row groups
    stamp: tuple[int, int] = (0, 0)  # the file's size and modification time: a rewritten file is a new piece to dask


def _read_piece(piece: _Piece, *, schema: Any, columns: Sequence[str]) -> pd.DataFrame:
    return piece.fragment.to_table(schema=schema, columns=list(columns)).to_pandas()


def _read_frame_piece(piece: _Piece, *, schema: Any, columns: Sequence[str], dates_as_text: bool) -> pd.DataFrame:
    """A piece as the dask DataFrame holds it; with ``dates_as_text``, date columns read as their ISO text.

    With pyarrow strings on (dask's default), dask turns object columns into strings, which for dates
    (``datetime.date`` objects) costs a Python ``str`` per row; formatting each distinct date once in
    Arrow gives the same strings.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    table = piece.fragment.to_table(schema=schema, columns=list(columns))
    for i, field in enumerate(table.schema if dates_as_text else ()):
        if pa.types.is_date(field.type):
            encoded = pc.dictionary_encode(table.column(i))
            text = pa.chunked_array([c.dictionary.cast(pa.string()).take(c.indices) for c in encoded.chunks],
                                    type=pa.string())
            table = table.set_column(i, field.name, text)
    return table.to_pandas()


@dataclass(frozen=True)
class _Data:
    """The rows as a dask DataFrame of the needed columns, and how to name its rows in messages."""

    frame: Any  # dask.dataframe.DataFrame
    source: _Source
    pieces: tuple[_Piece, ...] = ()
    schema: Any = None
    local: pd.DataFrame | None = None  # a DataFrame given as data: its offending rows are found in place


def _describe(data: object) -> tuple[_Source, Any]:
    """The dataset's name and column types, and its pyarrow dataset (None for a DataFrame)."""
    if is_dataset_path(data):
        root = Path(data)  # type: ignore[arg-type]
        dataset = arrow_dataset(root)
        types = {name: str(dataset.schema.field(name).type) for name in dataset.schema.names}
        return _Source("", str(root), types, True), dataset
    if isinstance(data, pd.DataFrame):
        return _Source("", "the DataFrame", {str(c): str(t) for c, t in data.dtypes.items()}, False), None
    raise DataError(
        f"data must be a pandas DataFrame or the path of a Parquet file or folder, not {type(data).__name__}"
    )


def _pieces(dataset: Any, root: Path) -> list[_Piece]:
    """Runs of whole row groups of each file, about :data:`PARTITION_ROWS` rows each, in file order."""
    pieces = []
    for fragment in dataset.get_fragments():
        path = Path(fragment.path)
        shown = path.relative_to(root).as_posix() if root.is_dir() and path.is_relative_to(root) else path.name
        sizes = [fragment.metadata.row_group(i).num_rows for i in range(fragment.metadata.num_row_groups)]
        status = path.stat()
        stamp = (int(status.st_size), int(status.st_mtime_ns))
        first, rows = 0, 0
        run: list[int] = []
        for i, size in enumerate(sizes):
            if run and rows + size > PARTITION_ROWS:
                pieces.append(_Piece(fragment.subset(row_group_ids=run), first, shown, rows, stamp))
                first, run, rows = first + rows, [], 0
            run.append(i)
            rows += size
        if run and rows:
            pieces.append(_Piece(fragment.subset(row_group_ids=run), first, shown, rows, stamp))
    return pieces


def _open(data: object, roles: _Roles, source: _Source, dataset: Any, client: Client) -> _Data:
    """The needed columns as a dask DataFrame: files read by the workers, a DataFrame scattered to them."""
    import dask.dataframe as dd
    from dask.dataframe.utils import pyarrow_strings_enabled

    columns = roles.columns
    if dataset is not None:
        pieces = _pieces(dataset, Path(data))  # type: ignore[arg-type]
        if not pieces:
            raise DataError(f"{source.name} has no rows")
        meta = dataset.schema.empty_table().select(columns).to_pandas()
        frame = dd.from_map(_read_frame_piece, pieces, schema=dataset.schema, columns=columns, meta=meta,
                            dates_as_text=pyarrow_strings_enabled(),
                            label="hjeval-read-parquet", enforce_metadata=False)
        return _Data(frame, source, tuple(pieces), dataset.schema)
    local = data[columns]  # type: ignore[index]
    if not len(local):
        raise DataError(f"{source.name} has no rows")
    starts = range(0, len(local), PARTITION_ROWS)
    scattered = client.scatter([local.iloc[a:a + PARTITION_ROWS] for a in starts], hash=False)
    frame = dd.from_delayed(scattered, meta=local.iloc[:0], verify_meta=False)
    return _Data(frame, source, local=local)


@dataclass(frozen=True)
class _Keys:
    """How a partition's rows find their (group, time) cell, the comparison pool and the cycle panel.

    ``groups`` and ``times`` are the distinct values of the dataset; a row's
    cell is ``group position * len(times) + time position``, and a row
    missing either falls in the extra cell ``len(groups) * len(times)``.
    Arrays indexed by group position carry one extra slot at the end, for a
    missing group (position -1).
    """

    group: str
    time: str
    groups: pd.Index
    times: pd.Index
    in_pool: np.ndarray  # bool per group position (+1)
    cycle: str | None = None
    cycle_value: np.ndarray | None = None  # float per cell (+1), NaN where the panel's value is empty
    cycle_hit: np.ndarray | None = None  # bool per cell (+1): the panel has the cell

    @property
    def n_cells(self) -> int:
        return len(self.groups) * len(self.times)

    def locate(self, part: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Group position, whether the row is in the pool, and its cell, per row."""
        g = _positions(self.groups, part[self.group])
        t = _positions(self.times, part[self.time])
        cell = np.where((g >= 0) & (t >= 0), g.astype(np.int64) * len(self.times) + t, self.n_cells)
        return g, self.in_pool[g], cell

    def values(self, part: pd.DataFrame, name: str, cell: np.ndarray) -> np.ndarray:
        """A numeric role's values as float64 (NaN where missing); the cycle through the panel's cells."""
        if name == self.cycle:
            return self.cycle_value[cell]  # type: ignore[index]
        return part[name].to_numpy(dtype=np.float64, na_value=np.nan)


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)``, looked up once per distinct value (text keys are slow to look up per row)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    found = np.append(index.get_indexer(uniques), -1)  # a missing value (code -1) is found nowhere
    return found[codes]


def _numeric_rows(roles: _Roles, meta: pd.DataFrame) -> tuple[int, ...]:
    """Positions in ``roles.numeric`` of the roles read from the rows as numbers (not the cycle, not text)."""
    return tuple(i for i, (_, name) in enumerate(roles.numeric) if name != roles.cycle and (
        pd.api.types.is_numeric_dtype(meta[name].dtype) or pd.api.types.is_bool_dtype(meta[name].dtype)))


def _cell_counts(part: pd.DataFrame, *, roles: _Roles, numeric: tuple[int, ...]) -> pd.DataFrame:
    """Passes 1 and 2 on one partition, in one read: per (group, time) pair of values, what the rows hold.

    Columns: rows; missing values per key column (in the order of ``dict.fromkeys`` of the key names);
    infinite values per numeric role at ``numeric``; rows by the first of those roles that is missing
    (``first{len(roles.numeric)}``: none is); and rows with none missing and a negative weight. The pool
    and the cycle panel are applied per cell on the client, which gives the same counts as checking
    each row (see :func:`_checks_per_cell`).
    """
    g_codes, g_values = pd.factorize(part[roles.group], use_na_sentinel=True)
    t_codes, t_values = pd.factorize(part[roles.time], use_na_sentinel=True)
    width = len(t_values) + 1
    found, at = _cells_of((g_codes.astype(np.int64) + 1) * width + t_codes + 1, (len(g_values) + 1) * width)
    out: dict[str, object] = {
        roles.group: take(g_values, found // width - 1, allow_fill=True),  # -1: the missing value
        roles.time: take(t_values, found % width - 1, allow_fill=True),
        "\0n": np.bincount(at, minlength=len(found)),
    }
    for j, name in enumerate(dict.fromkeys(name for _, name in roles.keys)):
        out[f"\0null{j}"] = np.bincount(at[part[name].isna().to_numpy(dtype=bool)], minlength=len(found))
    n_roles = len(roles.numeric)
    first = np.full(len(part), n_roles, dtype=np.int64)
    values = {}
    for i in numeric:
        values[i] = part[roles.numeric[i][1]].to_numpy(dtype=np.float64, na_value=np.nan)
        out[f"\0inf{i}"] = np.bincount(at[np.isinf(values[i])], minlength=len(found))
    for i in reversed(numeric):
        first[np.isnan(values[i])] = i
    by_first = np.bincount(at * (n_roles + 1) + first, minlength=len(found) * (n_roles + 1))
    for i, column in enumerate(by_first.reshape(len(found), n_roles + 1).T):
        out[f"\0first{i}"] = column
    if roles.weights and n_roles - 1 in values:
        out["\0negative"] = np.bincount(at[(first == n_roles) & (values[n_roles - 1] < 0)], minlength=len(found))
    return pd.DataFrame(out)


def _checks_per_cell(counted: pd.DataFrame, keys: _Keys, roles: _Roles, numeric: tuple[int, ...]) -> pd.DataFrame:
    """Pass 2's counts per cell of the pool's rows, from :func:`_cell_counts` summed per (group, time) pair.

    The pool depends on the group alone and the cycle panel on the cell, so both apply to a pair's rows
    together. A row is left out for its first missing numeric role: the first role read from the rows
    that is missing, unless the cycle (missing for the whole cell) comes before it.
    """
    g = keys.groups.get_indexer(counted.index.get_level_values(0))
    t = keys.times.get_indexer(counted.index.get_level_values(1))
    pool = keys.in_pool[g]
    counted, g, t = counted[pool], g[pool], t[pool]
    cell = np.where((g >= 0) & (t >= 0), g.astype(np.int64) * len(keys.times) + t, keys.n_cells)
    n = counted["\0n"].to_numpy(dtype=np.int64)
    names = list(dict.fromkeys(name for _, name in roles.keys))
    out: dict[str, np.ndarray] = {"n": n}
    for role, name in roles.keys:
        out[f"null_{role}"] = counted[f"\0null{names.index(name)}"].to_numpy(dtype=np.int64)
    n_roles = len(roles.numeric)
    cycle_first = np.full(len(cell), n_roles, dtype=np.int64)  # the first cycle role, where the cell has no value
    for i, (_, name) in reversed(list(enumerate(roles.numeric))):
        if name == keys.cycle:
            cycle_first[np.isnan(keys.cycle_value[cell])] = i  # type: ignore[index]
    zero = np.zeros(len(cell), dtype=np.int64)
    for i, (_, name) in enumerate(roles.numeric):
        if name == keys.cycle:
            out[f"inf_{i}"] = np.where(np.isinf(keys.cycle_value[cell]), n, 0)  # type: ignore[index]
        else:
            out[f"inf_{i}"] = counted[f"\0inf{i}"].to_numpy(dtype=np.int64) if i in numeric else zero
    if roles.cycle is not None:
        out["uncovered"] = np.where(keys.cycle_hit[cell], 0, n)  # type: ignore[index]
    by_first = np.column_stack([counted[f"\0first{i}"].to_numpy(dtype=np.int64) for i in range(n_roles + 1)])
    later = np.cumsum(by_first[:, ::-1], axis=1)[:, ::-1]  # rows whose first missing role is at i or after
    rows = np.arange(len(cell))
    for i in range(n_roles):
        out[f"miss_{i}"] = np.where(i < cycle_first, by_first[:, i],
                                    np.where(i == cycle_first, later[rows, np.minimum(i + 1, n_roles)], 0))
    if roles.weights:
        if roles.weights == keys.cycle:
            negative = np.where(keys.cycle_value[cell] < 0, by_first[:, n_roles], 0)  # type: ignore[index]
        else:
            negative = counted["\0negative"].to_numpy(dtype=np.int64) if n_roles - 1 in numeric else zero
        out["negative"] = np.where(cycle_first == n_roles, negative, 0)
    return pd.DataFrame(out).groupby(cell).sum().sort_index()


def _cells_of(cell: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct cells (sorted) and each row's position among them; a count per code when there are few codes."""
    if n_codes <= max(len(cell), 1 << 16):
        seen = np.bincount(cell, minlength=n_codes) > 0
        found = np.flatnonzero(seen)
        position = np.cumsum(seen) - 1
        return found, position[cell]
    return np.unique(cell, return_inverse=True)


def _kept_rows(part: pd.DataFrame, *, keys: _Keys, roles: _Roles, group_code: np.ndarray,
               period_code: np.ndarray) -> pd.DataFrame:
    """Pass 3 on one partition: the kept rows as unit value, group and period codes, raw cluster and floats."""
    g, in_pool, cell = keys.locate(part)
    values = [keys.values(part, name, cell) for _, name in roles.numeric]
    keep = in_pool.copy()
    for x in values:
        keep &= ~np.isnan(x)
    rows = np.flatnonzero(keep)  # rows missing a group or time value were refused in pass 2
    out: dict[str, object] = {"u": part[roles.unit].array[rows], "g": group_code[g[rows]],
                              "p": period_code[cell[rows] % len(keys.times)]}
    if roles.cluster != roles.group:
        out["k"] = part[roles.cluster].array[rows]
    for i, x in enumerate(values):
        out[f"f{i}"] = x[rows]
    return pd.DataFrame(out)


def _code_clusters(part: pd.DataFrame, *, clusters: pd.Index) -> pd.DataFrame:
    return part.assign(k=clusters.get_indexer(part["k"]).astype(np.int32))


@dataclass(frozen=True)
class _Where:
    """Rows of the pool that fail a check, for naming them: ``kind`` is null, text, inf or negative."""

    kind: str
    column: str
    keys: _Keys

    def __call__(self, part: pd.DataFrame) -> np.ndarray:
        _, in_pool, _ = self.keys.locate(part)
        values = part[self.column]
        if self.kind == "null":
            found = values.isna().to_numpy(dtype=bool)
        elif self.kind == "text":
            found = (pd.to_numeric(values, errors="coerce").isna() & values.notna()).to_numpy(dtype=bool)
        else:
            numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
            found = np.isinf(numbers) if self.kind == "inf" else numbers < 0
        return found & in_pool


def _piece_rows(piece: _Piece, *, schema: Any, columns: Sequence[str], condition: Callable[[pd.DataFrame], np.ndarray],
                shown: Sequence[str], limit: int) -> tuple[int, list[str]]:
    """How many rows of a piece meet ``condition``, and the first ones as file, row and values."""
    part = _read_piece(piece, schema=schema, columns=columns)
    found = np.flatnonzero(condition(part))
    return len(found), [f"{piece.file} row {piece.first_row + int(i) + 1} ({_values(part, int(i), shown)})"
                        for i in found[:limit]]


def _values(part: pd.DataFrame, position: int, shown: Sequence[str]) -> str:
    return ", ".join(f"{c}={part[c].iloc[position:position + 1].tolist()[0]!r}" for c in shown)


def _find(data: _Data, client: Client, condition: Callable[[pd.DataFrame], np.ndarray], shown: Sequence[str],
          limit: int = 5) -> tuple[int, str]:
    """How many rows meet ``condition`` and the first few, named by file and row (or DataFrame index)."""
    if data.local is not None:
        found = np.flatnonzero(condition(data.local))
        labels = data.local.index
        return len(found), "; ".join(f"index {labels[int(i)]!r} ({_values(data.local, int(i), shown)})"
                                     for i in found[:limit])
    results = client.gather(client.map(_piece_rows, list(data.pieces), schema=data.schema,
                                       columns=data.frame.columns.tolist(), condition=condition, shown=list(shown),
                                       limit=limit))
    count = sum(n for n, _ in results)
    return count, "; ".join([row for _, rows in results for row in rows][:limit])


@contextmanager
def _cluster(client: object) -> Iterator[Client]:
    """The client given, or one on a local in-process cluster started here and closed afterwards."""
    from distributed import Client, LocalCluster

    if client is not None:
        if not isinstance(client, Client):
            raise DataError(f"client= must be a dask.distributed.Client, not {type(client).__name__}; connect one "
                            "with distributed.Client(address), or leave client=None to start a local cluster")
        yield client
        return
    # no dashboard; the scheduler's small HTTP server on a free loopback port, never a fixed one
    with LocalCluster(processes=False, dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}
                      ) as cluster, Client(cluster, set_as_default=False) as own:
        yield own


def dask_design(
    data: object,
    *,
    client: object | None = None,
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
    """Build the design of a Parquet dataset (or a DataFrame) on a Dask cluster.

    The same design as :func:`hjeval.design.panel.build_design` on the data
    loaded into memory, and as :func:`hjeval.engines.duckdb_engine.duckdb_design`:
    the same checks, exclusions, adjustments, labels and codes (units are coded
    in sorted order, rows ordered by unit and period).

    Parameters
    ----------
    data : path or pandas.DataFrame
        A Parquet file or a folder of Parquet files (``key=value`` folders are
        read as partition columns), read by the workers; or a DataFrame,
        scattered to them.
    client : dask.distributed.Client, optional
        The cluster to run on; its workers must be able to import hjeval and
        read the files. Default: a local cluster in this process (one worker,
        a thread per core), started for this call and closed afterwards.
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
        text in a numeric column, a cycle panel that does not cover the rows,
        a client that is not a ``dask.distributed.Client``, and every error of
        :func:`hjeval.design.panel.build_design`, naming the file and rows.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"m": [1, 1, 2, 2], "year": [2014, 2015] * 2,
    ...               "y": [1.0, 3.0, 1.0, 2.0]}).to_parquet(f"{folder}/panel.parquet")
    >>> design = dask_design(folder, outcome="y", unit="m", time="year", treated=1, start=2015)
    >>> design.treat.tolist(), design.period_labels
    ([False, True, False, False], (Period('2014', 'Y-DEC'), Period('2015', 'Y-DEC')))
    """
    if movers not in ("error", "entry", "split"):
        raise DataError(f"movers={movers!r} is not one of ['error', 'entry', 'split']")
    group = group or unit
    roles = _Roles(outcome=outcome, unit=unit, time=time, group=group, cluster=cluster or group,
                   regressors=tuple(regressors), weights=weights, cycle=cycle if cycle_panel is not None else None)
    source, dataset = _describe(data)
    if roles.cycle is not None and roles.cycle in source.types:
        raise DataError(f"{source.name}: column {roles.cycle!r} is in the dataset and in cycle_panel; drop "
                        "cycle_panel= to use the dataset's column, or rename one of them")
    source.require({"outcome": outcome, "unit": unit, "time": time, "group": group, "cluster": roles.cluster,
                    "weights": weights, **{f"regressor {r!r}": r for r in regressors}},
                   extra={roles.cycle: "DOUBLE"} if roles.cycle is not None else None)
    with _cluster(client) as running, running.as_current():  # dask's own computes (e.g. sort divisions) run there
        rows = _open(data, roles, source, dataset, running)
        return _build(rows, running, roles, treated=treated, start=start, comparison=comparison, movers=movers,
                      cycle_panel=cycle_panel)


@dataclass(frozen=True)
class _Scan:
    """What passes 1 and 2 leave for a pass over the kept rows.

    ``group_code`` and ``period_code`` map a group and time position of
    ``keys`` (+1 slot for a missing value) to the kept group's and period's
    code, -1 where none was kept.
    """

    keys: _Keys
    meta: pd.DataFrame
    group_code: np.ndarray
    period_code: np.ndarray
    n_input: int
    n_rows: int
    exclusions: list[dict[str, object]]
    pool_name: str
    group_labels: tuple[object, ...]
    period_labels: tuple[object, ...]
    treated_codes: np.ndarray
    start_code: int
    treated_starts: np.ndarray | None


def _build(
    data: _Data, client: Client, roles: _Roles, *, treated: object, start: object, comparison: Comparison,
    movers: str, cycle_panel: object,
) -> PanelDesign:
    found = _scan(data, client, roles, treated=treated, start=start, comparison=comparison, cycle_panel=cycle_panel)
    return _rows(data, client, roles, found, start=start, movers=movers)


def _scan(
    data: _Data, client: Client, roles: _Roles, *, treated: object, start: object, comparison: Comparison,
    cycle_panel: object,
) -> _Scan:
    """Passes 1 and 2: labels, pool, periods and the cycle lookup; every check and exclusion, per cell."""
    import pyarrow as pa

    source, frame = data.source, data.frame
    unit, time, group, weights, cycle = roles.unit, roles.time, roles.group, roles.weights, roles.cycle

    # passes 1 and 2 read the rows once: per (group, time) pair its rows and the row-level checks' counts
    meta = frame._meta
    numeric = _numeric_rows(roles, meta)
    pairs = frame.map_partitions(_cell_counts, roles=roles, numeric=numeric,
                                 meta=_cell_counts(meta, roles=roles, numeric=numeric))
    per_pair = client.compute(pairs.groupby([group, time], dropna=False).sum(split_out=1), sync=True)

    # pass 1: cells (group, time) -> rows
    counted = per_pair["\0n"]
    cells = pd.DataFrame({"g": counted.index.get_level_values(0), "t": counted.index.get_level_values(1),
                          "n": counted.to_numpy(dtype=np.int64)})
    n_input = int(cells["n"].sum())
    if n_input == 0:
        raise DataError(f"{source.name} has no rows")
    distinct = pd.unique(cells["g"].dropna())
    treated_labels = resolve_labels(as_list(treated), np.asarray(distinct), argument="treated", column=group)
    if len(set(treated_labels)) != len(treated_labels):
        raise DataError(f"treated={as_list(treated)!r} names a group twice; name each treated group once")
    pool, pool_name = _pool_labels(comparison, treated_labels, pd.Series([], name=group, dtype=object),
                                   np.asarray(distinct))
    groups = pd.Index(distinct)
    times = pd.Index(pd.unique(cells["t"].dropna()))
    in_pool = np.ones(len(groups) + 1, dtype=bool)
    exclusions: list[dict[str, object]] = []
    if pool is not None:
        in_pool[:-1] = groups.isin(treated_labels + list(pool))
        in_pool[-1] = False
        outside = int(cells["n"].to_numpy()[~in_pool[groups.get_indexer(cells["g"])]].sum())
        if outside:
            exclusions.append({"reason": f"group not in the comparison pool ({pool_name})", "rows": outside})
    keys = _Keys(group, time, groups, times, in_pool)

    # the cycle panel as a lookup per cell, keyed by the dataset's own group and time values
    if cycle is not None:
        periods = parse_periods(pd.Series(times, name=time), column=time, source=source.name)
        freq = periods.dtype.freq if len(times) else "M"
        # the time "values" handed over are positions in ``times``, so the panel comes back keyed by them
        arrow = _cycle_table(cycle_panel, cycle=cycle, group=group, time=time, freq=freq, raw_times=periods,
                             raw_arrow=pa.array(np.arange(len(times), dtype=np.int64)))
        table = arrow.to_pandas()  # type: ignore[attr-defined]
        at = groups.get_indexer(pd.Index(table["g"]))
        found = at >= 0
        cell = at[found].astype(np.int64) * len(times) + table["t"].to_numpy(dtype=np.int64)[found]
        value = np.full(keys.n_cells + 1, np.nan)
        hit = np.zeros(keys.n_cells + 1, dtype=bool)
        value[cell] = table["v"].to_numpy(dtype=np.float64, na_value=np.nan)[found]
        hit[cell] = True
        keys = _Keys(group, time, groups, times, in_pool, cycle, value, hit)

    # numeric roles stored as text: name the rows that hold it
    when = "" if data.local is not None else " when writing the files"
    for role, name in roles.numeric:
        if name == cycle:
            continue
        dtype = meta[name].dtype
        if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            continue
        if pd.api.types.is_string_dtype(dtype):
            count, shown = _find(data, client, _Where("text", name, keys), [unit, time, name])
            if count:
                raise DataError(
                    f"{source.name}: column {name!r} ({role}) must hold numbers, but {count} rows hold text, e.g. "
                    f"{shown}; convert the column (e.g. pandas.to_numeric){when}, or fix those rows"
                )
        raise DataError(f"{source.name}: column {name!r} ({role}) has type {source.types.get(name, dtype)}; it must "
                        f"hold numbers: convert the column (e.g. pandas.to_numeric){when}")

    # pass 2: checks and exclusions per cell, over the pool's rows
    per_cell = _checks_per_cell(per_pair, keys, roles, numeric)
    totals = per_cell.sum()
    for role, name in roles.keys:
        if totals[f"null_{role}"]:
            _, shown = _find(data, client, _Where("null", name, keys), [unit, time, group])
            raise DataError(f"{source.name}: column {name!r} ({role}) has missing values in "
                            f"{int(totals[f'null_{role}'])} rows, e.g. {shown}; fill them in or drop those rows")
    for i, (role, name) in enumerate(roles.numeric):
        if totals[f"inf_{i}"]:
            shown = "" if name == cycle else _find(data, client, _Where("inf", name, keys), [unit, time, name])[1]
            raise DataError(f"{source.name}: column {name!r} ({role}) has infinite values in "
                            f"{int(totals[f'inf_{i}'])} rows{', e.g. ' + shown if shown else ''}; replace them "
                            "with the right numbers, or leave them empty to have those rows left out (and counted)")
    cell_codes = per_cell.index.to_numpy(dtype=np.int64)
    inside = cell_codes < keys.n_cells
    cell_g = np.where(inside, cell_codes // max(len(times), 1), -1)
    cell_t = np.where(inside, cell_codes % max(len(times), 1), -1)
    if cycle is not None and totals["uncovered"]:
        gaps = np.flatnonzero(per_cell["uncovered"].to_numpy() > 0)
        example = ", ".join(f"({_label(groups, cell_g[i])!r}, {_label(times, cell_t[i])!r})" for i in gaps[:5])
        raise DataError(
            f"cycle_panel does not cover {int(totals['uncovered'])} rows of {source.name} in {len(gaps)} "
            f"({group}, {time}) cells, e.g. {example}; add those {group}-period rows to the cycle panel "
            f"(column {cycle!r}), or leave the value empty there to have the rows left out"
        )
    for i, (_, name) in enumerate(roles.numeric):
        if totals[f"miss_{i}"]:
            exclusions.append({"reason": f"missing {name!r}", "rows": int(totals[f"miss_{i}"])})
    if weights and totals["negative"]:
        _, shown = _find(data, client, _Where("negative", weights, keys), [unit, time, weights])
        raise DataError(f"{source.name}: column {weights!r} (weights) has negative values in "
                        f"{int(totals['negative'])} rows, e.g. {shown}; weights count persons or shares and must be "
                        "zero or more")

    # codes of the kept groups and periods (cells with rows left)
    dropped = sum(per_cell[f"miss_{i}"].to_numpy() for i in range(len(roles.numeric)))
    left = per_cell["n"].to_numpy() - dropped
    kept = (left > 0) & inside
    n_rows = int(left.sum())
    kept_times = times[np.unique(cell_t[kept])]
    period_codes, period_labels, start_codes = _period_codes(
        pd.Series(kept_times, name=time), start_values(start, treated_labels, np.asarray(distinct), column=group), time
    )
    kept_groups = groups[np.unique(cell_g[kept])]
    group_codes, uniques = pd.factorize(pd.Series(kept_groups, name=group), sort=True)
    group_labels = tuple(uniques.tolist())
    treated_codes = np.array(sorted(group_labels.index(v) for v in treated_labels if v in group_labels),
                             dtype=np.int64)
    if len(treated_codes) < len(treated_labels):
        raise DataError(f"the treated group(s) {treated_labels} have no rows left after the exclusions")
    start_code, treated_starts = design_starts(start_codes, treated_labels, group_labels, treated_codes)
    if len(treated_codes) == len(group_labels):
        raise DataError("every group is treated: there is no comparison group")
    group_code = np.full(len(groups) + 1, -1, dtype=np.int32)
    group_code[groups.get_indexer(kept_groups)] = group_codes
    period_code = np.full(len(times) + 1, -1, dtype=np.int32)
    period_code[times.get_indexer(kept_times)] = period_codes
    return _Scan(keys, meta, group_code, period_code, n_input, n_rows, exclusions, pool_name, group_labels,
                 period_labels, treated_codes, start_code, treated_starts)


def _rows(data: _Data, client: Client, roles: _Roles, found: _Scan, *, start: object, movers: str) -> PanelDesign:
    """Pass 3: the kept rows, coded, sorted by unit and period on the cluster, into the row design."""
    source, frame = data.source, data.frame
    unit, time, group, cluster, weights = roles.unit, roles.time, roles.group, roles.cluster, roles.weights
    keys, meta, group_code, period_code = found.keys, found.meta, found.group_code, found.period_code
    n_rows = found.n_rows
    group_labels, period_labels, exclusions = found.group_labels, found.period_labels, found.exclusions
    treated_codes, start_code, treated_starts = found.treated_codes, found.start_code, found.treated_starts
    pool_name, n_input = found.pool_name, found.n_input

    # pass 3: the kept rows, coded, sorted by unit and period on the cluster
    coded = frame.map_partitions(_kept_rows, keys=keys, roles=roles, group_code=group_code, period_code=period_code,
                                 meta=_kept_rows(meta, keys=keys, roles=roles, group_code=group_code,
                                                 period_code=period_code))
    coded = client.persist(coded)
    cluster_labels: tuple[object, ...] = group_labels
    if cluster != group:
        found_clusters = client.compute(coded["k"].unique(), sync=True)
        _, k_uniques = pd.factorize(pd.Series(found_clusters), sort=True)
        cluster_labels = tuple(k_uniques.tolist())
        clusters_index = pd.Index(k_uniques)
        coded = coded.map_partitions(_code_clusters, clusters=clusters_index,
                                     meta=_code_clusters(coded._meta, clusters=clusters_index))
    # one future per sorted partition, in order; each is released once copied
    parts = client.compute(coded.sort_values(["u", "p"]).to_delayed())
    del coded

    unit_codes = np.empty(n_rows, dtype=np.int32)
    group_rows = np.empty(n_rows, dtype=np.int32)
    period = np.empty(n_rows, dtype=np.int32)
    clusters = np.empty(n_rows, dtype=np.int32) if cluster != group else group_rows
    y = np.empty(n_rows)
    x = np.empty((n_rows, len(roles.regressors)))
    w = np.empty(n_rows) if weights else None
    unit_values = []
    at, last, next_code = 0, None, 0
    for i in range(len(parts)):
        part = parts[i].result()
        parts[i] = None
        m = len(part)
        if not m:
            continue
        if at + m > n_rows:
            raise DataError(f"{source.name} changed while it was read (more rows than counted); read it again")
        rows = slice(at, at + m)
        u = part["u"].to_numpy()
        new = np.empty(m, dtype=bool)
        new[0] = last is None or u[0] != last
        new[1:] = u[1:] != u[:-1]
        unit_values.append(u[new])
        unit_codes[rows] = next_code - 1 + np.cumsum(new, dtype=np.int64)
        next_code = int(unit_codes[at + m - 1]) + 1
        last = u[m - 1]
        group_rows[rows] = part["g"].to_numpy()
        period[rows] = part["p"].to_numpy()
        if cluster != group:
            clusters[rows] = part["k"].to_numpy()
        y[rows] = part["f0"].to_numpy()
        for j in range(len(roles.regressors)):
            x[rows, j] = part[f"f{j + 1}"].to_numpy()
        if w is not None:
            w[rows] = part[f"f{len(roles.regressors) + 1}"].to_numpy()
        at += m
    if at != n_rows:
        raise DataError(f"{source.name} changed while it was read ({at} rows, {n_rows} counted); read it again")
    units = np.concatenate(unit_values) if unit_values else np.empty(0)

    adjustments: list[dict[str, object]] = []
    unit_is_group = unit == group
    entry_codes = unit_codes  # each unit's code before movers='split' makes unit x group the unit
    if unit_is_group:
        unit_codes = group_rows
    else:
        moved = _moved_units(unit_codes, group_rows)
        if moved is not None:
            if movers == "error":
                raise DataError(
                    f"{source.name}: {len(moved)} {unit} value(s) appear in more than one {group}, e.g. "
                    f"{_movers_shown(moved, units, unit_codes, group_rows, group_labels)}. Treatment is assigned "
                    f"by {group!r}, so each {unit} must belong to one: pass movers='entry' to keep each in the "
                    f"{group} of its first period, or movers='split' to make {unit} x {group} the fixed-effect unit"
                )
            group_rows, unit_codes, adjustment = _movers(None, source, unit_codes, group_rows, moved, unit=unit,
                                                         group=group, time=time, movers=movers, labels=group_labels)
            adjustments.append(adjustment)
            warnings.warn(f"{adjustment['units']} {unit} value(s) appear in more than one {group}: "
                          f"{adjustment['reason']} ({adjustment['rows']} rows)", HjevalWarning, stacklevel=4)
            if cluster == group:
                clusters = group_rows
        _check_unique_pairs(source, unit_codes, period, group_rows, units, entry_codes, period_labels, unit=unit,
                            time=time)
    nested = check_clusters_nest(unit_codes, clusters, unit_is_group=unit_is_group, unit=unit, cluster=cluster)
    check_treatment(group_rows, period, treated_codes, start_code, len(group_labels), treated_starts, start=start)
    if w is not None:
        _check_weight_sums(w, group_rows, treated_codes, group_labels, weights)  # type: ignore[arg-type]
    warn_exclusions(exclusions)
    return PanelDesign(
        y=y, unit=unit_codes, group=group_rows, cluster=clusters, period=period, weight=w,
        regressors=x, regressor_names=roles.regressors, treated_groups=treated_codes, start=start_code,
        group_labels=group_labels, period_labels=period_labels, cluster_labels=cluster_labels,
        unit_is_group=unit_is_group, outcome=roles.outcome, comparison=pool_name, n_rows_input=n_input,
        exclusions=tuple(exclusions), units_nested_in_clusters=nested, adjustments=tuple(adjustments),
        treated_starts=treated_starts,
    )


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (for messages: ``5``, not ``np.int64(5)``)."""
    return value.item() if isinstance(value, np.generic) else value


def _label(index: pd.Index, position: int) -> object:
    """The value at ``position`` as a plain Python value (None for the missing-value cell)."""
    return None if position < 0 else _plain(index[position])


def _movers_shown(moved: np.ndarray, units: np.ndarray, unit_codes: np.ndarray, group_codes: np.ndarray,
                  labels: tuple[object, ...], limit: int = 5) -> str:
    """The first units (in sorted order) seen in several groups, with those groups (rows ordered by unit)."""
    shown = []
    for code in moved[:limit]:
        rows = slice(int(np.searchsorted(unit_codes, code)), int(np.searchsorted(unit_codes, code, side="right")))
        shown.append(f"{_plain(units[code])!r} in {[labels[g] for g in np.unique(group_codes[rows])]}")
    return "; ".join(shown)


def _check_unique_pairs(
    source: _Source, unit_codes: np.ndarray, period: np.ndarray, group_codes: np.ndarray, units: np.ndarray,
    entry_codes: np.ndarray, period_labels: tuple[object, ...], *, unit: str, time: str, limit: int = 5,
) -> None:
    """A unit has at most one row per period (rows ordered by unit and period); name the repeats otherwise.

    ``units[entry_codes]`` is each row's unit value (the codes before movers='split'); only repeats' are read.
    """
    repeats = 0
    first: list[int] = []
    for rows in row_slices(len(unit_codes) - 1):
        pair = slice(rows.start + 1, rows.stop + 1)
        same = (unit_codes[pair] == unit_codes[rows]) & (period[pair] == period[rows])
        same &= group_codes[pair] == group_codes[rows]
        repeats += int(same.sum())
        if len(first) < limit:
            first += (np.flatnonzero(same) + rows.start).tolist()[:limit]
    if not repeats:
        return
    shown, seen = [], set()
    for i in first:
        pair_key = (int(unit_codes[i]), int(period[i]))
        if pair_key in seen:
            continue
        seen.add(pair_key)
        same_rows = (unit_codes == pair_key[0]) & (period == pair_key[1])
        shown.append(f"{_plain(units[entry_codes[i]])!r} in {period_labels[pair_key[1]]} ({int(same_rows.sum())} rows)")
    raise DataError(
        f"{source.name}: rows repeat a ({unit}, {time}) pair ({repeats} extra rows), e.g. {'; '.join(shown)}: "
        f"each {unit} has at most one row per period; drop the duplicates or sum them first"
    )
