"""The result of an event study: effects by period relative to the start."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hjeval.inference.record import InferenceRecord
from hjeval.results.base import Result

__all__ = ["EventStudyResult"]


@dataclass(frozen=True)
class EventStudyResult(Result):
    """Effects by relative period, their average after the start, and a pre-trend test.

    The attributes of :class:`hjeval.results.base.Result` describe the average
    of the effects from the start on; and:

    Attributes
    ----------
    table : pandas.DataFrame
        One row per relative period: ``rel_time, estimate, se, ci_low, ci_high,
        p_value``; the reference period has estimate 0 and NaN uncertainty.
        Relative time is the calendar distance to the start in bins of
        ``bin_width`` periods, whatever periods the data lacks.
    pretrend : dict
        Joint test that all pre-period effects are zero: ``statistic``, ``df``,
        ``pvalue`` and ``method``.
    reference : int
        The omitted relative period.
    bin_width : int
        Periods per relative-time bin.
    pooled_ends : tuple of bool
        Whether the first and last bins pool periods beyond the window.
    period_records : tuple of InferenceRecord
        The inference record of each estimated relative period, in table
        order (the reference left out).
    placebo_errors : pandas.DataFrame
        Draws of each period's estimation error (placebo inference): one row
        per re-assignment, one column per estimated relative period, the
        period's effect removed and size-corrected like its test.
    """

    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    reference: int = -1
    bin_width: int = 1
    pretrend: dict[str, Any] = field(default_factory=dict)
    pooled_ends: tuple[bool, bool] = (False, False)
    period_records: tuple[InferenceRecord, ...] = field(default=(), repr=False)
    placebo_errors: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per relative period: ``rel_time, estimate, se, ci_low, ci_high, p_value``."""
        return self.table.copy()

    def title(self) -> str:
        return f"Event study of {self.outcome} (treated {self.treated}, start {self.start})"

    def summary(self) -> str:
        """A plain-text summary: the effects table, the average and the pre-trend test."""
        title = self.title()
        unit = f" x {self.bin_width} periods" if self.bin_width > 1 else ""
        lines = [title, "-" * len(title), f"relative time in bins{unit}; reference {self.reference}", ""]
        lines.append(self.table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        lines += [
            "",
            f"Average effect after the start: {self.estimate:.4g} (se {self.se:.4g}), "
            f"{self.conf_level:.0%} CI [{self.ci[0]:.4g}, {self.ci[1]:.4g}], p = {self.pvalue:.4g}",
            f"Pre-trend test ({self.pretrend.get('method', '')}): statistic "
            f"{self.pretrend.get('statistic', np.nan):.4g}, p = {self.pretrend.get('pvalue', np.nan):.4g}",
            f"Inference: {self.inference}; observations {self.n_obs:,}",
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.table.columns)
        body = "".join(
            "<tr>" + "".join(
                f"<td style='text-align:right'>{'' if pd.isna(v) else f'{v:.4g}'}</td>" for v in row
            ) + "</tr>"
            for row in self.table.itertuples(index=False)
        )
        caption = html.escape(
            f"Event study of {self.outcome}: average after start {self.estimate:.4g} "
            f"[{self.ci[0]:.4g}, {self.ci[1]:.4g}]; pre-trend p = {self.pretrend.get('pvalue', np.nan):.3g}; "
            f"{self.inference}"
        )
        return f"<table class='hjeval-result'><caption>{caption}</caption><tr>{head}</tr>{body}</table>"

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the effects with their confidence band (see :func:`hjeval.plots.event_study_plot`)."""
        from hjeval.plots import event_study_plot

        return event_study_plot(self, ax=ax, **kwargs)
