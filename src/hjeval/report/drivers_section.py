"""The report's chapter on what drove the effect and for whom, in words and tables.

Every sentence is computed from an estimate of :mod:`hjeval.report.drivers` or from a
table that passed small-cell suppression (:func:`hjeval.report.tables.publish_drivers`);
a part that could not be computed is said so in words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from hjeval.report.analysis import Analysis
from hjeval.report.config import ReportLanguage
from hjeval.report.drivers import FEW_INTERVENTIONS
from hjeval.report.render import Numbers, Table, interval_words, month_text, region_name
from hjeval.report.text import TEXT

__all__ = ["drivers_context", "level_label", "phase_label"]


def _row(*cells: str, css: str = "") -> dict[str, Any]:
    return {"cells": list(cells), "css": css}


def phase_label(name: str, language: ReportLanguage) -> str:
    """A phase's name in words (the configured name where the report has no words for it)."""
    return TEXT[language].get(f"phase_name_{name}", name)


def level_label(characteristic: str, level: str, language: ReportLanguage) -> str:
    """A subgroup level in words, e.g. "Kvinder" for ``sex = "F"``."""
    text = TEXT[language].get(f"level_{characteristic}_{level}", f"{characteristic} = {level}")
    return text.format(n=FEW_INTERVENTIONS, m=FEW_INTERVENTIONS + 1)


def _span(first: str, last: str, language: ReportLanguage) -> str:
    a, b = pd.Period(first, "M"), pd.Period(last, "M")
    if a.year == b.year:
        names = TEXT[language]["month_names"].split()
        return f"{names[a.month - 1]}–{names[b.month - 1]} {a.year}" if a != b else month_text(first, language)
    return f"{month_text(first, language)}–{month_text(last, language)}"


def _side(low: float, high: float) -> str:
    """"above", "below" or "zero": where an interval lies relative to zero."""
    if not (math.isfinite(low) and math.isfinite(high)) or low <= 0 <= high:
        return "zero"
    return "above" if low > 0 else "below"


def _header(*cells: str) -> tuple[str, ...]:
    """Column headings whose hyphens do not break ("95 %-interval", "p-værdi")."""
    return tuple(cell.replace("-", "\u2011") for cell in cells)


def _power(share: float, fmt: Numbers) -> str:
    """A probability in percent; above 99 % but below 1 as "> 99 %", so that it does not read as certain."""
    if 0.99 < share < 1:
        return "> " + fmt.percent(0.99)
    return fmt.percent(share)


def _range(values: list[int]) -> str:
    return str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}"


def _listing(items: list[str], language: ReportLanguage) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {TEXT[language]['and']} {items[-1]}"


def _phases(analysis: Analysis, published: Mapping[str, pd.DataFrame], language: ReportLanguage,
            fmt: Numbers) -> tuple[list[str], Table | None]:
    t = TEXT[language]
    spec = analysis.config.evaluation
    if spec.phases is None:
        return [t["phases_absent"]], None
    table = published.get("phases")
    drivers = analysis.drivers
    if table is None or drivers.phased is None:
        return [t["phases_failed"]], None
    municipality = analysis.treated_name
    level = fmt.percent(drivers.phased.conf_level)
    names = [name for name, _ in spec.phases]
    texts = [t["phases_intro"].format(phases=_listing(
        [t["phases_from"].format(phase=phase_label(name, language), month=month_text(first, language))
         for name, first in spec.phases], language))]
    rows = table.set_index("term")
    phase_rows = rows.loc[names]
    if phase_rows["hours_per_year"].isna().any():
        texts.append(t["phases_withheld"].format(k=analysis.config.disclosure_threshold, municipality=municipality))
    else:
        first = phase_rows.iloc[0]
        texts.append(t[f"phases_first_{_side(first['ci_low'], first['ci_high'])}"].format(
            phase=phase_label(names[0], language), period=_span(first["first_month"], first["last_month"], language),
            effect=fmt(first["hours_per_year"], 1, sign=True), level=level,
            interval=interval_words(first["ci_low"], first["ci_high"], language, fmt), p=fmt.pvalue(first["p_value"])))
        difference = rows.loc["difference"]
        side = _side(difference["ci_low"], difference["ci_high"])
        key = {"above": "phases_difference_larger", "below": "phases_difference_smaller"}.get(
            side, "phases_difference_none")
        value = difference["hours_per_year"]
        texts.append(t[key].format(
            phase=phase_label(names[-1], language), diff=fmt(abs(value) if side != "zero" else value, 1,
                                                             sign=side == "zero"),
            level=level, interval=interval_words(difference["ci_low"], difference["ci_high"], language, fmt),
            p=fmt.pvalue(difference["p_value"])))
    shown = []
    for term, r in rows.iterrows():
        if term == "difference":
            label = t["phases_difference_row"]
            period = ""
        else:
            label = phase_label(str(term), language)
            label = label[:1].upper() + label[1:]
            period = _span(r["first_month"], r["last_month"], language)
        shown.append(_row(label, period, fmt(r["hours_per_year"], 1, sign=True),
                          fmt.interval(r["ci_low"], r["ci_high"], unbounded=t["unbounded"])
                          if pd.notna(r["hours_per_year"]) else fmt(None),
                          fmt.pvalue(r["p_value"]) if pd.notna(r["p_value"]) else fmt(None),
                          css="total" if term == "difference" else ""))
    header = _header(t["col_phase"], t["col_period"], t["col_estimate"], t["col_interval"].format(level=level),
                     t["col_p"])
    return texts, Table(header=header, rows=shown, caption=t["phases_table"], numeric=frozenset({2, 3, 4}),
                        css="drivers")


