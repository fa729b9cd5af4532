"""The Hjørring reform as monthly paths: caseload dose, health team, effects.

The cash-benefit caseload is 75 until 2014, falls to 35 by mid-2015 (most of
it by spring), stays there through 2018 and rises to 45 in 2019, when the
municipality cut positions again. The dose is the reduction below 75 cases.
The interdisciplinary health team works from 2015-10.

Every path takes the adoption month ``start`` (default: Hjørring's 2015-01).
A municipality adopting later gets Hjørring's path shifted to its own start,
so that caseload, team, effect and exit factor depend only on the months
since adoption; with the default start the paths are Hjørring's exactly.
"""

from __future__ import annotations

import numpy as np

from hjeval.errors import DataError
from hjeval.synthetic.params import MONTHS, REFORM, month_index

__all__ = [
    "caseload_path",
    "effect_path",
    "exit_multiplier",
    "hjorring_caseload",
    "intervention_multiplier",
    "reduction_dose",
    "team_indicator",
]


def _shift(start: int) -> int:
    """Months between Hjørring's start and ``start`` (checked)."""
    if isinstance(start, bool) or not isinstance(start, int | np.integer) or not (
        REFORM.start <= int(start) < MONTHS
    ):
        raise DataError(
            f"start={start!r} is not a month index from {REFORM.start} (2015-01) to {MONTHS - 1} "
            "(2019-12); give the adoption month as month_index(year, month) within 2015-2019"
        )
    return int(start) - REFORM.start


def hjorring_caseload() -> np.ndarray:
    """Hjørring's true cash-benefit cases per caseworker, month by month.

    Examples
    --------
    >>> path = hjorring_caseload()
    >>> float(path[month_index(2014, 6)]), float(path[month_index(2016, 6)])
    (75.0, 35.0)
    >>> float(path[month_index(2019, 12)])
    45.0
    """
    path = np.full(MONTHS, REFORM.caseload_before)
    start = REFORM.start
    ramp = np.asarray(REFORM.caseload_ramp_2015)
    path[start : start + len(ramp)] = ramp
    cut_2019 = month_index(2019, 1)
    path[start + len(ramp) : cut_2019] = REFORM.caseload_after
    ramp_2019 = np.asarray(REFORM.caseload_ramp_2019)
    path[cut_2019 : cut_2019 + len(ramp_2019)] = ramp_2019
    path[cut_2019 + len(ramp_2019) :] = REFORM.caseload_2019
    return path


def caseload_path(start: int = REFORM.start) -> np.ndarray:
    """Cash-benefit cases per caseworker of a municipality adopting in month ``start``.

    Hjørring's path shifted from 2015-01 to ``start``: 75 before, the same
    ramp down to 35 from ``start`` on (and the rise to 45 four years later).

    Parameters
    ----------
    start : int, default REFORM.start
        Month index of the first treated month (2015-01 .. 2019-12).

    Returns
    -------
    numpy.ndarray
        120 monthly values.

    Raises
    ------
    DataError
        When ``start`` is before 2015-01 or after 2019-12.

    Examples
    --------
    >>> path = caseload_path(month_index(2017, 1))
    >>> float(path[month_index(2016, 12)]), float(path[month_index(2017, 1)])
    (75.0, 68.0)
    >>> bool((caseload_path() == hjorring_caseload()).all())
    True
    """
    shift = _shift(start)
    path = np.full(MONTHS, REFORM.caseload_before)
    path[shift:] = hjorring_caseload()[: MONTHS - shift]
    return path


def reduction_dose(start: int = REFORM.start) -> np.ndarray:
    """Cases per caseworker below the pre-reform 75 (0 before the adoption month).

    Examples
    --------
    >>> float(reduction_dose()[month_index(2016, 1)])
    40.0
    >>> float(reduction_dose(month_index(2018, 1))[month_index(2017, 12)])
    0.0
    """
    return np.maximum(0.0, REFORM.caseload_before - caseload_path(start))


def team_indicator(start: int = REFORM.start) -> np.ndarray:
    """1.0 from the month the health team starts (nine months after adoption), else 0.0.

    Examples
    --------
    >>> team = team_indicator()
    >>> float(team[month_index(2015, 9)]), float(team[month_index(2015, 10)])
    (0.0, 1.0)
    >>> float(team_indicator(month_index(2017, 1))[month_index(2017, 10)])
    1.0
    """
    return (np.arange(MONTHS) >= REFORM.team_start + _shift(start)).astype(float)


def effect_path(group: str, start: int = REFORM.start) -> np.ndarray:
    """True effect on hours a month of a person in ``group`` (multiplier 1).

    Parameters
    ----------
    group : str
        Benefit group.
    start : int, default REFORM.start
        Month index of the municipality's first treated month.

    Returns
    -------
    numpy.ndarray
        120 values; zero before ``start``. Multiply by the subgroup multiplier
        (1/3 for women on integration benefit) for the person's effect.

    Examples
    --------
    >>> path = effect_path("activity_ready_cash")
    >>> float(path[month_index(2014, 12)]), round(float(path[month_index(2016, 1)]), 2)
    (0.0, 4.88)
    >>> later = effect_path("activity_ready_cash", month_index(2017, 1))
    >>> bool(later[month_index(2018, 1)] == path[month_index(2016, 1)])
    True
    """
    case = REFORM.case_weight[group] * REFORM.per_case * reduction_dose(start)
    team = REFORM.team_weight[group] * REFORM.team_hours * team_indicator(start)
    return case + team


def exit_multiplier(group: str, start: int = REFORM.start) -> np.ndarray:
    """Factor on the exit rate of ``group`` in a treated municipality (1 before ``start``).

    Examples
    --------
    >>> round(float(exit_multiplier("activity_ready_cash")[month_index(2016, 1)]), 2)
    2.07
    """
    dose = reduction_dose(start) / (REFORM.caseload_before - REFORM.caseload_after)
    push = REFORM.exit_per_dose * dose + REFORM.exit_team * team_indicator(start)
    return 1.0 + REFORM.exit_weight[group] * push


def intervention_multiplier(start: int = REFORM.start) -> np.ndarray:
    """Factor on a treated municipality's intervention rate: more with lower caseloads and the team.

    Examples
    --------
    >>> round(float(intervention_multiplier()[month_index(2016, 1)]), 2)
    3.25
    """
    dose = reduction_dose(start) / (REFORM.caseload_before - REFORM.caseload_after)
    team = 1.0 + (REFORM.team_intervention_multiplier - 1.0) * team_indicator(start)
    return (1.0 + REFORM.caseload_intervention_gain * dose) * team
