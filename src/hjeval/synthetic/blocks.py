"""A national world of a chosen size, simulated in person blocks of bounded size.

``generate(scale="national", rows=N)`` scales every municipality's persons by
one multiplier so that the panel has ``N`` person-months in expectation, and
simulates each municipality in blocks of persons small enough to fit in
memory, whatever ``N`` is.

Expected rows
    Persons enter a group as Poisson draws around an expected path and stay
    by the group's exit hazards, returning with ``return_prob`` after a
    geometric gap (:mod:`hjeval.synthetic.spells`). The expected person-months
    of a municipality and group are therefore exact functions of its stock
    and local economy (:func:`hjeval.synthetic.support.expected_person_months`
    on the expected first entries), and linear in the stock.
    :func:`expected_rows` sums them over the groups; the multiplier is ``N``
    divided by the national total at the calibrated size.
Person blocks
    Entries are Poisson, so a municipality of stock ``s`` is in distribution
    ``B`` independent blocks of stock ``s / B``. :func:`plan_rows` gives each
    municipality the fewest blocks whose expected rows are at most
    ``block_rows``; the number of blocks grows with ``N``, the size of a block
    does not. Each block has its own generators
    (``default_rng([seed, code, 1 + group, block])``) and its own range of
    local person indices (:func:`hjeval.synthetic.person_rows.block_local`).
Realised size
    The total is a compound Poisson sum over persons, so its standard
    deviation is the square root of the sum over persons of their months
    squared: about ``sqrt(41 N)`` at the national calibration (0.2 % of 10
    million, 1.2 % of 300,000 rows).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hjeval.errors import DataError
from hjeval.synthetic.cycle import LocalEconomy
from hjeval.synthetic.panel import entry_factor, exit_rates
from hjeval.synthetic.params import GROUPS, REFORM
from hjeval.synthetic.person_rows import MAX_BLOCKS
from hjeval.synthetic.support import expected_person_months

__all__ = ["BLOCK_ROWS", "RowPlan", "check_rows", "expected_rows", "plan_rows"]

BLOCK_ROWS = 1_000_000
"""Largest expected number of person-months simulated at once (all groups of one block)."""


def check_rows(rows: object, name: str = "rows") -> int:
    """``rows`` as a positive int, or a :class:`~hjeval.errors.DataError` naming ``name``.

    Examples
    --------
    >>> check_rows(300_000)
    300000
    >>> try:
    ...     check_rows(0)
    ... except ValueError as err:
    ...     print(err)
    rows must be a positive whole number of person-months (e.g. 200000000), not 0
    """
    if isinstance(rows, bool) or not isinstance(rows, int | np.integer) or int(rows) < 1:
        raise DataError(f"{name} must be a positive whole number of person-months (e.g. 200000000), not {rows!r}")
    return int(rows)


def expected_rows(econ: LocalEconomy, stock: float, start: int | None) -> float:
    """Expected person-months of one municipality, all groups, at ``stock`` persons a month.

    The generator's own expectation: the expected entries (and the initial
    stock, counted in 2010-01) of :func:`hjeval.synthetic.panel.simulate_group`
    followed through the exit hazards and returns.

    Parameters
    ----------
    econ : LocalEconomy
        The municipality's local economy.
    stock : float
        Nominal persons on benefit in an average month (all groups), as passed
        to the generator before the split by group.
    start : int or None
        Month index of the municipality's adoption of the caseload model
        (its exits are faster from then), None when it does not adopt.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from hjeval.synthetic.cycle import local_economy, national_unemployment
    >>> nat = national_unemployment(np.random.default_rng(0))
    >>> econ = local_economy(813, 60_000, nat, np.random.default_rng(1))
    >>> bool(np.isclose(expected_rows(econ, 200.0, None), 2 * expected_rows(econ, 100.0, None)))
    True
    """
    total = 0.0
    for group in GROUPS:
        share = stock * group.stock_share
        base_rate = group.exit_rate * econ.exit_level
        entries = entry_factor(group, econ)
        untreated = exit_rates(group, econ, treated=False)
        first = share * base_rate * (1.0 - group.return_prob) * entries
        first[0] += share * entries[0] * base_rate / untreated[0]
        rate = exit_rates(group, econ, start is not None, REFORM.start if start is None else start)
        total += float(expected_person_months(first, rate, group).sum())
    return total


@dataclass(frozen=True)
class RowPlan:
    """How many persons each municipality gets, and in how many blocks.

    Attributes
    ----------
    rows : int
        The target number of person-months.
    multiplier : float
        Persons relative to the national calibration.
    expected : dict of int to float
        Municipality -> expected person-months at the multiplier.
    blocks : dict of int to int
        Municipality -> number of person blocks.
    block_rows : int
        The bound on a block's expected person-months.

    Examples
    --------
    >>> plan = plan_rows(3_000_000, {1: 600.0, 2: 400.0}, block_rows=1_000_000)
    >>> plan.blocks, plan.rows_per_block()
    ({1: 2, 2: 2}, {1: 900000.0, 2: 600000.0})
    """

    rows: int
    multiplier: float
    expected: dict[int, float]
    blocks: dict[int, int]
    block_rows: int

    def rows_per_block(self) -> dict[int, float]:
        """Municipality -> expected person-months of each of its blocks."""
        return {code: self.expected[code] / self.blocks[code] for code in self.expected}


def plan_rows(rows: int, national: Mapping[int, float], *, block_rows: int = BLOCK_ROWS) -> RowPlan:
    """Multiplier and person blocks for ``rows`` expected person-months.

    Parameters
    ----------
    rows : int
        Target number of person-months (positive).
    national : mapping of int to float
        Municipality -> expected person-months at the national calibration
        (:func:`expected_rows` at the national stock).
    block_rows : int, default BLOCK_ROWS
        Bound on the expected person-months of one block.

    Returns
    -------
    RowPlan

    Raises
    ------
    DataError
        For a ``rows`` that is not a positive integer, or so large that a
        municipality would need more than
        :data:`~hjeval.synthetic.person_rows.MAX_BLOCKS` blocks.

    Examples
    --------
    >>> plan = plan_rows(200_000_000, {1: 6e6, 2: 4e6}, block_rows=1_000_000)
    >>> plan.multiplier, plan.blocks
    (20.0, {1: 120, 2: 80})
    >>> max(plan.rows_per_block().values()) <= plan.block_rows
    True
    """
    rows = check_rows(rows)
    total = float(sum(national.values()))
    multiplier = rows / total
    expected = {code: multiplier * float(value) for code, value in sorted(national.items())}
    blocks = {code: max(1, math.ceil(value / block_rows)) for code, value in expected.items()}
    largest = max(blocks, key=lambda code: blocks[code])
    if blocks[largest] > MAX_BLOCKS:
        limit = int(total * MAX_BLOCKS * block_rows / (max(national.values()) or 1.0))
        raise DataError(
            f"rows={rows} is too large: municipality {largest} would need {blocks[largest]} person blocks "
            f"of at most {block_rows} rows, more than the {MAX_BLOCKS} its person ids allow; give at most "
            f"about {limit} rows"
        )
    return RowPlan(rows=rows, multiplier=multiplier, expected=expected, blocks=blocks, block_rows=int(block_rows))