def _joint_sentence(analysis: Analysis, characteristic: str, table: pd.DataFrame, language: ReportLanguage,
                    fmt: Numbers) -> str:
    t = TEXT[language]
    result = analysis.drivers.subgroups[characteristic]
    what = t[f"what_{characteristic}"]
    rows = table[(table["characteristic"] == characteristic) & table["hours_per_year"].notna()]
    p = float(result.joint_test.get("pvalue", math.nan))
    if len(rows) < 2 or not math.isfinite(p):
        return t["subgroups_one_level"].format(what=what)
    if p >= analysis.config.evaluation.alpha:
        return t["subgroups_equal"].format(what=what, p=fmt.pvalue(p))
    low, high = rows.loc[rows["hours_per_year"].idxmin()], rows.loc[rows["hours_per_year"].idxmax()]
    return t["subgroups_differ"].format(
        what=what, p=fmt.pvalue(p), low=fmt(low["hours_per_year"]), high=fmt(high["hours_per_year"]),
        low_name=level_label(characteristic, str(low["level"]), language).lower(),
        high_name=level_label(characteristic, str(high["level"]), language).lower())


def _few_sentences(analysis: Analysis, table: pd.DataFrame, language: ReportLanguage, fmt: Numbers) -> list[str]:
    t = TEXT[language]
    rows = table[table["characteristic"] == "interventions"].set_index("level")
    municipality = analysis.treated_name
    k = analysis.config.disclosure_threshold
    if "few" not in rows.index or pd.isna(rows.loc["few", "hours_per_year"]):
        return [t["subgroups_few_withheld"].format(k=k, municipality=municipality)]
    few = rows.loc["few"]
    level = fmt.percent(analysis.drivers.subgroups["interventions"].conf_level)
    if "many" not in rows.index or pd.isna(rows.loc["many", "hours_per_year"]):
        return []
    many = rows.loc["many"]
    sentences = [t["subgroups_few"].format(
        n=FEW_INTERVENTIONS, few=fmt(few["hours_per_year"]), level=level,
        few_interval=interval_words(few["ci_low"], few["ci_high"], language, fmt), many=fmt(many["hours_per_year"]),
        many_interval=interval_words(many["ci_low"], many["ci_high"], language, fmt))]
    p = float(analysis.drivers.subgroups["interventions"].joint_test.get("pvalue", math.nan))
    if math.isfinite(p):
        key = ("subgroups_few_same" if p >= analysis.config.evaluation.alpha
               else "subgroups_few_smaller" if few["hours_per_year"] < many["hours_per_year"]
               else "subgroups_few_larger")
        sentences.append(t[key].format(p=fmt.pvalue(p)))
    return [" ".join(sentences)]


def _women_sentence(analysis: Analysis, table: pd.DataFrame | None, language: ReportLanguage,
                    fmt: Numbers) -> str:
    t = TEXT[language]
    drivers = analysis.drivers
    municipality = analysis.treated_name
    k = analysis.config.disclosure_threshold
    if drivers.women_reason:
        return t[f"subgroups_women_{drivers.women_reason}"].format(municipality=municipality)
    rows = table[table["characteristic"] == "women_integration"] if table is not None else pd.DataFrame()
    if rows.empty or pd.isna(rows["hours_per_year"].iloc[0]):
        return t["subgroups_women_withheld"].format(k=k, municipality=municipality)
    row = rows.iloc[0]
    result = drivers.women_integration
    level = fmt.percent(result.conf_level if result is not None else 1 - analysis.config.evaluation.alpha)
    return t["subgroups_women"].format(
        effect=fmt(row["hours_per_year"], 1, sign=True), level=level,
        interval=interval_words(row["ci_low"], row["ci_high"], language, fmt), p=fmt.pvalue(row["p_value"]),
        verdict=t[f"subgroups_women_{_side(row['ci_low'], row['ci_high'])}"])


