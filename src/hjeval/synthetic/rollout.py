"""The staggered rollout: adopters, their cohort table and the true group-time effects.

With ``rollout="staggered"`` the municipalities of
:data:`hjeval.synthetic.params.ROLLOUT` adopt the caseload model in their own
month (Hjørring in 2015-01, others in 2015, 2017 and 2018), each with
Hjørring's paths by months since adoption (:mod:`hjeval.synthetic.reform`).
This module turns the simulated activity-ready person-months into the truth
about the group-time effects ATT(g,t) of Callaway & Sant'Anna (2021), for the
outcome *hours a year of an activity-ready person-month* (12 x hours in the
month), cohort ``g`` = calendar year of the first treated month, ``t`` = a
calendar year:

``att``
    Mean over cohort ``g``'s activity-ready person-months in year ``t`` of the
    expected extra hours caused by the reform (``hours_if_working`` x the
    change in the capped work probability), x 12: the same measure as
    Hjørring's ``true_effect_hours_per_year``; exactly 0 before adoption.
``att_municipality_mean``
    The same per municipality, then the plain mean over the cohort's
    municipalities: the effect that :func:`hjeval.staggered_did` estimates on
    municipality x year means without weights.
``att_design``
    12 x the uncapped effect path averaged over the year's months (a
    function of the parameters only).
``did_estimand``
    The exact expectation, given the realised person-months, of the
    Callaway-Sant'Anna 2 x 2 comparison on municipality x year means
    (never-treated comparison, base year ``g - 1`` after adoption and ``t - 1``
    before, no weights): the mean change of the cohort's expected hours from
    the base year minus that of the never-treated municipalities.
    ``counterfactual_gap = did_estimand - (att_municipality_mean(t) -
    att_municipality_mean(base))`` is the part due to trends without the
    reform that differ from the comparison's (Hjørring, in the 2015 cohort,
    reacts most strongly to the business cycle, which pushes that cohort's
    gap up in the boom).

Aggregations follow R did's ``aggte`` with cohorts weighted by their number of
municipalities (what the estimator uses with one unit per municipality).
Expected hours ignore only the rounding of hours to a quarter hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hjeval.data.municipalities import MUNICIPALITIES
from hjeval.synthetic.params import (
    FIRST_YEAR,
    GROUPS,
    MONTHS,
    REFORM,
    ROLLOUT,
    month_label,
)
from hjeval.synthetic.reform import caseload_path, effect_path, exit_multiplier

__all__ = ["COHORT_CONVENTION", "DEFINITION", "RolloutSums", "adoption_frame", "rollout_truth"]

YEARS = MONTHS // 12
_GROUP = "activity_ready_cash"

COHORT_CONVENTION = (
    "cohort = first treated period of a municipality, of the kind of the time column: cohort_year (int, "
    "the year of the first treated month; every adoption is in January, so it is the first fully treated "
    "year) for yearly data, cohort_month ('YYYY-MM') for monthly data; 0 (cohort_year) or empty "
    "(cohort_month) for never treated, which hj.staggered_did reads as never treated (as it does NaN). "
    "adoption.csv has one row per municipality; merge it on 'municipality'"
)

DEFINITION = (
    "outcome: 12 x hours in the month of an activity_ready_cash person-month (hours a year); cohort g = "
    "calendar year of a municipality's first treated month, t = calendar year. att: mean over cohort g's "
    "activity-ready person-months in year t of the expected extra hours caused by the reform "
    "(hours_if_working x change in the capped work probability) x 12, as Hjørring's "
    "true_effect_hours_per_year (exactly 0 before adoption); att_municipality_mean: the same per "
    "municipality, then the plain mean over the cohort's municipalities (what hj.staggered_did estimates "
    "on municipality x year means without weights); att_design: 12 x the uncapped effect path averaged "
    "over the year's months; did_estimand: the exact expectation, given the realised person-months (up to "
    "the rounding of hours to a quarter hour), of the Callaway-Sant'Anna comparison on municipality x year "
    "means with never-treated comparisons and base year g - 1 (post) or t - 1 (pre, base_period "
    "'varying'), no weights; counterfactual_gap = did_estimand - (att_municipality_mean(t) - "
    "att_municipality_mean(base_year)), the part due to trends without the reform that differ from the "
    "never treated (Hjørring, in the 2015 cohort, reacts most strongly to the business cycle, which pushes "
    "that cohort's gap up in the boom). aggregates "
    "(of att_municipality_mean) and aggregates_did_estimand follow R did's aggte over the post cells, "
    "cohorts weighted by their number of municipalities: simple, dynamic (by rel_time = t - g, overall the "
    "mean over rel_time >= 0), group (overall weighted by cohort size), calendar (overall the mean over "
    "years). Cells, cohorts and never_treated cover the municipalities with activity-ready person-months "
    "in every year (a balanced municipality x year panel, which hj.staggered_did needs); the others are "
    "listed in left_out_unbalanced"
)


def adoption_frame(adoption: Mapping[int, int]) -> pd.DataFrame:
    """One row per municipality with its cohort, ready to merge on ``municipality``.

    Parameters
    ----------
    adoption : mapping of int to int
        Municipality code -> month index of its first treated month.

    Returns
    -------
    pandas.DataFrame
        ``municipality, name, cohort_year, cohort_month``: the year (int, 0
        for never treated) and the month (``"YYYY-MM"``, empty for never
        treated) of the first treated month.

    Examples
    --------
    >>> from hjeval.synthetic.params import ROLLOUT
    >>> frame = adoption_frame(ROLLOUT.months())
    >>> frame.loc[frame["municipality"] == 860, ["cohort_year", "cohort_month"]].values.tolist()
    [[2015, '2015-01']]
    >>> int((frame["cohort_year"] == 0).sum()), len(frame)
    (78, 98)
    """
    codes = sorted(MUNICIPALITIES)
    return pd.DataFrame(
        {
            "municipality": np.asarray(codes, np.int64),
            "name": [MUNICIPALITIES[c][0] for c in codes],
            "cohort_year": np.asarray(
                [FIRST_YEAR + adoption[c] // 12 if c in adoption else 0 for c in codes], np.int64
            ),
            "cohort_month": [month_label(adoption[c]) if c in adoption else "" for c in codes],
        }
    )


@dataclass
class RolloutSums:
    """Activity-ready person-month sums by municipality and calendar year.

    Examples
    --------
    >>> sums = RolloutSums()
    >>> sums.count == {}
    True
    """

    count: dict[int, np.ndarray] = field(default_factory=dict)
    effect: dict[int, np.ndarray] = field(default_factory=dict)
    expected: dict[int, np.ndarray] = field(default_factory=dict)

    def add(
        self, code: int, month: np.ndarray, true_effect: np.ndarray, expected_hours: np.ndarray
    ) -> None:
        """Add a municipality's activity-ready rows (month index, true effect, expected hours)."""
        year = month // 12
        self.count[code] = np.bincount(year, minlength=YEARS).astype(np.float64)
        self.effect[code] = np.bincount(year, true_effect, YEARS)
        self.expected[code] = np.bincount(year, expected_hours, YEARS)

    def yearly(self, values: dict[int, np.ndarray], codes: list[int]) -> np.ndarray:
        """Per municipality (rows) and year: 12 x the person-month mean (NaN without rows)."""
        count = np.stack([self.count[c] for c in codes])
        total = np.stack([values[c] for c in codes])
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, 12.0 * total / count, np.nan)


