"""Result objects: numbers, the inference record, tidy tables, text and HTML."""

from hjeval.results.base import Result, compare
from hjeval.results.effect import EffectResult
from hjeval.results.event_study import EventStudyResult

__all__ = ["EffectResult", "EventStudyResult", "Result", "compare"]
