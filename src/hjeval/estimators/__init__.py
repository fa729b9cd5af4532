"""Effect estimators."""

from hjeval.estimators.did import did

__all__ = ["did"]
