"""The spells an analysis of time on support uses, as counts by municipality, window and duration.

Spells are classified by the month they start: the *before* window (by
default from the data's first month to the month before the start) and the
*after* window (by default from the start to the data's last month). Spells
already running when the data begin are left out: their first month, and so
their duration, is unknown (delayed entry would need it), so they are
excluded and counted, never treated as spells starting in the data's first
month. Everything the estimators need is then a few arrays of counts: per
municipality, window and survival time in months, the spells ending and the
spells censored, and the distinct persons at risk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hjeval.data.municipalities import comparison_pool
from hjeval.design.panel import as_list, resolve_labels
from hjeval.duration.spells import SpellArrays, build_spells, month_label, month_ordinal
from hjeval.errors import DataError

__all__ = ["ROLES", "WINDOWS", "DurationSample", "Window", "build_sample"]

Window = tuple[object, object] | None
"""Spell start months ``(first, last)``, inclusive; None for the default."""

WINDOWS = ("before", "after")
ROLES = ("treated", "comparison")
_NAMED_POOLS = ("north_jutland", "rural", "all")


@dataclass(frozen=True)
class DurationSample:
    """Counts of the spells used, by municipality (``G``), window (2) and survival time (``D + 1``).

    Attributes
    ----------
    events, censored : numpy.ndarray, shape (G, 2, D + 1)
        Spells ending, and right-censored spells leaving the risk set, at each
        survival time in months (see :attr:`SpellArrays.survival_time`).
    persons_at_risk : numpy.ndarray, shape (G, 2, D + 1)
        Distinct persons with a spell at risk at each duration.
    role_persons_at_risk : numpy.ndarray, shape (2, 2, D + 1)
        The same for the treated and the comparison municipalities together.
    persons : numpy.ndarray, shape (G,)
        Distinct persons with a spell used, per municipality.
    group_labels : tuple
        The municipalities analysed (treated and comparison pool).
    treated, comparison : numpy.ndarray
        Their codes on the group axis.
    comparison_name : str
    windows : ((int, int), (int, int))
        First and last start month of the before and after windows (ordinals).
    start, data_start, data_end : int
    spells_built, spells_used, rows : int
    exclusions : tuple of dict
        ``{"reason", "spells"}`` for every spell left out.
    gap_months : int
    group_column : str
    """

    events: np.ndarray
    censored: np.ndarray
    persons_at_risk: np.ndarray
    role_persons_at_risk: np.ndarray
    persons: np.ndarray
    group_labels: tuple[object, ...]
    treated: np.ndarray
    comparison: np.ndarray
    comparison_name: str
    windows: tuple[tuple[int, int], tuple[int, int]]
    start: int
    data_start: int
    data_end: int
    spells_built: int
    spells_used: int
    rows: int
    exclusions: tuple[dict[str, object], ...]
    gap_months: int
    group_column: str

    @property
    def n_groups(self) -> int:
        """Municipalities analysed."""
        return len(self.group_labels)

    def role_mask(self, role: str) -> np.ndarray:
        """Boolean mask over the group axis of the treated or the comparison municipalities."""
        mask = np.zeros(self.n_groups, dtype=bool)
        mask[self.treated if role == "treated" else self.comparison] = True
        return mask

    def treated_label(self) -> object:
        """The treated label, or a list of labels when several."""
        labels = [self.group_labels[g] for g in self.treated]
        return labels[0] if len(labels) == 1 else labels

    def window_labels(self) -> dict[str, tuple[pd.Period, pd.Period]]:
        """The windows as monthly Periods."""
        return {name: (month_label(lo), month_label(hi)) for name, (lo, hi) in zip(WINDOWS, self.windows, strict=True)}

    def provenance(self) -> dict[str, object]:
        """What a result records about the sample."""
        windows = {name: [str(lo), str(hi)] for name, (lo, hi) in self.window_labels().items()}
        return {
            "rows_input": self.rows, "spells_built": self.spells_built, "spells_used": self.spells_used,
            "exclusions": [], "spell_exclusions": [dict(e) for e in self.exclusions], "municipalities": self.n_groups,
            "windows": windows, "data_months": [str(month_label(self.data_start)), str(month_label(self.data_end))],
            "gap_months": self.gap_months,
            "left_truncation": "spells running when the data begin are excluded (their start is unknown)",
        }


def _window(value: Window, default: tuple[int, int], name: str) -> tuple[int, int]:
    if value is None:
        return default
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise DataError(f"{name} must be a (first month, last month) pair of spell start months, not {value!r}")
    lo, hi = month_ordinal(value[0], f"{name}[0]"), month_ordinal(value[1], f"{name}[1]")
    if hi < lo:
        raise DataError(f"{name}={tuple(value)!r} ends before it begins")
    return lo, hi


def _pool(comparison: str | Sequence[object] | None, treated: list[object], distinct: np.ndarray,
          column: str) -> tuple[list[object] | None, str]:
    if comparison is None:
        return None, "all other groups"
    if isinstance(comparison, str):
        if comparison not in _NAMED_POOLS:
            raise DataError(f"comparison={comparison!r} is not a named pool; use one of {list(_NAMED_POOLS)}, "
                            "a list of municipalities, or None for all other municipalities")
        codes = comparison_pool(comparison, [int(t) for t in treated if isinstance(t, int | np.integer)])  # type: ignore[arg-type]
        return [c for c in codes if c in set(distinct.tolist())], comparison
    given = as_list(comparison)
    if not given:
        raise DataError("comparison=[] names no comparison municipality; give at least one, or None for all others")
    labels = resolve_labels(given, distinct, argument="comparison", column=column)
    both = [c for c in labels if c in treated]
    if both:
        raise DataError(f"comparison={given!r} contains the treated municipality {both}; remove it from the list")
    return labels, "list: " + ", ".join(str(c) for c in labels)


def _persons_at_risk(cell: np.ndarray, person: np.ndarray, time: np.ndarray, n_cells: int, width: int) -> np.ndarray:
    """Distinct persons per cell whose longest survival time there is at least ``d``, for each ``d``."""
    if not len(cell):
        return np.zeros((n_cells, width))
    key = cell.astype(np.int64) * (int(person.max()) + 1) + person
    unique, inverse = np.unique(key, return_inverse=True)
    longest = np.zeros(len(unique), dtype=np.int64)
    np.maximum.at(longest, inverse, time)
    cells = unique // (int(person.max()) + 1)
    counts = np.bincount(cells * width + longest, minlength=n_cells * width).reshape(n_cells, width)
    return np.flip(np.cumsum(np.flip(counts, axis=1), axis=1), axis=1).astype(np.float64)


def build_sample(
    data: pd.DataFrame,
    *,
    unit: str,
    group: str,
    time: str,
    treated: object,
    start: object,
    benefit: str | None,
    gap_months: int,
    before: Window,
    after: Window,
    comparison: str | Sequence[object] | None,
    observed: tuple[object, object] | None,
    one_treated: bool,
) -> DurationSample:
    """Build spells, classify them into windows and count them.

    Raises
    ------
    DataError
        Bad columns (see :func:`hjeval.duration.benefit_spells`), a start
        outside the data, windows that overlap the start or leave the data,
        an unknown treated or comparison municipality, or a window without
        spells in the treated or comparison municipalities.
    """
    spells = build_spells(data, unit=unit, group=group, time=time, benefit=benefit, gap_months=gap_months,
                          observed=observed)
    first_month, last_month = month_label(spells.data_start), month_label(spells.data_end)
    start_code = month_ordinal(start, "start")
    if not spells.data_start < start_code <= spells.data_end:
        raise DataError(f"start={start!r} leaves no months before or after it: the data run from {first_month} "
                        f"to {last_month}")
    windows = (
        _window(before, (spells.data_start, start_code - 1), "before"),
        _window(after, (start_code, spells.data_end), "after"),
    )
    if windows[0][1] >= start_code or windows[1][0] < start_code:
        raise DataError(f"the before window must end before start={start!r} and the after window begin at it or "
                        f"later, not before={windows[0]!r}, after={windows[1]!r} (as month ordinals)")
    for name, (lo, hi) in zip(WINDOWS, windows, strict=True):
        if lo < spells.data_start or hi > spells.data_end:
            raise DataError(f"the {name} window {month_label(lo)}..{month_label(hi)} reaches outside the data "
                            f"({first_month}..{last_month})")
    distinct = np.array(spells.group_labels, dtype=object)
    treated_labels = resolve_labels(as_list(treated), distinct, argument="treated", column=group)
    if len(set(treated_labels)) != len(treated_labels):
        raise DataError(f"treated={as_list(treated)!r} names a municipality twice")
    if one_treated and len(treated_labels) != 1:
        raise DataError(f"treated={as_list(treated)!r}: duration_did re-assigns the treatment to one municipality "
                        "at a time; give one treated municipality")
    pool, pool_name = _pool(comparison, treated_labels, distinct, group)
    chosen = [label for label in spells.group_labels
              if label in treated_labels or (label not in treated_labels and (pool is None or label in pool))]
    if len(chosen) == len(treated_labels):
        raise DataError("there is no comparison municipality in the data")
    code_of = {label: i for i, label in enumerate(chosen)}
    recode = np.array([code_of.get(label, -1) for label in spells.group_labels], dtype=np.int64)
    return _count(spells, recode, tuple(chosen), [code_of[t] for t in treated_labels], pool_name, windows,
                  start_code, group)


def _count(spells: SpellArrays, recode: np.ndarray, labels: tuple[object, ...], treated: list[int],
           pool_name: str, windows: tuple[tuple[int, int], tuple[int, int]], start: int,
           group: str) -> DurationSample:
    g_all = recode[spells.group]
    in_pool = g_all >= 0
    window = np.full(spells.n_spells, -1, dtype=np.int64)
    for w, (lo, hi) in enumerate(windows):
        window[(spells.first >= lo) & (spells.first <= hi)] = w
    truncated = in_pool & spells.left_truncated
    outside = in_pool & ~spells.left_truncated & (window < 0)
    used = in_pool & ~spells.left_truncated & (window >= 0)
    exclusions = []
    for reason, mask in (
        (f"municipality not in the comparison pool ({pool_name})", ~in_pool),
        ("left-truncated: already running when the data begin (start unknown)", truncated),
        ("starting outside the before and after windows", outside),
    ):
        if mask.any():
            exclusions.append({"reason": reason, "spells": int(mask.sum())})
    g, w = g_all[used], window[used]
    t, censored = spells.survival_time[used], spells.right_censored[used]
    person = spells.person[used]
    n_groups = len(labels)
    width = int(t.max()) + 1 if len(t) else 1
    cell = g * 2 + w
    flat = cell * width + t
    size = n_groups * 2 * width
    events = np.bincount(flat[~censored], minlength=size).reshape(n_groups, 2, width).astype(np.float64)
    cens = np.bincount(flat[censored], minlength=size).reshape(n_groups, 2, width).astype(np.float64)
    is_treated = np.zeros(n_groups, dtype=bool)
    is_treated[treated] = True
    role = np.where(is_treated[g], 0, 1)
    sample = DurationSample(
        events=events, censored=cens,
        persons_at_risk=_persons_at_risk(cell, person, t, n_groups * 2, width).reshape(n_groups, 2, width),
        role_persons_at_risk=_persons_at_risk(role * 2 + w, person, t, 4, width).reshape(2, 2, width),
        persons=_persons_at_risk(g, person, t, n_groups, width)[:, 0],
        group_labels=labels, treated=np.array(sorted(treated), dtype=np.int64),
        comparison=np.flatnonzero(~is_treated), comparison_name=pool_name, windows=windows, start=start,
        data_start=spells.data_start, data_end=spells.data_end, spells_built=spells.n_spells,
        spells_used=int(used.sum()), rows=spells.n_rows, exclusions=tuple(exclusions),
        gap_months=spells.gap_months, group_column=group,
    )
    for role_name, r in zip(ROLES, (0, 1), strict=True):
        for name, k in zip(WINDOWS, (0, 1), strict=True):
            if sample.role_persons_at_risk[r, k, 0] == 0:
                lo, hi = sample.window_labels()[name]
                raise DataError(f"no spells of the {role_name} municipalities start in the {name} window "
                                f"({lo}..{hi}) (left-truncated spells excluded): widen the window")
    return sample
