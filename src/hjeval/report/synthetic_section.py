"""The report's synthetic comparison: synthetic DiD and synthetic control in words.

The estimates rest on the whole treated municipality and on donors that each
have at least the disclosure threshold of persons in every month (see
:func:`hjeval.report.analysis.analyse`).
"""

from __future__ import annotations

import math

from hjeval.errors import DataError
from hjeval.report.analysis import Analysis
from hjeval.report.config import ReportLanguage
from hjeval.report.render import Numbers, interval_words
from hjeval.report.text import TEXT

__all__ = ["synthetic_texts"]

_PERIODS_PER_YEAR = {"M": 12, "Q": 4, "Y": 1, "A": 1}


def _one_year_earlier(analysis: Analysis) -> float:
    """Synthetic DiD with the start moved one year back, on the data before the start only (NaN if too short)."""
    result = analysis.synthetic_did
    if result is None:
        return math.nan
    frequency = str(getattr(result.start, "freqstr", "M")).split("-")[0]
    try:
        table = result.placebo_in_time(_PERIODS_PER_YEAR.get(frequency, 12))
    except DataError:
        return math.nan
    return float(table["estimate"].iloc[0])


def synthetic_texts(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[str]:
    """Paragraphs on the synthetic comparison, each computed from its estimate.

    Parameters
    ----------
    analysis : Analysis
    language : {"da", "en"}
    fmt : Numbers

    Returns
    -------
    list of str
        Empty when neither synthetic estimate could be computed.
    """
    t = TEXT[language]
    municipality = analysis.treated_name
    texts = []
    sdid = analysis.synthetic_did
    if sdid is not None:
        in_time = _one_year_earlier(analysis)
        texts.append(t["synthetic_did_text"].format(
            municipality=municipality, effect=fmt(12 * sdid.estimate), level=fmt.percent(sdid.conf_level),
            interval=interval_words(12 * sdid.ci[0], 12 * sdid.ci[1], language, fmt),
            top=fmt(100 * float(sdid.weights.max()), 0), in_time=fmt(12 * in_time)))
    sc = analysis.synthetic_control
    if sc is not None:
        placebos = sc.in_space_placebos()
        texts.append(t["synthetic_control_text"].format(municipality=municipality, effect=fmt(12 * sc.estimate),
                                                        rank=placebos.rank, n=placebos.units))
    if texts and analysis.donors_left_out:
        texts.append(t["synthetic_donors"].format(n=analysis.donors_left_out, k=analysis.config.disclosure_threshold))
    return texts
