"""Panels: schemas, readers, validation, loaders and the municipality table."""

from hjeval.data.combine import attach
from hjeval.data.loaders import (
    default_benefit_costs,
    load_caseload,
    load_costs,
    load_cycle,
    load_hours,
)
from hjeval.data.municipalities import area_code, comparison_pool, municipality_table
from hjeval.data.readers import read_table
from hjeval.data.schemas import CASELOAD, COSTS, CYCLE, HOURS_CELL, HOURS_PERSON, Schema
from hjeval.data.statbank import read_statbank

__all__ = [
    "CASELOAD",
    "COSTS",
    "CYCLE",
    "HOURS_CELL",
    "HOURS_PERSON",
    "Schema",
    "area_code",
    "attach",
    "comparison_pool",
    "default_benefit_costs",
    "load_caseload",
    "load_costs",
    "load_cycle",
    "load_hours",
    "municipality_table",
    "read_statbank",
    "read_table",
]
