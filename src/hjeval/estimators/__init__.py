"""Effect estimators."""

from hjeval.estimators.did import did
from hjeval.estimators.event_study import event_study
from hjeval.estimators.staggered import staggered_did
from hjeval.estimators.synthetic_control import synthetic_control
from hjeval.estimators.synthetic_did import synthetic_did

__all__ = ["did", "event_study", "staggered_did", "synthetic_control", "synthetic_did"]
