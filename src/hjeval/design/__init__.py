"""Estimation designs: roles of columns, treatment, and exact fixed-effect projections."""

from hjeval.design.twoway import TwoWayProjector

__all__ = ["TwoWayProjector"]
