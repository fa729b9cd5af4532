"""The inference behind an estimate in words, in Danish and English.

Every sentence is built from the fields of the result's
:class:`~hjeval.inference.record.InferenceRecord` (method, draws, exact or
random, clusters, degrees of freedom, bootstrap weights, the fitted size
model); the record's English ``label`` is never shown or parsed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from hjeval.inference.record import InferenceRecord, SizeCorrection
from hjeval.inference.strategies import MIN_TREATED_CLUSTERS
from hjeval.report.config import ReportLanguage
from hjeval.report.render import Numbers, pool_name
from hjeval.report.text import TEXT

if TYPE_CHECKING:
    from hjeval.report.analysis import Analysis
    from hjeval.results.base import Result

__all__ = [
    "ANNUAL",
    "SizeFigures",
    "inference_notes",
    "method_detail",
    "method_name",
    "method_paragraph",
    "size_figures",
    "size_paragraphs",
]

ANNUAL = 12
"""The report shows monthly hours per year: estimates times 12, variances times 144."""

_GROUP_COLUMN = "municipality"
_TYPICAL_FACTOR_TOLERANCE = 0.05


def _key(record: InferenceRecord) -> str:
    return record.method.replace("-", "_")


def _corrected(record: InferenceRecord, language: ReportLanguage) -> str:
    t = TEXT[language]
    return t["size_corrected"] if record.size_corrected else t["not_size_corrected"]


def _count(n: float, fmt: Numbers) -> str:
    return fmt(float(n), 0)


def _clusters(record: InferenceRecord, language: ReportLanguage, fmt: Numbers) -> str:
    t = TEXT[language]
    key = "clusters_municipalities" if record.cluster_by == _GROUP_COLUMN else "clusters_other"
    return t[key].format(n=_count(record.clusters, fmt))


def _treated(record: InferenceRecord, language: ReportLanguage, fmt: Numbers) -> str:
    t = TEXT[language]
    return t["treated_one" if record.treated_clusters == 1 else "treated_many"].format(
        n=_count(record.treated_clusters, fmt))


def _df(record: InferenceRecord, fmt: Numbers) -> str:
    df = record.df
    return fmt(df, 0 if math.isfinite(df) and abs(df - round(df)) < 0.05 else 1)


def _weights(record: InferenceRecord) -> str:
    return record.bootstrap_weights.capitalize()


def _few_treated(record: InferenceRecord) -> bool:
    if record.method == "cluster":
        return record.treated_clusters < MIN_TREATED_CLUSTERS
    return record.method == "wild-bootstrap" and record.treated_clusters < 2


def method_name(record: InferenceRecord, language: ReportLanguage) -> str:
    """The method in a few words, e.g. "placebo-test, størrelseskorrigeret".

    Parameters
    ----------
    record : InferenceRecord
    language : {"da", "en"}

    Returns
    -------
    str

    Examples
    --------
    >>> from hjeval.inference.record import InferenceRecord
    >>> method_name(InferenceRecord("cluster", 1.0, 0.5, (0.0, 2.0), 0.04, 0.05, vcov="CR2"), "da")
    'klyngerobust CR2'
    """
    t = TEXT[language]
    name = t[f"method_{_key(record)}"].format(vcov=record.vcov or "CR1")
    if record.size_correction is not None:
        name += f", {_corrected(record, language)}"
    return name


def method_detail(record: InferenceRecord, language: ReportLanguage, fmt: Numbers) -> str:
    """The method with its numbers, for a table cell.

    Placebo: the number of re-assignments, exact or random, size-corrected or
    not; Conley–Taber: the comparison municipalities or draws; cluster: the
    covariance, the clusters, the t degrees of freedom and, with few treated
    municipalities, that it is not valid; wild bootstrap: weights, draws and
    clusters.

    Examples
    --------
    >>> from hjeval.inference.record import InferenceRecord
    >>> record = InferenceRecord("placebo", 1.0, 0.5, (0.1, 2.0), 0.04, 0.05, draws=29, exact=True)
    >>> method_detail(record, "da", Numbers("da"))
    'placebo-tildeling til alle 29 sammenligningskommuner, ikke størrelseskorrigeret'
    """
    t = TEXT[language]
    key = _key(record)
    if record.method in ("placebo", "conley-taber"):
        exact = "exact" if record.exact else "random"
        return t[f"detail_{key}_{exact}"].format(n=_count(record.draws, fmt), corrected=_corrected(record, language))
    if record.method == "cluster":
        text = t["detail_cluster"].format(vcov=record.vcov, clusters=_clusters(record, language, fmt),
                                          df=_df(record, fmt))
        if _few_treated(record):
            text += t["detail_cluster_invalid"].format(treated=_treated(record, language, fmt))
        return text
    text = t["detail_wild_bootstrap"].format(weights=_weights(record), draws=_count(record.draws, fmt),
                                             clusters=_clusters(record, language, fmt))
    return text + (t["detail_wild_bootstrap_invalid"] if _few_treated(record) else "")


def method_paragraph(record: InferenceRecord, municipality: str, language: ReportLanguage, fmt: Numbers) -> str:
    """How the uncertainty was obtained, in a few plain sentences for the method appendix."""
    t = TEXT[language]
    n = _count(record.draws, fmt)
    exact = "exact" if record.exact else "random"
    if record.method == "placebo":
        assigned = t[f"assigned_{exact}"].format(n=n, seed=record.seed)
        return t["method_para_placebo"].format(assigned=assigned, municipality=municipality)
    if record.method == "conley-taber":
        drawn = t[f"drawn_{exact}"].format(n=n, seed=record.seed)
        return t["method_para_conley_taber"].format(drawn=drawn, municipality=municipality)
    if record.method == "cluster":
        text = t["method_para_cluster"].format(vcov=record.vcov, clusters=_clusters(record, language, fmt),
                                               df=_df(record, fmt))
        if _few_treated(record):
            text += t["method_para_cluster_invalid"].format(treated=_treated(record, language, fmt))
        return text
    text = t["method_para_wild_bootstrap"].format(draws=n, weights=_weights(record),
                                                  clusters=_clusters(record, language, fmt))
    return text + (t["method_para_wild_bootstrap_invalid"] if _few_treated(record) else "")


class SizeFigures:
    """The numbers the size-correction paragraph shows, in hours a year.

    Attributes
    ----------
    model : SizeCorrection
    typical_size : float
        A typical comparison municipality's size: the (lower) median of the
        comparison municipalities' sizes in the data.
    small_size : float
        The smallest municipality's size, or the disclosure threshold when the
        smallest is below it (its size is then not shown).
    smallest_shown : bool
        Whether ``small_size`` is the smallest municipality's own size.
    """

    def __init__(self, model: SizeCorrection, typical_size: float, threshold: int) -> None:
        self.model = model
        self.typical_size = typical_size
        self.smallest_shown = model.size_range[0] >= threshold
        self.small_size = model.size_range[0] if self.smallest_shown else float(threshold)

    def sd(self, size: float) -> float:
        """Standard deviation of an estimate of a group of ``size``, in hours a year."""
        return ANNUAL * math.sqrt(max(self.model.variance(size), 0.0))

    @property
    def sd_shocks(self) -> float:
        """Standard deviation of the shocks hitting a whole municipality (from ``A``), hours a year."""
        return ANNUAL * math.sqrt(max(self.model.intercept, 0.0))

    @property
    def sd_person(self) -> float:
        """Standard deviation per person (from ``B``), hours a year."""
        return ANNUAL * math.sqrt(max(self.model.slope, 0.0))

    @property
    def typical_factor(self) -> float:
        """What a typical comparison municipality's estimate is multiplied by."""
        return self.sd(self.model.treated_size) / self.sd(self.typical_size)


