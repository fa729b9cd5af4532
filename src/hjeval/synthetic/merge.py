"""The treated municipality's truth when it is simulated in several person blocks.

:func:`hjeval.synthetic.support.support_truth` and
:func:`hjeval.synthetic.mechanism.mechanism_truth` describe one simulated
population. A municipality simulated in person blocks
(:mod:`hjeval.synthetic.blocks`) gets them per block, and the functions here
combine the blocks' entries into those of the whole population, so that only
one block's rows are ever in memory:

- means over spells or person-months are averaged with the blocks' numbers
  of spells or person-months as weights;
- expected person-months on support and the persons off support are sums;
- the realised dose slope (least squares without intercept of the true
  effect on the dose and the team indicator) is ``(sum_b A_b)^-1 sum_b A_b
  beta_b`` with ``A_b = X_b'X_b`` (:func:`dose_gram`), since every block's
  least-squares solution satisfies ``A_b beta_b = X_b'y_b``;
- differences (``effect_weeks``, ``team_minus_caseload``,
  ``restricted_did_estimand_weeks``) are taken again from the combined means.

Each combination equals the entry computed on all rows at once up to
floating-point rounding; with a single block it returns that block's entry
unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hjeval.synthetic.panel import GroupRows
from hjeval.synthetic.params import MONTHS
from hjeval.synthetic.reform import reduction_dose, team_indicator

__all__ = ["dose_gram", "merge_mechanism", "merge_support"]

_MEAN_KEYS = frozenset({"hours_per_month", "person_months"})


def _weighted(values: Sequence[float | None], weights: Sequence[float]) -> float | None:
    pairs = [(float(v), float(w)) for v, w in zip(values, weights, strict=True) if w > 0 and v is not None]
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if total > 0 else None


def _spell_entry(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    weights = [float(e["spells"]) for e in entries]
    out: dict[str, Any] = {"spells": int(sum(weights))}
    for key in entries[0]:
        if key != "spells":
            value = _weighted([e[key] for e in entries], weights)
            out[key] = float("nan") if value is None else value
    for prefix in ("", "restricted_"):
        out[f"{prefix}effect_weeks"] = (
            out[f"{prefix}expected_weeks"] - out[f"{prefix}expected_weeks_without_reform"]
        )
    return out


def _summed(tables: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Entry-wise sums of nested dicts of numbers."""
    first = tables[0]
    return {
        key: _summed([t[key] for t in tables]) if isinstance(first[key], Mapping)
        else float(sum(t[key] for t in tables))
        for key in first
    }


