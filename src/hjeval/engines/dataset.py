"""Parquet datasets on disk: finding the files, and reading the needed columns for the in-memory engine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from hjeval.errors import DataError

__all__ = ["arrow_dataset", "count_rows", "dataset_files", "is_dataset_path", "read_dataset"]


def is_dataset_path(data: object) -> bool:
    """Whether ``data`` is given as a path (a string or :class:`os.PathLike`) rather than a DataFrame.

    Examples
    --------
    >>> is_dataset_path("registers/hours/"), is_dataset_path(3)
    (True, False)
    """
    return isinstance(data, str | os.PathLike)


def dataset_files(path: str | os.PathLike[str]) -> list[Path]:
    """The Parquet files of a dataset: the file itself, or every ``*.parquet`` under a folder, sorted.

    Parameters
    ----------
    path : str or path-like
        A Parquet file, or a folder of them (any depth, e.g. ``year=2015/part-0.parquet``).

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    DataError
        When the path does not exist, is not a Parquet file, or the folder holds none.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "year=2015").mkdir()
    >>> pd.DataFrame({"y": [1.0]}).to_parquet(folder / "year=2015" / "part-0.parquet")
    >>> [f.relative_to(folder).as_posix() for f in dataset_files(folder)]
    ['year=2015/part-0.parquet']
    >>> dataset_files(folder / "missing")
    Traceback (most recent call last):
    ...
    hjeval.errors.DataError: ...missing does not exist; give the path of a Parquet file or of a folder of Parquet files
    """
    root = Path(path)
    if not root.exists():
        raise DataError(f"{root} does not exist; give the path of a Parquet file or of a folder of Parquet files")
    if root.is_file():
        if root.suffix.lower() not in (".parquet", ".parq", ".pq"):
            raise DataError(
                f"{root} is not a Parquet file (suffix {root.suffix!r}); engine='duckdb' reads Parquet: convert it "
                "(e.g. pandas.read_csv(...).to_parquet(...)) or load it with hj.load_hours and pass the DataFrame"
            )
        return [root]
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".parquet", ".parq", ".pq")
                   and not any(part.startswith((".", "_")) for part in p.relative_to(root).parts))
    if not files:
        raise DataError(
            f"{root} holds no Parquet files (*.parquet at any depth); write the panel there as Parquet, "
            "e.g. frame.to_parquet(folder, partition_cols=['year']), or give the path of the file"
        )
    return files


def arrow_dataset(path: str | os.PathLike[str]) -> Any:
    """The files of :func:`dataset_files` as one pyarrow dataset, ``key=value`` folders read as columns.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "year=2015").mkdir()
    >>> pd.DataFrame({"y": [1.0]}).to_parquet(folder / "year=2015" / "part-0.parquet")
    >>> arrow_dataset(folder).schema.names
    ['y', 'year']
    """
    import pyarrow.dataset as ds

    root = Path(path)
    return ds.dataset([str(f) for f in dataset_files(root)], format="parquet",
                      partitioning="hive" if root.is_dir() else None,
                      partition_base_dir=str(root) if root.is_dir() else None)


def read_dataset(path: str | os.PathLike[str], roles: Mapping[str, object]) -> pd.DataFrame:
    """Read the columns the design uses from a Parquet dataset into memory (the pandas engine).

    Parameters
    ----------
    path : str or path-like
    roles : mapping
        The design's column roles (``outcome``, ``unit``, ``time``, ``group``,
        ``cluster``, ``weights`` and the list ``regressors``).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataError
        As :func:`dataset_files`, and naming the columns the dataset lacks.
    """
    names = [roles.get(k) for k in ("outcome", "unit", "time", "group", "cluster", "weights")]
    regressors = roles.get("regressors") or []
    needed = [str(c) for c in dict.fromkeys([*names, *regressors]) if c]  # type: ignore[misc]
    root = Path(path)
    dataset = arrow_dataset(root)
    absent = [c for c in needed if c not in dataset.schema.names]
    if absent:
        raise DataError(f"{root}: column(s) {absent} not in the dataset; it has {dataset.schema.names}")
    return dataset.to_table(columns=needed).to_pandas()


def count_rows(path: str | os.PathLike[str]) -> int:
    """Rows of a Parquet file or folder, from the files' metadata.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"y": [1.0, 2.0, 3.0]}).to_parquet(f"{folder}/part.parquet")
    >>> count_rows(folder)
    3
    """
    return int(arrow_dataset(path).count_rows())
