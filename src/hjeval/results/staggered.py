"""Results of the staggered difference-in-differences estimator: ATT(g,t) and their aggregations."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from hjeval.errors import DataError
from hjeval.results.base import Result

__all__ = ["AggregationKind", "StaggeredAggregate", "StaggeredResult"]

AggregationKind = Literal["simple", "dynamic", "group", "calendar"]

_FIRST_COLUMN = {"dynamic": "rel_time", "group": "group", "calendar": "time"}

_TEXT = {
    "en": {
        "dynamic": "Effect by time since the cohort's start", "group": "Effect by cohort",
        "calendar": "Effect by period",
        "x_dynamic": "Periods since the start", "x_group": "Cohort (first treated period)", "x_calendar": "Period",
        "y": "Effect (ATT)", "band": "{level} uniform band", "ci": "{level} pointwise interval",
        "before": "before the start", "after": "from the start",
    },
    "da": {
        "dynamic": "Effekt efter tid siden kohortens start", "group": "Effekt efter kohorte",
        "calendar": "Effekt efter periode",
        "x_dynamic": "Perioder siden start", "x_group": "Kohorte (første behandlede periode)", "x_calendar": "Periode",
        "y": "Effekt (ATT)", "band": "{level} simultant konfidensbånd", "ci": "{level} punktvist konfidensinterval",
        "before": "før start", "after": "fra start",
    },
}


def _level(conf_level: float, language: str) -> str:
    text = f"{conf_level:.0%}"
    return text.replace("%", " %") if language == "da" else text


def _table_html(table: pd.DataFrame, caption: str) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)

    def cell(value: object) -> str:
        if isinstance(value, float | np.floating):
            return "" if not np.isfinite(value) else f"{value:.4g}"
        return html.escape(str(value))

    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:right'>{cell(v)}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return (f"<table class='hjeval-result'><caption>{html.escape(caption)}</caption>"
            f"<tr>{head}</tr>{body}</table>")


@dataclass(frozen=True)
class StaggeredAggregate(Result):
    """One aggregation of the ATT(g,t) (R did's ``aggte``).

    The attributes of :class:`hjeval.results.base.Result` describe the overall
    aggregate; and:

    Attributes
    ----------
    kind : {"simple", "dynamic", "group", "calendar"}
    table : pandas.DataFrame
        One row per event time (``rel_time``), cohort (``group``) or period
        (``time``), then ``estimate, se, ci_low, ci_high, p_value, band_low,
        band_high``; ``band_*`` is the uniform band over the rows (NaN when
        not computed). Empty for ``"simple"``.
    critical_value : float
        The uniform band's critical value (NaN when not computed).
    """

    kind: AggregationKind = "simple"
    table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    critical_value: float = np.nan

    def to_frame(self) -> pd.DataFrame:
        """One row per event time, cohort or period; for ``"simple"`` one tidy row.

        Returns
        -------
        pandas.DataFrame
            ``rel_time`` (or ``group`` / ``time``), ``estimate, se, ci_low,
            ci_high, p_value, band_low, band_high``; for ``"simple"``: ``term,
            estimate, se, statistic, p_value, ci_low, ci_high, conf_level,
            inference, n_obs``.
        """
        if self.kind == "simple":
            return self.headline_frame("simple").assign(conf_level=self.conf_level, inference=str(self.inference),
                                                        n_obs=self.n_obs)
        return self.table.copy()

    def title(self) -> str:
        what = {"simple": "average effect", "dynamic": "effect by event time", "group": "effect by cohort",
                "calendar": "effect by period"}[self.kind]
        return f"Staggered DiD ({what}) on {self.outcome}"

    def _details(self) -> str:
        if self.kind == "simple":
            return ""
        note = (f"uniform band: critical value {self.critical_value:.4g}"
                if np.isfinite(self.critical_value) else "no uniform band")
        return self.table.to_string(index=False, float_format=lambda v: f"{v:.4g}") + "\n" + note

    def _repr_html_(self) -> str:
        if self.kind == "simple":
            return super()._repr_html_()
        caption = (f"{self.title()}: overall {self.estimate:.4g} [{self.ci[0]:.4g}, {self.ci[1]:.4g}]; "
                   f"{self.inference}")
        return _table_html(self.table, caption)

    def plot(self, ax: Any = None, *, language: Literal["da", "en"] = "en", **kwargs: Any) -> Any:
        """The effects with pointwise intervals and the uniform band.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        language : {"en", "da"}

        Returns
        -------
        matplotlib.figure.Figure
        """
        if self.kind == "simple":
            raise NotImplementedError("the simple aggregate is one number; plot aggregate('dynamic') instead")
        return _effects_figure(self, ax=ax, language=language)


@dataclass(frozen=True)
class StaggeredResult(Result):
    """Callaway & Sant'Anna (2021) group-time effects and their aggregations.

    The attributes of :class:`hjeval.results.base.Result` describe the simple
    aggregate (post-treatment ATT(g,t) averaged with cohort-size weights),
    ``treated`` lists the cohorts and ``start`` is the first; and:

    Attributes
    ----------
    att_gt : pandas.DataFrame
        One row per cohort ``group`` and period ``time`` (labels as in the
        data): ``rel_time, att, se, ci_low, ci_high, band_low, band_high,
        p_value, post, treated_units, control_units``. ``band_*`` is the
        uniform band over all rows.
    pretrend : dict
        Wald test that every pre-treatment ATT(g,t) is zero: ``statistic,
        df, pvalue, method``.
    aggregates : dict
        The four aggregations by kind; see :meth:`aggregate`.
    critical_value : float
        The uniform band's critical value over the ATT(g,t).
    control : str
        ``"never"`` or ``"notyet"``.
    est_method : str
    base_period : str
    anticipation : int
    """

    att_gt: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    pretrend: dict[str, Any] = field(default_factory=dict)
    aggregates: dict[str, StaggeredAggregate] = field(default_factory=dict, repr=False)
    critical_value: float = np.nan
    control: str = "never"
    est_method: str = "reg"
    base_period: str = "varying"
    anticipation: int = 0

    def aggregate(self, kind: AggregationKind = "dynamic") -> StaggeredAggregate:
        """An aggregation of the ATT(g,t), as R did's ``aggte(type=kind)``.

        Parameters
        ----------
        kind : {"simple", "dynamic", "group", "calendar"}, default "dynamic"
            ``"simple"``: the post-treatment ATT(g,t) weighted by cohort
            size; ``"dynamic"``: by event time (cohorts weighted by size),
            overall the mean of event times 0 and later; ``"group"``: each
            cohort's mean over its post periods, overall weighted by cohort
            size; ``"calendar"``: by period over the cohorts treated then,
            overall the mean over periods.

        Returns
        -------
        StaggeredAggregate

        Raises
        ------
        DataError
            For another ``kind``.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from hjeval.estimators.staggered import staggered_did
        >>> rng = np.random.default_rng(2)
        >>> panel = pd.DataFrame([(i, y, [2013, 0][i % 2]) for i in range(60) for y in range(2010, 2016)],
        ...                      columns=["unit", "year", "cohort"])
        >>> panel["y"] = rng.normal(size=len(panel)) + 1.0 * ((panel.cohort > 0) & (panel.year >= 2013))
        >>> fit = staggered_did(panel, "y", "unit", "year", "cohort", band="pointwise")
        >>> group = fit.aggregate("group").to_frame()
        >>> group["group"].tolist(), bool(abs(group["estimate"].iloc[0] - 1) < 3 * group["se"].iloc[0])
        ([2013], True)
        """
        if kind not in get_args(AggregationKind):
            raise DataError(f"kind={kind!r} is not one of {list(get_args(AggregationKind))}")
        return self.aggregates[kind]

    def to_frame(self) -> pd.DataFrame:
        """The overall number of each aggregation, one tidy row each.

        Returns
        -------
        pandas.DataFrame
            ``term`` (``simple, dynamic, group, calendar``), ``estimate, se,
            statistic, p_value, ci_low, ci_high, conf_level, inference, n_obs``.
        """
        rows = [self.aggregates[k].headline_frame(k) for k in get_args(AggregationKind) if k in self.aggregates]
        return pd.concat(rows, ignore_index=True).assign(conf_level=self.conf_level, inference=str(self.inference),
                                                         n_obs=self.n_obs)

    def title(self) -> str:
        return f"Staggered DiD (Callaway & Sant'Anna) on {self.outcome}"

    def _rows(self) -> list[tuple[str, str]]:
        rows = super()._rows()
        comparison = next(i for i, (k, _) in enumerate(rows) if k == "Comparison")
        rows[comparison + 1:comparison + 1] = [
            ("Estimator", f"{self.est_method}, base period {self.base_period}, anticipation {self.anticipation}"),
        ]
        return rows

    def _details(self) -> str:
        att = self.att_gt.drop(columns=["treated_units", "control_units"], errors="ignore")
        lines = ["ATT(g,t):", att.to_string(index=False, float_format=lambda v: f"{v:.4g}"), "",
                 "Aggregations:",
                 self.to_frame()[["term", "estimate", "se", "ci_low", "ci_high", "p_value"]].to_string(
                     index=False, float_format=lambda v: f"{v:.4g}"),
                 "",
                 f"Pre-trend test ({self.pretrend.get('method', '')}): statistic "
                 f"{self.pretrend.get('statistic', np.nan):.4g}, p = {self.pretrend.get('pvalue', np.nan):.4g}"]
        notes = self.inference.notes
        if notes:
            lines += ["", *(f"Note: {n}" for n in notes)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = super()._repr_html_()
        att = self.att_gt.drop(columns=["treated_units", "control_units"], errors="ignore")
        return head + _table_html(att, f"ATT(g,t); pre-trend p = {self.pretrend.get('pvalue', np.nan):.3g}")

    def plot(self, ax: Any = None, *, language: Literal["da", "en"] = "en", **kwargs: Any) -> Any:
        """The effects by event time with pointwise intervals and the uniform band.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        language : {"en", "da"}

        Returns
        -------
        matplotlib.figure.Figure
        """
        return _effects_figure(self.aggregates["dynamic"], ax=ax, language=language)


def _effects_figure(result: StaggeredAggregate, *, ax: Any, language: Literal["da", "en"]) -> Any:
    """Estimates with pointwise intervals (bars) and the uniform band (shaded, or wide bars)."""
    from hjeval.plots.style import PALETTE, figure_and_axes, format_number, number_formatter, styled

    if language not in _TEXT:
        raise DataError(f"language={language!r} is not one of {list(_TEXT)}")
    text = _TEXT[language]
    table = result.table
    kind = result.kind
    level = _level(result.conf_level, language)
    first = _FIRST_COLUMN[kind]
    x = np.arange(len(table), dtype=float) if kind != "dynamic" else table["rel_time"].to_numpy(dtype=float)
    estimate = table["estimate"].to_numpy(dtype=float)
    ci = np.vstack([estimate - table["ci_low"].to_numpy(dtype=float),
                    table["ci_high"].to_numpy(dtype=float) - estimate])
    band_low, band_high = table["band_low"].to_numpy(dtype=float), table["band_high"].to_numpy(dtype=float)
    has_band = bool(np.isfinite(band_low).any())
    with styled():
        figure, axes = figure_and_axes(ax)
        axes.axhline(0, color=PALETTE["neutral"], linewidth=0.8)
        if kind == "dynamic":
            axes.axvline(-0.5, color=PALETTE["light"], linewidth=1, linestyle="--")
            if has_band:
                axes.fill_between(x, band_low, band_high, color=PALETTE["comparison"], alpha=0.18, linewidth=0,
                                  label=text["band"].format(level=level))
            after = x >= 0
            for mask, colour, label in ((~after, PALETTE["neutral"], text["before"]),
                                        (after, PALETTE["treated"], text["after"])):
                if mask.any():
                    axes.errorbar(x[mask], estimate[mask], yerr=ci[:, mask], fmt="o", color=colour, capsize=2,
                                  linewidth=1, markersize=4, label=label)
            labels = [f"{int(v):d}".replace("-", "\u2212") for v in x]
        else:
            if has_band:
                axes.vlines(x, band_low, band_high, color=PALETTE["comparison"], alpha=0.35, linewidth=7,
                            label=text["band"].format(level=level))
            axes.errorbar(x, estimate, yerr=ci, fmt="o", color=PALETTE["treated"], capsize=2, linewidth=1,
                          markersize=4, label=text["ci"].format(level=level))
            labels = [str(v) for v in table[first]]
        axes.set_xticks(x, labels)
        axes.set_xlabel(text[f"x_{kind}"])
        axes.set_ylabel(text["y"])
        axes.set_title(text[kind])
        bottom, top = axes.get_ylim()
        decimals = 3 if top - bottom < 1 else 2 if top - bottom < 10 else 0
        axes.yaxis.set_major_formatter(number_formatter(decimals, language))
        overall = format_number(result.estimate, decimals, language)
        axes.text(0.99, 0.02, f"ATT = {overall}", transform=axes.transAxes, ha="right", va="bottom", fontsize=8,
                  color=PALETTE["neutral"])
        axes.legend(loc="best", fontsize=8)
    return figure
