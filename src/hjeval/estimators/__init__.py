"""Effect estimators."""

from hjeval.estimators.did import did
from hjeval.estimators.dose import dose_response
from hjeval.estimators.event_study import event_study
from hjeval.estimators.phased import phased_did
from hjeval.estimators.power import power
from hjeval.estimators.staggered import staggered_did
from hjeval.estimators.subgroups import subgroups
from hjeval.estimators.synthetic_control import synthetic_control
from hjeval.estimators.synthetic_did import synthetic_did

__all__ = [
    "did", "dose_response", "event_study", "phased_did", "power", "staggered_did", "subgroups",
    "synthetic_control", "synthetic_did",
]
