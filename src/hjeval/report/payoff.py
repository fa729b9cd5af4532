"""The report's answers on money and time: did the investment pay off, and time on support.

Every number comes from the persons-off-support estimate, the cost-benefit
computed from it, and the duration estimate, whose windows and curves were
withheld where they rest on fewer persons than the disclosure threshold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from hjeval.report.analysis import Analysis
from hjeval.report.config import ReportLanguage
from hjeval.report.methods import method_name
from hjeval.report.render import PRETREND_LEVEL, Numbers, Table, group_name, interval_words, month_text, pool_name
from hjeval.report.text import TEXT

__all__ = ["payoff_context", "payoff_key_figures", "payoff_summary"]

_MILLION = 1e6


def _row(*cells: str, css: str = "") -> dict[str, Any]:
    return {"cells": list(cells), "css": css}


def _mio(value: float, fmt: Numbers) -> str:
    return fmt(value / _MILLION, 1)


def _last_persons(analysis: Analysis) -> pd.Series | None:
    if analysis.persons is None or analysis.persons.table.empty:
        return None
    return analysis.persons.table.iloc[-1]


def _paid_off_sentences(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[str]:
    t = TEXT[language]
    cost = analysis.cost
    if cost is None:
        return []
    last = int(cost.table["year"].iloc[-1])
    saved, invested = cost.total_savings, cost.total_investment
    numbers = {"invested": _mio(invested, fmt), "saved": _mio(saved, fmt), "last": str(last)}
    if math.isfinite(cost.prob_paid_off):
        sentences = [t["summary_paid_off"].format(prob=fmt.percent(cost.prob_paid_off), **numbers)]
    else:
        sentences = [t["summary_saved_no_draws"].format(**numbers)]
    if cost.payback_year is not None:
        sentences.append(t["summary_payback"].format(year=cost.payback_year))
    else:
        sentences.append(t["summary_not_yet"].format(last=last))
    return [" ".join(sentences)]


def _persons_sentence(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[str]:
    row = _last_persons(analysis)
    if row is None or analysis.persons is None:
        return []
    t = TEXT[language]
    value = float(row["persons_off_support"])
    low, high = float(row["ci_low"]), float(row["ci_high"])
    key = "summary_persons" if value >= 0 else "summary_persons_more"
    interval = (t["summary_persons_interval"].format(level=fmt.percent(analysis.persons.conf_level),
                                                     low=fmt(low, 0), high=fmt(high, 0))
                if math.isfinite(low) and math.isfinite(high) else "")
    return [t[key].format(year=int(row["year"]), persons=fmt(abs(value), 0), group=group_name(analysis, language),
                          interval=interval)]


def _weeks_sentence(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[str]:
    duration = analysis.duration
    if duration is None or not math.isfinite(duration.estimate):
        return []
    t = TEXT[language]
    spec = analysis.config.evaluation
    pooled = duration.windows[duration.windows["municipality"].isna()].set_index(["role", "window"])
    before, after = (pooled["mean_weeks"].get(("treated", w), math.nan) for w in ("before", "after"))
    sentences = []
    if math.isfinite(before) and math.isfinite(after):
        sentences.append(t["summary_weeks"].format(municipality=analysis.treated_name, after=fmt(after, 0),
                                                   before=fmt(before, 0), horizon=fmt(duration.horizon_weeks, 0)))
    low, high = duration.ci
    key = "summary_weeks_effect" if duration.estimate <= 0 else "summary_weeks_effect_longer"
    interval = interval_words(low, high, language, fmt, 0)
    sentences.append(t[key].format(pool=pool_name(spec.comparison, language, spec.treated),
                                   effect=fmt(abs(duration.estimate), 0), level=fmt.percent(duration.conf_level),
                                   interval=interval))
    return [" ".join(sentences)]


def payoff_summary(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[str]:
    """The summary's paragraphs on money and time: paid off or not, persons off support, weeks.

    Parameters
    ----------
    analysis : Analysis
    language : {"da", "en"}
    fmt : Numbers

    Returns
    -------
    list of str
        Paragraphs, each computed from an estimate; none where the estimate is missing.
    """
    return (_paid_off_sentences(analysis, language, fmt) + _persons_sentence(analysis, language, fmt)
            + _weeks_sentence(analysis, language, fmt))


def payoff_key_figures(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[dict[str, Any]]:
    """Rows for the key-figures table: persons off support, net gain, probability, weeks."""
    t = TEXT[language]
    rows = []
    row = _last_persons(analysis)
    if row is not None:
        rows.append(_row(t["kf_persons"].format(year=int(row["year"])), fmt(float(row["persons_off_support"]), 0)))
    cost = analysis.cost
    if cost is not None:
        first, last = int(cost.table["year"].iloc[0]), int(cost.table["year"].iloc[-1])
        rows.append(_row(t["kf_net"].format(first=first, last=last), _mio(cost.net_gain, fmt)))
        if math.isfinite(cost.prob_paid_off):
            rows.append(_row(t["kf_prob"], fmt.percent(cost.prob_paid_off)))
    duration = analysis.duration
    if duration is not None and math.isfinite(duration.estimate):
        rows.append(_row(t["kf_weeks"], fmt(duration.estimate, 0, sign=True)))
    return rows


def _persons_table(analysis: Analysis, published: Mapping[str, pd.DataFrame], language: ReportLanguage,
                   fmt: Numbers) -> Table | None:
    table = published.get("persons_off_support")
    if table is None or analysis.persons is None:
        return None
    t = TEXT[language]
    level = fmt.percent(analysis.persons.conf_level)
    rows = [_row(str(int(r.year)), fmt(r.persons_off_support, 0), fmt.interval(r.ci_low, r.ci_high, 0),
                 fmt(r.persons_on_support, 0), fmt(r.persons_without_reform, 0))
            for r in table.itertuples(index=False)]
    header = (t["col_year"], t["col_persons_off"], t["col_interval"].format(level=level), t["col_on_support"],
              t["col_without_reform"])
    return Table(header=header, rows=rows, caption=t["persons_table"], numeric=frozenset({1, 2, 3, 4}))


def _cost_table(analysis: Analysis, published: Mapping[str, pd.DataFrame], language: ReportLanguage,
                fmt: Numbers) -> Table | None:
    table = published.get("cost_benefit")
    cost = analysis.cost
    if table is None or cost is None:
        return None
    t = TEXT[language]
    band = "cumulative_net_low" in table and cost.n_draws > 0
    rows = []
    for r in table.to_dict("records"):
        cells = [str(int(r["year"])), _mio(r["savings_dkk"], fmt), _mio(r["investment_dkk"], fmt),
                 _mio(r["net_dkk"], fmt), _mio(r["cumulative_net_dkk"], fmt)]
        if band:
            cells.append(fmt.interval(r["cumulative_net_low"] / _MILLION, r["cumulative_net_high"] / _MILLION, 1))
        rows.append(_row(*cells))
    header = [t["col_year"], t["col_saved"], t["col_invested"], t["col_net"], t["col_cumulative"]]
    if band:
        header.append(t["col_band"].format(level=fmt.percent(cost.conf_level)))
    return Table(header=tuple(header), rows=rows, caption=t["cost_table"],
                 numeric=frozenset(range(1, len(header))))


def _support_table(analysis: Analysis, published: Mapping[str, pd.DataFrame], language: ReportLanguage,
                   fmt: Numbers) -> Table | None:
    table = published.get("time_on_support")
    if table is None:
        return None
    t = TEXT[language]
    names = {"treated": analysis.treated_name, "comparison": t["row_comparison"]}
    rows = []
    for r in table.to_dict("records"):
        share = r["censored_share"]
        rows.append(_row(names[str(r["role"])], t[f"window_{r['window']}"],
                         fmt(float(r["spells"]), 0) if pd.notna(r["spells"]) else fmt(None),
                         fmt(r["median_weeks"], 0), fmt(r["mean_weeks"], 0),
                         fmt(100 * share, 0) if pd.notna(share) else fmt(None)))
    horizon = fmt(analysis.duration.horizon_weeks, 0) if analysis.duration is not None else ""
    header = (t["col_municipality"], t["col_spells_started"], t["col_spells"], t["col_median_weeks"],
              t["col_mean_weeks"], t["col_censored"])
    return Table(header=header, rows=rows, caption=t["support_table"].format(horizon=horizon),
                 numeric=frozenset({2, 3, 4, 5}))


def _payoff_texts(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[str]:
    t = TEXT[language]
    spec = analysis.config.evaluation
    pool = pool_name(spec.comparison, language, spec.treated)
    group = group_name(analysis, language)
    texts = []
    persons = analysis.persons
    if persons is None:
        return [t["payoff_unavailable"]]
    cycle = t["payoff_cycle"] if spec.cycle_method != "common" else ""
    texts.append(t["payoff_intro"].format(municipality=analysis.treated_name, pool=pool, group=group,
                                          cycle=cycle, stock=fmt(persons.stock_before_start, 0),
                                          method=method_name(persons.event_study.inference, language)))
    pre = persons.event_study.pretrend.get("pvalue", math.nan)
    if math.isfinite(pre):
        key = "payoff_pretrend" if pre >= PRETREND_LEVEL else "payoff_pretrend_fails"
        texts.append(t[key].format(p=fmt.pvalue(pre)))
    cost = analysis.cost
    if cost is None:
        texts.append(t["payoff_no_costs" if analysis.config.data.costs is None else "payoff_costs_failed"])
        return texts
    if cost.n_draws:
        texts.append(t["payoff_probability"].format(k=round(cost.prob_paid_off * cost.n_draws), n=cost.n_draws,
                                                    last=int(cost.table["year"].iloc[-1]),
                                                    prob=fmt.percent(cost.prob_paid_off)))
    if cost.discount_rate:
        texts.append(t["payoff_discounted"].format(rate=fmt.percent(cost.discount_rate), net=_mio(cost.net_gain, fmt),
                                                   year=cost.base_year))
    else:
        texts.append(t["payoff_undiscounted"].format(net=_mio(cost.net_gain, fmt)))
    if math.isfinite(cost.roi):
        texts.append(t["payoff_roi"].format(roi=fmt(cost.roi, 2)))
    texts.append(t["payoff_scope"].format(group=group))
    return texts


def _support_texts(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[str]:
    duration = analysis.duration
    t = TEXT[language]
    if duration is None:
        return [t["support_unavailable"]]
    spec = analysis.config.evaluation
    texts = [t["support_intro"].format(municipality=analysis.treated_name, start=month_text(spec.start, language),
                                       pool=pool_name(spec.comparison, language, spec.treated),
                                       horizon=fmt(duration.horizon_weeks, 0))]
    if math.isfinite(duration.estimate):
        low, high = duration.ci
        texts.append(t["support_effect"].format(
            effect=fmt(duration.estimate, 1, sign=True), level=fmt.percent(duration.conf_level),
            interval=interval_words(low, high, language, fmt, 1), p=fmt.pvalue(duration.pvalue),
            method=method_name(duration.inference, language)))
    if math.isfinite(duration.hazard_ratio):
        texts.append(t["support_hazard"].format(hr=fmt(duration.hazard_ratio, 2),
                                                interval=interval_words(*duration.hazard_ratio_ci, language, fmt, 2)))
    return texts


def payoff_context(analysis: Analysis, published: Mapping[str, pd.DataFrame], language: ReportLanguage,
                   fmt: Numbers) -> dict[str, Any]:
    """What the template's chapters on the investment and on time on support show.

    Parameters
    ----------
    analysis : Analysis
    published : mapping of str to DataFrame
        The published tables (``persons_off_support``, ``cost_benefit``,
        ``time_on_support`` where computed).
    language : {"da", "en"}
    fmt : Numbers

    Returns
    -------
    dict
        ``payoff_texts``, ``persons_table``, ``cost_table``, ``support_texts``, ``support_table``
        (``support_texts`` empty when time on support could not be measured: the reason closes
        ``payoff_texts``).
    """
    payoff_texts = _payoff_texts(analysis, language, fmt)
    support_texts = _support_texts(analysis, language, fmt)
    if analysis.duration is None:  # one sentence is no chapter: it closes the chapter on the money
        payoff_texts, support_texts = payoff_texts + support_texts, []
    return {
        "payoff_texts": payoff_texts,
        "persons_table": _persons_table(analysis, published, language, fmt),
        "cost_table": _cost_table(analysis, published, language, fmt),
        "support_texts": support_texts,
        "support_table": _support_table(analysis, published, language, fmt),
    }