def size_figures(analysis: Analysis, record: InferenceRecord | None = None) -> SizeFigures | None:
    """The size-correction numbers of the main estimate (or ``record``), None without a fitted model.

    Parameters
    ----------
    analysis : Analysis
    record : InferenceRecord, optional
        Defaults to the main estimate's.

    Returns
    -------
    SizeFigures or None
        None unless the correction was applied.
    """
    record = record or analysis.main.inference
    model = record.size_correction
    if model is None or not model.applied:
        return None
    treated = analysis.config.evaluation.treated
    members = set(analysis.cells["municipality"].unique().tolist()) - {treated}
    sizes = np.sort(analysis.persons_by_municipality.reindex(sorted(members)).dropna().to_numpy(dtype=float))
    typical = float(sizes[(len(sizes) - 1) // 2]) if len(sizes) else model.treated_size
    return SizeFigures(model, max(typical, float(analysis.config.disclosure_threshold)),
                       analysis.config.disclosure_threshold)


def _interval(ci: tuple[float, float], language: ReportLanguage, fmt: Numbers) -> str:
    """An interval in hours a year for running text, e.g. "45,3 til 51,3"."""
    t = TEXT[language]
    low, high = (ANNUAL * c for c in ci)
    if not (math.isfinite(low) and math.isfinite(high)):
        return t["unbounded"]
    return t["interval_prose"].format(low=fmt(low), high=fmt(high))


def _size_range(model: SizeCorrection, municipality: str, threshold: int, language: ReportLanguage,
                fmt: Numbers) -> str:
    t = TEXT[language]
    unit = t[f"unit_{model.measure}"]
    low, high = model.size_range
    smallest = _count(low, fmt) if low >= threshold else t["fewer_than"].format(k=threshold)
    return t["size_differ"].format(unit=unit, smallest=smallest, largest=f"{_count(high, fmt)} {unit}",
                                   municipality=municipality, treated=_count(model.treated_size, fmt))


def _joined(items: list[str], language: ReportLanguage) -> str:
    """``"a, b og c"``; the first letter upper case."""
    text = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {TEXT[language]['and']} {items[-1]}"
    return text[:1].upper() + text[1:]


def size_paragraphs(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[str]:
    """The size correction of the main estimate in plain words, computed from the fitted model.

    Says how much the municipalities differ in size, what ``A`` and ``B`` were
    estimated at (as standard deviations in hours a year), the standard
    deviation this implies for the treated, a typical and a small municipality,
    what the rescaling did (against the estimate without it), or, when it was
    not applied, why.

    Sizes below the disclosure threshold are not shown: the smallest
    municipality is then described as having fewer persons than the threshold
    and the example uses a municipality of exactly the threshold.

    Returns
    -------
    list of str
        Paragraphs: the model and its estimates, then what the rescaling did;
        one paragraph when the correction was not applied.
    """
    t = TEXT[language]
    main = analysis.main
    record = main.inference
    municipality = analysis.treated_name
    threshold = analysis.config.disclosure_threshold
    model = record.size_correction
    if model is None:
        return [t["size_none"].format(method=t[f"size_none_{_key(record)}"], municipality=municipality)]
    unit = t[f"unit_{model.measure}"]
    differ = model.size_range[1] > model.size_range[0]
    if not model.applied:
        intro = [_size_range(model, municipality, threshold, language, fmt)] if differ else []
        if model.reason == "switched off":
            return [" ".join([*intro, t["size_switched_off"].format(municipality=municipality)])]
        if model.reason == "equal sizes":
            return [t["size_equal"].format(unit=unit, treated=_count(model.treated_size, fmt))]
        if model.reason == "no variance model":
            return [" ".join([*intro, t["size_no_model"].format(fitted=_count(model.fitted_groups, fmt))])]
        return [t["size_not_offered"]]
    figures = size_figures(analysis)
    assert figures is not None  # applied
    one = t[f"unit_{model.measure}_one"]
    if model.intercept <= 0:
        a_text = t["size_a_zero"].format(unit=unit)
        b_key = "size_b_after_zero"
    else:
        a_text = t["size_a"].format(sd=fmt(figures.sd_shocks))
        b_key = "size_b"
    b_text = (t["size_b_zero"].format(unit=unit) if model.slope <= 0
              else t[b_key].format(sd=fmt(figures.sd_person), one=one))
    small_name = (t["size_smallest"] if figures.smallest_shown else t["size_small"]).format(
        n=_count(figures.small_size, fmt), unit=unit)
    if model.slope > 0:
        spread = t["size_sd"].format(treated=fmt(figures.sd(model.treated_size)), municipality=municipality,
                                     typical=fmt(figures.sd(figures.typical_size)),
                                     typical_size=_count(figures.typical_size, fmt), unit=unit,
                                     small=fmt(figures.sd(figures.small_size)), small_name=small_name)
    else:
        spread = t["size_sd_equal"].format(sd=fmt(figures.sd(model.treated_size)))
    model_sentences = [
        _size_range(model, municipality, threshold, language, fmt),
        t["size_model"].format(unit=unit),
        t["size_fit"].format(fitted=_count(model.fitted_groups, fmt), a_text=a_text, b_text=b_text),
        spread,
    ]
    factor = figures.typical_factor
    if model.slope > 0:
        sentences = [t[f"size_rescale_{_key(record)}"].format(municipality=municipality, factor=fmt(factor, 2))]
        if abs(factor - 1) >= _TYPICAL_FACTOR_TOLERANCE:
            key = "size_direction_less" if factor < 1 else "size_direction_more"
            sentences.append(t[key].format(municipality=municipality))
    else:
        sentences = [t["size_rescale_none"].format(municipality=municipality)]
    off = analysis.uncorrected
    if off is not None:
        bounded = [all(math.isfinite(c) for c in r.ci) for r in (main, off)]
        if any(bounded):
            sentences.append(t["size_effect"].format(
                level=fmt.percent(main.conf_level), interval=_interval(main.ci, language, fmt),
                p=fmt.pvalue(main.pvalue), interval_off=_interval(off.ci, language, fmt),
                p_off=fmt.pvalue(off.pvalue)))
        else:
            p, p_off = fmt.pvalue(main.pvalue), fmt.pvalue(off.pvalue)
            sentences.append(t["size_effect_same_p" if p == p_off else "size_effect_p"].format(p=p, p_off=p_off))
    also = []
    if analysis.event.inference.size_corrected:
        also.append(t["also_event"])
    if analysis.conley_taber is not None and analysis.conley_taber.inference.size_corrected:
        also.append(t["also_conley_taber"])
    if any(p.result.inference.size_corrected for p in analysis.pools):
        also.append(t["also_pools"])
    if also:
        sentences.append(t["size_also" if len(also) > 1 else "size_also_one"].format(items=_joined(also, language)))
    return [" ".join(model_sentences), " ".join(sentences)]


def _shown_results(analysis: Analysis, language: ReportLanguage) -> list[tuple[str, Result]]:
    t = TEXT[language]
    shown: list[tuple[str, Result]] = [(t["what_main"], analysis.main),
                                       (t["what_unadjusted"], analysis.evaluation.unadjusted)]
    if analysis.uncorrected is not None:
        shown.append((t["what_uncorrected"], analysis.uncorrected))
    shown.append((t["what_event"], analysis.event))
    if analysis.conley_taber is not None:
        shown.append((t["what_conley_taber"], analysis.conley_taber))
    treated = analysis.config.evaluation.treated
    shown += [(t["what_pool"].format(pool=pool_name(p.pool, language, treated)), p.result) for p in analysis.pools]
    return shown


def inference_notes(analysis: Analysis, language: ReportLanguage, fmt: Numbers) -> list[str]:
    """What the inference of each shown estimate left out, from the records, in the report's language."""
    t = TEXT[language]
    notes = []
    for what, result in _shown_results(analysis, language):
        left_out = result.inference.degenerate
        if not left_out:
            continue
        if not result.inference.exact:
            key = "left_out_random"
        else:
            key = "left_out_exact_one" if left_out == 1 else "left_out_exact_many"
        notes.append(t[key].format(what=what, n=_count(left_out, fmt)))
    return notes
