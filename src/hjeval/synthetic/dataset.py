"""The person-month hours panel as a Parquet dataset partitioned by year.

Rows arrive a person block at a time and wait in memory as compact columns
(:class:`~hjeval.synthetic.person_rows.PersonRows`). Once at least
``part_rows`` have gathered, they are written as one *part*: the rows sorted
by year, person id and month, and each year's run written to
``year=YYYY/part-KKKKK.parquet`` (one row group, zstd), so that every file is
sorted by person id and month. Memory holds at most one part and one block.
The layout is Hive's, so that DuckDB's ``read_parquet(..., hive_partitioning
= true)``, ``pyarrow.dataset`` and ``pandas.read_parquet`` read the folder as
one table with a ``year`` column taken from the folder names (the files
themselves have the columns of
:data:`~hjeval.synthetic.person_rows.PERSON_SCHEMA`).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from types import TracebackType

import numpy as np
import pyarrow.parquet as pq

from hjeval._files import sha256_of
from hjeval.errors import DataError
from hjeval.synthetic.params import FIRST_YEAR
from hjeval.synthetic.person_rows import PersonRows

__all__ = ["PART_ROWS", "PersonDataset", "dataset_files", "dataset_sha256"]

PART_ROWS = 4_000_000
"""Rows gathered before a part is sorted and written (all years together)."""

_YEAR_DIR = re.compile(r"year=\d{4}")
_PART_FILE = re.compile(r"part-\d{5}\.parquet")


def dataset_files(root: Path) -> list[Path]:
    """The part files of a dataset written by :class:`PersonDataset`, in path order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> dataset_files(pathlib.Path(tempfile.mkdtemp()))
    []
    """
    return sorted(p for p in Path(root).glob("year=*/part-*.parquet") if p.is_file())


def dataset_sha256(root: Path) -> str:
    """One SHA-256 of a dataset: of each file's relative path and SHA-256, in path order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> len(dataset_sha256(pathlib.Path(tempfile.mkdtemp())))
    64
    """
    digest = hashlib.sha256()
    for path in dataset_files(root):
        digest.update(f"{path.relative_to(root).as_posix()}\t{sha256_of(path)}\n".encode())
    return digest.hexdigest()


def _clear(root: Path) -> None:
    """Remove an earlier dataset at ``root``; refuse anything that is not one."""
    if not root.exists():
        return
    if not root.is_dir():
        raise DataError(f"{root} exists and is not a folder; remove it or choose another --out folder")
    for entry in root.iterdir():
        if not (entry.is_dir() and _YEAR_DIR.fullmatch(entry.name)):
            raise DataError(
                f"{root} holds {entry.name!r}, which is not part of a dataset written by hjeval synth "
                "(year=YYYY folders of part-KKKKK.parquet files); remove it or choose another --out folder"
            )
        for file in entry.iterdir():
            if not (file.is_file() and _PART_FILE.fullmatch(file.name)):
                raise DataError(
                    f"{file} is not part of a dataset written by hjeval synth; remove it or choose another "
                    "--out folder"
                )
    shutil.rmtree(root)


class PersonDataset:
    """Writer of the hours panel as a dataset partitioned by year, in parts of bounded size.

    Parameters
    ----------
    root : path-like
        Folder of the dataset; an earlier dataset there is replaced.
    part_rows : int, default PART_ROWS
        Rows gathered before a part is written.

    Attributes
    ----------
    rows : int
        Rows written so far.
    parts : int
        Parts written so far.
    largest_part : int
        Rows of the largest part written (the most rows held in memory at once).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> root = pathlib.Path(tempfile.mkdtemp()) / "hours_person_month"
    >>> rows = PersonRows(np.array([7, 3, 3]), np.full(3, 860, np.int16), np.array([13, 12, 2], np.int16),
    ...                   np.zeros(3), np.zeros(3, np.int8), np.zeros(3, bool), np.full(3, 40, np.int16),
    ...                   np.zeros(3, np.int8), np.zeros(3, np.int16))
    >>> with PersonDataset(root) as dataset:
    ...     dataset.add(rows)
    >>> [p.relative_to(root).as_posix() for p in dataset_files(root)]
    ['year=2010/part-00000.parquet', 'year=2011/part-00000.parquet']
    >>> import pyarrow.parquet as pq
    >>> pq.read_table(root / "year=2011" / "part-00000.parquet")["person_id"].to_pylist()
    [3, 7]
    """

    def __init__(self, root: str | Path, *, part_rows: int = PART_ROWS) -> None:
        self.root = Path(root)
        self.part_rows = int(part_rows)
        self.rows = 0
        self.parts = 0
        self.largest_part = 0
        self._pending: list[PersonRows] = []
        self._pending_rows = 0
        _clear(self.root)
        self.root.mkdir(parents=True)

    def add(self, rows: PersonRows) -> None:
        """Add a block of rows; writes a part once ``part_rows`` rows have gathered (see the class example)."""
        if rows.size:
            self._pending.append(rows)
            self._pending_rows += rows.size
        if self._pending_rows >= self.part_rows:
            self.flush()

    def flush(self) -> None:
        """Write the gathered rows as one part (nothing when none have gathered)."""
        if not self._pending_rows:
            return
        rows = PersonRows.concat(self._pending)
        self._pending, self._pending_rows = [], 0
        year = rows.month // 12
        order = np.lexsort((rows.month, rows.person_id, year))
        bounds = np.searchsorted(year[order], np.arange(int(year.max()) + 2))
        for y in range(bounds.size - 1):
            lo, hi = int(bounds[y]), int(bounds[y + 1])
            if hi == lo:
                continue
            folder = self.root / f"year={FIRST_YEAR + y}"
            folder.mkdir(exist_ok=True)
            table = rows.take(order[lo:hi]).to_table()
            pq.write_table(table, folder / f"part-{self.parts:05d}.parquet", compression="zstd",
                           row_group_size=max(1, table.num_rows))
        self.rows += rows.size
        self.largest_part = max(self.largest_part, rows.size)
        self.parts += 1

    def close(self) -> None:
        """Write what is left."""
        self.flush()

    def __enter__(self) -> PersonDataset:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
