"""Result objects: numbers, tidy tables, text and HTML."""

from hjeval.results.effect import EffectResult

__all__ = ["EffectResult"]
