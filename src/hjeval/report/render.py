"""Turn an analysis, its protected tables and its figures into HTML and PDF.

Only this module rounds and formats numbers. The HTML is self-contained:
styles inline, figures embedded as ``data:`` URIs, nothing fetched when it is
opened.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jinja2
import pandas as pd

from hjeval._version import __version__
from hjeval.data.municipalities import MUNICIPALITIES, NORTH_JUTLAND, RURAL_MUNICIPALITIES
from hjeval.evaluation import HOURS_PER_FULL_TIME_YEAR
from hjeval.plots.style import format_number
from hjeval.report.analysis import Analysis
from hjeval.report.config import ReportLanguage
from hjeval.report.text import BENEFIT_GROUP_NAMES, POOL_NAMES, REGION_NAMES, TEXT

__all__ = ["PRETREND_LEVEL", "Figure", "Page", "Table", "render_html", "render_pdf"]

PRETREND_LEVEL = 0.10
"""Below this p-value the test of equal trends before the reform counts as rejected in the report's wording."""

SUPPRESSED = "·"
"""Shown in place of a number that small-cell suppression withheld."""


@dataclass(frozen=True)
class Figure:
    """A figure as the report embeds it."""

    name: str
    png: bytes
    svg: bytes
    caption: str
    alt: str

    @property
    def src(self) -> str:
        """The PNG as a ``data:`` URI."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class Table:
    """A table as the report shows it: text cells, right-aligned numeric columns."""

    header: Sequence[str]
    rows: Sequence[Mapping[str, Any]]
    caption: str = ""
    numeric: frozenset[int] = frozenset()
    css: str = ""
    hash_column: int = -1


@dataclass(frozen=True)
class Page:
    """Everything the template needs, already in words and formatted numbers."""

    language: ReportLanguage
    title: str
    context: dict[str, Any] = field(default_factory=dict)


class Numbers:
    """Number formatting in the report's language, with suppressed values shown as a dot."""

    def __init__(self, language: ReportLanguage) -> None:
        self.language = language

    def __call__(self, value: float | None, decimals: int = 1, sign: bool = False) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
            return SUPPRESSED
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        text = format_number(float(value), decimals, self.language)
        return "+" + text if sign and value > 0 and text.strip("0,.") else text

    def interval(self, low: float, high: float, decimals: int = 1, unbounded: str = "") -> str:
        if not (math.isfinite(low) and math.isfinite(high)):
            return unbounded
        return f"{self(low, decimals)} – {self(high, decimals)}"

    def pvalue(self, value: float) -> str:
        if not math.isfinite(value):
            return SUPPRESSED
        return self(value, 3) if value >= 0.001 else ("< 0,001" if self.language == "da" else "< 0.001")

    def percent(self, share: float) -> str:
        return f"{self(100 * share, 0)} %" if self.language == "da" else f"{self(100 * share, 0)}%"


def month_text(period: object, language: ReportLanguage) -> str:
    """A month in words, e.g. "januar 2015"."""
    month = pd.Period(str(period), "M")
    return f"{TEXT[language]['month_names'].split()[month.month - 1]} {month.year}"


def interval_words(low: float, high: float, language: ReportLanguage, fmt: Numbers, decimals: int = 1) -> str:
    """An interval in a sentence, "-54 til -21" (a dash between two negative numbers reads as a minus)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return TEXT[language]["unbounded"]
    return TEXT[language]["between"].format(low=fmt(low, decimals), high=fmt(high, decimals))


def pool_name(pool: str | tuple[int, ...], language: ReportLanguage, treated: int | None = None) -> str:
    """The comparison pool in words, for the treated municipality ``treated``.

    A named pool is called "the other ..." only when the treated municipality belongs to the
    pool's area (and is therefore left out of it); an explicit list is counted without it.

    Examples
    --------
    >>> pool_name("north_jutland", "da", 860), pool_name("north_jutland", "da", 147)
    ('de øvrige nordjyske kommuner', 'de nordjyske kommuner')
    >>> pool_name((860, 147, 580), "en", 860)
    '2 selected municipalities'
    """
    names = POOL_NAMES[language]
    if isinstance(pool, tuple):
        n = len([code for code in pool if code != treated])
        return names["list_one"] if n == 1 else names["list"].format(n=n)
    members = {"north_jutland": NORTH_JUTLAND, "rural": RURAL_MUNICIPALITIES}.get(pool)
    if members is not None and treated in members:
        return names.get(f"{pool}_other", pool)
    return names.get(pool, pool)


def region_name(municipality: int, language: ReportLanguage) -> str:
    """The region of a municipality in words ("" for a code outside the 98 municipalities).

    Examples
    --------
    >>> region_name(580, "da"), region_name(147, "en")
    ('Region Syddanmark', 'Capital Region of Denmark')
    """
    entry = MUNICIPALITIES.get(municipality)
    return REGION_NAMES[language].get(entry[1], "") if entry is not None else ""


def _environment() -> jinja2.Environment:
    loader = jinja2.FunctionLoader(
        lambda name: resources.files("hjeval.report").joinpath("templates", name).read_text(encoding="utf-8")
    )
    return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_html(page: Page) -> str:
    """Render the report page to one self-contained HTML document."""
    css = resources.files("hjeval.report").joinpath("templates", "report.css").read_text(encoding="utf-8")
    template = _environment().get_template("report.html.j2")
    return template.render(t=TEXT[page.language], title=page.title, css=css, version=__version__, **page.context)


def render_pdf(html: str) -> bytes:
    """Typeset the HTML document as an A4 PDF (WeasyPrint)."""
    import logging

    import weasyprint

    # WeasyPrint logs every CSS property it does not support (e.g. the screen-only layout rules)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=None)
    return bytes(document.write_pdf())


def group_name(analysis: Analysis, language: ReportLanguage) -> str:
    """The target group in words."""
    group = analysis.config.evaluation.benefit_group
    return BENEFIT_GROUP_NAMES[language].get(group, group)


def hours_per_full_time_week() -> float:
    """Hours of a full-time week (1,924 hours a year over 52 weeks)."""
    return HOURS_PER_FULL_TIME_YEAR / 52
