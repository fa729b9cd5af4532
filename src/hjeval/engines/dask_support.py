"""Row passes outside the design on a Dask cluster: the rows as a dask DataFrame that keeps their positions.

The spells, the stock of persons on support and the outcome cells are built
from person rows by the same in-memory code on every engine; on ``"dask"``
the cluster's workers read the rows (:func:`dask_rows`, with the readers and
the cluster of :mod:`hjeval.engines.dask_engine`), and the callers

1. run their checks as small passes over the partitions, naming the first
   offending rows (:func:`first_rows`) as the in-memory code names them on
   the rows read whole: by index label, which for a Parquet dataset counts
   the rows from 0 over the dataset in file order;
2. bring each person's rows into one partition (:func:`by_person`), where the
   in-memory code runs on the partition's rows in the dataset's order, and
   only its small results (one row per spell, or per cell) come back
   (:func:`gather`).

Every partition carries the column :data:`POS`, the row's position from 0 over
the dataset (or the DataFrame), so that "first" means the same row as in
memory whatever order the partitions come back in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from hjeval.design.panel import require_columns
from hjeval.engines.dask_engine import PARTITION_ROWS, _cluster, _describe, _Piece, _pieces, _read_piece
from hjeval.engines.in_memory import missing_columns
from hjeval.errors import format_rows

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["POS", "DaskRows", "by_person", "dask_rows", "distinct_first", "first_examples", "first_rows", "gather",
           "row_examples", "shown_rows"]

POS = "_hj_pos"
"""The column of each row's position from 0 over the dataset, in file order."""


@dataclass(frozen=True)
class DaskRows:
    """The rows on the cluster: the needed columns and :data:`POS`, indexed as in memory.

    Attributes
    ----------
    frame : dask.dataframe.DataFrame
        Indexed by the DataFrame's own labels, or (for a path) by the
        position, as the rows read whole are.
    client : distributed.Client
    name : str
        The path as given, or ``"the DataFrame"``.
    n_rows : int
    """

    frame: Any
    client: Client
    name: str
    n_rows: int


def _read_positioned(item: tuple[_Piece, int], *, schema: Any, names: Sequence[str]) -> pd.DataFrame:
    piece, offset = item
    part = _read_piece(piece, schema=schema, columns=names)
    part.index = pd.RangeIndex(offset, offset + len(part))
    part[POS] = np.arange(offset, offset + len(part), dtype=np.int64)
    return part


