"""hjeval: evaluate labour-market reforms with one treated municipality.

Load validated panels, estimate effects net of the business cycle against
comparison municipalities with inference that is honest when one municipality
is treated, and build the annual evaluation report.

Examples
--------
>>> import hjeval as hj
>>> hj.area_code("Hjørring")
(860, 'municipality')
"""

from hjeval._version import __version__
from hjeval.data import (
    area_code,
    attach,
    comparison_pool,
    default_benefit_costs,
    load_caseload,
    load_costs,
    load_cycle,
    load_hours,
    municipality_table,
    read_statbank,
    read_table,
)
from hjeval.duration import benefit_spells, duration_did, time_on_support
from hjeval.economics import cost_benefit, persons_off_support
from hjeval.errors import DataError, HjevalWarning
from hjeval.estimators import did, event_study, staggered_did, synthetic_control, synthetic_did
from hjeval.estimators.dose import dose_response
from hjeval.estimators.phased import phased_did
from hjeval.estimators.power import power
from hjeval.estimators.subgroups import subgroups
from hjeval.results import compare
from hjeval.synthetic import generate

__all__ = [
    "DataError",
    "HjevalWarning",
    "__version__",
    "area_code",
    "attach",
    "benefit_spells",
    "compare",
    "comparison_pool",
    "cost_benefit",
    "default_benefit_costs",
    "did",
    "dose_response",
    "duration_did",
    "event_study",
    "generate",
    "load_caseload",
    "load_costs",
    "load_cycle",
    "load_hours",
    "municipality_table",
    "persons_off_support",
    "phased_did",
    "power",
    "read_statbank",
    "read_table",
    "staggered_did",
    "subgroups",
    "synthetic_control",
    "synthetic_did",
    "time_on_support",
]
