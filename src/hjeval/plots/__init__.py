"""Figures: one function per figure, each returning a matplotlib Figure."""

from hjeval.plots.decomposition import decomposition_plot
from hjeval.plots.effects import event_study_plot
from hjeval.plots.inference import placebo_distribution
from hjeval.plots.style import PALETTE, format_number
from hjeval.plots.timeseries import caseload_plot, outcome_over_time

__all__ = [
    "PALETTE",
    "caseload_plot",
    "decomposition_plot",
    "event_study_plot",
    "format_number",
    "outcome_over_time",
    "placebo_distribution",
]
