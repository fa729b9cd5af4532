"""The true effect of the reform on time on support, from the generator's exit hazards.

The generator draws no counterfactual spells, but its spells follow known
hazards: a spell starting in month ``s`` is still on benefit in month
``s + k`` with probability ``exp(-(r_s + ... + r_{s+k-1}))`` (see
:mod:`hjeval.synthetic.spells`), with Hjørring's exit rates multiplied by the
reform's factor from 2015 (:func:`hjeval.synthetic.reform.exit_multiplier`).
Everything here is an exact expectation under those hazards, with and
without the factor, given what the generator drew before any
reform-dependent draw (who entered when, and the initial stock); nothing is
simulated, so the data files are unchanged.

- Durations: for each realised spell starting in a window, the expected
  months on benefit (to 2019-12, the generator's own measure, and restricted
  to a horizon), averaged over the window's spells.
- Persons off support: the expected person-months on benefit in each month,
  following every round of spells (a person who leaves returns with
  ``return_prob`` after a geometric gap, at most ``MAX_SPELL_ROUNDS``
  spells), from the realised first entries; the difference without and
  with the reform, a year's months summed and divided by 12, is the number
  of full-time persons fewer on support that year because of the reform.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hjeval.synthetic.cycle import LocalEconomy
from hjeval.synthetic.panel import GroupRows, exit_rates
from hjeval.synthetic.params import DURATION, FIRST_YEAR, GROUPS, MAX_SPELL_ROUNDS, MONTHS, GroupParams

__all__ = ["RESTRICTED_HORIZON_MONTHS", "expected_months", "expected_person_months", "support_truth"]

RESTRICTED_HORIZON_MONTHS = 36
"""Horizon of the restricted mean in the truth: every "after" spell (starting by 2016-12) is followed that long."""


def _cumulative(rate: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(rate)])


def expected_months(starts: np.ndarray, rate: np.ndarray, horizon: int | None = None) -> np.ndarray:
    """Expected months on benefit of spells starting in ``starts``, counted to 2019-12 or to ``horizon`` months.

    ``E[min(D, m)] = sum over k < m of P(D > k)``, ``P(D > k) = exp(-(C[s + k] - C[s]))``
    with ``C`` the cumulated monthly hazard and ``m`` the months left in the
    panel (or ``horizon``, when it is shorter).

    Examples
    --------
    >>> rate = np.full(MONTHS, 0.1)
    >>> m = expected_months(np.array([0]), rate, horizon=2)
    >>> bool(np.isclose(m[0], 1 + np.exp(-0.1)))
    True
    """
    cumulative = _cumulative(rate)
    starts = np.asarray(starts, dtype=np.int64)
    k = np.arange(MONTHS)
    left = MONTHS - starts
    limit = left if horizon is None else np.minimum(left, horizon)
    index = np.minimum(starts[:, None] + k[None, :], MONTHS)
    survive = np.exp(-(cumulative[index] - cumulative[starts][:, None]))
    return np.where(k[None, :] < limit[:, None], survive, 0.0).sum(axis=1)


def expected_person_months(first_starts: np.ndarray, rate: np.ndarray, group: GroupParams) -> np.ndarray:
    """Expected persons on benefit in each month, given the months the persons' first spells start.

    Parameters
    ----------
    first_starts : numpy.ndarray
        Persons whose first spell starts in each month (length ``MONTHS``;
        the initial stock counted in month 0, where its hazard starts).
    rate : numpy.ndarray
        The monthly exit hazard.
    group : GroupParams
        ``return_prob`` and ``gap_months`` of the returns.

    Returns
    -------
    numpy.ndarray
        Expected person-months on benefit per month.

    Examples
    --------
    >>> from hjeval.synthetic.params import GROUPS
    >>> starts = np.zeros(MONTHS)
    >>> starts[0] = 100.0
    >>> stock = expected_person_months(starts, np.full(MONTHS, 0.05), GROUPS[0])
    >>> float(stock[0]), round(float(stock[1]), 3)
    (100.0, 95.123)
    """
    cumulative = _cumulative(rate)
    month = np.arange(MONTHS)
    later = month[None, :] >= month[:, None]
    on = np.where(later, np.exp(-(cumulative[None, :MONTHS] - cumulative[:MONTHS, None])), 0.0)
    on_next = np.where(later, np.exp(-(cumulative[None, 1:] - cumulative[:MONTHS, None])), 0.0)
    last_month = on - on_next
    q = 1.0 / group.gap_months
    gap = month[None, :] - month[:, None] - 1
    ret = np.where((gap >= 1) & (month[:, None] < MONTHS - 1),
                   group.return_prob * q * (1.0 - q) ** np.maximum(gap - 1, 0), 0.0)
    starts = np.asarray(first_starts, dtype=np.float64)
    total = np.zeros(MONTHS)
    for _ in range(MAX_SPELL_ROUNDS):
        total += starts @ on
        starts = (starts @ last_month) @ ret
    return total


def _window_durations(rows: GroupRows, with_reform: np.ndarray, without: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {}
    effects = {}
    for name, (lo, hi) in (("before", DURATION.before), ("after", DURATION.after)):
        starts = rows.spells.start[(rows.spells.start >= lo) & (rows.spells.start <= hi)]
        entry: dict[str, Any] = {"spells": int(starts.size)}
        for label, horizon in (("", None), ("restricted_", RESTRICTED_HORIZON_MONTHS)):
            treated = DURATION.weeks_per_month * float(expected_months(starts, with_reform, horizon).mean())
            untreated = DURATION.weeks_per_month * float(expected_months(starts, without, horizon).mean())
            entry[f"{label}expected_weeks"] = treated
            entry[f"{label}expected_weeks_without_reform"] = untreated
            entry[f"{label}effect_weeks"] = treated - untreated
        effects[name] = entry["restricted_effect_weeks"]
        out[name] = entry
    out["restricted_did_estimand_weeks"] = effects["after"] - effects["before"]
    return out


def support_truth(econ: LocalEconomy, groups: list[GroupRows]) -> dict[str, Any]:
    """The true effects on durations and on persons on support of the treated municipality, by group.

    Returns
    -------
    dict
        ``durations`` (by group and window) and ``persons_off_support`` (by
        group and year, with the expected person-months with and without the
        reform), ready for ``truth.json``.
    """
    durations: dict[str, Any] = {}
    off: dict[str, dict[str, float]] = {}
    with_months: dict[str, dict[str, float]] = {}
    without_months: dict[str, dict[str, float]] = {}
    years = [str(FIRST_YEAR + y) for y in range(MONTHS // 12)]
    total = np.zeros(MONTHS // 12)
    for group, rows in zip(GROUPS, groups, strict=True):
        treated_rate = exit_rates(group, econ, treated=True)
        untreated_rate = exit_rates(group, econ, treated=False)
        durations[group.name] = _window_durations(rows, treated_rate, untreated_rate)
        first = np.bincount(np.maximum(rows.spells.entry_month, 0), minlength=MONTHS).astype(np.float64)
        yearly_with = expected_person_months(first, treated_rate, group).reshape(-1, 12).sum(axis=1)
        yearly_without = expected_person_months(first, untreated_rate, group).reshape(-1, 12).sum(axis=1)
        fewer = (yearly_without - yearly_with) / 12.0
        total += fewer
        off[group.name] = dict(zip(years, fewer.tolist(), strict=True))
        with_months[group.name] = dict(zip(years, yearly_with.tolist(), strict=True))
        without_months[group.name] = dict(zip(years, yearly_without.tolist(), strict=True))
    return {
        "durations": {
            "definition": (
                "mean over Hjørring's realised spells starting in the window (before: 2010-02..2014-12, after: "
                "2015-01..2016-12) of the expected months on benefit under the generator's exit hazards with "
                "the reform's factor (expected_weeks) and without it (expected_weeks_without_reform), x 52/12; "
                "counted to 2019-12 as the measure above, and restricted to "
                f"{RESTRICTED_HORIZON_MONTHS} months (restricted_*, the restricted mean of "
                "hjeval.duration); effect = with - without. Spells of the before window that run into 2015 are "
                "shortened too, so a difference in differences of restricted means estimates "
                "restricted_did_estimand_weeks = after effect - before effect (with parallel trends)"
            ),
            "horizon_months": RESTRICTED_HORIZON_MONTHS,
            "horizon_weeks": RESTRICTED_HORIZON_MONTHS * DURATION.weeks_per_month,
            **durations,
        },
        "persons_off_support": {
            "definition": (
                "full-time persons fewer on benefit in Hjørring that year because of the reform: expected "
                "person-months on benefit without minus with the reform's exit factor, summed over the year's "
                "months and divided by 12; exact expectations under the generator's hazards and returns "
                f"(return_prob, geometric gaps, at most {MAX_SPELL_ROUNDS} spells a person), given the realised "
                "months of the persons' first spells (which the reform does not change)"
            ),
            "by_group": off,
            "total": dict(zip(years, total.tolist(), strict=True)),
            "expected_person_months_with_reform": with_months,
            "expected_person_months_without_reform": without_months,
        },
    }
