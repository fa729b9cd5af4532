"""Schemas of the four panels hjeval reads: hours, caseload, cycle and costs.

A schema lists each column's name, kind, unit and bounds, and which columns
form the key (at most one row per key). Loaders validate a frame against its
schema and raise :class:`hjeval.DataError` naming the column and rows at fault.

Person-month hours (``HOURS_PERSON``)
    One row per person and month while the person is in a target group.
Aggregated hours (``HOURS_CELL``)
    One row per municipality, period (and optionally benefit group).
Caseload (``CASELOAD``)
    One row per municipality, period and benefit area.
Business cycle (``CYCLE``)
    One row per municipality and period.
Costs (``COSTS``)
    One row per year and item (and benefit group for benefit costs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BENEFIT_GROUPS",
    "CASELOAD",
    "COSTS",
    "COST_ITEMS",
    "CYCLE",
    "HOURS_CELL",
    "HOURS_PERSON",
    "ORIGINS",
    "SEXES",
    "Column",
    "ColumnKind",
    "Schema",
]

ColumnKind = Literal["int", "float", "category", "period", "year"]

BENEFIT_GROUPS: tuple[str, ...] = (
    "activity_ready_cash",  # aktivitetsparate kontanthjælpsmodtagere
    "job_ready_cash",  # jobparate kontanthjælpsmodtagere
    "sickness",  # sygedagpenge
    "integration",  # integrationsydelse
)
SEXES: tuple[str, ...] = ("F", "M")
ORIGINS: tuple[str, ...] = ("danish", "western", "non_western")
COST_ITEMS: tuple[str, ...] = ("investment", "benefit_cost_per_full_time_person")


@dataclass(frozen=True)
class Column:
    """One column of a panel schema.

    Parameters
    ----------
    name : str
        Column name after any mapping by the caller.
    kind : {"int", "float", "category", "period", "year"}
        ``period`` columns become :class:`pandas.Period`; ``year`` is an int year.
    unit : str
        Unit in words, for documentation and reports.
    description : str
        What the column holds.
    required : bool, default True
        Whether the column must be present.
    key : bool, default False
        Whether the column is part of the row key.
    minimum, maximum : float, optional
        Inclusive bounds.
    allowed : tuple of str, optional
        Allowed values of a category column.
    """

    name: str
    kind: ColumnKind
    unit: str
    description: str
    required: bool = True
    key: bool = False
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Schema:
    """A panel's columns, in their canonical order.

    Examples
    --------
    >>> HOURS_PERSON.key
    ('person_id', 'month')
    >>> CASELOAD.column("cases_per_caseworker").unit
    'cases per full-time caseworker'
    """

    name: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> tuple[str, ...]:
        """Names of the key columns."""
        return tuple(c.name for c in self.columns if c.key)

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required columns."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of all columns."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def describe(self) -> str:
        """A plain-text table of the schema, for documentation."""
        lines = [f"{self.name}: key ({', '.join(self.key)})"]
        for c in self.columns:
            need = "required" if c.required else "optional"
            lines.append(f"  {c.name:<24} {c.kind:<9} {need:<9} {c.unit}: {c.description}")
        return "\n".join(lines)


MUNICIPALITY = Column(
    "municipality", "int", "code", "Statistics Denmark municipality code (Hjørring 860)", key=True
)

HOURS_PERSON = Schema(
    "hours (person-month)",
    (
        Column("person_id", "int", "id", "pseudonymised person identifier", key=True),
        Column(
            "municipality", "int", "code",
            "municipality code of residence that month (Hjørring 860)",
        ),
        Column("month", "period", "month", "calendar month", key=True),
        Column(
            "hours", "float", "hours per month", "hours worked that month (income register)",
            minimum=0.0,
        ),
        Column(
            "benefit_group", "category", "label", "target group that month",
            allowed=BENEFIT_GROUPS,
        ),
        Column("sex", "category", "label", "F or M", required=False, allowed=SEXES),
        Column("age", "int", "years", "age that month", required=False, minimum=15, maximum=80),
        Column(
            "origin", "category", "label", "danish, western or non_western",
            required=False, allowed=ORIGINS,
        ),
        Column(
            "interventions", "int", "count", "interventions received so far",
            required=False, minimum=0,
        ),
    ),
)

HOURS_CELL = Schema(
    "hours (aggregated)",
    (
        MUNICIPALITY,
        Column("period", "period", "period", "month, quarter or year", key=True),
        Column(
            "benefit_group", "category", "label", "target group", required=False, key=True,
            allowed=BENEFIT_GROUPS,
        ),
        Column("persons", "int", "persons", "persons in the cell", minimum=0),
        Column("hours_total", "float", "hours", "hours worked by them in the period", minimum=0.0),
    ),
)

CASELOAD = Schema(
    "caseload",
    (
        MUNICIPALITY,
        Column("period", "period", "period", "month, quarter or year", key=True),
        Column("benefit_area", "category", "label", "benefit area, e.g. cash_benefit", key=True),
        Column("caseworker_fte", "float", "full-time equivalents", "caseworkers", minimum=0.0),
        Column("open_cases", "float", "cases", "open cases (average over the period)", minimum=0),
        Column(
            "cases_per_caseworker", "float", "cases per full-time caseworker",
            "open cases divided by caseworker FTE (computed when absent)",
            required=False, minimum=0.0,
        ),
    ),
)

CYCLE = Schema(
    "cycle",
    (
        MUNICIPALITY,
        Column("period", "period", "period", "month, quarter or year", key=True),
        Column(
            "unemployment_rate", "float", "percent", "registered unemployment rate",
            minimum=0.0, maximum=100.0,
        ),
        Column(
            "full_time_employees", "float", "persons", "full-time employees (residence)",
            required=False, minimum=0.0,
        ),
        Column(
            "benefit_recipients_fte", "float", "full-time persons",
            "full-time recipients of public benefits", required=False, minimum=0.0,
        ),
    ),
)

COSTS = Schema(
    "costs",
    (
        Column("year", "year", "year", "calendar year", key=True),
        Column("item", "category", "label", "what the amount is", key=True, allowed=COST_ITEMS),
        Column(
            "benefit_group", "category", "label", "target group (benefit costs only)",
            required=False, key=True, allowed=BENEFIT_GROUPS,
        ),
        Column("amount_dkk", "float", "DKK", "amount in Danish kroner", minimum=0.0),
    ),
)
