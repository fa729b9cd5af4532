"""The result of an effect estimate: numbers, a tidy table, text and HTML.

Results are frozen: estimation returns a new object and nothing changes it
afterwards. Only the presentation methods round numbers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["EffectResult"]


@dataclass(frozen=True)
class EffectResult:
    """An estimated treatment effect with its uncertainty and provenance.

    Attributes
    ----------
    estimate : float
        The effect, in units of the outcome.
    se : float
        Standard error; for placebo inference the standard deviation of the
        placebo estimates; NaN where the method gives none.
    ci : tuple of float
        Confidence interval at level ``1 - alpha``.
    pvalue : float
        Two-sided p-value of no effect.
    n_obs : int
        Rows used.
    alpha : float
    inference : str
        How ``se``, ``ci`` and ``pvalue`` were obtained.
    method : str
        The estimator, e.g. ``"did"``.
    outcome : str
    treated : object
    start : object
    comparison : str
    other_terms : pandas.DataFrame
        Estimates of the other regressors (tidy, as :meth:`to_frame`).
    placebo : pandas.Series
        Placebo estimates by re-assigned group (empty when unused).
    decomposition : dict
        Raw before/after change in the treated group split into parts.
    provenance : dict
        Rows read, used and excluded (with reasons), seed, draws, version.
    """

    estimate: float
    se: float
    ci: tuple[float, float]
    pvalue: float
    n_obs: int
    alpha: float
    inference: str
    method: str
    outcome: str
    treated: object
    start: object
    comparison: str
    other_terms: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    placebo: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)
    decomposition: dict[str, float] = field(default_factory=dict, repr=False)
    provenance: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def conf_level(self) -> float:
        """Confidence level, ``1 - alpha``."""
        return 1.0 - self.alpha

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per term: the effect first, then other regressors.

        Returns
        -------
        pandas.DataFrame
            Columns ``term, estimate, std_error, statistic, p_value, conf_low,
            conf_high, conf_level, inference, n_obs``.
        """
        statistic = self.estimate / self.se if self.se and np.isfinite(self.se) else np.nan
        head = pd.DataFrame(
            {
                "term": ["treatment"],
                "estimate": [self.estimate],
                "std_error": [self.se],
                "statistic": [statistic],
                "p_value": [self.pvalue],
                "conf_low": [self.ci[0]],
                "conf_high": [self.ci[1]],
            }
        )
        table = pd.concat([head, self.other_terms], ignore_index=True) if len(self.other_terms) else head
        return table.assign(conf_level=self.conf_level, inference=self.inference, n_obs=self.n_obs)

    def _rows(self) -> list[tuple[str, str]]:
        level = f"{self.conf_level:.0%}"
        rows = [
            ("Outcome", self.outcome),
            ("Treated", str(self.treated)),
            ("Start", str(self.start)),
            ("Comparison", self.comparison),
            ("Estimate", f"{self.estimate:.4g}"),
            ("Std. error", f"{self.se:.4g}"),
            (f"{level} CI", f"[{self.ci[0]:.4g}, {self.ci[1]:.4g}]"),
            ("p-value", f"{self.pvalue:.4g}"),
            ("Inference", self.inference),
            ("Observations", f"{self.n_obs:,}"),
        ]
        excluded = sum(int(e["rows"]) for e in self.provenance.get("exclusions", ()))
        if excluded:
            rows.append(("Rows left out", f"{excluded:,}"))
        return rows

    def summary(self) -> str:
        """A plain-text summary of the estimate.

        Returns
        -------
        str
        """
        title = f"{self.method.upper()} estimate of the effect on {self.outcome}"
        width = max(len(k) for k, _ in self._rows())
        lines = [title, "-" * len(title)]
        lines += [f"{k:<{width}}  {v}" for k, v in self._rows()]
        if len(self.other_terms):
            lines.append("")
            lines.append(self.other_terms.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:right'>{html.escape(v)}</td></tr>"
            for k, v in self._rows()
        )
        title = html.escape(f"{self.method.upper()}: effect on {self.outcome}")
        return f"<table class='hjeval-result'><caption>{title}</caption>{cells}</table>"

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the placebo distribution with this estimate (see :mod:`hjeval.plots`).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from hjeval.plots import placebo_distribution

        return placebo_distribution(self, ax=ax, **kwargs)
