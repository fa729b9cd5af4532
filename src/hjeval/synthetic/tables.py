"""The small panels: aggregated hours, caseload, business cycle and costs.

Caseload: open cases in an area are the recipients of its target groups in
the person panel, scaled up to the municipality's full size (divided by the
sample factor) and by ``cases_per_recipient`` (caseworkers also follow
citizens outside the four groups). Cases per caseworker follow a target path
-- Hjørring's reform path on the cash-benefit area, elsewhere a municipality
level near the typical ratio with mild drift and noise -- and the caseworker
FTE is open cases divided by that target, rounded to 0.01; the published ratio
is then exactly open cases / FTE. Another municipality adopting the model (the
staggered rollout) keeps its own level, drift and noise and loses the reform's
dose from its adoption month: on the cash-benefit area the dose itself (75 ->
35 cases), on the other areas the same relative share of it as Hjørring.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hjeval.synthetic.cycle import LocalEconomy
from hjeval.synthetic.params import (
    CASELOAD,
    COSTS,
    FIRST_YEAR,
    HJORRING,
    MONTHS,
    REFORM,
)
from hjeval.synthetic.reform import hjorring_caseload, reduction_dose

__all__ = [
    "Columns",
    "benefit_costs",
    "caseload_rows",
    "cell_rows",
    "concat_columns",
    "costs_frame",
    "cycle_rows",
    "month_labels",
]


def month_labels() -> list[str]:
    """``"2010-01"`` .. ``"2019-12"``.

    Examples
    --------
    >>> labels = month_labels()
    >>> labels[0], labels[-1]
    ('2010-01', '2019-12')
    """
    return [f"{FIRST_YEAR + t // 12}-{t % 12 + 1:02d}" for t in range(MONTHS)]


Columns = dict[str, np.ndarray]
"""A block of rows as named columns; blocks are concatenated into one frame at the end."""


def concat_columns(blocks: list[Columns]) -> pd.DataFrame:
    """One DataFrame from blocks with the same columns, in block order.

    Examples
    --------
    >>> import numpy as np
    >>> concat_columns([{"a": np.array([1])}, {"a": np.array([2, 3])}])["a"].tolist()
    [1, 2, 3]
    """
    names = list(blocks[0])
    return pd.DataFrame({name: np.concatenate([b[name] for b in blocks]) for name in names})


def cell_rows(
    code: int, persons: dict[str, np.ndarray], hours: dict[str, np.ndarray]
) -> Columns:
    """Aggregated hours of one municipality: one row per month and group with persons.

    Parameters
    ----------
    code : int
    persons, hours : dict of str to numpy.ndarray
        Per group, persons and total hours in each of the 120 months.

    Returns
    -------
    dict of str to numpy.ndarray
        ``municipality, period, benefit_group, persons, hours_total``; months
        without persons in a group are left out.
    """
    labels = np.asarray(month_labels(), dtype=object)
    present = {group: counts > 0 for group, counts in persons.items()}
    size = sum(int(mask.sum()) for mask in present.values())
    return {
        "municipality": np.full(size, code, np.int64),
        "period": np.concatenate([labels[mask] for mask in present.values()]),
        "benefit_group": np.concatenate(
            [np.full(int(mask.sum()), group, object) for group, mask in present.items()]
        ),
        "persons": np.concatenate(
            [persons[g][mask] for g, mask in present.items()]
        ).astype(np.int64),
        "hours_total": np.concatenate([hours[g][mask] for g, mask in present.items()]),
    }


def _target_ratio(
    code: int, area: str, rng: np.random.Generator, start: int | None = None
) -> tuple[np.ndarray, float]:
    """Target cases per caseworker of an area, and its level before 2015 (or adoption)."""
    typical = CASELOAD.typical_ratio[area]
    level = float(np.clip(typical + rng.normal(0.0, CASELOAD.ratio_level_sd),
                          typical - 3.0, typical + 3.0))
    drift = float(np.clip(rng.normal(0.0, CASELOAD.ratio_drift_sd), -0.5, 0.5))
    noise = rng.normal(0.0, CASELOAD.ratio_noise_sd, MONTHS)
    years = (np.arange(MONTHS) - (MONTHS - 1) / 2.0) / 12.0
    if code != HJORRING and start is not None:
        untreated = level + drift * years + noise
        if area == "cash_benefit":
            return untreated - reduction_dose(start), level
        share = CASELOAD.hjorring_other_area_share * reduction_dose(start) / REFORM.caseload_before
        return untreated * (1.0 - share), level
    if code != HJORRING:
        return level + drift * years + noise, level
    if area == "cash_benefit":
        return hjorring_caseload() + 0.5 * noise, REFORM.caseload_before
    cut = CASELOAD.hjorring_other_area_share * reduction_dose() / REFORM.caseload_before
    return typical * (1.0 - cut) + noise, typical


def _staff(open_cases: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Caseworker FTE: open cases / target ratio; months without cases keep the staff
    of the nearest month with cases (a caseworker does not vanish with the cases)."""
    fte = np.where(open_cases > 0, np.round(open_cases / target, 2), np.nan)
    staffed = np.flatnonzero(~np.isnan(fte))
    if staffed.size == 0:
        return np.full(open_cases.size, 0.01)
    # nearest earlier month with cases, or the first one for leading empty months
    previous = np.maximum.accumulate(np.where(~np.isnan(fte), np.arange(fte.size), -1))
    filled = fte[np.where(previous >= 0, previous, staffed[0])]
    return np.maximum(filled, 0.01)


