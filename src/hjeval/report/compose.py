"""Compose the report page: the analysis in words, tables and figures.

Every number shown comes either from an estimate that rests on the whole
treated municipality or from a table that has passed small-cell suppression
(:mod:`hjeval.disclosure`); a withheld number shows as a dot and a sentence
that would need one is left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hjeval._version import __version__
from hjeval.report.analysis import Analysis
from hjeval.report.config import ReportLanguage
from hjeval.report.drivers_section import drivers_context
from hjeval.report.methods import inference_notes, method_detail, method_name, method_paragraph, size_paragraphs
from hjeval.report.payoff import payoff_context, payoff_key_figures, payoff_summary
from hjeval.report.render import (
    PRETREND_LEVEL,
    Figure,
    Numbers,
    Page,
    Table,
    group_name,
    hours_per_full_time_week,
    month_text,
    pool_name,
    region_name,
)
from hjeval.report.synthetic_section import synthetic_texts
from hjeval.report.text import TEXT

__all__ = ["Stamp", "caseload_change", "caseload_sentence", "compose_page"]


@dataclass(frozen=True)
class Stamp:
    """What makes a build reproducible: inputs, their hashes, the date."""

    build_date: str
    inputs: tuple[tuple[str, str, int, str], ...]
    """(role, file name, rows, SHA-256) per input file."""
    primary: int
    secondary: int


def span_text(span: str, language: ReportLanguage) -> str:
    """A span of months ``"2010-01–2014-12"`` in words: whole years as ``"2010–2014"``."""
    first, last = (pd.Period(part, "M") for part in span.split("–"))
    if first.month == 1 and last.month == 12:
        return f"{first.year}–{last.year}" if first.year != last.year else str(first.year)
    return f"{month_text(first, language)}–{month_text(last, language)}"


CASELOAD_UNCHANGED = 0.05
"""A relative change of the caseload within this share is worded as "about the same"."""


def _months(period: object) -> tuple[pd.Period, pd.Period]:
    """First and last month of a period of any frequency (a month, a quarter, a year)."""
    value = period if isinstance(period, pd.Period) else pd.Period(str(period))
    return value.start_time.to_period("M"), value.end_time.to_period("M")


def caseload_change(table: pd.DataFrame, start: str) -> dict[str, Any] | None:
    """The treated municipality's cases per caseworker the year before the start and in the latest year.

    Parameters
    ----------
    table : pandas.DataFrame
        The published caseload table (``period, series, cases_per_caseworker``; withheld cells NaN).
    start : str
        First month of the reform.

    Returns
    -------
    dict or None
        ``before``, ``after`` (means of the periods of each window with a published value),
        ``change`` (``after / before - 1``), ``before_span`` and ``after_span`` (``"YYYY-MM–YYYY-MM"``);
        None when either window has no published value.
    """
    first = pd.Period(start, "M")
    rows = table[table["series"] == "treated"]
    months = [_months(p) for p in rows["period"]]
    values = pd.to_numeric(rows["cases_per_caseworker"], errors="coerce").to_numpy(dtype=float)
    known = np.isfinite(values)
    before = np.array([known[i] and first - 12 <= m[0] and m[1] < first for i, m in enumerate(months)], dtype=bool)
    after_all = np.array([known[i] and m[0] >= first for i, m in enumerate(months)], dtype=bool)
    if not before.any() or not after_all.any():
        return None
    last = max(months[i][1] for i in np.flatnonzero(after_all))
    after = after_all & np.array([m[0] > last - 12 for m in months], dtype=bool)
    b, a = float(values[before].mean()), float(values[after].mean())
    if not b > 0:
        return None

    def span(mask: np.ndarray) -> str:
        chosen = [months[i] for i in np.flatnonzero(mask)]
        return f"{min(m[0] for m in chosen)}–{max(m[1] for m in chosen)}"

    return {"before": b, "after": a, "change": a / b - 1, "before_span": span(before), "after_span": span(after)}


def caseload_sentence(analysis: Analysis, table: pd.DataFrame | None, language: ReportLanguage) -> str:
    """How the treated municipality's caseload changed, in words, from the published caseload table."""
    t = TEXT[language]
    municipality = analysis.treated_name
    if table is None:
        return t["caseload_absent"]
    change = caseload_change(table, analysis.config.evaluation.start)
    if change is None:
        return t["caseload_unknown"].format(municipality=municipality)
    fmt = Numbers(language)
    relative = change["change"]
    key = ("caseload_same" if abs(relative) <= CASELOAD_UNCHANGED
           else "caseload_fell" if relative < 0 else "caseload_rose")
    decimals = 0 if min(change["before"], change["after"]) >= 20 else 1
    percent = fmt(100 * relative, 0, sign=True).replace("-", "−")
    return t[key].format(municipality=municipality, before=fmt(change["before"], decimals),
                         after=fmt(change["after"], decimals),
                         before_span=span_text(change["before_span"], language),
                         after_span=span_text(change["after_span"], language),
                         change=f"{percent} %" if language == "da" else f"{percent}%")


