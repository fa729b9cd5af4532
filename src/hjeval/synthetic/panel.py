"""Person-months of one municipality and benefit group: hours, demographics, interventions.

Work probability of person ``i`` in month ``t`` without the reform::

    p0 = base_g * exp(demographics_i + person_effect_i) / norm_g
         * hours_level_k * max(0.2, 1 - cycle_coef_g * (U_kt - level_k))
         * exp(-drift_g * years since 2014-01, between 0 and 3)

``norm_g`` makes the demographic factor average one over the group's entry
distribution, and the person effect has mean one on the probability scale, so
``base_g`` is the group's mean work probability at average unemployment. In
Hjørring the reform adds ``effect / hours_if_working`` to the probability; both
are capped at 0.95. A municipality adopting the model in another month gets
the same paths shifted to its own start (:mod:`hjeval.synthetic.reform`). A
month with work has Gamma-distributed hours with mean ``hours_if_working``,
rounded to a quarter hour and capped at 24 x days.
The true effect of a person-month is ``hours_if_working * (p1 - p0)`` with the
capped probabilities: the expected extra hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hjeval.synthetic.cycle import LocalEconomy
from hjeval.synthetic.params import (
    MAX_WORK_PROB,
    MONTHS,
    PERSON_EFFECT_SD,
    REFORM,
    GroupParams,
    days_in_month,
    month_index,
)
from hjeval.synthetic.reform import effect_path, exit_multiplier, intervention_multiplier
from hjeval.synthetic.spells import Spells, expand_rows, simulate_spells

__all__ = [
    "GroupRows",
    "demographic_norm",
    "entry_factor",
    "exit_rates",
    "simulate_group",
    "work_factor",
]

_AGE_CENTRE = 38.0
_DRIFT_START = month_index(2014, 1)
_DRIFT_YEARS = 3.0


@dataclass(frozen=True)
class GroupRows:
    """Simulated person-months of one municipality and group.

    Attributes
    ----------
    person : numpy.ndarray
        Local person index of each row.
    month : numpy.ndarray
        Month index (0 = 2010-01).
    hours, female, age, origin, interventions : numpy.ndarray
        Row values; ``origin`` indexes (danish, western, non_western).
    expected_hours : numpy.ndarray
        Expected hours of the row given the person and month (with any effect).
    true_effect : numpy.ndarray
        Expected extra hours caused by the reform (zero outside Hjørring).
    spells : Spells
    """

    person: np.ndarray
    month: np.ndarray
    hours: np.ndarray
    female: np.ndarray
    age: np.ndarray
    origin: np.ndarray
    interventions: np.ndarray
    expected_hours: np.ndarray
    true_effect: np.ndarray
    spells: Spells


def demographic_norm(group: GroupParams) -> float:
    """Mean of the demographic factor over the group's entry distribution.

    Examples
    --------
    >>> from hjeval.synthetic.params import GROUPS
    >>> 0.5 < demographic_norm(GROUPS[0]) < 1.0
    True
    """
    sex = (1 - group.share_female) + group.share_female * np.exp(group.female_effect)
    origin = np.dot(
        group.origin_probs,
        np.exp([0.0, group.western_effect, group.non_western_effect]),
    )
    ages = np.arange(group.age_range[0], group.age_range[1] + 1)
    age = np.mean(np.exp(-group.age_curvature * (ages - _AGE_CENTRE) ** 2))
    return float(sex * origin * age)


def exit_rates(
    group: GroupParams, econ: LocalEconomy, treated: bool, start: int = REFORM.start
) -> np.ndarray:
    """Monthly exit hazard of the group in the municipality (treated: from month ``start``)."""
    cycle = np.maximum(0.3, 1.0 - group.exit_cycle_coef * econ.deviation)
    rate = group.exit_rate * econ.exit_level * cycle
    return rate * exit_multiplier(group.name, start) if treated else rate


def entry_factor(group: GroupParams, econ: LocalEconomy) -> np.ndarray:
    """Monthly entry multiplier: the cycle and the group's yearly wave."""
    wave = np.repeat(np.asarray(group.entry_wave), 12)
    return np.maximum(0.3, 1.0 + group.entry_cycle_coef * econ.deviation) * wave


def work_factor(group: GroupParams, econ: LocalEconomy) -> np.ndarray:
    """Monthly multiplier of the work probability: level, cycle and drift."""
    cycle = np.maximum(0.2, 1.0 - group.cycle_coef * econ.deviation)
    years = np.clip((np.arange(MONTHS) - _DRIFT_START) / 12.0, 0.0, _DRIFT_YEARS)
    return econ.hours_level * cycle * np.exp(-group.drift_per_year * years)


def _spells(
    rng: np.random.Generator,
    group: GroupParams,
    econ: LocalEconomy,
    stock: float,
    treated: bool,
    start: int,
) -> Spells:
    base_rate = group.exit_rate * econ.exit_level
    entries = entry_factor(group, econ)
    untreated_exit = exit_rates(group, econ, treated=False)
    initial = stock * entries[0] * base_rate / untreated_exit[0]
    return simulate_spells(
        rng,
        initial_stock=initial,
        entries=stock * base_rate * (1.0 - group.return_prob) * entries,
        exit_rate=exit_rates(group, econ, treated, start),
        return_prob=group.return_prob,
        gap_months=group.gap_months,
    )


