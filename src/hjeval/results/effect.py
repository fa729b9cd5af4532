"""The result of an effect estimate: numbers, a tidy table, text and HTML.

Results are frozen: estimation returns a new object and nothing changes it
afterwards. Only the presentation methods round numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hjeval.results.base import Result

__all__ = ["EffectResult"]


@dataclass(frozen=True)
class EffectResult(Result):
    """An estimated treatment effect with its uncertainty and provenance.

    The attributes of :class:`hjeval.results.base.Result`, and:

    Attributes
    ----------
    other_terms : pandas.DataFrame
        Estimates of the other regressors (tidy, as :meth:`to_frame`).
    placebo : pandas.Series
        Placebo estimates by re-assigned group, as the test compares them:
        rescaled to the treated group's size where the size correction
        applies (empty without placebo inference).
    placebo_errors : pandas.Series
        Draws of the estimator's error from the same re-assignments: each
        placebo estimate with the estimated effect removed, size-corrected
        like the test; ``estimate - placebo_errors`` is the permutation
        distribution of the effect (empty without placebo inference).
    decomposition : dict
        Raw before/after change in the treated group split into parts.
    """

    other_terms: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    placebo: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)
    placebo_errors: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)
    decomposition: dict[str, float] = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per term: the effect first, then other regressors.

        Returns
        -------
        pandas.DataFrame
            Columns ``term, estimate, se, statistic, p_value, ci_low,
            ci_high, conf_level, inference, n_obs``.
        """
        head = self.headline_frame()
        table = pd.concat([head, self.other_terms], ignore_index=True) if len(self.other_terms) else head
        return table.assign(conf_level=self.conf_level, inference=str(self.inference), n_obs=self.n_obs)

    def _details(self) -> str:
        if not len(self.other_terms):
            return ""
        return self.other_terms.to_string(index=False, float_format=lambda v: f"{v:.4g}")

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the placebo distribution with this estimate (see :mod:`hjeval.plots`).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from hjeval.plots import placebo_distribution

        return placebo_distribution(self, ax=ax, **kwargs)
