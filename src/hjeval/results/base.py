"""The base every result shares: its numbers, the inference record, and how it presents itself.

Every estimator returns a frozen result with ``estimate``, ``se``, ``ci``,
``pvalue``, ``n_obs``, ``alpha`` and the :class:`InferenceRecord` it was
inferred with, a tidy ``to_frame()`` whose columns follow one vocabulary
(``estimate, se, ci_low, ci_high, p_value``), a text ``summary()``, an HTML
table for Jupyter and ``plot()`` (figures are imported only when drawn).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hjeval.inference.record import InferenceRecord

__all__ = ["TIDY_COLUMNS", "Result", "compare"]

TIDY_COLUMNS = ("term", "estimate", "se", "statistic", "p_value", "ci_low", "ci_high")
"""The columns of every result's tidy table, in order (an event study has ``rel_time`` first instead of ``term``)."""


@dataclass(frozen=True)
class Result:
    """What every result holds.

    Attributes
    ----------
    estimate : float
        The effect, in units of the outcome.
    se : float
        Standard error (see :class:`hjeval.inference.record.InferenceRecord`
        for what it is under each method); NaN where the method gives none.
    ci : tuple of float
        Confidence interval at level ``1 - alpha``.
    pvalue : float
        Two-sided p-value of no effect.
    n_obs : int
        Rows used.
    alpha : float
    inference : InferenceRecord
        How ``se``, ``ci`` and ``pvalue`` were obtained; ``str()`` of it is a
        one-line description.
    method : str
        The estimator, e.g. ``"did"``.
    outcome : str
    treated : object
    start : object
    comparison : str
    provenance : dict
        Rows read, used and excluded (with reasons), seed, draws, version.
    """

    estimate: float
    se: float
    ci: tuple[float, float]
    pvalue: float
    n_obs: int
    alpha: float
    inference: InferenceRecord
    method: str
    outcome: str
    treated: object
    start: object
    comparison: str
    provenance: dict[str, Any] = field(default_factory=dict, repr=False, kw_only=True)

    @property
    def conf_level(self) -> float:
        """Confidence level, ``1 - alpha``."""
        return 1.0 - self.alpha

    @property
    def statistic(self) -> float:
        """``estimate / se``; NaN without a positive standard error."""
        return self.estimate / self.se if self.se and np.isfinite(self.se) and self.se > 0 else np.nan

    def headline_frame(self, term: str = "treatment") -> pd.DataFrame:
        """The estimate as one tidy row."""
        return pd.DataFrame({
            "term": [term], "estimate": [self.estimate], "se": [self.se], "statistic": [self.statistic],
            "p_value": [self.pvalue], "ci_low": [self.ci[0]], "ci_high": [self.ci[1]],
        })

    def to_frame(self) -> pd.DataFrame:
        """A tidy table.

        Returns
        -------
        pandas.DataFrame
            ``term, estimate, se, statistic, p_value, ci_low, ci_high, conf_level, inference, n_obs``.
        """
        return self.headline_frame().assign(conf_level=self.conf_level, inference=str(self.inference),
                                            n_obs=self.n_obs)

    def title(self) -> str:
        """A one-line title for text and HTML."""
        return f"{self.method.upper()} estimate of the effect on {self.outcome}"

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
            ("Inference", str(self.inference)),
        ]
        model = self.inference.size_correction
        if model is not None and model.applied:
            rows.append(("Size correction",
                         f"Var = {model.intercept:.4g} + {model.slope:.4g} / M ({model.measure}; "
                         f"treated M = {model.treated_size:,.0f})"))
        rows.append(("Observations", f"{self.n_obs:,}"))
        excluded = sum(int(e["rows"]) for e in self.provenance.get("exclusions", ()))
        if excluded:
            rows.append(("Rows left out", f"{excluded:,}"))
        return rows

    def _details(self) -> str:
        """Text after the key figures in :meth:`summary` (a table of further terms)."""
        return ""

    def summary(self) -> str:
        """A plain-text summary of the estimate.

        Returns
        -------
        str
        """
        title = self.title()
        rows = self._rows()
        width = max(len(k) for k, _ in rows)
        lines = [title, "-" * len(title)]
        lines += [f"{k:<{width}}  {v}" for k, v in rows]
        details = self._details()
        return "\n".join(lines) + (f"\n\n{details}" if details else "")

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:right'>{html.escape(v)}</td></tr>"
            for k, v in self._rows()
        )
        return f"<table class='hjeval-result'><caption>{html.escape(self.title())}</caption>{cells}</table>"

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the result (see :mod:`hjeval.plots`); subclasses say which figure.

        Returns
        -------
        matplotlib.figure.Figure
        """
        raise NotImplementedError(f"{type(self).__name__} has no figure")


def compare(results: Sequence[Result] | dict[str, Result]) -> pd.DataFrame:
    """Several results side by side: one row each.

    Parameters
    ----------
    results : sequence of results, or dict of name to result
        Any hjeval results; names default to ``"(1)"``, ``"(2)"``, ...

    Returns
    -------
    pandas.DataFrame
        Indexed by name, with ``method, outcome, estimate, se, ci_low,
        ci_high, conf_level, p_value, inference, size_corrected, n_obs``. It
        renders as HTML in Jupyter, and ``.to_latex()`` (or
        ``.style.format(precision=3).to_latex()``) gives a LaTeX table.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hjeval as hj
    >>> rng = np.random.default_rng(1)
    >>> panel = pd.DataFrame([(m, y) for m in range(30) for y in range(2010, 2020)],
    ...                      columns=["municipality", "year"])
    >>> panel["hours"] = rng.normal(size=len(panel)) + 5 * ((panel.municipality == 0) & (panel.year >= 2015))
    >>> fits = {k: hj.did(panel, "hours", unit="municipality", time="year", treated=0, start=2015, inference=k)
    ...         for k in ("placebo", "conley-taber")}
    >>> table = hj.compare(fits)
    >>> table.index.tolist(), table.columns[:4].tolist()
    (['placebo', 'conley-taber'], ['method', 'outcome', 'estimate', 'se'])
    """
    named = dict(results) if isinstance(results, dict) else {f"({i + 1})": r for i, r in enumerate(results)}
    rows = [
        {"method": r.method, "outcome": r.outcome, "estimate": r.estimate, "se": r.se, "ci_low": r.ci[0],
         "ci_high": r.ci[1], "conf_level": r.conf_level, "p_value": r.pvalue, "inference": str(r.inference),
         "size_corrected": r.inference.size_corrected, "n_obs": r.n_obs}
        for r in named.values()
    ]
    return pd.DataFrame(rows, index=pd.Index(list(named), name="result"))
