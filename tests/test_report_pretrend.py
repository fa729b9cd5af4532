"""The event-study caption says what the pre-period test found, in both languages."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from hjeval.report.figures import _pretrend_sentence
from hjeval.report.render import PRETREND_LEVEL, Numbers
from hjeval.report.text import TEXT
from tests.reports import visible_text

SENTENCES = {"da": ("omkring nul", "afviger forskellen fra nul"), "en": ("stays around zero", "departs from zero")}


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_sentence_follows_the_p_value(language: str) -> None:
    holds, fails = SENTENCES[language]
    t, fmt = TEXT[language], Numbers(language)  # type: ignore[arg-type]
    assert holds in _pretrend_sentence(0.4, t, fmt) and fails not in _pretrend_sentence(0.4, t, fmt)
    assert fails in _pretrend_sentence(PRETREND_LEVEL / 2, t, fmt)
    assert holds not in _pretrend_sentence(PRETREND_LEVEL / 2, t, fmt)
    assert _pretrend_sentence(math.nan, t, fmt) == ""


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_built_report_reads_its_own_test(language: str, region_reports: dict[str, Path],
                                             region_analysis) -> None:  # type: ignore[no-untyped-def]
    text = visible_text((region_reports[language] / "report.html").read_text(encoding="utf-8"))
    p = region_analysis.event.pretrend["pvalue"]
    holds, fails = SENTENCES[language]
    expected, other = (holds, fails) if p >= PRETREND_LEVEL else (fails, holds)
    assert expected in text
    assert other not in text
