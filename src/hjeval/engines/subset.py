"""One group's rows of a Parquet dataset, written out of core, and its (group, period) totals.

Register datasets hold every benefit group; an evaluation studies one. DuckDB
copies that group's rows (only the needed columns) to a new Parquet file
without holding them, so the estimators can read it as a dataset of its own,
and sums the copy to municipality-period cells for the descriptive tables.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from hjeval.engines.dataset import dataset_files
from hjeval.engines.duckdb_engine import _connection, _literal, _open, _quote
from hjeval.errors import DataError

__all__ = ["cell_totals", "subset_dataset"]


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
        The value to keep (compared as text when it is a string).
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
    dataset_files(source)  # a clear error for a missing or empty path
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "part-0.parquet"
    with _connection() as con:
        found = _open(con, str(source))
        found.require({"selection": column, **{f"column {c!r}": c for c in columns}})
        wanted = ", ".join(_quote(c) for c in columns)
        literal = _literal(value) if isinstance(value, str) else repr(value)
        con.execute(  # type: ignore[attr-defined]
            f"COPY (SELECT {wanted} FROM _data WHERE {_quote(column)} = {literal}) TO {_literal(str(target))} "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        rows = con.execute(f"SELECT count(*) FROM read_parquet({_literal(str(target))})").fetchone()[0]  # type: ignore[attr-defined]
    return target, int(rows)


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
