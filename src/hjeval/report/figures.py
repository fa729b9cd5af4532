"""The report's figures, drawn only from tables that passed small-cell suppression.

Each figure is written as PNG (embedded in the HTML and PDF) and SVG, both
without time stamps so that the same data give the same bytes.
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure as MplFigure

from hjeval.duration.figures import survival_plot
from hjeval.economics.figures import cost_benefit_plot
from hjeval.plots import caseload_plot, decomposition_plot, event_study_plot, outcome_over_time, placebo_distribution
from hjeval.plots.style import styled
from hjeval.report.analysis import Analysis
from hjeval.report.config import ReportLanguage
from hjeval.report.drivers_section import level_label
from hjeval.report.render import PRETREND_LEVEL, Figure, Numbers, pool_name
from hjeval.report.tables import Published
from hjeval.report.text import TEXT
from hjeval.results.subgroups import forest_plot

__all__ = ["make_figures"]

PNG_DPI = 200


def _encode(figure: MplFigure) -> tuple[bytes, bytes]:
    png, svg = io.BytesIO(), io.BytesIO()
    with styled():
        figure.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
        figure.savefig(svg, format="svg", metadata={"Date": None})
    return png.getvalue(), svg.getvalue()


def _figure(name: str, figure: MplFigure, caption: str) -> Figure:
    png, svg = _encode(figure)
    return Figure(name=name, png=png, svg=svg, caption=caption, alt=caption)


def _support_and_savings(analysis: Analysis, published: Published, language: ReportLanguage) -> list[Figure]:
    """The cost-benefit (estimates on the whole municipality) and the survival curves (published steps only)."""
    t = TEXT[language]
    fmt = Numbers(language)
    municipality = analysis.treated_name
    figures = []
    cost = analysis.cost
    if cost is not None:
        caption = t["payoff_caption"].format(municipality=municipality)
        if cost.n_draws:
            caption += " " + t["payoff_caption_band"].format(level=fmt.percent(cost.conf_level), n=cost.n_draws)
        figures.append(_figure("cost_benefit", cost_benefit_plot(cost, language=language), caption))
    curves = published.figure_data.get("survival_curves")
    duration = analysis.duration
    if duration is not None and curves is not None and len(curves):
        shown = dataclasses.replace(duration, curves=curves.assign(municipality=None), treated=municipality)
        figures.append(_figure(
            "survival", survival_plot(shown, language=language),
            t["survival_caption"].format(municipality=municipality, k=analysis.config.disclosure_threshold,
                                         horizon=fmt(duration.horizon_weeks, 0))))
    return figures


def _subgroups(analysis: Analysis, published: Published, language: ReportLanguage) -> list[Figure]:
    """The forest plot, drawn from the published subgroups table (withheld levels named, not drawn)."""
    table = published.figure_data.get("subgroups")
    sex = next(iter(analysis.drivers.subgroups.values()), analysis.drivers.women_integration)
    if table is None or sex is None or not table["hours_per_year"].notna().any():
        return []
    t = TEXT[language]
    labels = [level_label(str(c), str(v), language) for c, v in zip(table["characteristic"], table["level"],
                                                                    strict=True)]
    shown = pd.DataFrame({
        "group": labels,
        "estimate": table["hours_per_year"].to_numpy(dtype=float) / 12,
        "ci_low": table["ci_low"].to_numpy(dtype=float) / 12,
        "ci_high": table["ci_high"].to_numpy(dtype=float) / 12,
        "suppressed": table["hours_per_year"].isna().to_numpy(),
    })
    result = dataclasses.replace(sex, by=("group",), table=shown, overall=analysis.main,
                                 min_persons=analysis.config.disclosure_threshold)
    highlight = (level_label("interventions", "few", language), level_label("women_integration", "F", language))
    figure = forest_plot(result, language=language, scale=12, xlabel=t["col_hours"], highlight=highlight)
    axes = figure.axes[0]
    axes.set_title(t["subgroups_figure_title"])
    names = [label.get_text() for label in axes.get_yticklabels()]
    axes.set_yticks(axes.get_yticks(), [*names[:-1], t["subgroups_all"]])  # the diamond: the main estimate
    fmt = Numbers(language)
    caption = t["subgroups_caption"].format(level=fmt.percent(1 - analysis.config.evaluation.alpha),
                                            k=analysis.config.disclosure_threshold,
                                            municipality=analysis.treated_name)
    return [_figure("subgroups", figure, caption)]


def make_figures(analysis: Analysis, published: Published, language: ReportLanguage) -> list[Figure]:
    """Draw the report's figures in its language.

    Parameters
    ----------
    analysis : Analysis
    published : Published
        The protected tables; figures of municipality-level series draw from these only.
    language : {"da", "en"}

    Returns
    -------
    list of Figure
        In the order the report shows them.
    """
    t = TEXT[language]
    fmt = Numbers(language)
    spec = analysis.config.evaluation
    municipality = analysis.treated_name
    pool = pool_name(spec.comparison, language, spec.treated)
    labels = {"treated": municipality}
    figures = []
    data = published.figure_data
    if "caseload" in data:
        figures.append(_figure(
            # only the start is known here: no component dates of one particular reform, and the levels
            # before and after are given in the text (the year before the start against the latest year)
            "caseload", caseload_plot(data["caseload"], language=language, labels=labels, levels=False,
                                      components={spec.start: t["caseload_mark"]}),
            t["development_caseload"].format(municipality=municipality, pool=pool)))
    figures.append(_figure(
        "outcome", outcome_over_time(data["outcome"], language=language, scale=12, start=spec.start, labels=labels,
                                     ylabel=t["col_hours"], title=t["outcome_title"].format(municipality=municipality)),
        t["development_outcome"].format(municipality=municipality, pool=pool)))
    figures.append(_figure(
        "decomposition", decomposition_plot(analysis.main, language=language, scale=12, treated_label=municipality),
        t["decomposition_caption"].format(municipality=municipality)))
    figures += _support_and_savings(analysis, published, language)
    event = analysis.event
    shown = data["event_study"].rename(columns={"hours_per_year": "estimate"})
    table = event.table.copy()
    for column in ("estimate", "se", "ci_low", "ci_high", "p_value"):
        table[column] = shown[column].to_numpy() / (12 if column != "p_value" else 1)
    figures.append(_figure(
        "event_study", event_study_plot(dataclasses.replace(event, table=table), language=language, scale=12,
                                        ylabel=t["col_hours"], xlabel=t["event_x"].format(n=spec.event_bin)),
        t["event_caption"].format(n=spec.event_bin, level=fmt.percent(event.conf_level)) + _pretrend_sentence(
            event.pretrend.get("pvalue", float("nan")), t, fmt)))
    placebo = data["placebo"]
    if len(placebo) and placebo["hours_per_year"].notna().sum() >= 2:
        kept = placebo.dropna(subset=["hours_per_year"])
        shown_placebo = pd.Series(kept["hours_per_year"].to_numpy() / 12, index=kept["municipality"].to_numpy())
        main = dataclasses.replace(analysis.main, placebo=shown_placebo)
        caption = t["placebo_caption"].format(n=len(kept), municipality=municipality)
        if main.inference.size_corrected:
            caption += t["placebo_caption_corrected"].format(municipality=municipality)
        figures.append(_figure(
            "placebo", placebo_distribution(main, language=language, scale=12, xlabel=t["col_estimate"],
                                            treated_label=municipality),
            caption))
    sdid = analysis.synthetic_did
    if sdid is not None:
        shown = dataclasses.replace(sdid, treated=municipality)
        figures.append(_figure("synthetic", shown.plot(language=language, ylabel=t["synthetic_ylabel"]),
                               t["synthetic_caption"].format(municipality=municipality)))
    dose = analysis.drivers.dose
    if dose is not None:
        figures.append(_figure("dose", dose.plot(language=language, scale=12, ylabel=t["col_hours"],
                                                       dose_label=t["dose_axis_label"].format(municipality=municipality)),
                               t["dose_caption"].format(municipality=municipality)))
    figures += _subgroups(analysis, published, language)
    return figures


def _pretrend_sentence(pvalue: float, t: Mapping[str, str], fmt: Numbers) -> str:
    """What the pre-period test says, as the summary reads it (rejected below 0.10); nothing without a test."""
    if not math.isfinite(pvalue):
        return ""
    return t["event_pretrend" if pvalue >= PRETREND_LEVEL else "event_pretrend_fails"].format(p=fmt.pvalue(pvalue))
