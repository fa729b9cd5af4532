"""Whether the investment paid off: persons off public support and the cost-benefit of the reform.

:func:`persons_off_support` re-expresses the effect on hours worked as
full-time persons off public support per year, with draws from the same
placebo re-assignments as the effect; :func:`cost_benefit` sets the savings
on public support they imply against the money invested, year by year, and
carries the draws through to the probability that the investment paid off.
"""

from hjeval.economics._checks import HOURS_PER_FULL_TIME_YEAR, BenefitGroup
from hjeval.economics.cost_benefit import CostBenefitResult, cost_benefit
from hjeval.economics.persons import PersonsOffSupport, persons_off_support

__all__ = [
    "HOURS_PER_FULL_TIME_YEAR",
    "BenefitGroup",
    "CostBenefitResult",
    "PersonsOffSupport",
    "cost_benefit",
    "persons_off_support",
]