def report_title(analysis: Analysis, language: ReportLanguage) -> str:
    """The configured title, or one built from the treated municipality and the target group."""
    if analysis.config.title:
        return analysis.config.title
    return TEXT[language]["title"].format(group=group_name(analysis, language), municipality=analysis.treated_name)


def inference_text(result: Any, language: ReportLanguage) -> str:
    """How a result's uncertainty was obtained, in words, from the fields of its inference record."""
    return method_detail(result.inference, language, Numbers(language))


def _row(*cells: str, css: str = "") -> dict[str, Any]:
    return {"cells": list(cells), "css": css}


def _pretrend_ok(analysis: Analysis) -> bool:
    p = analysis.event.pretrend.get("pvalue", math.nan)
    return not (math.isfinite(p) and p < PRETREND_LEVEL)


def _summary(analysis: Analysis, published: Mapping[str, pd.DataFrame], language: ReportLanguage,
             fmt: Numbers) -> list[dict[str, Any]]:
    t = TEXT[language]
    main = analysis.main
    spec = analysis.config.evaluation
    municipality = analysis.treated_name
    effect = 12 * main.estimate
    low, high = (12 * c for c in main.ci)
    level = fmt.percent(main.conf_level)
    paragraphs = [t["summary_effect" if effect >= 0 else "summary_effect_lower"].format(
        start=month_text(spec.start, language), group=group_name(analysis, language), municipality=municipality,
        effect=fmt(abs(effect)), pool=pool_name(spec.comparison, language, spec.treated),
        weeks=fmt(abs(effect) / hours_per_full_time_week(), 1))]
    if not (math.isfinite(low) and math.isfinite(high)):
        paragraphs.append(t["summary_uncertainty_unbounded"])
    elif low <= 0 <= high:
        paragraphs.append(t["summary_uncertainty_includes_zero"].format(level=level, low=fmt(low), high=fmt(high)))
    else:
        sentence = t["summary_uncertainty"].format(level=level, low=fmt(low), high=fmt(high))
        if effect < 0:
            sentence = sentence.replace("større end nul", "mindre end nul").replace("above zero", "below zero")
        paragraphs.append(sentence)
    if len(main.placebo) and main.inference.method == "placebo":
        paragraphs.append(_placebo_sentence(analysis, language, fmt))
    paragraphs += payoff_summary(analysis, language, fmt)
    persons = analysis.evaluation.persons_per_month
    paragraphs.append(t["summary_fte"].format(persons=fmt(persons, 0), fte=fmt(analysis.evaluation.full_time_persons)))
    raw = published["raw_comparison"].set_index("series")["hours_per_year"]
    parts = published["decomposition"].set_index("part")["hours_per_year"]
    numbers = [raw.get("treated_before"), raw.get("treated_after"), *parts.to_list()]
    if all(v is not None and np.isfinite(v) for v in numbers):
        other = parts["common_trend"] + parts["composition"] + parts.get("residual", 0.0)
        paragraphs.append(t["summary_raw"].format(
            before=span_text(published["raw_comparison"].set_index("series").loc["treated_before", "window"], language),
            after=span_text(published["raw_comparison"].set_index("series").loc["treated_after", "window"], language),
            raw_before=fmt(raw["treated_before"], 0), raw_after=fmt(raw["treated_after"], 0),
            of_change=t["raw_rise" if parts["raw_change"] >= 0 else "raw_fall"],
            raw_change=fmt(abs(parts["raw_change"]), 0), cycle=fmt(parts["cycle"], 0), other=fmt(other, 0),
            effect=fmt(parts["effect"], 0)))
    p = analysis.event.pretrend.get("pvalue", math.nan)
    key = "summary_pretrend" if _pretrend_ok(analysis) else "summary_pretrend_fails"
    paragraphs.append(t[key].format(municipality=municipality, p=fmt.pvalue(p)))
    return [{"text": text, "warning": text.startswith(("Advarsel", "Warning"))} for text in paragraphs]


