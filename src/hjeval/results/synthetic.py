"""The result of a synthetic control or synthetic difference-in-differences estimate.

Besides the numbers every result has, it holds the unit weights that build
the synthetic comparison, the time weights of synthetic DiD, the predictor
weights of a predictor-based synthetic control, the gap between the treated
unit and its synthetic counterpart period by period, and the fit before the
start.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from hjeval.results.base import Result

__all__ = ["SyntheticResult"]

_TOP = 10
"""Weights listed in summaries and HTML."""

_SHOWN = 1e-10
"""Weights at or below this are left out of summaries (zero but for rounding)."""

_SOLVERS = {"exact": "exact least squares on the simplex", "synthdid": "synthdid's regularised Frank-Wolfe",
            "predictors": "nested fit to predictors (Abadie et al.)"}

_TEXT = {
    "en": {"treated": "{name}", "synthetic": "Synthetic {name}", "start": "start", "period": "Period",
           "title_sc": "Synthetic control", "title_sdid": "Synthetic difference-in-differences"},
    "da": {"treated": "{name}", "synthetic": "Syntetisk {name}", "start": "start", "period": "Periode",
           "title_sc": "Syntetisk kontrolgruppe", "title_sdid": "Syntetisk forskel-i-forskelle"},
}


def _empty(name: str) -> pd.Series:
    return pd.Series(dtype=float, name=name)


@dataclass(frozen=True)
class SyntheticResult(Result):
    """A synthetic control (``method="synthetic_control"``) or synthetic DiD (``"synthetic_did"``) estimate.

    The attributes of :class:`hjeval.results.base.Result`, and:

    Attributes
    ----------
    weights : pandas.Series
        Unit weights of the comparison units (index: unit labels), non-negative
        and summing to 1.
    time_weights : pandas.Series
        Synthetic DiD's weights of the periods before the start (index: period
        labels), non-negative and summing to 1; empty for synthetic control.
    predictor_weights : pandas.Series
        The weights ``V`` of the predictors (index: predictor labels such as
        ``"beer 1984-1988"``), summing to 1, when the control was fitted to
        predictors; else empty.
    gap : pandas.Series
        Treated minus synthetic, by period. For synthetic DiD the synthetic
        path includes the level shift the time weights fix, so the gap's
        time-weighted mean before the start is 0; for both, ``estimate`` is
        the mean of the gap after the start.
    treated_path, synthetic_path : pandas.Series
        The treated unit's outcome (the mean over treated units) and its
        synthetic counterpart, by period.
    pre_rmspe : float
        Root mean squared gap before the start (over the periods the weights
        were fitted to, for synthetic control).
    post_pre_rmspe_ratio : float
        Root mean squared gap after the start divided by ``pre_rmspe``.
    placebo : pandas.Series
        Placebo estimates by re-assigned unit, as the test compares them
        (empty without placebo inference).
    placebo_errors : pandas.Series
        The placebo estimates with the effect removed (draws of the
        estimator's error), size-corrected like the test.
    solver : str
        How the unit weights were found: ``"exact"``, ``"synthdid"`` or
        ``"predictors"`` (synthetic control), ``"synthdid"`` (synthetic DiD).
    """

    weights: pd.Series = field(default_factory=lambda: _empty("weight"), repr=False)
    time_weights: pd.Series = field(default_factory=lambda: _empty("time_weight"), repr=False)
    predictor_weights: pd.Series = field(default_factory=lambda: _empty("predictor_weight"), repr=False)
    gap: pd.Series = field(default_factory=lambda: _empty("gap"), repr=False)
    treated_path: pd.Series = field(default_factory=lambda: _empty("treated"), repr=False)
    synthetic_path: pd.Series = field(default_factory=lambda: _empty("synthetic"), repr=False)
    pre_rmspe: float = math.nan
    post_pre_rmspe_ratio: float = math.nan
    placebo: pd.Series = field(default_factory=lambda: _empty("placebo_estimate"), repr=False)
    placebo_errors: pd.Series = field(default_factory=lambda: _empty("placebo_error"), repr=False)
    solver: str = ""

    def title(self) -> str:
        """A one-line title for text and HTML."""
        name = "Synthetic DiD" if self.method == "synthetic_did" else "Synthetic control"
        return f"{name} estimate of the effect on {self.outcome}"

    def top_weights(self, n: int = _TOP) -> pd.Series:
        """The ``n`` largest unit weights, largest first (weights below 1e-10 left out)."""
        positive = self.weights[self.weights > _SHOWN]
        return positive.sort_values(ascending=False, kind="stable").head(n)

    def _rows(self) -> list[tuple[str, str]]:
        rows = super()._rows()
        extra = [("Pre-period RMSPE", f"{self.pre_rmspe:.4g}"),
                 ("Post/pre RMSPE ratio", f"{self.post_pre_rmspe_ratio:.4g}"),
                 ("Comparison units weighted", f"{int((self.weights > _SHOWN).sum())} of {len(self.weights)}")]
        if self.solver:
            extra.append(("Weights fitted by", _SOLVERS.get(self.solver, self.solver)))
        return rows[:-1] + extra + rows[-1:]

    def _tables(self) -> list[tuple[str, pd.Series]]:
        tables = [("Unit weights (largest)", self.top_weights())]
        if len(self.time_weights):
            positive = self.time_weights[self.time_weights > _SHOWN]
            tables.append(("Time weights", positive.sort_values(ascending=False, kind="stable").head(_TOP)))
        if len(self.predictor_weights):
            tables.append(("Predictor weights", self.predictor_weights))
        return tables

    def _details(self) -> str:
        blocks = []
        for caption, series in self._tables():
            width = max([len(str(k)) for k in series.index] + [len(caption)])
            lines = [caption] + [f"  {k!s:<{width}}  {v:.4f}" for k, v in series.items()]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def _repr_html_(self) -> str:
        parts = [super()._repr_html_()]
        for caption, series in self._tables():
            cells = "".join(
                f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                f"<td style='text-align:right'>{v:.4f}</td></tr>" for k, v in series.items()
            )
            parts.append(f"<table class='hjeval-weights'><caption>{html.escape(caption)}</caption>{cells}</table>")
        return "".join(parts)

    def plot(self, ax: Any = None, *, language: Literal["da", "en"] = "en", **kwargs: Any) -> Any:
        """The treated unit's outcome against its synthetic counterpart, the start marked.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw here; default a new A4-wide figure (made without pyplot).
        language : {"en", "da"}, default "en"
            Labels and number format (Danish: decimal comma).
        **kwargs
            Passed to the treated line (``Axes.plot``).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from hjeval.plots.style import PALETTE, figure_and_axes, number_formatter, styled

        if language not in _TEXT:
            from hjeval.errors import DataError

            raise DataError(f"language={language!r} is not one of {sorted(_TEXT)}")
        text = _TEXT[language]
        name = ", ".join(str(t) for t in self.treated) if isinstance(self.treated, list) else str(self.treated)
        x = _positions(self.treated_path.index)
        with styled():
            figure, axes = figure_and_axes(ax)
            axes.plot(x, self.treated_path.to_numpy(), color=PALETTE["treated"], linewidth=1.8,
                      label=text["treated"].format(name=name), **kwargs)
            axes.plot(x, self.synthetic_path.to_numpy(), color=PALETTE["comparison"], linewidth=1.6,
                      linestyle="--", label=text["synthetic"].format(name=name))
            start = _start_position(self.start)
            if len(self.time_weights) and self.time_weights.max() > 0:
                # the periods the time weights use, shaded by weight
                shade = self.time_weights / self.time_weights.max()
                for middle, weight in zip(x[: len(shade)], shade.to_numpy(), strict=True):
                    if weight > _SHOWN:
                        axes.axvspan(middle - 0.5 * _width(x), middle + 0.5 * _width(x), color=PALETTE["light"],
                                     alpha=0.5 * float(weight), linewidth=0)
            axes.axvline(start, color=PALETTE["neutral"], linewidth=0.9, linestyle=":")
            axes.annotate(text["start"], (start, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -10),
                          textcoords="offset points", fontsize=8, color=PALETTE["neutral"])
            axes.yaxis.set_major_formatter(number_formatter(1 if np.ptp(self.treated_path) < 10 else 0, language))
            axes.set_xlabel(text["period"])
            axes.set_ylabel(self.outcome)
            axes.set_title(text["title_sdid" if self.method == "synthetic_did" else "title_sc"])
            axes.legend(loc="best")
        return figure


def _positions(index: pd.Index) -> np.ndarray:
    """Each period's midpoint in decimal years (2015.5 is the middle of 2015)."""
    periods = pd.PeriodIndex(index)
    begin = periods.start_time
    end = periods.end_time
    year = np.asarray(begin.year, dtype=float)
    start_fraction = (np.asarray(begin.day_of_year, dtype=float) - 1) / 365.25
    end_fraction = np.asarray(end.day_of_year, dtype=float) / 365.25
    end_year = np.asarray(end.year, dtype=float)
    return ((year + start_fraction) + (end_year + end_fraction)) / 2


def _width(x: np.ndarray) -> float:
    """The spacing of the periods, in years."""
    return float(np.median(np.diff(x))) if len(x) > 1 else 1.0


def _start_position(start: object) -> float:
    """The boundary between the last period before the start and the first from it, in decimal years."""
    begin = start.start_time if isinstance(start, pd.Period) else pd.Period(str(start)).start_time
    return float(begin.year + (begin.day_of_year - 1) / 365.25)
