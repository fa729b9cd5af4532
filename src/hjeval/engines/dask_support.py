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

__all__ = ["POS", "DaskRows", "by_person", "dask_rows", "distinct_first", "first_rows", "gather", "shown_rows"]

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
            sizes = [int(p.fragment.count_rows()) for p in pieces]
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
