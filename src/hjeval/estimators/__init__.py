"""Effect estimators."""

from hjeval.estimators.did import did
from hjeval.estimators.event_study import event_study
from hjeval.estimators.staggered import staggered_did

__all__ = ["did", "event_study", "staggered_did"]
