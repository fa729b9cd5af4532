"""The Hjørring reform as monthly paths: caseload dose, health team, effects.

The cash-benefit caseload is 75 until 2014, falls to 35 by mid-2015 (most of
it by spring), stays there through 2018 and rises to 45 in 2019, when the
municipality cut positions again. The dose is the reduction below 75 cases.
The interdisciplinary health team works from 2015-10.
"""

from __future__ import annotations

import numpy as np

from hjeval.synthetic.params import MONTHS, REFORM, month_index

__all__ = [
    "effect_path",
    "exit_multiplier",
    "hjorring_caseload",
    "intervention_multiplier",
    "reduction_dose",
    "team_indicator",
]


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


def reduction_dose() -> np.ndarray:
    """Cases per caseworker below the pre-reform 75 (0 before 2015).

    Examples
    --------
    >>> float(reduction_dose()[month_index(2016, 1)])
    40.0
    """
    return np.maximum(0.0, REFORM.caseload_before - hjorring_caseload())


def team_indicator() -> np.ndarray:
    """1.0 from the month the health team starts (2015-10), else 0.0.

    Examples
    --------
    >>> team = team_indicator()
    >>> float(team[month_index(2015, 9)]), float(team[month_index(2015, 10)])
    (0.0, 1.0)
    """
    return (np.arange(MONTHS) >= REFORM.team_start).astype(float)


def effect_path(group: str) -> np.ndarray:
    """True effect on hours a month of a person in ``group`` (multiplier 1).

    Parameters
    ----------
    group : str
        Benefit group.

    Returns
    -------
    numpy.ndarray
        120 values; zero before 2015. Multiply by the subgroup multiplier
        (1/3 for women on integration benefit) for the person's effect.

    Examples
    --------
    >>> path = effect_path("activity_ready_cash")
    >>> float(path[month_index(2014, 12)]), round(float(path[month_index(2016, 1)]), 2)
    (0.0, 4.88)
    """
    case = REFORM.case_weight[group] * REFORM.per_case * reduction_dose()
    team = REFORM.team_weight[group] * REFORM.team_hours * team_indicator()
    return case + team


def exit_multiplier(group: str) -> np.ndarray:
    """Factor on the exit rate of ``group`` in Hjørring (1 before 2015).

    Examples
    --------
    >>> round(float(exit_multiplier("activity_ready_cash")[month_index(2016, 1)]), 2)
    2.07
    """
    dose = reduction_dose() / (REFORM.caseload_before - REFORM.caseload_after)
    push = REFORM.exit_per_dose * dose + REFORM.exit_team * team_indicator()
    return 1.0 + REFORM.exit_weight[group] * push


def intervention_multiplier() -> np.ndarray:
    """Factor on Hjørring's intervention rate: more with lower caseloads and the team.

    Examples
    --------
    >>> round(float(intervention_multiplier()[month_index(2016, 1)]), 2)
    3.25
    """
    dose = reduction_dose() / (REFORM.caseload_before - REFORM.caseload_after)
    team = 1.0 + (REFORM.team_intervention_multiplier - 1.0) * team_indicator()
    return (1.0 + REFORM.caseload_intervention_gain * dose) * team
