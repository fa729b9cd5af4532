"""Row passes outside the design: which engine runs them, and the pandas engine on a Parquet path.

The descriptives and the duration and persons passes run on ``"pandas"``,
``"duckdb"`` or ``"dask"`` (:func:`row_engine`); on the pandas engine a path is
read whole (:func:`read_columns`) and the errors of the in-memory code name it
(:func:`naming`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import pandas as pd

from hjeval.engines import ENGINES, resolve_engine
from hjeval.engines.dataset import arrow_dataset, is_dataset_path
from hjeval.errors import DataError

__all__ = ["missing_columns", "naming", "read_columns", "row_engine"]

_ROW_ENGINES = ("pandas", "duckdb", "dask")


def row_engine(data: object, engine: str | None, *, function: str) -> Literal["pandas", "duckdb", "dask"]:
    """The engine ``function`` runs its pass over the rows on: the one asked for, or the default for ``data``.

    Parameters
    ----------
    data : DataFrame or path
    engine : {"pandas", "duckdb", "dask"} or None
        None: ``"pandas"`` for a DataFrame, ``"duckdb"`` for a path.
    function : str
        The function's name, for messages.

    Returns
    -------
    str

    Raises
    ------
    DataError
        As :func:`hjeval.engines.resolve_engine`, and for an engine this pass
        does not run on.

    Examples
    --------
    >>> row_engine("registers/hours/", None, function="benefit_spells")
    'duckdb'
    """
    if engine is not None and engine in ENGINES and engine not in _ROW_ENGINES:
        raise DataError(f"engine={engine!r}: {function} runs on {list(_ROW_ENGINES)}: 'duckdb' for a Parquet dataset "
                        "out of core, 'dask' on a cluster, 'pandas' in memory")
    return resolve_engine(data, engine)


def read_columns(path: str | os.PathLike[str], roles: Mapping[str, str | None],
                 optional: Sequence[str] = ()) -> pd.DataFrame:
    """Read the columns of ``roles`` (and those of ``optional`` the dataset has) into memory.

    Files are read in the order of :func:`hjeval.engines.dataset.dataset_files`
    (``key=value`` folders give partition columns), rows in file order; the
    frame's index counts the rows from 0 over the whole dataset.

    Parameters
    ----------
    path : str or path-like
        A Parquet file or a folder of them.
    roles : mapping
        Role to column (None: not used) of the columns that must be there.
    optional : sequence of str
        Columns read when present.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataError
        As :func:`~hjeval.engines.dataset.dataset_files`, and naming the path
        and the roles whose columns the dataset lacks.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"pid": [1, 2], "y": [1.0, 2.0]}).to_parquet(f"{folder}/part.parquet")
    >>> read_columns(folder, {"unit": "pid"}, optional=["y", "z"]).columns.tolist()
    ['pid', 'y']
    """
    dataset = arrow_dataset(path)
    names = list(dataset.schema.names)
    missing_columns(path, names, roles)
    wanted = [c for c in dict.fromkeys([*(c for c in roles.values() if c is not None), *optional]) if c in names]
    return dataset.to_table(columns=wanted).to_pandas().reset_index(drop=True)


def missing_columns(path: str | os.PathLike[str], names: Sequence[str], roles: Mapping[str, str | None]) -> None:
    """Raise, naming the path and the roles, when the dataset's columns ``names`` lack a column of ``roles``.

    Examples
    --------
    >>> missing_columns("registers/hours/", ["pid"], {"unit": "pid", "time": None})
    """
    absent = {role: c for role, c in roles.items() if c is not None and c not in names}
    if absent:
        detail = ", ".join(f"{role}={c!r}" for role, c in absent.items())
        raise DataError(f"{Path(path)}: column(s) not in the dataset: {detail}; it has {list(names)}. Rename the "
                        "argument to one of these columns, or add the column to the files")


@contextmanager
def naming(data: object, *, whole: bool = True, note: str = " (read whole)") -> Iterator[None]:
    """Prefix the path to the message of a :class:`DataError` raised on rows read from ``data`` (when a path).

    With ``whole`` (the rows were read whole, or are named as if they were),
    row labels in such a message count the rows from 0 over the dataset, in
    file order, and ``note`` follows the path.

    Examples
    --------
    >>> with naming("registers/hours/"):
    ...     raise DataError("column 'month' (time) has missing values in rows 3")
    Traceback (most recent call last):
    ...
    hjeval.errors.DataError: registers/hours/ (read whole): column 'month' (time) has missing values in rows 3
    """
    try:
        yield
    except DataError as err:
        if not is_dataset_path(data):
            raise
        raise DataError(f"{data}{note if whole else ''}: {err}") from err