@dataclass(frozen=True)
class _Cohorts:
    """Cohort years, their members and the never-treated municipalities."""

    members: dict[int, list[int]]
    never: list[int]

    @classmethod
    def of(cls, adoption: Mapping[int, int], codes: list[int]) -> _Cohorts:
        members: dict[int, list[int]] = {}
        for code in sorted(adoption):
            members.setdefault(FIRST_YEAR + adoption[code] // 12, []).append(code)
        ordered = {g: members[g] for g in sorted(members)}
        return cls(ordered, [c for c in codes if c not in adoption])


def _design(adoption: Mapping[int, int], codes: list[int]) -> np.ndarray:
    """12 x the uncapped effect path, mean over each year's months, mean over ``codes``."""
    paths = np.stack([effect_path(_GROUP, adoption[c]) for c in codes])
    return 12.0 * paths.reshape(len(codes), YEARS, 12).mean(axis=2).mean(axis=0)


def _cells(sums: RolloutSums, adoption: Mapping[int, int], cohorts: _Cohorts) -> list[dict[str, Any]]:
    """ATT(g,t) records for every cohort and every year after the first."""
    never_expected = sums.yearly(sums.expected, cohorts.never)
    records = []
    for g, codes in cohorts.members.items():
        count = np.stack([sums.count[c] for c in codes])
        effect = np.stack([sums.effect[c] for c in codes])
        per_municipality = sums.yearly(sums.effect, codes)
        expected = sums.yearly(sums.expected, codes)
        design = _design(adoption, codes)
        for y in range(1, YEARS):
            t = FIRST_YEAR + y
            b = g - 1 - FIRST_YEAR if t >= g else y - 1
            change = np.nanmean(expected[:, y] - expected[:, b])
            control = np.nanmean(never_expected[:, y] - never_expected[:, b])
            att_mm = float(np.nanmean(per_municipality[:, y]))
            att_mm_base = float(np.nanmean(per_municipality[:, b]))
            did = float(change - control)
            n = float(count[:, y].sum())
            records.append(
                {
                    "group": g,
                    "time": t,
                    "rel_time": t - g,
                    "base_year": FIRST_YEAR + b,
                    "post": t >= g,
                    "att": 12.0 * float(effect[:, y].sum()) / n if n else None,
                    "att_municipality_mean": att_mm,
                    "att_design": float(design[y]),
                    "did_estimand": did,
                    "counterfactual_gap": did - (att_mm - att_mm_base),
                    "person_months": int(n),
                    "municipalities": len(codes),
                }
            )
    return records


def _aggregates(cells: list[dict[str, Any]], key: str, sizes: Mapping[int, int]) -> dict[str, Any]:
    """R did's aggte of the post cells' ``key``, cohorts weighted by ``sizes``."""
    post = [c for c in cells if c["post"]]

    def mean(selected: list[dict[str, Any]]) -> float:
        weights = np.array([sizes[c["group"]] for c in selected], float)
        return float(np.dot(weights, [c[key] for c in selected]) / weights.sum())

    events = sorted({c["rel_time"] for c in post})
    dynamic = {str(e): mean([c for c in post if c["rel_time"] == e]) for e in events}
    groups = {str(g): mean([c for c in post if c["group"] == g]) for g in sorted(sizes)}
    periods = sorted({c["time"] for c in post})
    calendar = {str(t): mean([c for c in post if c["time"] == t]) for t in periods}
    group_weights = np.array([sizes[g] for g in sorted(sizes)], float)
    return {
        "simple": mean(post),
        "dynamic": dynamic,
        "dynamic_overall": float(np.mean(list(dynamic.values()))),
        "group": groups,
        "group_overall": float(np.dot(group_weights, list(groups.values())) / group_weights.sum()),
        "calendar": calendar,
        "calendar_overall": float(np.mean(list(calendar.values()))),
    }


def _adopters(sums: RolloutSums, adoption: Mapping[int, int]) -> dict[str, Any]:
    years = [str(FIRST_YEAR + y) for y in range(YEARS)]
    out: dict[str, Any] = {}
    for code in sorted(adoption):
        effect = sums.yearly(sums.effect, [code])[0]
        out[str(code)] = {
            "name": MUNICIPALITIES[code][0],
            "first_treated_month": month_label(adoption[code]),
            "cohort_year": FIRST_YEAR + adoption[code] // 12,
            "activity_ready_effect_hours_per_year": dict(zip(years, effect.tolist(), strict=True)),
            "activity_ready_person_months": dict(
                zip(years, sums.count[code].astype(int).tolist(), strict=True)
            ),
        }
    return out


def _paths_since_adoption() -> dict[str, Any]:
    """Hjørring's paths from 2015-01 on: index k = months since adoption."""
    since = slice(REFORM.start, MONTHS)
    return {
        "caseload_cash_benefit": caseload_path()[since].tolist(),
        "effect_hours_per_month": {g.name: effect_path(g.name)[since].tolist() for g in GROUPS},
        "exit_rate_factor": {g.name: exit_multiplier(g.name)[since].tolist() for g in GROUPS},
    }


def rollout_truth(sums: RolloutSums, adoption: Mapping[int, int]) -> dict[str, Any]:
    """The ``staggered_rollout`` entry of ``truth.json``.

    Parameters
    ----------
    sums : RolloutSums
        Activity-ready sums of every municipality.
    adoption : mapping of int to int
        Municipality code -> month index of its first treated month.

    Returns
    -------
    dict
        ``adopters``, ``cohorts``, ``never_treated``, ``left_out_unbalanced``
        (municipalities without activity-ready rows in some year, left out
        of the cells as the estimator leaves them out), ``att_gt`` (one record
        per cohort and year), ``aggregates`` (of ``att_municipality_mean``),
        ``aggregates_did_estimand``, ``paths_by_months_since_adoption``,
        ``cohort_convention``, ``definition`` and ``parameters``.

    Examples
    --------
    >>> import numpy as np
    >>> month = np.arange(120)
    >>> sums = RolloutSums()
    >>> for code in MUNICIPALITIES:
    ...     treated = code == 860
    ...     effect = np.where(treated & (month >= 60), 2.0, 0.0)
    ...     sums.add(code, month, effect, 5.0 + effect)
    >>> truth = rollout_truth(sums, {860: 60})
    >>> cell = [c for c in truth["att_gt"] if c["time"] == 2016][0]
    >>> cell["att"], cell["did_estimand"], cell["base_year"], cell["counterfactual_gap"]
    (24.0, 24.0, 2014, 0.0)
    >>> truth["aggregates"]["simple"]
    24.0
    """
    codes = [c for c in sorted(sums.count) if bool((sums.count[c] > 0).all())]
    cohorts = _Cohorts.of({c: m for c, m in adoption.items() if c in codes}, codes)
    cells = _cells(sums, adoption, cohorts)
    sizes = {g: len(m) for g, m in cohorts.members.items()}
    return {
        "definition": DEFINITION,
        "cohort_convention": COHORT_CONVENTION,
        "outcome": f"12 x hours in the month of a {_GROUP} person-month (hours a year)",
        "adopters": _adopters(sums, adoption),
        "cohorts": {str(g): m for g, m in cohorts.members.items()},
        "never_treated": cohorts.never,
        "left_out_unbalanced": [c for c in sorted(sums.count) if c not in codes],
        "att_gt": cells,
        "aggregates": _aggregates(cells, "att_municipality_mean", sizes),
        "aggregates_did_estimand": _aggregates(cells, "did_estimand", sizes),
        "paths_by_months_since_adoption": _paths_since_adoption(),
        "comparisons_elsewhere": "with this rollout, the comparison figures elsewhere in truth.json "
        "(all_other_municipalities, other_north_jutland, durations of other_municipalities, the naive "
        "DiD) cover the never-treated municipalities only",
        "parameters": asdict(ROLLOUT),
    }
