"""Person-month rows as compact columns, and their Arrow table.

The generator simulates a municipality's benefit groups as
:class:`~hjeval.synthetic.panel.GroupRows`; :class:`PersonRows` holds only the
columns that are written (pseudonymised person id, municipality, month index,
hours, benefit group, sex, age, origin, interventions) in small integer types,
about 27 bytes a row, so that rows of several person blocks can wait in memory
before they are sorted and written. :meth:`PersonRows.to_table` gives the
Arrow table of :data:`PERSON_SCHEMA`, the schema of ``hours_person_month``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from hjeval.data.schemas import BENEFIT_GROUPS, ORIGINS
from hjeval.synthetic.ids import pseudonymise
from hjeval.synthetic.panel import GroupRows
from hjeval.synthetic.params import FIRST_YEAR

__all__ = ["BLOCK_STRIDE", "MAX_BLOCKS", "PERSON_SCHEMA", "PersonRows", "block_local"]

PERSON_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("municipality", pa.int16()),
        ("month", pa.date32()),
        ("hours", pa.float64()),
        ("benefit_group", pa.string()),
        ("sex", pa.string()),
        ("age", pa.int16()),
        ("origin", pa.string()),
        ("interventions", pa.int16()),
    ]
)
"""Columns of the person-month hours panel, in file order."""

BLOCK_STRIDE = 1 << 24
"""Local person indices reserved for one person block (more than any block holds)."""

MAX_BLOCKS = 1 << 12
"""Person blocks a municipality can have: ``MAX_BLOCKS * BLOCK_STRIDE`` is the
``2**36`` local indices that :func:`~hjeval.synthetic.ids.pseudonymise` takes."""


def block_local(block: int, local: np.ndarray) -> np.ndarray:
    """Local person indices of a person block, disjoint from every other block's.

    Block ``b`` uses the indices ``b * BLOCK_STRIDE .. (b + 1) * BLOCK_STRIDE - 1``,
    so that pseudonymised ids stay unique across the blocks of a municipality
    and group.

    Parameters
    ----------
    block : int
        Index of the block, ``0 <= block < MAX_BLOCKS``.
    local : numpy.ndarray
        The persons' indices within the block, below ``BLOCK_STRIDE``.

    Returns
    -------
    numpy.ndarray
        int64 local indices for :func:`~hjeval.synthetic.ids.pseudonymise`.

    Raises
    ------
    ValueError
        When the block or an index is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> block_local(2, np.array([0, 5])).tolist() == [2 * BLOCK_STRIDE, 2 * BLOCK_STRIDE + 5]
    True
    """
    local = np.asarray(local, dtype=np.int64)
    if not 0 <= block < MAX_BLOCKS:
        raise ValueError(f"block {block} is outside 0..{MAX_BLOCKS - 1}")
    if local.size and (int(local.min()) < 0 or int(local.max()) >= BLOCK_STRIDE):
        raise ValueError(f"a person block holds at most {BLOCK_STRIDE} persons")
    return np.int64(block) * BLOCK_STRIDE + local


def _labels(values: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pa.array(list(values), pa.string()).take(pa.array(codes, pa.int8()))


@dataclass(frozen=True)
class PersonRows:
    """Person-month rows ready to write, one array per column.

    Attributes
    ----------
    person_id : numpy.ndarray
        int64 pseudonymised person identifiers.
    municipality : numpy.ndarray
        int16 municipality codes.
    month : numpy.ndarray
        int16 month indices (0 = 2010-01).
    hours : numpy.ndarray
        float64 hours worked in the month.
    group : numpy.ndarray
        int8 index into :data:`hjeval.data.schemas.BENEFIT_GROUPS`.
    female : numpy.ndarray
        bool.
    age : numpy.ndarray
        int16 age in years.
    origin : numpy.ndarray
        int8 index into :data:`hjeval.data.schemas.ORIGINS`.
    interventions : numpy.ndarray
        int16 interventions received so far in the spell.

    Examples
    --------
    >>> import numpy as np
    >>> rows = PersonRows.concat([PersonRows.empty()])
    >>> rows.size, rows.to_table().schema == PERSON_SCHEMA
    (0, True)
    """

    person_id: np.ndarray
    municipality: np.ndarray
    month: np.ndarray
    hours: np.ndarray
    group: np.ndarray
    female: np.ndarray
    age: np.ndarray
    origin: np.ndarray
    interventions: np.ndarray

    @classmethod
    def of_groups(
        cls, seed: int, code: int, groups: Sequence[GroupRows], block: int | None = None
    ) -> PersonRows:
        """The rows of one municipality's simulated groups, in simulation order.

        Parameters
        ----------
        seed : int
            Key of the pseudonymisation.
        code : int
            Municipality code.
        groups : sequence of GroupRows
            One entry per benefit group, in the order of
            :data:`hjeval.synthetic.params.GROUPS`.
        block : int, optional
            Index of the person block the groups were simulated in; its
            persons get the local indices of :func:`block_local`. None: the
            municipality in one piece (local index = simulated index).

        Returns
        -------
        PersonRows

        Examples
        --------
        >>> import numpy as np
        >>> from hjeval.synthetic.cycle import local_economy, national_unemployment
        >>> from hjeval.synthetic.panel import simulate_group
        >>> from hjeval.synthetic.params import GROUPS
        >>> econ = local_economy(813, 60_000, national_unemployment(np.random.default_rng(0)),
        ...                      np.random.default_rng(1))
        >>> groups = [simulate_group(np.random.default_rng(2 + g), group, econ, 5.0, treated=False)
        ...           for g, group in enumerate(GROUPS)]
        >>> whole, block = PersonRows.of_groups(1, 813, groups), PersonRows.of_groups(1, 813, groups, block=3)
        >>> whole.size == block.size == sum(rows.month.size for rows in groups)
        True
        >>> bool(np.intersect1d(whole.person_id, block.person_id).size == 0)  # other blocks, other persons
        True
        """
        def local(rows: GroupRows) -> np.ndarray:
            return rows.person if block is None else block_local(block, rows.person)

        ids = np.concatenate([pseudonymise(seed, code, g, local(rows)) for g, rows in enumerate(groups)])
        month = np.concatenate([rows.month for rows in groups]).astype(np.int16)
        return cls(
            person_id=ids,
            municipality=np.full(ids.size, code, np.int16),
            month=month,
            hours=np.concatenate([rows.hours for rows in groups]),
            group=np.concatenate([np.full(rows.month.size, g, np.int8) for g, rows in enumerate(groups)]),
            female=np.concatenate([rows.female for rows in groups]),
            age=np.concatenate([rows.age for rows in groups]).astype(np.int16),
            origin=np.concatenate([rows.origin for rows in groups]).astype(np.int8),
            interventions=np.concatenate([rows.interventions for rows in groups]).astype(np.int16),
        )

    @classmethod
    def empty(cls) -> PersonRows:
        """No rows."""
        types = (np.int64, np.int16, np.int16, np.float64, np.int8, np.bool_, np.int16, np.int8, np.int16)
        return cls(*(np.zeros(0, t) for t in types))

    @classmethod
    def concat(cls, parts: Sequence[PersonRows]) -> PersonRows:
        """The rows of ``parts`` one after the other."""
        if len(parts) == 1:
            return parts[0]
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    @property
    def size(self) -> int:
        """Number of rows."""
        return int(self.person_id.size)

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns."""
        return sum(int(getattr(self, f.name).nbytes) for f in fields(self))

    def take(self, index: np.ndarray | slice) -> PersonRows:
        """The rows at ``index`` (an integer array or a slice), in that order.

        Examples
        --------
        >>> import numpy as np
        >>> rows = PersonRows(np.array([9, 4, 4]), np.full(3, 860, np.int16), np.array([5, 7, 6], np.int16),
        ...                   np.zeros(3), np.zeros(3, np.int8), np.zeros(3, bool), np.full(3, 30, np.int16),
        ...                   np.zeros(3, np.int8), np.zeros(3, np.int16))
        >>> ordered = rows.take(rows.by_person_and_month())
        >>> ordered.person_id.tolist(), ordered.month.tolist()
        ([4, 4, 9], [6, 7, 5])
        """
        return PersonRows(*(getattr(self, f.name)[index] for f in fields(self)))

    def by_person_and_month(self) -> np.ndarray:
        """Row order sorting by person id, then month (stable); see :meth:`take` for an example."""
        return np.lexsort((self.month, self.person_id))

    def to_table(self) -> pa.Table:
        """The rows as an Arrow table of :data:`PERSON_SCHEMA` (months as dates)."""
        dates = (np.datetime64(f"{FIRST_YEAR}-01", "M") + self.month.astype(np.int64)).astype("datetime64[D]")
        columns = [
            pa.array(self.person_id, pa.int64()),
            pa.array(self.municipality, pa.int16()),
            pa.array(dates, pa.date32()),
            pa.array(self.hours, pa.float64()),
            _labels(BENEFIT_GROUPS, self.group),
            _labels(("M", "F"), self.female.astype(np.int8)),
            pa.array(self.age, pa.int16()),
            _labels(ORIGINS, self.origin),
            pa.array(self.interventions, pa.int16()),
        ]
        return pa.Table.from_arrays(columns, schema=PERSON_SCHEMA)
