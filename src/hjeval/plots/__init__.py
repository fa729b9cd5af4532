"""Figures: one function per figure, each returning a matplotlib Figure."""

from hjeval.plots.effects import event_study_plot
from hjeval.plots.inference import placebo_distribution
from hjeval.plots.style import PALETTE, format_number

__all__ = ["PALETTE", "event_study_plot", "format_number", "placebo_distribution"]