@contextmanager
def dask_rows(data: object, roles: Mapping[str, str | None], optional: Sequence[str] = (), *,
              client: object = None) -> Iterator[DaskRows]:
    """The columns of ``roles`` (and those of ``optional`` there are) as a dask DataFrame, on a cluster.

    Parameters
    ----------
    data : DataFrame or path
        A Parquet file or folder (``key=value`` folders give partition
        columns), read by the workers in the order of
        :func:`hjeval.engines.dataset.dataset_files`; or a DataFrame,
        scattered to them.
    roles : mapping
        Role to column (None: not used) of the columns that must be there.
    optional : sequence of str
        Columns read when present.
    client : distributed.Client, optional
        Default: a local cluster in this process, closed on leaving.

    Yields
    ------
    DaskRows

    Raises
    ------
    DataError
        Data that is neither a DataFrame nor a Parquet path, a client that is
        not a ``Client``, missing columns (named as in memory).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"pid": [1, 2], "y": [1.0, 2.0]}, index=[10, 11])
    >>> with dask_rows(frame, {"unit": "pid"}, optional=["y"]) as rows:
    ...     rows.client.compute(rows.frame, sync=True)[POS].tolist()
    [0, 1]
    """
    import dask
    import dask.dataframe as dd

    _, dataset = _describe(data)
    # the columns keep the dtypes pandas reads them with (no conversion of text to dask's string dtype)
    with _cluster(client) as running, running.as_current(), dask.config.set({"dataframe.convert-string": False}):
        if dataset is not None:
            names = list(dataset.schema.names)
            missing_columns(data, names, roles)  # type: ignore[arg-type]
            wanted = [c for c in dict.fromkeys([*(c for c in roles.values() if c is not None), *optional])
                      if c in names]
            pieces = _pieces(dataset, Path(data))  # type: ignore[arg-type]
            sizes = [p.n_rows for p in pieces]
            offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
            meta = dataset.schema.empty_table().select(wanted).to_pandas()
            meta.index = pd.RangeIndex(0)
            meta[POS] = np.array([], dtype=np.int64)
            if pieces:
                frame = dd.from_map(_read_positioned, [(p, int(o)) for p, o in zip(pieces, offsets, strict=False)],
                                    schema=dataset.schema, names=wanted, meta=meta, label="hjeval-read-rows",
                                    enforce_metadata=False)
            else:
                frame = dd.from_pandas(meta, npartitions=1)
            yield DaskRows(frame, running, str(data), int(offsets[-1]))
            return
        given = cast(pd.DataFrame, data)  # _describe refused anything else
        require_columns(given, dict(roles))
        wanted = [c for c in dict.fromkeys([*(c for c in roles.values() if c is not None), *optional])
                  if c in given.columns]
        local = given[wanted].assign(**{POS: np.arange(len(given), dtype=np.int64)})
        if not len(local):
            yield DaskRows(dd.from_pandas(local, npartitions=1), running, "the DataFrame", 0)
            return
        starts = range(0, len(local), PARTITION_ROWS)
        scattered = running.scatter([local.iloc[a:a + PARTITION_ROWS] for a in starts], hash=False)
        frame = dd.from_delayed(scattered, meta=local.iloc[:0], verify_meta=False)
        yield DaskRows(frame, running, "the DataFrame", len(local))


def _first(part: pd.DataFrame, *, condition: Callable[[pd.DataFrame], np.ndarray], limit: int) -> pd.DataFrame:
    found = np.flatnonzero(condition(part))
    first = found[np.argsort(part[POS].to_numpy()[found], kind="stable")[:limit]]
    out = pd.DataFrame({POS: part[POS].to_numpy()[first], "label": part.index.to_numpy()[first].astype(object),
                        "n": np.zeros(len(first), dtype=np.int64)})
    if len(out):
        out.loc[0, "n"] = len(found)
    return out


def first_rows(frame: Any, client: Client, condition: Callable[[pd.DataFrame], np.ndarray],
               limit: int = 5, *, positions: bool = False) -> tuple[int, list[object]]:
    """How many rows meet ``condition`` (a function of a partition), and the index labels of the first ones.

    "First" is by :data:`POS`: the order of the rows in memory. With
    ``positions``, the first rows' positions (from 0) instead of their labels.

    Examples
    --------
    >>> import pandas as pd
    >>> with dask_rows(pd.DataFrame({"y": [1.0, None, None]}), {"y": "y"}) as rows:
    ...     first_rows(rows.frame, rows.client, lambda part: part["y"].isna().to_numpy())
    (2, [1, 2])
    """
    meta = pd.DataFrame({POS: np.array([], dtype=np.int64), "label": np.array([], dtype=object),
                         "n": np.array([], dtype=np.int64)})
    found = client.compute(frame.map_partitions(_first, condition=condition, limit=limit, meta=meta), sync=True)
    found = found.sort_values(POS, kind="stable")
    return int(found["n"].sum()), found[POS if positions else "label"].tolist()[:limit]


def shown_rows(count: int, labels: Sequence[object], limit: int = 5, *, note: str = " (index labels)") -> str:
    """``count`` rows, the first of them ``labels``, as :func:`hjeval.design.panel.where` names them in memory.

    ``note=""`` gives :func:`hjeval.errors.format_rows` of all the rows.

    Examples
    --------
    >>> shown_rows(7, [3, 4, 8, 9, 12])
    'rows 3, 4, 8, 9, 12 (and 2 more) (index labels)'
    """
    text = format_rows(list(labels)[:limit])
    if count > limit:
        text += f" (and {count - limit} more)"
    return text + note


