"""Benefit spells: who enters a target group when, and for how long.

Entries of new persons are Poisson each month; a spell ends at the first month
in which the cumulated exit rate since its start exceeds a unit exponential
draw (a continuous-time hazard that changes with the calendar month). Someone
who leaves comes back after a gap of at least one month with probability
``return_prob``, so spells of one person are separated in the panel. The
persons on benefit in 2010-01 are drawn from the steady state, with elapsed
durations before 2010 that are geometric (the exit rate is memoryless).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hjeval.synthetic.params import MAX_SPELL_ROUNDS, MONTHS

__all__ = ["Spells", "expand_rows", "simulate_spells"]


@dataclass(frozen=True)
class Spells:
    """Spells of one municipality and group.

    Attributes
    ----------
    person : numpy.ndarray
        Local person index (0 .. n_persons - 1) of each spell.
    start : numpy.ndarray
        First month on benefit (negative: before 2010-01).
    end : numpy.ndarray
        Last month on benefit; ``MONTHS`` or more when still running in 2019-12.
    entry_month : numpy.ndarray
        Per person: month of the person's first spell (negative before 2010).
    n_persons : int
    """

    person: np.ndarray
    start: np.ndarray
    end: np.ndarray
    entry_month: np.ndarray
    n_persons: int

    @property
    def observed_months(self) -> np.ndarray:
        """Months of each spell inside 2010-01 .. 2019-12."""
        return np.minimum(self.end, MONTHS - 1) - np.maximum(self.start, 0) + 1


def _exit_month(
    rng: np.random.Generator, start: np.ndarray, cumulative: np.ndarray
) -> np.ndarray:
    """Last month on benefit given the cumulated hazard ``cumulative`` (length MONTHS + 1)."""
    draw = rng.exponential(1.0, start.size)
    base = cumulative[np.maximum(start, 0)]
    first_over = np.searchsorted(cumulative, base + draw, side="left")
    # first_over == MONTHS + 1 means the spell outlives the panel
    return first_over - 1


def simulate_spells(
    rng: np.random.Generator,
    *,
    initial_stock: float,
    entries: np.ndarray,
    exit_rate: np.ndarray,
    return_prob: float,
    gap_months: float,
) -> Spells:
    """Simulate the spells of one municipality and benefit group.

    Parameters
    ----------
    rng : numpy.random.Generator
    initial_stock : float
        Expected persons on benefit in 2010-01.
    entries : numpy.ndarray
        Expected new persons entering each month (length 120).
    exit_rate : numpy.ndarray
        Monthly exit hazard in each calendar month (length 120, > 0).
    return_prob : float
        Probability of a new spell after an exit.
    gap_months : float
        Mean months between spells (geometric, at least 1).

    Returns
    -------
    Spells

    Examples
    --------
    >>> import numpy as np
    >>> spells = simulate_spells(np.random.default_rng(0), initial_stock=50.0,
    ...     entries=np.full(120, 2.0), exit_rate=np.full(120, 0.04),
    ...     return_prob=0.3, gap_months=6.0)
    >>> bool((spells.end >= spells.start).all()), spells.n_persons > 200
    (True, True)
    """
    n_initial = int(rng.poisson(initial_stock))
    elapsed = rng.geometric(-np.expm1(-exit_rate[0]), n_initial) - 1
    new_starts = np.repeat(np.arange(MONTHS), rng.poisson(entries))
    first_start = np.concatenate([-elapsed, new_starts]).astype(np.int64)
    n_persons = first_start.size
    cumulative = np.concatenate([[0.0], np.cumsum(exit_rate)])

    empty = np.zeros(0, np.int64)
    persons, starts, ends = [empty], [empty], [empty]
    person = np.arange(n_persons, dtype=np.int64)
    start = first_start
    for _ in range(MAX_SPELL_ROUNDS):
        if start.size == 0:
            break
        end = _exit_month(rng, start, cumulative)
        persons.append(person)
        starts.append(start)
        ends.append(end)
        returns = (end < MONTHS - 1) & (rng.random(start.size) < return_prob)
        gap = rng.geometric(1.0 / gap_months, int(returns.sum()))
        next_start = end[returns] + 1 + gap
        keep = next_start < MONTHS
        person, start = person[returns][keep], next_start[keep]
    return Spells(
        person=np.concatenate(persons),
        start=np.concatenate(starts),
        end=np.concatenate(ends),
        entry_month=first_start,
        n_persons=n_persons,
    )


def expand_rows(spells: Spells) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One row per spell and month inside the panel.

    Returns
    -------
    (spell, month, first_row) : tuple of numpy.ndarray
        ``spell`` indexes the spell of each row, ``month`` its month;
        ``first_row`` gives each spell's first row.

    Examples
    --------
    >>> import numpy as np
    >>> s = Spells(person=np.array([0, 1]), start=np.array([-3, 118]),
    ...            end=np.array([1, 130]), entry_month=np.array([-3, 118]), n_persons=2)
    >>> spell, month, first = expand_rows(s)
    >>> spell.tolist(), month.tolist(), first.tolist()
    ([0, 0, 1, 1], [0, 1, 118, 119], [0, 2])
    """
    lengths = spells.observed_months
    first_row = np.cumsum(lengths) - lengths
    spell = np.repeat(np.arange(lengths.size), lengths)
    within = np.arange(int(lengths.sum())) - np.repeat(first_row, lengths)
    month = np.repeat(np.maximum(spells.start, 0), lengths) + within
    return spell, month, first_row
