"""Simulated panels shared by the estimator tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def person_panel(seed: int = 5, persons: int = 2000, groups: int = 20, months: int = 36) -> pd.DataFrame:
    """Unbalanced person-month panel, persons nested in municipalities, effect 2 in group 0."""
    rng = np.random.default_rng(seed)
    group_of = rng.integers(0, groups, persons)
    first = rng.integers(0, months, persons)
    length = rng.integers(1, months + 1, persons).clip(max=months - first)
    pid = np.repeat(np.arange(persons), length)
    month = np.repeat(first, length) + np.arange(len(pid)) - np.repeat(np.cumsum(length) - length, length)
    muni = group_of[pid]
    cycle = rng.normal(size=(groups, months)).cumsum(axis=1)
    frame = pd.DataFrame({
        "pid": pid, "muni": muni,
        "month": pd.period_range("2013-01", periods=months, freq="M")[month],
        "unemployment": cycle[muni, month],
        "w": rng.uniform(0.5, 2.0, len(pid)),
    })
    treated = (muni == 0) & (month >= months // 2)
    frame["y"] = (rng.normal(size=len(pid)) - 0.3 * frame["unemployment"] + 2.0 * treated
                  + (pid % 7) + 0.1 * month)
    return frame