def _subgroups(analysis: Analysis, published: Mapping[str, pd.DataFrame], language: ReportLanguage,
               fmt: Numbers) -> tuple[list[str], Table | None]:
    t = TEXT[language]
    drivers = analysis.drivers
    municipality = analysis.treated_name
    k = analysis.config.disclosure_threshold
    table = published.get("subgroups")
    texts = []
    if not drivers.present:
        texts.append(t["subgroups_none"])
    else:
        texts.append(t["subgroups_intro"].format(
            columns=_listing([f"{t[f'what_{c}']} ({c})" for c in drivers.present], language), k=k,
            municipality=municipality))
        if drivers.missing:
            key = "subgroups_missing" if len(drivers.missing) == 1 else "subgroups_missing_many"
            texts.append(t[key].format(columns=_listing(list(drivers.missing), language),
                                       what=_listing([t[f"what_{c}"] for c in drivers.missing], language)))
    for characteristic in drivers.present:
        if characteristic not in drivers.subgroups:
            texts.append(t["subgroups_failed"].format(what=t[f"what_{characteristic}"]))
        elif table is not None and characteristic != "interventions":  # the few-interventions sentence says it
            texts.append(_joint_sentence(analysis, characteristic, table, language, fmt))
    if "interventions" in drivers.subgroups and table is not None:
        texts += _few_sentences(analysis, table, language, fmt)
    texts.append(_women_sentence(analysis, table, language, fmt))
    if table is None:
        return texts, None
    level = fmt.percent(1 - analysis.config.evaluation.alpha)
    rows = []
    for r in table.to_dict("records"):
        shown = pd.notna(r["hours_per_year"])
        rows.append(_row(level_label(str(r["characteristic"]), str(r["level"]), language),
                         fmt(float(r["persons"]), 0) if pd.notna(r["persons"]) else fmt(None),
                         fmt(r["hours_per_year"], 1, sign=True),
                         fmt.interval(r["ci_low"], r["ci_high"], unbounded=t["unbounded"]) if shown else fmt(None),
                         fmt.pvalue(r["p_value"]) if shown else fmt(None),
                         fmt.pvalue(r["p_adjusted"]) if shown else fmt(None)))
    header = _header(t["col_group"], t["col_persons_in"].format(municipality=municipality), t["col_estimate"],
                     t["col_interval"].format(level=level), t["col_p"], t["col_p_holm"])
    return texts, Table(header=header, rows=rows, caption=t["subgroups_table"], numeric=frozenset({1, 2, 3, 4, 5}),
                        css="drivers")


