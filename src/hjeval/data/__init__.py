"""Panels: schemas, readers, validation and the municipality table."""

from hjeval.data.municipalities import area_code, comparison_pool, municipality_table
from hjeval.data.schemas import CASELOAD, COSTS, CYCLE, HOURS_CELL, HOURS_PERSON, Schema

__all__ = [
    "CASELOAD",
    "COSTS",
    "CYCLE",
    "HOURS_CELL",
    "HOURS_PERSON",
    "Schema",
    "area_code",
    "comparison_pool",
    "municipality_table",
]