def _interventions(
    rng: np.random.Generator,
    group: GroupParams,
    spells: Spells,
    spell: np.ndarray,
    month: np.ndarray,
    first_row: np.ndarray,
    propensity: np.ndarray,
    treated: bool,
    start: int,
) -> np.ndarray:
    rate = group.intervention_rate * propensity
    row_rate = rate[spells.person[spell]]
    if treated:
        row_rate = row_rate * intervention_multiplier(start)[month]
    drawn = rng.poisson(row_rate)
    before_2010 = np.maximum(0, -spells.start)
    initial = rng.poisson(rate[spells.person] * before_2010)
    running = np.cumsum(drawn)
    offset = running[first_row] - drawn[first_row]
    return initial[spell] + running - offset[spell]


def _hours(
    rng: np.random.Generator, group: GroupParams, prob: np.ndarray, month: np.ndarray
) -> np.ndarray:
    works = rng.random(prob.size) < prob
    drawn = group.hours_if_working * rng.gamma(
        group.hours_shape, 1.0 / group.hours_shape, int(works.sum())
    )
    cap = 24.0 * days_in_month()[month[works]]
    hours = np.zeros(prob.size)
    hours[works] = np.minimum(np.round(drawn * 4.0) / 4.0, cap)
    return hours


def simulate_group(
    rng: np.random.Generator,
    group: GroupParams,
    econ: LocalEconomy,
    stock: float,
    *,
    treated: bool,
    start: int = REFORM.start,
) -> GroupRows:
    """Simulate all person-months of one benefit group in one municipality.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator of this municipality and group.
    group : GroupParams
    econ : LocalEconomy
    stock : float
        Expected persons on benefit in an average month at this scale.
    treated : bool
        Whether the Hjørring reform applies.
    start : int, default REFORM.start
        Month index of the first treated month (Hjørring: 2015-01); a later
        adopter gets the reform's paths shifted to it.

    Returns
    -------
    GroupRows

    Examples
    --------
    >>> import numpy as np
    >>> from hjeval.synthetic.cycle import local_economy, national_unemployment
    >>> from hjeval.synthetic.params import GROUPS
    >>> nat = national_unemployment(np.random.default_rng(0))
    >>> econ = local_economy(813, 60_000, nat, np.random.default_rng(1))
    >>> rows = simulate_group(np.random.default_rng(2), GROUPS[0], econ, 40.0, treated=False)
    >>> bool((rows.hours >= 0).all()), bool((rows.true_effect == 0).all())
    (True, True)
    """
    spells = _spells(rng, group, econ, stock, treated, start)
    n = spells.n_persons
    female = rng.random(n) < group.share_female
    origin = rng.choice(3, size=n, p=np.asarray(group.origin_probs)).astype(np.int8)
    age_at_entry = rng.integers(group.age_range[0], group.age_range[1] + 1, n)
    birth = spells.entry_month - 12 * age_at_entry - rng.integers(0, 12, n)
    person_effect = rng.normal(-0.5 * PERSON_EFFECT_SD**2, PERSON_EFFECT_SD, n)
    demographics = (
        group.female_effect * female
        + np.asarray([0.0, group.western_effect, group.non_western_effect])[origin]
        - group.age_curvature * (age_at_entry - _AGE_CENTRE) ** 2
    )
    base = group.work_prob * np.exp(demographics + person_effect) / demographic_norm(group)
    propensity = np.exp(0.5 * person_effect + PERSON_EFFECT_SD**2 / 8.0)

    spell, month, first_row = expand_rows(spells)
    person = spells.person[spell]
    prob0 = base[person] * work_factor(group, econ)[month]
    prob1 = prob0
    if treated:
        multiplier = np.where(
            female[person] & (group.name == "integration"),
            REFORM.integration_female_multiplier,
            1.0,
        )
        effect = effect_path(group.name, start)[month]
        prob1 = prob0 + effect * multiplier / group.hours_if_working
    prob0 = np.clip(prob0, 0.0, MAX_WORK_PROB)
    prob1 = np.clip(prob1, 0.0, MAX_WORK_PROB)

    interventions = _interventions(
        rng, group, spells, spell, month, first_row, propensity, treated, start
    )
    hours = _hours(rng, group, prob1, month)
    age = np.clip((month - birth[person]) // 12, 15, 80)
    return GroupRows(
        person=person,
        month=month,
        hours=hours,
        female=female[person],
        age=age.astype(np.int16),
        origin=origin[person],
        interventions=np.minimum(interventions, np.iinfo(np.int16).max).astype(np.int16),
        expected_hours=group.hours_if_working * prob1,
        true_effect=group.hours_if_working * (prob1 - prob0),
        spells=spells,
    )

