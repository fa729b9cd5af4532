"""Result objects: numbers, the inference record, tidy tables, text and HTML."""

from hjeval.results.base import Result, compare
from hjeval.results.effect import EffectResult
from hjeval.results.event_study import EventStudyResult
from hjeval.results.phased import DoseResult, PhasedResult
from hjeval.results.power import PowerResult
from hjeval.results.subgroups import SubgroupsResult

__all__ = [
    "DoseResult", "EffectResult", "EventStudyResult", "PhasedResult", "PowerResult", "Result", "SubgroupsResult",
    "compare",
]