def by_person(frame: Any, unit: str) -> Any:
    """The rows shuffled so that each ``unit`` value's rows are in one partition (no value may be missing)."""
    return frame.shuffle(on=unit)


def _in_order(part: pd.DataFrame, *, run: Callable[..., pd.DataFrame], options: Mapping[str, object]) -> pd.DataFrame:
    return run(part.sort_values(POS, kind="stable"), **options)


def gather(frame: Any, client: Client, func: Callable[..., pd.DataFrame], empty: pd.DataFrame | None = None,
           **kwargs: object) -> pd.DataFrame:
    """``func`` run on each partition's rows in the dataset's order; its results concatenated on the client.

    ``func`` must give a frame with the same columns for every partition, an
    empty one included; ``empty`` is the result without rows (default:
    ``func`` of no rows).
    """
    if empty is None:
        empty = func(frame._meta, **kwargs)
    parts = frame.map_partitions(_in_order, run=func, options=kwargs, meta=empty)
    result = client.compute(parts, sync=True)
    return result.reset_index(drop=True) if len(result) else empty


def distinct_first(frame: Any, client: Client, columns: Sequence[str]) -> list[pd.DataFrame]:
    """The distinct values of each column in order of first appearance, with the position of the first row.

    Returns
    -------
    list of pandas.DataFrame
        Per column: the column (its dtype kept) and :data:`POS`.
    """
    def first_of(part: pd.DataFrame, column: str) -> pd.DataFrame:
        return part[[column, POS]].drop_duplicates(column)

    futures = [frame.map_partitions(first_of, column=c, meta=frame._meta[[c, POS]]) for c in columns]
    found = client.compute(futures, sync=True)
    return [f.sort_values(POS, kind="stable").drop_duplicates(c).reset_index(drop=True)
            for f, c in zip(found, columns, strict=True)]


def _plain_value(value: object) -> object:
    """A value as messages show it: numpy scalars as Python values, a missing value as None."""
    if isinstance(value, np.generic):
        value = value.item()
    try:
        missing = bool(pd.isna(value))
    except (TypeError, ValueError):
        missing = False
    return None if missing else value


def _piece_start(part: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"start": [int(part[POS].iloc[0]) if len(part) else -1], "n": [len(part)]})


def row_examples(data: object, rows: DaskRows, found: pd.DataFrame, shown: Sequence[str]) -> str:
    """Rows named as the DuckDB engine names them: file and row (counted from 1 in the file) with values.

    Parameters
    ----------
    data : DataFrame or path
        The rows' source, as given to :func:`dask_rows`.
    rows : DaskRows
        The rows :func:`dask_rows` opened: for a path, the position of each
        partition's first row (one pass over the partitions) places the rows
        in their piece of a file.
    found : pandas.DataFrame
        The rows in the order to show: :data:`POS`, ``label`` (the index
        label) and the ``shown`` columns.
    shown : sequence of str

    Returns
    -------
    str
        ``"part.parquet row 8 (pid=1, month=None); ..."`` for a path (files
        relative to a folder), ``"index 7 (pid=1, month=None); ..."`` for a
        DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"pid": [1, 2], "month": ["2015-01", None]}, index=["a", "b"])
    >>> with dask_rows(frame, {"unit": "pid"}, optional=["month"]) as rows:
    ...     row_examples(frame, rows, pd.DataFrame({POS: [1], "label": ["b"], "pid": [2], "month": [None]}),
    ...                  ["pid", "month"])
    "index 'b' (pid=2, month=None)"
    """
    from hjeval.engines.dataset import arrow_dataset, is_dataset_path

    def values(row: Mapping[str, object]) -> str:
        return ", ".join(f"{c}={_plain_value(row[c])!r}" for c in shown)

    records = found.to_dict("records")
    if not is_dataset_path(data):
        return "; ".join(f"index {_plain_value(r['label'])!r} ({values(r)})" for r in records)
    pieces = _pieces(arrow_dataset(data), Path(data))  # type: ignore[arg-type]  # the partitions, in order
    starts = rows.client.compute(rows.frame.map_partitions(_piece_start, meta=_piece_start(rows.frame._meta)),
                                 sync=True)
    first, sizes = starts["start"].to_numpy(), starts["n"].to_numpy()
    parts = []
    for r in records:
        pos = int(r[POS])
        at = int(np.flatnonzero((first <= pos) & (pos < first + sizes))[0])
        parts.append(f"{pieces[at].file} row {pieces[at].first_row + pos - int(first[at]) + 1} ({values(r)})")
    return "; ".join(parts)


