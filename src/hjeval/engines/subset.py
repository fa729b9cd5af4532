"""Some rows of a Parquet dataset, written out of core, and its (group, period) totals.

Register datasets hold every benefit group; an evaluation studies one. DuckDB
copies that group's rows (only the needed columns) to a new Parquet file
without holding them, so the estimators can read it as a dataset of its own,
and sums the copy to municipality-period cells for the descriptive tables.
:func:`subset_rows` copies the rows that match several columns' values (one
subgroup, the periods before a start) on DuckDB or on a Dask cluster.
"""

from __future__ import annotations

import functools
import operator
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from hjeval.engines.dask_engine import _cluster, _pieces
from hjeval.engines.dataset import arrow_dataset, dataset_files
from hjeval.engines.duckdb_engine import _connection, _literal, _open, _quote
from hjeval.errors import DataError

__all__ = ["cell_totals", "subset_dataset", "subset_rows"]


def subset_dataset(
    source: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, column: str, value: object,
    columns: Sequence[str],
) -> tuple[Path, int]:
    """Copy the rows of ``source`` where ``column == value`` (the given columns) to ``out_dir/part-0.parquet``.

    Parameters
    ----------
    source : str or path-like
        A Parquet file or folder of Parquet files (hive partitions are read as columns).
    out_dir : str or path-like
        Folder to write into (created when missing).
    column : str
        The column to select on, e.g. ``"benefit_group"``.
    value : object
        The value to keep.
    columns : sequence of str
        The columns to copy.

    Returns
    -------
    (path, rows) : tuple of pathlib.Path and int
        The written file and the number of rows copied.

    Raises
    ------
    DataError
        For a missing column (naming the dataset and its columns).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"g": ["a", "b", "a"], "y": [1.0, 2.0, 3.0]}).to_parquet(folder / "rows.parquet")
    >>> path, rows = subset_dataset(folder / "rows.parquet", folder / "a", column="g", value="a", columns=["y"])
    >>> rows, pd.read_parquet(path)["y"].tolist()
    (2, [1.0, 3.0])
    """
    folder, rows = subset_rows(source, out_dir, values={column: [value]}, columns=columns)
    return folder / "part-0.parquet", rows


def cell_totals(source: str | os.PathLike[str], *, group: str, time: str, outcome: str) -> pd.DataFrame:
    """Rows and outcome sums per (group, time) cell of a Parquet dataset, computed out of core.

    Returns
    -------
    pandas.DataFrame
        ``group, time, persons, total`` (``persons`` counts rows: one per
        person and period), sorted by group and time.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"m": [1, 1, 2], "t": [1, 1, 2], "y": [1.0, 2.0, 3.0]}).to_parquet(folder / "r.parquet")
    >>> cell_totals(folder / "r.parquet", group="m", time="t", outcome="y").to_dict("records")
    [{'m': 1, 't': 1, 'persons': 2, 'total': 3.0}, {'m': 2, 't': 2, 'persons': 1, 'total': 3.0}]
    """
    with _connection() as con:
        found = _open(con, str(source))
        found.require({"group": group, "time": time, "outcome": outcome})
        g, t, y = _quote(group), _quote(time), _quote(outcome)
        frame = con.execute(  # type: ignore[attr-defined]
            f"SELECT {g}, {t}, count(*) AS persons, sum({y}) AS total FROM _data GROUP BY ALL ORDER BY {g}, {t}"
        ).df()
    if frame.empty:
        raise DataError(f"{source}: no rows to sum")
    return frame


def _value_set(values: Sequence[object], kind: Any) -> Any:
    """The values as an Arrow array of the column's type (a dictionary column: of its values' type)."""
    import pyarrow as pa

    target = kind.value_type if pa.types.is_dictionary(kind) else kind
    return pa.array(list(values)).cast(target)


def _write_piece(item: tuple[Any, str], *, schema: Any, columns: list[str], values: dict[str, Any]) -> int:
    """One partition's matching rows, written to its own file (none when no row matches)."""
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    piece, target = item
    condition = functools.reduce(operator.and_, [ds.field(c).isin(v) for c, v in values.items()])
    table = piece.fragment.to_table(schema=schema, columns=columns, filter=condition)
    if table.num_rows:
        pq.write_table(table, target, compression="zstd")
    return int(table.num_rows)


