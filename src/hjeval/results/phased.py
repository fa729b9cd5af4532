"""Results by phase of a reform and of a continuous treatment intensity (dose)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hjeval.inference.record import InferenceRecord
from hjeval.results.base import Result

__all__ = ["DoseResult", "PhasedResult"]


@dataclass(frozen=True)
class PhasedResult(Result):
    """One effect per phase of a reform, and the last phase against the first.

    The attributes of :class:`hjeval.results.base.Result` describe the
    average effect over the phases (weighted by the treated group's rows or
    weight in each phase); and:

    Attributes
    ----------
    table : pandas.DataFrame
        One row per phase: ``term`` (the phase's name), ``estimate, se,
        statistic, p_value, ci_low, ci_high``.
    phases : dict of str to str
        Phase name -> its first period.
    difference : dict
        Last phase minus the first: ``estimate``, ``se``, ``ci`` (low, high)
        and ``pvalue``, inferred like the phases.
    phase_records, difference_record : InferenceRecord
        How each phase's and the difference's uncertainty was obtained.
    placebo_errors : pandas.DataFrame
        One row per re-assignment, one column per phase: the phase's
        estimation error, size-corrected like its test (placebo inference).
    """

    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    phases: dict[str, str] = field(default_factory=dict)
    difference: dict[str, Any] = field(default_factory=dict)
    phase_records: tuple[InferenceRecord, ...] = field(default=(), repr=False)
    difference_record: InferenceRecord | None = field(default=None, repr=False)
    placebo_errors: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per phase.

        Returns
        -------
        pandas.DataFrame
            ``term, estimate, se, statistic, p_value, ci_low, ci_high,
            conf_level, inference, n_obs``.
        """
        return self.table.assign(conf_level=self.conf_level, inference=str(self.inference), n_obs=self.n_obs)

    def title(self) -> str:
        return f"Effects on {self.outcome} by phase (treated {self.treated}, start {self.start})"

    def _difference_line(self) -> str:
        d = self.difference
        names = list(self.phases)
        return (f"{names[-1]} minus {names[0]}: {d['estimate']:.4g}, {self.conf_level:.0%} CI "
                f"[{d['ci'][0]:.4g}, {d['ci'][1]:.4g}], p = {d['pvalue']:.4g}")

    def summary(self) -> str:
        """A plain-text summary: the phases, the difference and the average."""
        title = self.title()
        starts = ", ".join(f"{k} from {v}" for k, v in self.phases.items())
        lines = [title, "-" * len(title), f"phases: {starts}", ""]
        lines.append(self.table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        lines += [
            "",
            self._difference_line(),
            f"Average over the phases: {self.estimate:.4g} (se {self.se:.4g}), {self.conf_level:.0%} CI "
            f"[{self.ci[0]:.4g}, {self.ci[1]:.4g}], p = {self.pvalue:.4g}",
            f"Inference: {self.inference}; observations {self.n_obs:,}",
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        shown = self.table
        head = "".join(f"<th>{html.escape(c)}</th>" for c in shown.columns)
        body = "".join(
            "<tr>" + "".join(
                f"<td style='text-align:right'>{html.escape(v) if isinstance(v, str) else f'{v:.4g}'}</td>"
                for v in row
            ) + "</tr>"
            for row in shown.itertuples(index=False)
        )
        caption = html.escape(f"{self.title()}; {self._difference_line()}; {self.inference}")
        return f"<table class='hjeval-result'><caption>{caption}</caption><tr>{head}</tr>{body}</table>"

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw each phase's effect with its interval (see :func:`hjeval.plots.dose.phase_plot`)."""
        from hjeval.plots.dose import phase_plot

        return phase_plot(self, ax=ax, **kwargs)


@dataclass(frozen=True)
class DoseResult(Result):
    """The change in the outcome per unit of a continuous, time-varying treatment intensity.

    The attributes of :class:`hjeval.results.base.Result` describe the slope
    (``estimate``: outcome change per one-unit increase of the dose); and:

    Attributes
    ----------
    dose : str
        The dose column.
    identification : dict
        Where the slope is identified from: ``treated_share`` (share of the
        dose's variation left after the fixed effects and other regressors
        that lies in the treated group(s)), ``share_by_group`` (a Series over
        all groups), ``treated_dose_before`` and ``treated_dose_after`` (the
        treated group's mean dose before and from the start),
        ``dose_change`` (after minus before) and ``implied_effect`` (slope x
        that change: the average effect the slope implies), and a ``note``
        in words.
    path : pandas.DataFrame
        Per period: ``period, dose`` (the treated group's mean dose),
        ``dose_change`` (against its level before the start), ``effect``
        (slope x dose change) and ``effect_low, effect_high`` (the slope's
        interval x dose change).
    other_terms : pandas.DataFrame
        Estimates of the other regressors (cycle, covariates), tidy.
    placebo : pandas.Series
        Placebo slopes by the group whose dose path was swapped with the
        treated group's, size-corrected as the test compares them.
    placebo_errors : pandas.Series
        The same re-assignments with the estimated slope removed.
    """

    dose: str = ""
    identification: dict[str, Any] = field(default_factory=dict)
    path: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    other_terms: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    placebo: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)
    placebo_errors: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One tidy row for the dose (``term`` = the dose column), then the other regressors.

        Returns
        -------
        pandas.DataFrame
            ``term, estimate, se, statistic, p_value, ci_low, ci_high,
            conf_level, inference, n_obs``.
        """
        head = self.headline_frame(self.dose)
        table = pd.concat([head, self.other_terms], ignore_index=True) if len(self.other_terms) else head
        return table.assign(conf_level=self.conf_level, inference=str(self.inference), n_obs=self.n_obs)

    def title(self) -> str:
        return f"Dose response of {self.outcome} per unit of {self.dose}"

    def _rows(self) -> list[tuple[str, str]]:
        ident = self.identification
        rows = super()._rows()
        share = ident.get("treated_share", np.nan)
        rows.insert(-1, ("Identified from", f"{share:.1%} of the dose variation in the treated group"))
        rows.insert(-1, ("Treated dose", f"{ident.get('treated_dose_before', np.nan):.4g} before, "
                                         f"{ident.get('treated_dose_after', np.nan):.4g} after"))
        rows.insert(-1, ("Implied effect", f"{ident.get('implied_effect', np.nan):.4g}"))
        return rows

    def _details(self) -> str:
        note = str(self.identification.get("note", ""))
        if not len(self.other_terms):
            return note
        return note + "\n\n" + self.other_terms.to_string(index=False, float_format=lambda v: f"{v:.4g}")

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the implied effect path against the treated group's dose (see :func:`hjeval.plots.dose.dose_plot`)."""
        from hjeval.plots.dose import dose_plot

        return dose_plot(self, ax=ax, **kwargs)
