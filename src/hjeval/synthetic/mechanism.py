"""The truth behind the mechanism questions: dose slope, phase effects and subgroup effects in Hjørring.

Every number is a mean (or least-squares fit) of the per-person-month true
effect (``GroupRows.true_effect``: the expected extra hours a month caused by
the reform given the person and month, exact under the generator), over
Hjørring's rows, in hours a month (the unit of the person-month outcome).

Dose slope
    The generator's effect is ``case_weight * per_case * (75 - caseload) +
    team_weight * team_hours * team`` before the work probability is capped,
    so the structural change per one more case per caseworker is ``-case_weight
    * per_case``. The realised slope is the least-squares fit (no intercept)
    of the true effect on the dose ``75 - caseload`` and the team indicator
    over the group's person-months, sign turned to "per one more case".
Phases
    Caseload phase 2015-01..2015-09 (only the caseload cut), team phase
    2015-10..2019-12 (caseload cut and health team).
Subgroups
    2015-01..2019-12, by benefit group, and within each group by sex,
    origin and few (at most one) or many (two or more) interventions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hjeval.data.schemas import ORIGINS
from hjeval.synthetic.panel import GroupRows
from hjeval.synthetic.params import FIRST_YEAR, GROUPS, MONTHS, REFORM
from hjeval.synthetic.reform import reduction_dose, team_indicator

__all__ = ["PHASES", "mechanism_truth"]

PHASES: dict[str, tuple[int, int]] = {
    "caseload": (REFORM.start, REFORM.team_start - 1),
    "team": (REFORM.team_start, MONTHS - 1),
}
"""Phase name -> first and last month index (the arguments of ``phased_did``'s ``phases``)."""

_AFTER = (REFORM.start, MONTHS - 1)


def _mean(rows: GroupRows, mask: np.ndarray) -> dict[str, Any]:
    count = int(mask.sum())
    return {"hours_per_month": float(rows.true_effect[mask].mean()) if count else None, "person_months": count}


def _in(rows: GroupRows, window: tuple[int, int]) -> np.ndarray:
    return (rows.month >= window[0]) & (rows.month <= window[1])


def _dose_slope(name: str, rows: GroupRows) -> dict[str, Any]:
    x = np.column_stack([reduction_dose()[rows.month], team_indicator()[rows.month]])
    coef = np.linalg.lstsq(x, rows.true_effect, rcond=None)[0] if rows.month.size else np.full(2, np.nan)
    return {
        "structural_hours_per_month_per_case": -REFORM.case_weight[name] * REFORM.per_case,
        "realised_hours_per_month_per_case": -float(coef[0]),
        "realised_team_hours_per_month": float(coef[1]),
    }


def _phases(rows: GroupRows) -> dict[str, Any]:
    out: dict[str, Any] = {name: _mean(rows, _in(rows, window)) for name, window in PHASES.items()}
    first, last = out["caseload"]["hours_per_month"], out["team"]["hours_per_month"]
    out["team_minus_caseload"] = None if first is None or last is None else last - first
    return out


def _subgroups(rows: GroupRows) -> dict[str, Any]:
    after = _in(rows, _AFTER)
    return {
        "all": _mean(rows, after),
        "sex": {"F": _mean(rows, after & rows.female), "M": _mean(rows, after & ~rows.female)},
        "origin": {origin: _mean(rows, after & (rows.origin == k)) for k, origin in enumerate(ORIGINS)},
        "interventions": {"few (<= 1)": _mean(rows, after & (rows.interventions <= 1)),
                          "many (>= 2)": _mean(rows, after & (rows.interventions >= 2))},
    }


def mechanism_truth(groups: list[GroupRows]) -> dict[str, Any]:
    """The true dose slope, phase effects and subgroup effects of Hjørring's rows, by benefit group.

    Parameters
    ----------
    groups : list of GroupRows
        Hjørring's rows, one entry per group of :data:`hjeval.synthetic.params.GROUPS`.

    Returns
    -------
    dict
        ``dose_slope``, ``phase_effects`` and ``subgroup_effects`` (see the module notes).
    """
    by_name = {g.name: rows for g, rows in zip(GROUPS, groups, strict=True)}
    labels = {name: f"{FIRST_YEAR + lo // 12}-{lo % 12 + 1:02d}..{FIRST_YEAR + hi // 12}-{hi % 12 + 1:02d}"
              for name, (lo, hi) in PHASES.items()}
    return {
        "dose_slope": {
            "definition": "change in expected hours a month per one more case per caseworker: structural "
            "(-case_weight x per_case) and realised (least squares of the true effect on 75 - caseload and the "
            "team indicator over Hjørring's person-months, sign per one more case); a regression of hours on the "
            "dose alone also picks up the team, which starts while the dose is low",
            **{name: _dose_slope(name, rows) for name, rows in by_name.items()},
        },
        "phase_effects": {
            "definition": "mean true effect in hours a month over Hjørring's person-months of each phase",
            "phases": {"caseload": "2015-01", "team": "2015-10"},
            "windows": labels,
            **{name: _phases(rows) for name, rows in by_name.items()},
        },
        "subgroup_effects": {
            "definition": "mean true effect in hours a month over Hjørring's person-months 2015-01..2019-12; "
            "interventions as on the row (few: at most one, many: two or more)",
            **{name: _subgroups(rows) for name, rows in by_name.items()},
        },
    }