def caseload_rows(
    code: int,
    persons: dict[str, np.ndarray],
    factor: float,
    rng: np.random.Generator,
    *,
    start: int | None = None,
) -> tuple[Columns, dict[str, float]]:
    """Caseload panel of one municipality, and each area's pre-reform ratio level.

    Parameters
    ----------
    code : int
    persons : dict of str to numpy.ndarray
        Per group, persons in the person panel each month.
    factor : float
        Sample factor of the municipality.
    rng : numpy.random.Generator
    start : int, optional
        Month index of the adoption of the caseload model by a municipality
        other than Hjørring (staggered rollout); None: not an adopter.

    Returns
    -------
    (columns, levels) : tuple
        ``municipality, period, benefit_area, caseworker_fte, open_cases,
        cases_per_caseworker`` and the target level by area.
    """
    labels = np.asarray(month_labels(), dtype=object)
    blocks, levels = [], {}
    for area, groups in CASELOAD.area_groups.items():
        recipients = sum(persons[g] for g in groups)
        open_cases = np.round(CASELOAD.cases_per_recipient[area] * recipients / factor, 1)
        target, levels[area] = _target_ratio(code, area, rng, start)
        fte = _staff(open_cases, target)
        blocks.append(
            {
                "municipality": np.full(MONTHS, code, np.int64),
                "period": labels,
                "benefit_area": np.full(MONTHS, area, object),
                "caseworker_fte": fte,
                "open_cases": open_cases,
                "cases_per_caseworker": np.round(open_cases / fte, 3),
            }
        )
    return {name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]}, levels


def cycle_rows(econ: LocalEconomy) -> Columns:
    """Business-cycle panel of one municipality.

    Returns
    -------
    dict of str to numpy.ndarray
        ``municipality, period, unemployment_rate, full_time_employees``.
    """
    return {
        "municipality": np.full(MONTHS, econ.code, np.int64),
        "period": np.asarray(month_labels(), dtype=object),
        "unemployment_rate": econ.unemployment,
        "full_time_employees": econ.employees.astype(np.int64),
    }


def benefit_costs() -> dict[tuple[int, str], float]:
    """Benefit cost per full-time person a year, by year 2010-2019 and group.

    Cash benefit (activity- and job-ready): 12 x the mean of the monthly rates
    with and without children, 2015-2017; earlier and later years go back and
    forward from 2015 and 2017 by ``annual_rate`` a year. Sickness benefit: 52
    x the weekly maximum of 2015, moved by the same rate. Integration benefit:
    ``integration_share_of_cash`` of the cash-benefit amount (an assumption).

    Examples
    --------
    >>> costs = benefit_costs()
    >>> costs[(2015, "activity_ready_cash")], costs[(2015, "sickness")]
    (151590.0, 215020.0)
    """
    cash_known = {y: 12.0 * (a + b) / 2.0 for y, (a, b) in COSTS.cash_monthly.items()}
    first, last = min(cash_known), max(cash_known)
    out: dict[tuple[int, str], float] = {}
    for year in range(FIRST_YEAR, FIRST_YEAR + MONTHS // 12):
        if year in cash_known:
            cash = cash_known[year]
        elif year < first:
            cash = cash_known[first] / (1.0 + COSTS.annual_rate) ** (first - year)
        else:
            cash = cash_known[last] * (1.0 + COSTS.annual_rate) ** (year - last)
        sickness = 52.0 * COSTS.sickness_weekly_2015 * (1.0 + COSTS.annual_rate) ** (year - 2015)
        out[(year, "activity_ready_cash")] = round(cash, 2)
        out[(year, "job_ready_cash")] = round(cash, 2)
        out[(year, "sickness")] = round(sickness, 2)
        out[(year, "integration")] = round(COSTS.integration_share_of_cash * cash, 2)
    return out


def costs_frame() -> pd.DataFrame:
    """The costs panel: Hjørring's investment and benefit costs per full-time person.

    Examples
    --------
    >>> costs = costs_frame()
    >>> float(costs.loc[costs["item"] == "investment", "amount_dkk"].sum())
    125000000.0
    """
    rows: list[tuple[int, str, str, float]] = [
        (year, "investment", "", mio * 1e6)
        for year, mio in zip(REFORM.investment_years, REFORM.investment_mio, strict=True)
    ]
    rows += [
        (year, "benefit_cost_per_full_time_person", group, amount)
        for (year, group), amount in sorted(benefit_costs().items())
    ]
    return pd.DataFrame(rows, columns=["year", "item", "benefit_group", "amount_dkk"])
