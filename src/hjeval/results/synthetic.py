"""The result of a synthetic control or synthetic difference-in-differences estimate.

Besides the numbers every result has, it holds the unit weights that build
the synthetic comparison, the time weights of synthetic DiD, the predictor
weights of a predictor-based synthetic control, the gap between the treated
unit and its synthetic counterpart period by period, and the fit before the
start. It also offers the robustness checks of a synthetic estimate, each
a re-fit of the estimator: a placebo start earlier in time, leaving out
each weighted comparison unit, and every comparison unit treated in turn
(Abadie, Diamond and Hainmueller's ratio test).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from hjeval.errors import DataError
from hjeval.results.base import Result

__all__ = ["InSpacePlacebos", "Refit", "SyntheticRefits", "SyntheticResult"]

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
class Refit:
    """One re-fit of a synthetic estimate.

    Attributes
    ----------
    estimate : float
        The re-fitted effect (mean gap from ``start`` on, net of the time-weighted level for synthetic DiD).
    weights : pandas.Series
        Unit weights of the donors of the re-fit (index: unit labels).
    gap : pandas.Series
        Treated minus synthetic by period (index: the periods of the re-fitted panel).
    start : int
        Position in ``gap`` of the (possibly placebo) first treated period.
    """

    estimate: float
    weights: pd.Series
    gap: pd.Series
    start: int

    @property
    def pre_rmspe(self) -> float:
        """Root mean squared gap before ``start``."""
        return rmspe(self.gap.to_numpy()[: self.start])

    @property
    def post_rmspe(self) -> float:
        """Root mean squared gap from ``start`` on."""
        return rmspe(self.gap.to_numpy()[self.start:])

    @property
    def ratio(self) -> float:
        """``post_rmspe / pre_rmspe`` (infinite after a perfect fit before the start)."""
        return rmspe_ratio(self.post_rmspe, self.pre_rmspe)

    def top_donor(self) -> tuple[object, float]:
        """The donor with the largest weight, and that weight."""
        label = self.weights.idxmax()
        return label, float(self.weights[label])


def rmspe(gap: np.ndarray) -> float:
    """Root mean squared value of a gap."""
    return float(np.sqrt(np.mean(np.square(gap))))


def rmspe_ratio(post: float, pre: float) -> float:
    """``post / pre``; infinite when ``pre`` is 0."""
    return post / pre if pre > 0 else math.inf


class SyntheticRefits(Protocol):
    """What a synthetic result keeps to re-fit its estimator: unit x period means, the fitter and the actual fit.

    Implemented by the estimators; never holds person rows.
    """

    def without(self, donors: Sequence[object]) -> list[Refit]:
        """One re-fit per donor label, with that donor left out of the donor pool."""
        ...

    def earlier(self, periods: object) -> Refit:
        """The re-fit on the periods before the start, the start moved ``periods`` earlier.

        Raises DataError for a ``periods`` that is not a positive whole number
        or leaves too few periods before the placebo start.
        """
        ...

    def each_donor(self) -> list[Refit]:
        """One re-fit per comparison unit (in the order of the result's weights), treated alone.

        The other comparison units are the donors; the truly treated are left out.
        """
        ...


@dataclass(frozen=True)
class InSpacePlacebos:
    """Every comparison unit treated in turn, and the treated unit's rank by post/pre RMSPE ratio.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per unit, the treated unit (or the treated units' mean)
        first, then the comparison units in the order of the weights:
        ``unit``, ``treated`` (bool), ``estimate``, ``pre_rmspe``,
        ``post_rmspe``, ``post_pre_rmspe_ratio``, ``pre_rmspe_relative``
        (``pre_rmspe`` over the treated unit's, for dropping placebos that fit
        poorly before the start) and ``rank`` (by ratio, 1 the largest; a tie
        takes the lowest place).
    rank : int
        The treated unit's rank by ratio among all units.
    pvalue : float
        ``rank / units``: the share of units whose ratio is at least the
        treated unit's (Abadie, Diamond and Hainmueller 2010).
    units : int
        Units ranked (the comparison units and the treated).
    """

    table: pd.DataFrame
    rank: int
    pvalue: float
    units: int

    def to_frame(self) -> pd.DataFrame:
        """A copy of ``table``."""
        return self.table.copy()


def _periods_list(periods: object) -> list[object]:
    """``periods`` as a list: one value or a sequence (or array) of them."""
    if isinstance(periods, np.ndarray):
        periods = periods.tolist()
    if isinstance(periods, str | bytes) or not isinstance(periods, Sequence):
        return [periods]
    if not len(periods):
        raise DataError("periods=[] is empty; give a positive whole number such as periods=2, or a list of them")
    return list(periods)


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

    The robustness checks :meth:`placebo_in_time`, :meth:`leave_one_out`
    and :meth:`in_space_placebos` re-fit the estimator on the unit x period
    means the result keeps privately (never person rows).
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
    _refits: SyntheticRefits | None = field(default=None, repr=False, compare=False)

    def title(self) -> str:
        """A one-line title for text and HTML."""
        name = "Synthetic DiD" if self.method == "synthetic_did" else "Synthetic control"
        return f"{name} estimate of the effect on {self.outcome}"

    def top_weights(self, n: int = _TOP) -> pd.Series:
        """The ``n`` largest unit weights, largest first (weights below 1e-10 left out)."""
        positive = self.weights[self.weights > _SHOWN]
        return positive.sort_values(ascending=False, kind="stable").head(n)

    def _refitter(self, check: str) -> SyntheticRefits:
        if self._refits is None:
            raise DataError(f"{check}() re-fits the estimator, but this result keeps no panel to re-fit; "
                            "use a result returned by hj.synthetic_control or hj.synthetic_did")
        return self._refits

    def placebo_in_time(self, periods: int | Sequence[int]) -> pd.DataFrame:
        """Placebo in time: the estimator re-fitted with the start moved ``periods`` earlier.

        Only the periods before the real start are used, so the real effect
        cannot enter: the placebo "effect" is the mean gap over the last
        ``periods`` periods before the real start, with the weights fitted to
        the periods before them. It should be near 0.

        Parameters
        ----------
        periods : int or sequence of int
            How many periods earlier the placebo start lies (one row each).
            At least 2 periods must remain before the placebo start.

        Returns
        -------
        pandas.DataFrame
            One row per value of ``periods``: ``periods``, ``placebo_start``
            (the period), ``estimate`` (the placebo effect), ``pre_rmspe``
            (root mean squared gap before the placebo start),
            ``post_pre_rmspe_ratio``, ``top_donor`` and ``top_weight`` (the
            donor with the largest weight in the re-fit).

        Raises
        ------
        DataError
            ``periods`` not a positive whole number, or leaving fewer than 2
            periods before the placebo start; a synthetic control whose
            ``fit_window`` or predictors reach the placebo start.

        Notes
        -----
        Abadie, Diamond and Hainmueller (2015, AJPS 59(2)), section 4. The
        re-fit equals the estimator called on the data before the real start
        with ``start`` moved ``periods`` earlier (a ``fit_window`` is cut at
        the placebo start). The exact solver starts from the actual weights.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import hjeval as hj
        >>> rng = np.random.default_rng(3)
        >>> panel = pd.DataFrame([(m, y) for m in range(20) for y in range(2000, 2012)], columns=["m", "year"])
        >>> panel["y"] = rng.normal(size=20)[panel.m] * (panel.year - 2000) + rng.normal(scale=0.3, size=len(panel))
        >>> panel.loc[(panel.m == 0) & (panel.year >= 2008), "y"] += 4.0
        >>> res = hj.synthetic_control(panel, "y", unit="m", time="year", treated=0, start=2008)
        >>> table = res.placebo_in_time(periods=[2, 3])
        >>> table.columns.tolist()
        ['periods', 'placebo_start', 'estimate', 'pre_rmspe', 'post_pre_rmspe_ratio', 'top_donor', 'top_weight']
        >>> table.placebo_start.astype(str).tolist(), bool((table.estimate.abs() < 1).all())
        (['2006', '2005'], True)
        """
        refits = self._refitter("placebo_in_time")
        rows = []
        for k in _periods_list(periods):
            refit = refits.earlier(k)
            donor, weight = refit.top_donor()
            rows.append({"periods": len(refit.gap) - refit.start, "placebo_start": refit.gap.index[refit.start],
                         "estimate": refit.estimate, "pre_rmspe": refit.pre_rmspe,
                         "post_pre_rmspe_ratio": refit.ratio, "top_donor": donor, "top_weight": weight})
        return pd.DataFrame(rows, columns=["periods", "placebo_start", "estimate", "pre_rmspe",
                                           "post_pre_rmspe_ratio", "top_donor", "top_weight"])

    def leave_one_out(self) -> pd.DataFrame:
        """Leave-one-out: the estimator re-fitted with each weighted comparison unit left out of the donors.

        Every comparison unit with a positive weight (above 1e-10) is left
        out in turn and the weights re-fitted on the rest; an estimate that
        moves much when one donor goes shows the effect rests on that donor.

        Returns
        -------
        pandas.DataFrame
            One row per weighted donor, largest weight first: ``unit`` (the
            donor left out), ``weight`` (its weight in the actual fit),
            ``estimate`` (the re-fitted effect), ``change`` (``estimate``
            minus the actual estimate), ``pre_rmspe``, ``top_donor`` and
            ``top_weight`` (the largest weight of the re-fit).

        Notes
        -----
        Abadie, Diamond and Hainmueller (2015, AJPS 59(2)), section 4. Each
        row equals the estimator called on the data without that donor. The
        exact solver starts from the actual weights (the left-out donor's
        share spread over the rest); it finds the same minimiser as from
        scratch whenever the fit before the start is not perfect (then the
        minimiser is unique).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import hjeval as hj
        >>> rng = np.random.default_rng(3)
        >>> panel = pd.DataFrame([(m, y) for m in range(20) for y in range(2000, 2012)], columns=["m", "year"])
        >>> panel["y"] = rng.normal(size=20)[panel.m] * (panel.year - 2000) + rng.normal(scale=0.3, size=len(panel))
        >>> panel.loc[(panel.m == 0) & (panel.year >= 2008), "y"] += 4.0
        >>> res = hj.synthetic_control(panel, "y", unit="m", time="year", treated=0, start=2008)
        >>> table = res.leave_one_out()
        >>> table.columns.tolist()
        ['unit', 'weight', 'estimate', 'change', 'pre_rmspe', 'top_donor', 'top_weight']
        >>> len(table) == int((res.weights > 1e-10).sum()), bool(table.unit.isin(res.weights.index).all())
        (True, True)
        """
        weighted = self.top_weights(len(self.weights))
        refits = self._refitter("leave_one_out").without(list(weighted.index))
        rows = []
        for label, weight, refit in zip(weighted.index, weighted.to_numpy(), refits, strict=True):
            donor, top = refit.top_donor()
            rows.append({"unit": label, "weight": float(weight), "estimate": refit.estimate,
                         "change": refit.estimate - self.estimate, "pre_rmspe": refit.pre_rmspe,
                         "top_donor": donor, "top_weight": top})
        return pd.DataFrame(rows, columns=["unit", "weight", "estimate", "change", "pre_rmspe", "top_donor",
                                           "top_weight"])

    def in_space_placebos(self) -> InSpacePlacebos:
        """In-space placebos: every comparison unit treated in turn, and Abadie et al.'s ratio test.

        Each comparison unit is given the treatment alone, with the other
        comparison units as donors (the truly treated are left out), as
        placebo inference does; with placebo inference and one treated unit
        its re-fits are reused. Units are ranked by the ratio of their
        root mean squared gap after the start to before it.

        Returns
        -------
        InSpacePlacebos
            ``table`` (also ``to_frame()``): ``unit``, ``treated``,
            ``estimate``, ``pre_rmspe``, ``post_rmspe``,
            ``post_pre_rmspe_ratio``, ``pre_rmspe_relative``, ``rank``; and
            the treated unit's ``rank``, ``pvalue`` (``rank / units``) and
            ``units``.

        Notes
        -----
        Abadie, Diamond and Hainmueller (2010, JASA 105(490)), section 3.
        The estimates are the re-fits as they are, not rescaled for unit size
        (``placebo`` holds the size-corrected ones the placebo test uses).
        The treated row repeats the result's ``estimate``, ``pre_rmspe`` and
        ``post_pre_rmspe_ratio``.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import hjeval as hj
        >>> rng = np.random.default_rng(3)
        >>> panel = pd.DataFrame([(m, y) for m in range(20) for y in range(2000, 2012)], columns=["m", "year"])
        >>> panel["y"] = rng.normal(size=20)[panel.m] * (panel.year - 2000) + rng.normal(scale=0.3, size=len(panel))
        >>> panel.loc[(panel.m == 0) & (panel.year >= 2008), "y"] += 4.0
        >>> res = hj.synthetic_control(panel, "y", unit="m", time="year", treated=0, start=2008)
        >>> test = res.in_space_placebos()
        >>> test.to_frame().columns.tolist()
        ['unit', 'treated', 'estimate', 'pre_rmspe', 'post_rmspe', 'post_pre_rmspe_ratio', 'pre_rmspe_relative', 'rank']
        >>> test.units, test.rank, round(test.pvalue, 4)
        (20, 1, 0.05)
        """
        refits = self._refitter("in_space_placebos").each_donor()
        treated_label = ", ".join(map(str, self.treated)) if isinstance(self.treated, list) else self.treated
        post = rmspe(self.gap.to_numpy()[np.asarray(self.gap.index >= self.start)])
        rows = [(treated_label, True, self.estimate, self.pre_rmspe, post, self.post_pre_rmspe_ratio)]
        rows += [(label, False, r.estimate, r.pre_rmspe, r.post_rmspe, r.ratio)
                 for label, r in zip(self.weights.index, refits, strict=True)]
        table = pd.DataFrame(rows, columns=["unit", "treated", "estimate", "pre_rmspe", "post_rmspe",
                                            "post_pre_rmspe_ratio"])
        table["pre_rmspe_relative"] = table.pre_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else math.nan
        table["rank"] = table.post_pre_rmspe_ratio.rank(ascending=False, method="max").astype(int)
        rank = int(table["rank"].iloc[0])
        return InSpacePlacebos(table, rank, rank / len(table), len(table))

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

    def plot(self, ax: Any = None, *, language: Literal["da", "en"] = "en", ylabel: str | None = None,
             **kwargs: Any) -> Any:
        """The treated unit's outcome against its synthetic counterpart, the start marked.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw here; default a new A4-wide figure (made without pyplot).
        language : {"en", "da"}, default "en"
            Labels and number format (Danish: decimal comma).
        ylabel : str, optional
            Label of the outcome axis; by default the outcome's column name.
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
            axes.set_ylabel(self.outcome if ylabel is None else ylabel)
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
