"""Time on public support: benefit spells, Kaplan-Meier curves and the reform's effect on durations.

- :func:`benefit_spells`: one row per spell from person-month rows (gaps,
  censoring at both ends flagged);
- :func:`time_on_support`: medians and restricted mean weeks of spells
  starting before and after the start, treated against comparison, with the
  Kaplan-Meier curves (:func:`survival_plot`);
- :func:`duration_did`: the reform's effect on restricted mean weeks on
  support, with the hazard ratio of exits and placebo inference.
"""

from hjeval.duration.estimate import duration_did, time_on_support
from hjeval.duration.figures import survival_plot
from hjeval.duration.results import DurationDidResult, TimeOnSupport
from hjeval.duration.spells import WEEKS_PER_MONTH, benefit_spells

__all__ = [
    "WEEKS_PER_MONTH",
    "DurationDidResult",
    "TimeOnSupport",
    "benefit_spells",
    "duration_did",
    "survival_plot",
    "time_on_support",
]