def _first_shown(part: pd.DataFrame, *, condition: Callable[[pd.DataFrame], np.ndarray], shown: Sequence[str],
                 limit: int, counted: Callable[[pd.DataFrame], int] | None) -> pd.DataFrame:
    found = np.flatnonzero(condition(part)) if len(part) else np.zeros(0, dtype=np.int64)
    first = found[np.argsort(part[POS].to_numpy()[found], kind="stable")[:limit]]
    out = pd.DataFrame({POS: part[POS].to_numpy()[first], "label": part.index.to_numpy()[first].astype(object),
                        "n": np.zeros(len(first), dtype=np.int64),
                        **{f"_v{i}": part[c].iloc[first].astype(object).to_numpy() for i, c in enumerate(shown)}})
    if len(out):
        out.loc[0, "n"] = len(found) if counted is None else int(counted(part))
    return out


def first_examples(data: object, rows: DaskRows, frame: Any, condition: Callable[[pd.DataFrame], np.ndarray],
                   shown: Sequence[str], limit: int = 5, *,
                   counted: Callable[[pd.DataFrame], int] | None = None) -> tuple[int, str]:
    """How many rows of ``frame`` meet ``condition`` (a function of a partition), and the first ones named by
    :func:`row_examples`.

    ``frame`` is ``rows.frame`` or made from it (restricted, shuffled) and
    keeps its :data:`POS`. One pass over the partitions; "first" is by
    :data:`POS`, and naming the first rows of a path takes one more. With ``counted``
    (a function of a partition, 0 where no row of it meets ``condition``),
    what it counts is summed instead of the rows meeting ``condition`` (e.g.
    the extra copies of keys that repeat, while every copy is shown).

    Returns
    -------
    (int, str)
        The count, and the first rows with the ``shown`` columns; ``(0, "")``
        when no row meets ``condition``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"y": [1.0, None, None]})
    >>> with dask_rows(frame, {"y": "y"}) as rows:
    ...     first_examples(frame, rows, rows.frame, lambda part: part["y"].isna().to_numpy(), ["y"])
    (2, 'index 1 (y=None); index 2 (y=None)')
    """
    shown = list(dict.fromkeys(shown))
    meta = pd.DataFrame({POS: np.array([], dtype=np.int64), "label": np.array([], dtype=object),
                         "n": np.array([], dtype=np.int64),
                         **{f"_v{i}": np.array([], dtype=object) for i in range(len(shown))}})
    parts = frame.map_partitions(_first_shown, condition=condition, shown=shown, limit=limit, counted=counted,
                                 meta=meta)
    found = rows.client.compute(parts, sync=True)
    count = int(found["n"].sum())
    if not count:
        return 0, ""
    first = found.sort_values(POS, kind="stable").head(limit)
    first = first.rename(columns={f"_v{i}": c for i, c in enumerate(shown)})
    return count, row_examples(data, rows, first, shown)
