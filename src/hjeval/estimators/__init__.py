"""Effect estimators."""

from hjeval.estimators.did import did
from hjeval.estimators.event_study import event_study

__all__ = ["did", "event_study"]