def _placebo_sentence(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> str:
    """The placebo check in plain words: how many comparison municipalities show as large a change.

    ``placebo`` holds the estimates as the test compares them (rescaled to the treated
    municipality's size when the size correction applies), so counting those at least as
    large as the estimate gives the test's count.
    """
    t = TEXT[language]
    main = analysis.main
    record = main.inference
    municipality = analysis.treated_name
    placebo = main.placebo.to_numpy(dtype=float)
    placebo = placebo[np.isfinite(placebo)]
    n = len(placebo)
    exceed = int((np.abs(placebo) >= abs(main.estimate)).sum())
    if exceed == 0:
        found = "summary_placebo_none"
    elif (exceed + 1) / (n + 1) <= main.alpha:
        found = "summary_placebo_few"
    else:
        found = "summary_placebo_many"
    sentences = [t["summary_placebo" if record.exact else "summary_placebo_random"].format(n=fmt(float(n), 0)),
                 t[found].format(k=fmt(float(exceed), 0), municipality=municipality)]
    model = record.size_correction
    if record.size_corrected:
        sentences.append(t["summary_placebo_corrected"].format(municipality=municipality))
    elif model is not None and model.reason == "switched off":
        sentences.append(t["summary_placebo_switched_off"].format(municipality=municipality))
    return " ".join(sentences)


def _key_figures(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> Table:
    t = TEXT[language]
    main = analysis.main
    level = fmt.percent(main.conf_level)
    method = method_name(main.inference, language)
    rows = [
        _row(t["kf_effect"], fmt(12 * main.estimate, 1, sign=True)),
        _row(t["kf_interval"].format(level=level),
             fmt.interval(12 * main.ci[0], 12 * main.ci[1], unbounded=t["unbounded"])),
        _row(t["kf_pvalue"].format(method=method), fmt.pvalue(main.pvalue)),
        _row(t["kf_fte"], fmt(analysis.evaluation.full_time_persons)),
        _row(t["kf_unadjusted"], fmt(12 * analysis.evaluation.unadjusted.estimate, 1, sign=True)),
        *payoff_key_figures(analysis, language, fmt),
    ]
    return Table(header=(), rows=rows, caption=t["key_figures"], numeric=frozenset({1}), css="keyfigures")


def _raw_table(published: pd.DataFrame, analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> Table:
    t = TEXT[language]
    values = published.set_index("series")["hours_per_year"]
    windows = published.set_index("series")["window"]

    def line(label: str, prefix: str, css: str = "") -> dict[str, Any]:
        before, after = values.get(f"{prefix}_before"), values.get(f"{prefix}_after")
        change = after - before if before is not None and after is not None else math.nan
        return _row(label, fmt(before), fmt(after), fmt(change, 1, sign=True), css=css)

    treated = line(analysis.treated_name, "treated")
    comparison = line(t["row_comparison"], "comparison")
    t_change = values.get("treated_after", math.nan) - values.get("treated_before", math.nan)
    c_change = values.get("comparison_after", math.nan) - values.get("comparison_before", math.nan)
    rows = [treated, comparison, _row(t["row_difference"], "", "", fmt(t_change - c_change, 1, sign=True),
                                      css="total")]
    header = ("", f"{t['col_before']} ({span_text(windows['treated_before'], language)})",
              f"{t['col_after']} ({span_text(windows['treated_after'], language)})", t["col_change"])
    return Table(header=header, rows=rows, caption=t["raw_table"], numeric=frozenset({1, 2, 3}))


def _main_table(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> Table:
    t = TEXT[language]
    main = analysis.main
    level = fmt.percent(main.conf_level)
    row = _row(fmt(12 * main.estimate, 1, sign=True),
               fmt.interval(12 * main.ci[0], 12 * main.ci[1], unbounded=t["unbounded"]),
               fmt.pvalue(main.pvalue), inference_text(main, language), fmt(float(main.n_obs), 0))
    header = (t["col_estimate"], t["col_interval"].format(level=level), t["col_p"], t["col_method"], t["col_obs"])
    return Table(header=header, rows=[row], caption=t["main_table"], numeric=frozenset({0, 1, 2, 4}))


def _decomposition_table(published: pd.DataFrame, language: ReportLanguage, fmt: Numbers) -> Table:
    t = TEXT[language]
    rows = []
    for part, value in zip(published["part"], published["hours_per_year"], strict=True):
        rows.append(_row(t[f"part_{part}"], fmt(value, 1, sign=part != "raw_change"),
                         css="total" if part == "raw_change" else ""))
    return Table(header=(t["col_part"], t["col_hours"]), rows=rows, numeric=frozenset({1}))


def _alternatives_table(published: pd.DataFrame, analysis: Analysis, language: ReportLanguage,
                        fmt: Numbers) -> Table:
    t = TEXT[language]
    level = fmt.percent(analysis.main.conf_level)
    rows = [
        _row(label, fmt(estimate, 1, sign=True), fmt.interval(low, high, unbounded=t["unbounded"]), fmt.pvalue(p),
             method, fmt(float(n), 0))
        for label, estimate, low, high, p, method, n in published[
            ["label", "hours_per_year", "ci_low", "ci_high", "p_value", "method", "municipalities"]
        ].itertuples(index=False)
    ]
    header = (t["alt_col_variant"], t["col_estimate"], t["col_interval"].format(level=level), t["col_p"],
              t["alt_col_method"], t["alt_col_municipalities"])
    return Table(header=header, rows=rows, numeric=frozenset({1, 2, 3, 5}), css="alternatives")


def alternative_label(kind: str, pool: str | tuple[int, ...] | None, language: ReportLanguage,
                      treated: int | None = None) -> str:
    """Name of a robustness variant in the report's language."""
    t = TEXT[language]
    if kind == "main":
        return t["alt_main"].format(pool=pool_name(pool or "all", language, treated))
    if kind == "pool":
        return t["alt_pool"].format(pool=pool_name(pool or "all", language, treated))
    return t[f"alt_{kind}"]


def _data_table(analysis: Analysis, stamp: Stamp, language: ReportLanguage, fmt: Numbers) -> Table:
    t = TEXT[language]
    rows = [_row(f"{role}: {name}", fmt(float(n), 0), sha) for role, name, n, sha in stamp.inputs]
    return Table(header=(t["col_file"], t["col_rows"], t["col_sha"]), rows=rows, caption=t["data_table"],
                 numeric=frozenset({1}), hash_column=2)


def _rows_used(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> str:
    t = TEXT[language]
    provenance = analysis.main.provenance
    exclusions = list(provenance.get("exclusions", ()))
    if exclusions:
        n = sum(int(e["rows"]) for e in exclusions)
        spec = analysis.config.evaluation

        def reason(text: str) -> str:
            if str(text).startswith("group not in the comparison pool"):
                return t["excluded_not_in_pool"].format(pool=pool_name(spec.comparison, language, spec.treated))
            return str(text)

        reasons = "; ".join(f"{fmt(float(e['rows']), 0)} ({reason(e['reason'])})" for e in exclusions)
        excluded = t["rows_excluded"].format(n=fmt(float(n), 0), reasons=reasons)
    else:
        excluded = t["rows_excluded_none"]
    return t["rows_used"].format(used=fmt(float(analysis.main.n_obs), 0),
                                 target=fmt(float(analysis.rows["target_group"]), 0), excluded=excluded)


def compose_page(
    analysis: Analysis,
    published: Mapping[str, pd.DataFrame],
    figures: Mapping[str, Figure],
    stamp: Stamp,
    language: ReportLanguage,
) -> Page:
    """Everything the template shows, in the report's language.

    Parameters
    ----------
    analysis : Analysis
    published : mapping of str to DataFrame
        The tables after small-cell suppression: ``raw_comparison``,
        ``decomposition`` and ``alternatives`` are used here.
    figures : mapping of str to Figure
    stamp : Stamp
    language : {"da", "en"}

    Returns
    -------
    Page
    """
    t = TEXT[language]
    fmt = Numbers(language)
    spec = analysis.config.evaluation
    main = analysis.main
    municipality = analysis.treated_name
    cells = analysis.cells["period"]
    context: dict[str, Any] = {
        "subtitle": t["subtitle"].format(municipality=municipality, group=group_name(analysis, language),
                                         region=region_name(spec.treated, language),
                                         start=month_text(spec.start, language)).replace(" ()", ""),
        "caseload_text": caseload_sentence(analysis, published.get("caseload"), language),
        "built": t["built"].format(date=stamp.build_date, version=__version__),
        "headline": {"number": fmt(12 * main.estimate, 0, sign=True) if main.estimate >= 0
                     else fmt(abs(12 * main.estimate), 0),
                     "unit": t["headline_unit" if main.estimate >= 0 else "headline_unit_lower"]},
        "summary": _summary(analysis, published, language, fmt),
        "key_figures": _key_figures(analysis, language, fmt),
        "figures": figures,
        "raw_table": _raw_table(published["raw_comparison"], analysis, language, fmt),
        "main_intro": t["main_intro"].format(municipality=municipality,
                                             pool=pool_name(spec.comparison, language, spec.treated),
                                             cycle_text=t[f"cycle_{spec.cycle_method}"]),
        "main_table": _main_table(analysis, language, fmt),
        "decomposition_table": _decomposition_table(published["decomposition"], language, fmt),
        "alternatives_table": _alternatives_table(published["alternatives"], analysis, language, fmt),
        "alternatives_note": t["alt_note"] if not published["alternatives"]["ci_low"].map(np.isfinite).all() else "",
        "method_text": t["method_text"].format(
            first=str(cells.min()), last=str(cells.max()), cycle_clause=t[f"cycle_clause_{spec.cycle_method}"],
            inference=method_paragraph(main.inference, municipality, language, fmt)),
        "size_text": size_paragraphs(analysis, language, fmt),
        "rows_used": _rows_used(analysis, language, fmt),
        "data_table": _data_table(analysis, stamp, language, fmt),
        "disclosure_text": t["disclosure_text"].format(k=analysis.config.disclosure_threshold,
                                                       primary=stamp.primary, secondary=stamp.secondary),
        "notes": inference_notes(analysis, language, fmt),
        "technical_notes": [note for note in analysis.notes if "not in the comparison pool" not in note],
        "repro_text": t["repro_text"].format(version=__version__, seed=analysis.config.seed,
                                             draws=method_detail(main.inference, language, fmt),
                                             date=stamp.build_date),
        "config_text": analysis.config.text,
        **payoff_context(analysis, published, language, fmt),
        "synthetic_texts": synthetic_texts(analysis, language, fmt),
        **drivers_context(analysis, published, language, fmt),
    }
    return Page(language=language, title=report_title(analysis, language), context=context)