def merge_support(parts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Combine the :func:`~hjeval.synthetic.support.support_truth` of person blocks.

    Parameters
    ----------
    parts : sequence of dict
        One ``support_truth`` per block of the same municipality.

    Returns
    -------
    dict
        The same entries for all blocks together.

    Examples
    --------
    >>> def part(spells, weeks, fewer):
    ...     entry = {"spells": spells, "expected_weeks": weeks, "expected_weeks_without_reform": weeks + 10,
    ...              "effect_weeks": -10.0, "restricted_expected_weeks": weeks,
    ...              "restricted_expected_weeks_without_reform": weeks + 5, "restricted_effect_weeks": -5.0}
    ...     group = {"before": entry, "after": entry, "restricted_did_estimand_weeks": 0.0}
    ...     return {"durations": {"definition": "...", "horizon_months": 36, "horizon_weeks": 156.0, "a": group},
    ...             "persons_off_support": {"definition": "...", "by_group": {"a": {"2015": fewer}},
    ...                                     "total": {"2015": fewer},
    ...                                     "expected_person_months_with_reform": {"a": {"2015": 1.0}},
    ...                                     "expected_person_months_without_reform": {"a": {"2015": 2.0}}}}
    >>> merged = merge_support([part(1, 100.0, 3.0), part(3, 60.0, 4.0)])
    >>> merged["durations"]["a"]["after"]["expected_weeks"], merged["persons_off_support"]["total"]
    (70.0, {'2015': 7.0})
    """
    if len(parts) == 1:
        return dict(parts[0])
    first = parts[0]
    durations: dict[str, Any] = {}
    for key, value in first["durations"].items():
        if not isinstance(value, Mapping):
            durations[key] = value
            continue
        merged = {window: _spell_entry([p["durations"][key][window] for p in parts]) for window in ("before", "after")}
        merged["restricted_did_estimand_weeks"] = (
            merged["after"]["restricted_effect_weeks"] - merged["before"]["restricted_effect_weeks"]
        )
        durations[key] = merged
    off = first["persons_off_support"]
    persons_off = {
        key: _summed([p["persons_off_support"][key] for p in parts]) if isinstance(value, Mapping) else value
        for key, value in off.items()
    }
    return {"durations": durations, "persons_off_support": persons_off}


def dose_gram(rows: GroupRows) -> np.ndarray:
    """``X'X`` of the dose-slope regression over a block's rows of one group (2 x 2).

    ``X`` has one row per person-month: the dose ``75 - caseload`` and the team
    indicator of its month (:func:`hjeval.synthetic.mechanism.mechanism_truth`).

    Examples
    --------
    >>> import numpy as np
    >>> from hjeval.synthetic.params import month_index
    >>> class Rows:
    ...     month = np.array([month_index(2016, 1)] * 2)
    >>> dose_gram(Rows()).tolist()  # two months with dose 40 and the team
    [[3200.0, 80.0], [80.0, 2.0]]
    """
    x = np.column_stack([reduction_dose(), team_indicator()])
    counts = np.bincount(rows.month, minlength=MONTHS).astype(np.float64)
    return x.T @ (counts[:, None] * x)


def _merge_means(tables: Sequence[Any]) -> Any:
    first = tables[0]
    if isinstance(first, Mapping) and set(first) == _MEAN_KEYS:
        weights = [float(t["person_months"]) for t in tables]
        return {
            "hours_per_month": _weighted([t["hours_per_month"] for t in tables], weights),
            "person_months": int(sum(weights)),
        }
    if isinstance(first, Mapping):
        return {key: _merge_means([t[key] for t in tables]) for key in first}
    return first


def _merge_slope(entries: Sequence[Mapping[str, Any]], grams: Sequence[np.ndarray]) -> dict[str, Any]:
    gram = np.zeros((2, 2))
    moment = np.zeros(2)
    for entry, block in zip(entries, grams, strict=True):
        if not block.any():
            continue  # a block without rows of the group
        beta = np.array([-entry["realised_hours_per_month_per_case"], entry["realised_team_hours_per_month"]])
        gram += block
        moment += block @ beta
    coef = np.linalg.lstsq(gram, moment, rcond=None)[0] if gram.any() else np.full(2, np.nan)
    return {
        **entries[0],
        "realised_hours_per_month_per_case": -float(coef[0]),
        "realised_team_hours_per_month": float(coef[1]),
    }


def merge_mechanism(
    parts: Sequence[Mapping[str, Any]], grams: Sequence[Mapping[str, np.ndarray]]
) -> dict[str, Any]:
    """Combine the :func:`~hjeval.synthetic.mechanism.mechanism_truth` of person blocks.

    Parameters
    ----------
    parts : sequence of dict
        One ``mechanism_truth`` per block of the same municipality.
    grams : sequence of dict of str to numpy.ndarray
        Per block and benefit group, :func:`dose_gram` of the block's rows.

    Returns
    -------
    dict
        The same entries for all blocks together.

    Examples
    --------
    >>> import numpy as np
    >>> def part(slope, mean, months):
    ...     return {"dose_slope": {"definition": "...", "a": {"structural_hours_per_month_per_case": -0.1,
    ...             "realised_hours_per_month_per_case": slope, "realised_team_hours_per_month": 1.0}},
    ...             "phase_effects": {"definition": "...", "a": {"caseload": {"hours_per_month": mean,
    ...             "person_months": months}, "team": {"hours_per_month": mean + 1, "person_months": months},
    ...             "team_minus_caseload": 1.0}}, "subgroup_effects": {"definition": "..."}}
    >>> grams = [{"a": np.eye(2)}, {"a": 3 * np.eye(2)}]
    >>> merged = merge_mechanism([part(-0.1, 2.0, 10), part(-0.2, 4.0, 30)], grams)
    >>> round(merged["dose_slope"]["a"]["realised_hours_per_month_per_case"], 3)
    -0.175
    >>> merged["phase_effects"]["a"]["caseload"], merged["phase_effects"]["a"]["team_minus_caseload"]
    ({'hours_per_month': 3.5, 'person_months': 40}, 1.0)
    """
    if len(parts) == 1:
        return dict(parts[0])
    first = parts[0]
    slopes = {
        key: value if not isinstance(value, Mapping)
        else _merge_slope([p["dose_slope"][key] for p in parts], [g[key] for g in grams])
        for key, value in first["dose_slope"].items()
    }
    phases: dict[str, Any] = {}
    for key, value in first["phase_effects"].items():
        if key in ("phases", "windows") or not isinstance(value, Mapping):
            phases[key] = value
            continue
        merged = {name: _merge_means([p["phase_effects"][key][name] for p in parts]) for name in ("caseload", "team")}
        early, late = merged["caseload"]["hours_per_month"], merged["team"]["hours_per_month"]
        phases[key] = {**merged, "team_minus_caseload": None if early is None or late is None else late - early}
    subgroups = _merge_means([p["subgroup_effects"] for p in parts])
    return {"dose_slope": slopes, "phase_effects": phases, "subgroup_effects": subgroups}