def subset_rows(
    source: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, values: Mapping[str, Sequence[object]],
    columns: Sequence[str], engine: str = "duckdb", client: object | None = None,
) -> tuple[Path, int]:
    """Copy the rows of ``source`` where every column of ``values`` holds one of its values, out of core.

    Parameters
    ----------
    source : str or path-like
        A Parquet file or folder of Parquet files (hive partitions are read as columns).
    out_dir : str or path-like
        Folder to write the copy into (created when missing); read it as a dataset of its own.
    values : mapping of str to sequence
        Column to the values kept, e.g. ``{"sex": ["f"], "band": ["young"]}``:
        a row is copied when each named column holds one of its values (given
        as pandas reads them, e.g. from
        :func:`hjeval.engines.levels.value_rows`).
    columns : sequence of str
        The columns to copy.
    engine : {"duckdb", "dask"}, default "duckdb"
        DuckDB writes ``out_dir/part-0.parquet``; on Dask each worker writes the
        rows of its partitions of the files (``part-00000.parquet``, ... in
        file order), so the workers must be able to write to ``out_dir``.
    client : distributed.Client, optional
        For ``"dask"`` (default: a local cluster for the call).

    Returns
    -------
    (path, rows) : tuple of pathlib.Path and int
        The folder written (one empty file when no row matches) and the number of rows copied.

    Raises
    ------
    DataError
        For a missing path or column (naming the dataset and its columns).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"g": ["a", "b", "a"], "t": [1, 1, 2], "y": [1.0, 2.0, 3.0]}).to_parquet(folder / "rows.parquet")
    >>> path, rows = subset_rows(folder / "rows.parquet", folder / "a1", values={"g": ["a"], "t": [1, 3]},
    ...                          columns=["t", "y"])
    >>> rows, pd.read_parquet(path).to_dict("records")
    (1, [{'t': 1, 'y': 1.0}])
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wanted = list(dict.fromkeys(columns))
    if engine == "dask":
        dataset = arrow_dataset(source)
        absent = [c for c in [*wanted, *values] if c not in dataset.schema.names]
        if absent:
            raise DataError(f"{source}: column(s) {absent} not in the dataset; it has {dataset.schema.names}")
        sets = {c: _value_set(v, dataset.schema.field(c).type) for c, v in values.items()}
        pieces = _pieces(dataset, Path(source))
        targets = [str(out / f"part-{i:05d}.parquet") for i in range(len(pieces))]
        with _cluster(client) as running:
            written = running.gather(running.map(_write_piece, list(zip(pieces, targets, strict=True)),
                                                 schema=dataset.schema, columns=wanted, values=sets, pure=False))
        rows = int(sum(written))
        if not rows:
            pq.write_table(dataset.schema.empty_table().select(wanted), out / "part-00000.parquet")
        return out, rows
    dataset_files(source)  # a clear error for a missing or empty path
    target = out / "part-0.parquet"
    with _connection() as con:
        found = _open(con, str(source))
        found.require({f"column {c!r}": c for c in [*wanted, *values]})
        conditions = ["TRUE"]
        for i, (column, kept) in enumerate(values.items()):
            con.register(f"_keep{i}", pa.table({"v": pa.array(list(kept))}))  # type: ignore[attr-defined]
            conditions.append(f"{_quote(column)} IN (SELECT v FROM _keep{i})")
        con.execute(  # type: ignore[attr-defined]
            f"COPY (SELECT {', '.join(_quote(c) for c in wanted)} FROM _data WHERE {' AND '.join(conditions)}) "
            f"TO {_literal(str(target))} (FORMAT parquet, COMPRESSION zstd)"
        )
        rows = con.execute(f"SELECT count(*) FROM read_parquet({_literal(str(target))})").fetchone()[0]  # type: ignore[attr-defined]
    return out, int(rows)
