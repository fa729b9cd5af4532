"""Calibration constants of the synthetic world.

Every number that shapes the data lives here, so that ``truth.json`` can
record them and the calibration can be read in one place. Time runs over the
120 months 2010-01 .. 2019-12, indexed 0 .. 119.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = [
    "CASELOAD",
    "COSTS",
    "CYCLE",
    "DURATION",
    "FIRST_YEAR",
    "GROUPS",
    "HJORRING",
    "MAX_SPELL_ROUNDS",
    "MAX_WORK_PROB",
    "MONTHS",
    "PERSON_EFFECT_SD",
    "REFORM",
    "ROLLOUT",
    "ROLLOUTS",
    "CaseloadParams",
    "CostParams",
    "CycleParams",
    "DurationMeasure",
    "GroupParams",
    "ReformParams",
    "Rollout",
    "RolloutParams",
    "days_in_month",
    "month_index",
    "month_label",
]

FIRST_YEAR = 2010
MONTHS = 120
HJORRING = 860


def month_index(year: int, month: int) -> int:
    """Index of a calendar month on the synthetic time axis (2010-01 is 0).

    Examples
    --------
    >>> month_index(2015, 10)
    69
    """
    return (year - FIRST_YEAR) * 12 + month - 1


def month_label(index: int) -> str:
    """Calendar label ``"YYYY-MM"`` of a month index on the synthetic time axis.

    Examples
    --------
    >>> month_label(69)
    '2015-10'
    """
    return f"{FIRST_YEAR + index // 12}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class GroupParams:
    """Spells, hours and demographics of one target group.

    Attributes
    ----------
    name : str
        Benefit group label.
    stock_share : float
        Share of all recipients in an average month.
    exit_rate : float
        Monthly exit rate (continuous-time hazard) at the municipality's
        average unemployment, before any reform.
    return_prob : float
        Probability that a person who leaves comes back for another spell.
    gap_months : float
        Mean months off benefit before a return (at least one).
    work_prob : float
        Mean probability of working in a month at average unemployment.
    hours_if_working : float
        Mean hours in a month with work.
    hours_shape : float
        Gamma shape of hours in a month with work.
    cycle_coef : float
        Relative fall of the work probability per percentage point of local
        unemployment above the municipality's average.
    drift_per_year : float
        Common log-drift of the work probability per year from 2014-01 to
        2016-12, flat afterwards (the 2014 cash-benefit reform gradually left a
        more burdened activity-ready group).
    exit_cycle_coef, entry_cycle_coef : float
        Relative change of exit (down) and entry (up) rates per point of
        unemployment above average.
    share_female : float
    origin_probs : tuple of float
        Probabilities of danish, western and non_western origin.
    age_range : tuple of int
        Ages at entry, drawn uniformly.
    female_effect, western_effect, non_western_effect : float
        Log differences in the work probability.
    age_curvature : float
        Log work probability falls by this times (age at entry - 38) squared.
    intervention_rate : float
        Interventions a month for a person of average propensity.
    entry_wave : tuple of float
        Entry multiplier per year 2010..2019 (refugee arrivals for integration).
    """

    name: str
    stock_share: float
    exit_rate: float
    return_prob: float
    gap_months: float
    work_prob: float
    hours_if_working: float
    hours_shape: float
    cycle_coef: float
    drift_per_year: float
    exit_cycle_coef: float
    entry_cycle_coef: float
    share_female: float
    origin_probs: tuple[float, float, float]
    age_range: tuple[int, int]
    female_effect: float
    western_effect: float
    non_western_effect: float
    age_curvature: float
    intervention_rate: float
    entry_wave: tuple[float, ...] = (1.0,) * 10


GROUPS: tuple[GroupParams, ...] = (
    GroupParams(
        name="activity_ready_cash", stock_share=0.40, exit_rate=0.0285, return_prob=0.35,
        gap_months=10.0, work_prob=0.243, hours_if_working=20.0, hours_shape=4.0,
        cycle_coef=0.35, drift_per_year=0.10, exit_cycle_coef=0.06, entry_cycle_coef=0.08,
        share_female=0.5, origin_probs=(0.78, 0.05, 0.17), age_range=(25, 62),
        female_effect=-0.15, western_effect=-0.10, non_western_effect=-0.30,
        age_curvature=0.0008, intervention_rate=0.07,
    ),
    GroupParams(
        name="job_ready_cash", stock_share=0.17, exit_rate=0.11, return_prob=0.40,
        gap_months=8.0, work_prob=0.28, hours_if_working=75.0, hours_shape=2.0,
        cycle_coef=0.15, drift_per_year=0.0, exit_cycle_coef=0.08, entry_cycle_coef=0.10,
        share_female=0.45, origin_probs=(0.80, 0.06, 0.14), age_range=(25, 60),
        female_effect=-0.10, western_effect=-0.05, non_western_effect=-0.20,
        age_curvature=0.0005, intervention_rate=0.05,
    ),
    GroupParams(
        name="sickness", stock_share=0.31, exit_rate=0.20, return_prob=0.25,
        gap_months=14.0, work_prob=0.25, hours_if_working=60.0, hours_shape=2.0,
        cycle_coef=0.05, drift_per_year=0.0, exit_cycle_coef=0.03, entry_cycle_coef=0.0,
        share_female=0.6, origin_probs=(0.88, 0.05, 0.07), age_range=(20, 64),
        female_effect=-0.05, western_effect=-0.05, non_western_effect=-0.15,
        age_curvature=0.0003, intervention_rate=0.08,
    ),
    GroupParams(
        name="integration", stock_share=0.12, exit_rate=0.03, return_prob=0.20,
        gap_months=8.0, work_prob=0.13, hours_if_working=60.0, hours_shape=2.0,
        cycle_coef=0.15, drift_per_year=0.0, exit_cycle_coef=0.05, entry_cycle_coef=0.0,
        share_female=0.45, origin_probs=(0.0, 0.10, 0.90), age_range=(18, 50),
        female_effect=-0.35, western_effect=0.0, non_western_effect=-0.10,
        age_curvature=0.0005, intervention_rate=0.06,
        entry_wave=(0.7, 0.7, 0.7, 0.8, 1.0, 1.8, 1.8, 1.3, 0.9, 0.8),
    ),
)

PERSON_EFFECT_SD = 0.45
"""Standard deviation of the person effect on the log work probability."""

MAX_WORK_PROB = 0.95
MAX_SPELL_ROUNDS = 8


@dataclass(frozen=True)
class CycleParams:
    """National unemployment cycle and the municipalities' exposure to it.

    The national path passes through the yearly means below; a municipality's
    rate is its level plus its sensitivity times the national deviation from
    the 2010-2019 mean, plus an AR(1) local shock.
    """

    national_yearly: tuple[float, ...] = (6.1, 6.0, 6.0, 5.7, 5.0, 4.6, 4.2, 4.2, 3.9, 3.7)
    seasonal_amplitude: float = 0.25
    national_noise_sd: float = 0.03
    local_ar: float = 0.7
    local_noise_sd: float = 0.06
    level_sd: float = 0.8
    level_bounds: tuple[float, float] = (2.8, 8.0)
    sensitivity_mean: float = 1.0
    sensitivity_sd: float = 0.2
    sensitivity_bounds: tuple[float, float] = (0.6, 1.5)
    hours_level_sd: float = 0.12
    exit_level_sd: float = 0.10
    employment_rate: float = 0.45
    employment_growth: float = 0.004
    # North Jutland's sensitivities are set, so that the naive comparison is
    # biased by design: Hjørring reacts most strongly to the national cycle.
    fixed_sensitivity: dict[int, float] = field(
        default_factory=lambda: {
            860: 2.2, 773: 1.2, 787: 0.95, 810: 1.1, 813: 1.3, 820: 1.1, 825: 1.4,
            840: 0.8, 846: 1.05, 849: 1.0, 851: 0.9,
        }
    )
    fixed_level: dict[int, float] = field(default_factory=lambda: {860: 5.5})
    hjorring_employment_trend: tuple[float, float] = (-0.012, 0.003)


CYCLE = CycleParams()


@dataclass(frozen=True)
class ReformParams:
    """The Hjørring reform: caseload dose, health team, effects by group.

    Effect on hours (hours a month) of a person in group ``g`` in month ``t``:
    ``multiplier * (case_weight[g] * per_case * dose[t] + team_weight[g] *
    team_hours * team[t])`` with ``dose = max(0, 75 - caseload)`` the cash-benefit
    caseload reduction and ``team = 1`` from 2015-10. Women on integration
    benefit have multiplier ``integration_female_multiplier``, all others 1.
    Exit rates are multiplied by ``1 + exit_weight[g] * (exit_per_dose * dose /
    40 + exit_team * team)``.
    """

    start: int = month_index(2015, 1)
    team_start: int = month_index(2015, 10)
    caseload_before: float = 75.0
    caseload_ramp_2015: tuple[float, ...] = (68.0, 58.0, 48.0, 40.0, 36.0)
    caseload_after: float = 35.0
    caseload_ramp_2019: tuple[float, ...] = (38.0, 41.0, 44.0)
    caseload_2019: float = 45.0
    per_case: float = 0.087
    team_hours: float = 1.4
    case_weight: dict[str, float] = field(
        default_factory=lambda: {
            "activity_ready_cash": 1.0, "job_ready_cash": 0.35, "sickness": 0.2,
            "integration": 0.8,
        }
    )
    team_weight: dict[str, float] = field(
        default_factory=lambda: {
            "activity_ready_cash": 1.0, "job_ready_cash": 0.0, "sickness": 0.6,
            "integration": 0.8,
        }
    )
    integration_female_multiplier: float = 1.0 / 3.0
    exit_per_dose: float = 0.72
    exit_team: float = 0.35
    exit_weight: dict[str, float] = field(
        default_factory=lambda: {
            "activity_ready_cash": 1.0, "job_ready_cash": 0.5, "sickness": 0.3,
            "integration": 0.5,
        }
    )
    team_intervention_multiplier: float = 2.5
    caseload_intervention_gain: float = 0.3
    investment_mio: tuple[float, ...] = (30.0, 32.0, 32.0, 31.0)
    investment_years: tuple[int, ...] = (2015, 2016, 2017, 2018)


REFORM = ReformParams()


Rollout = Literal["hjorring", "staggered"]
"""Who adopts the caseload model: Hjørring alone (the default) or several cohorts."""

ROLLOUTS: tuple[Rollout, ...] = ("hjorring", "staggered")


@dataclass(frozen=True)
class RolloutParams:
    """The staggered rollout: municipalities adopting the caseload model in different years.

    With ``rollout="staggered"`` every adopter gets the Hjørring reform
    (:class:`ReformParams`) shifted to its own adoption month: caseload dose,
    health team (nine months after adoption), hours effect, exit-rate and
    intervention factors are Hjørring's paths by months since adoption.
    Hjørring adopts in 2015-01 as in the default world, and the cohort of
    2015 also holds three municipalities with parallel investment strategies;
    the cohorts of 2017 and 2018 stand for municipalities that copied the
    model in a national programme. The selection is synthetic. Every
    adoption is in January, so a cohort's year is its first fully treated
    year.

    Attributes
    ----------
    adoption : dict of int to str
        Municipality code -> first treated month (``"YYYY-MM"``, 2015-01 or
        later, since the effect paths start from Hjørring's 2015 path).

    Examples
    --------
    >>> ROLLOUT.adoption[860]
    '2015-01'
    >>> sorted(set(ROLLOUT.cohort_years().values()))
    [2015, 2017, 2018]
    """

    adoption: dict[int, str] = field(
        default_factory=lambda: {
            860: "2015-01", 580: "2015-01", 740: "2015-01", 151: "2015-01",
            851: "2017-01", 813: "2017-01", 101: "2017-01", 461: "2017-01",
            561: "2017-01", 630: "2017-01", 657: "2017-01", 370: "2017-01",
            810: "2018-01", 787: "2018-01", 751: "2018-01", 330: "2018-01",
            621: "2018-01", 791: "2018-01", 615: "2018-01", 169: "2018-01",
        }
    )

    def months(self) -> dict[int, int]:
        """Municipality code -> month index of its first treated month.

        Examples
        --------
        >>> ROLLOUT.months()[851] == month_index(2017, 1)
        True
        """
        return {
            code: month_index(int(label[:4]), int(label[5:7]))
            for code, label in sorted(self.adoption.items())
        }

    def cohort_years(self) -> dict[int, int]:
        """Municipality code -> calendar year of its first treated month."""
        return {code: int(label[:4]) for code, label in sorted(self.adoption.items())}


ROLLOUT = RolloutParams()


@dataclass(frozen=True)
class CaseloadParams:
    """How caseload panels are built from the person panel.

    Open cases = recipients in the target groups of an area / sample factor x
    ``cases_per_recipient`` (caseworkers in an area also follow citizens outside
    the four target groups, e.g. young people on education benefit).
    """

    cases_per_recipient: dict[str, float] = field(
        default_factory=lambda: {"cash_benefit": 1.6, "sickness": 1.2, "integration": 1.1}
    )
    area_groups: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "cash_benefit": ("activity_ready_cash", "job_ready_cash"),
            "sickness": ("sickness",),
            "integration": ("integration",),
        }
    )
    typical_ratio: dict[str, float] = field(
        default_factory=lambda: {"cash_benefit": 75.0, "sickness": 45.0, "integration": 55.0}
    )
    ratio_level_sd: float = 2.5
    ratio_drift_sd: float = 0.5
    ratio_noise_sd: float = 0.7
    # Hjørring's sickness and integration areas got half the relative cut.
    hjorring_other_area_share: float = 0.5


CASELOAD = CaseloadParams()


@dataclass(frozen=True)
class CostParams:
    """Benefit cost per full-time person and the stated extrapolation."""

    cash_monthly: dict[int, tuple[float, float]] = field(
        default_factory=lambda: {
            2015: (14_416.0, 10_849.0),
            2016: (14_575.0, 10_968.0),
            2017: (14_808.0, 11_143.0),
        }
    )
    sickness_weekly_2015: float = 4_135.0
    annual_rate: float = 0.015
    integration_share_of_cash: float = 0.7


COSTS = CostParams()


@dataclass(frozen=True)
class DurationMeasure:
    """How mean time on benefit is measured (weeks = months x 52 / 12).

    A spell is a run of consecutive months of one person in the panel. Its
    duration counts the months up to 2019-12 (spells still running then are
    counted so far). "Before" spells start 2010-02..2014-12 (a run starting
    2010-01 may have begun earlier), "after" spells 2015-01..2016-12 (so that
    every spell has at least three years of follow-up).
    """

    group: str = "activity_ready_cash"
    before: tuple[int, int] = (month_index(2010, 2), month_index(2014, 12))
    after: tuple[int, int] = (month_index(2015, 1), month_index(2016, 12))
    weeks_per_month: float = 52.0 / 12.0

    def definition(self) -> str:
        """The measure in one sentence, for ``truth.json``."""
        return (
            f"mean over {self.group} spells starting in the window of the months on benefit "
            "in the spell (runs of consecutive months of one person; months after 2019-12 "
            "not counted) x 52/12 weeks; before: spells starting 2010-02..2014-12, after: "
            "spells starting 2015-01..2016-12"
        )


DURATION = DurationMeasure()


def days_in_month() -> np.ndarray:
    """Days in each month of the time axis.

    Examples
    --------
    >>> int(days_in_month()[month_index(2016, 2)])
    29
    """
    first = np.datetime64(f"{FIRST_YEAR}-01", "M") + np.arange(MONTHS + 1)
    days = np.diff(first.astype("datetime64[D]")).astype(np.int64)
    return days