def _copying(analysis: Analysis, published: Mapping[str, pd.DataFrame], language: ReportLanguage,
             fmt: Numbers) -> tuple[list[str], Table | None]:
    t = TEXT[language]
    spec = analysis.config.evaluation
    municipality = analysis.treated_name
    region = region_name(spec.treated, language) or t["this_region"]
    table = published.get("copying")
    if table is None:
        return [t["copying_none"].format(region=region)], None
    k = analysis.config.disclosure_threshold
    start = month_text(spec.start, language)
    ok = table[table["status"] == "ok"]
    texts = []
    target = 0.8
    if len(ok):
        first = next(iter(analysis.drivers.copying_results.values()))
        target = first.target_power
        pre = sorted({int(v) for v in ok["pre_months"]})
        post = sorted({int(v) for v in ok["post_months"]})
        texts.append(t["copying_intro"].format(
            region=region, start=start, pre=_range(pre), post=_range(post),
            municipality=municipality, alpha=fmt.percent(spec.alpha), power=fmt.percent(target),
            effect=fmt(12 * analysis.main.estimate)))
        finite = ok[np.isfinite(ok["mde_hours_per_year"].to_numpy(dtype=float))]
        if len(finite) >= 2:
            low = finite.loc[finite["mde_hours_per_year"].idxmin()]
            high = finite.loc[finite["mde_hours_per_year"].idxmax()]
            n_high = int((ok["power_at_effect"] >= target).sum())
            texts.append(t["copying_range"].format(
                low=fmt(low["mde_hours_per_year"]), low_name=low["name"], high=fmt(high["mde_hours_per_year"]),
                high_name=high["name"], municipality=municipality, n_high=n_high, n=len(ok),
                power=fmt.percent(target)))
        elif len(finite) == 1:
            row = finite.iloc[0]
            texts.append(t["copying_one"].format(name=row["name"], mde=fmt(row["mde_hours_per_year"]),
                                                 municipality=municipality, prob=fmt.percent(row["power_at_effect"])))
        never = ok[~np.isfinite(ok["mde_hours_per_year"].to_numpy(dtype=float))]
        if len(never):
            texts.append(t["copying_never"].format(names=_listing(never["name"].tolist(), language)))
        texts.append(t["copying_scope"].format(municipality=municipality))
    withheld = int((table["status"] == "withheld").sum())
    if withheld:
        texts.append(t["copying_withheld"].format(n=withheld, k=k, start=start))
    failed = table[table["status"] == "failed"]
    if len(failed):
        texts.append(t["copying_failed"].format(names=_listing(failed["name"].tolist(), language)))
    rows = []
    for r in table.to_dict("records"):
        is_ok = r["status"] == "ok"
        mde = float(r["mde_hours_per_year"]) if is_ok else math.nan
        rows.append(_row(str(r["name"]), fmt(float(r["persons"]), 0) if pd.notna(r["persons"]) else fmt(None),
                         (fmt(mde) if math.isfinite(mde) else t["never"]) if is_ok else fmt(None),
                         _power(float(r["power_at_effect"]), fmt) if is_ok else fmt(None)))
    header = _header(t["col_municipality"], t["col_persons_before"].format(start=start), t["col_mde"],
                     t["col_power_at"].format(municipality=municipality))
    return texts, Table(header=header, rows=rows, caption=t["copying_table"], numeric=frozenset({1, 2, 3}),
                        css="drivers")


def _dose_texts(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[str]:
    """The caseload as a dose in words: the slope, what it implies, and where it is identified from."""
    t = TEXT[language]
    dose = analysis.drivers.dose
    if dose is None:
        return [t["dose_absent" if analysis.config.data.caseload is None else "dose_unavailable"]]
    ident = dose.identification
    # the estimate is per one more case: a case fewer changes the hours by minus the slope
    per_case_fewer = -12 * dose.estimate
    low, high = sorted((-12 * dose.ci[1], -12 * dose.ci[0]))
    interval = interval_words(low, high, language, fmt)
    share = float(ident.get("treated_share", math.nan))
    return [t["dose_text"].format(
        slope=fmt(abs(per_case_fewer), 1), direction=t["dose_more" if per_case_fewer >= 0 else "dose_less"],
        level=fmt.percent(dose.conf_level), interval=interval, p=fmt.pvalue(dose.pvalue),
        municipality=analysis.treated_name, before=fmt(float(ident["treated_dose_before"]), 0),
        after=fmt(float(ident["treated_dose_after"]), 0),
        implied=fmt(12 * float(ident["implied_effect"]), 1, sign=True),
        share=fmt(100 * share, 0), mostly=t["dose_mostly" if share >= 0.5 else "dose_partly"])]


def drivers_context(analysis: Analysis, published: Mapping[str, pd.DataFrame], language: ReportLanguage,
                    fmt: Numbers) -> dict[str, Any]:
    """What the template's chapter on phases, subgroups and copying municipalities shows.

    Parameters
    ----------
    analysis : Analysis
    published : mapping of str to DataFrame
        The published tables (``phases``, ``subgroups``, ``copying`` where computed).
    language : {"da", "en"}
    fmt : Numbers

    Returns
    -------
    dict
        ``dose_texts``, ``phase_texts``, ``phases_table``, ``subgroup_texts``, ``subgroups_table``,
        ``copying_texts``, ``copying_table`` (a table None where it is not shown).
    """
    dose_texts = _dose_texts(analysis, language, fmt)
    phase_texts, phases_table = _phases(analysis, published, language, fmt)
    subgroup_texts, subgroups_table = _subgroups(analysis, published, language, fmt)
    copying_texts, copying_table = _copying(analysis, published, language, fmt)
    return {"dose_texts": dose_texts, "phase_texts": phase_texts, "phases_table": phases_table,
            "subgroup_texts": subgroup_texts, "subgroups_table": subgroups_table, "copying_texts": copying_texts,
            "copying_table": copying_table}

