"""The result of a power calculation: minimum detectable effect, power curve and the pretend evaluation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hjeval.results.base import Result

__all__ = ["PowerResult"]


@dataclass(frozen=True)
class PowerResult(Result):
    """Power of a planned evaluation with size-corrected placebo inference.

    The attributes of :class:`hjeval.results.base.Result` describe the
    pretend evaluation on the pre-period (its estimate should be near 0), and:

    Attributes
    ----------
    mde : float
        Minimum detectable (positive) effect at ``target_power``; inf when the
        test can never reject.
    target_power : float
    curve : pandas.DataFrame
        ``effect, power``.
    sigma : float
        Spread of the estimator's error under no effect (root mean square of
        the size-corrected pretend estimates).
    slopes : numpy.ndarray
        How much of an effect leaks into each placebo estimate.
    null_estimates : pandas.Series
        The pretend estimates under no effect, the planning municipality's
        first, size-corrected, by who was treated.
    horizon, pre_periods : int
        Periods after and before the start of the planned evaluation.
    planned_start : object
    notes : tuple of str
    """

    mde: float = math.nan
    target_power: float = 0.8
    curve: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    sigma: float = math.nan
    slopes: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    null_estimates: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)
    horizon: int = 0
    pre_periods: int = 0
    planned_start: object = None
    notes: tuple[str, ...] = ()

    def power_at(self, effect: float | Result) -> float:
        """Power of the planned evaluation at a true effect (a number or a result's estimate).

        Examples
        --------
        >>> import numpy as np
        >>> from hjeval.inference.record import InferenceRecord
        >>> record = InferenceRecord("placebo", 0.0, 1.0, (-2.0, 2.0), 1.0, 0.05, draws=39)
        >>> res = PowerResult(0.0, 1.0, (-2.0, 2.0), 1.0, 10, 0.05, record, "power", "y", 0, 2015, "all",
        ...                   sigma=1.0, slopes=np.zeros(39))
        >>> round(res.power_at(0.0), 6)
        0.05
        """
        from hjeval.estimators.power import rejection_probability

        value = effect.estimate if isinstance(effect, Result) else float(effect)
        return rejection_probability(value, self.sigma, self.slopes, self.alpha)

    def to_frame(self) -> pd.DataFrame:
        """The power curve with the settings.

        Returns
        -------
        pandas.DataFrame
            ``effect, power, alpha, mde, target_power``.
        """
        return self.curve.assign(alpha=self.alpha, mde=self.mde, target_power=self.target_power)

    def title(self) -> str:
        """A one-line title for text and HTML."""
        return f"Power of a planned evaluation of {self.outcome} in {self.treated}"

    def _rows(self) -> list[tuple[str, str]]:
        rows = [
            ("Outcome", self.outcome),
            ("Planning unit", str(self.treated)),
            ("Planned start", str(self.planned_start)),
            ("Design", f"{self.pre_periods} periods before, {self.horizon} after; pretend start {self.start}"),
            ("Comparison", f"{self.comparison} ({len(self.slopes)} groups)"),
            (f"MDE ({self.target_power:.0%} power)", f"{self.mde:.4g}"),
            ("Error spread (sigma)", f"{self.sigma:.4g}"),
            ("Pretend estimate", f"{self.estimate:.4g} (p = {self.pvalue:.3g})"),
            ("Inference", str(self.inference)),
            ("Observations", f"{self.n_obs:,}"),
        ]
        rows += [("Note", note) for note in self.notes]
        return rows

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """The power curve with the target power and the MDE marked.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        **kwargs
            ``language`` ("en" or "da"), ``scale`` (multiply effects).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from hjeval.plots.style import PALETTE, figure_and_axes, number_formatter, styled

        language = kwargs.get("language", "en")
        scale = float(kwargs.get("scale", 1.0))
        text = {"en": ("Power of the planned evaluation", "True effect", "Power", "MDE"),
                "da": ("Styrke i den planlagte evaluering", "Sand effekt", "Styrke", "Mindste påviselige effekt")}
        if language not in text:
            raise ValueError(f"language={language!r} is not one of {list(text)}")
        title, xlabel, ylabel, mde_label = text[language]
        with styled():
            figure, axes = figure_and_axes(ax)
            axes.plot(self.curve["effect"] * scale, self.curve["power"], color=PALETTE["comparison"], linewidth=1.5)
            axes.axhline(self.target_power, color=PALETTE["light"], linewidth=0.8, linestyle="--")
            axes.axhline(self.alpha, color=PALETTE["light"], linewidth=0.8, linestyle=":")
            if math.isfinite(self.mde):
                axes.axvline(self.mde * scale, color=PALETTE["treated"], linewidth=1, label=mde_label)
                axes.legend(loc="lower right", fontsize=8)
            axes.set_ylim(0, 1.02)
            axes.set_xlabel(xlabel)
            axes.set_ylabel(ylabel)
            axes.set_title(title)
            axes.xaxis.set_major_formatter(number_formatter(1, language))
        return figure
