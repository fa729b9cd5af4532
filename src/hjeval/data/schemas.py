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
    "YEARS",
    "Column",
    "ColumnKind",
    "Plausible",
    "Schema",
    "Severity",
    "UnitScale",
]

ColumnKind = Literal["int", "float", "category", "period", "year"]
Severity = Literal["error", "warning"]

BENEFIT_GROUPS: tuple[str, ...] = (
    "activity_ready_cash",  # aktivitetsparate kontanthjælpsmodtagere
    "job_ready_cash",  # jobparate kontanthjælpsmodtagere
    "sickness",  # sygedagpenge
    "integration",  # integrationsydelse
)
SEXES: tuple[str, ...] = ("F", "M")
ORIGINS: tuple[str, ...] = ("danish", "western", "non_western")
COST_ITEMS: tuple[str, ...] = ("investment", "benefit_cost_per_full_time_person")
YEARS: tuple[int, int] = (1900, 2100)
"""Years a period or year column may hold; a number outside (42005) is usually an Excel date serial."""


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 and float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Plausible:
    """A range a column's values are expected in, beyond its hard bounds.

    A value outside is possible in principle but almost always a unit or
    typing mistake; ``severity`` says whether it raises (or is excluded with
    ``on_invalid="exclude"``) or is kept with a warning naming the rows.

    Parameters
    ----------
    minimum, maximum : float, optional
        Values below ``minimum`` or above ``maximum`` are reported.
    severity : {"error", "warning"}, default "error"
    hint : str
        The likely cause and the fix, quoted in the message.
    when : (column, value), optional
        Only rows whose ``column`` holds ``value`` (e.g. one cost item).
    zero_allowed : bool, default False
        Whether 0 is fine although it is below ``minimum``.
    """

    minimum: float | None = None
    maximum: float | None = None
    severity: Severity = "error"
    hint: str = ""
    when: tuple[str, str] | None = None
    zero_allowed: bool = False

    def describe(self) -> str:
        """The range in words, e.g. ``"error below 1,000 (where item is investment)"``."""
        parts = []
        if self.minimum is not None:
            parts.append(f"below {_number(self.minimum)}" + (" (0 is fine)" if self.zero_allowed else ""))
        if self.maximum is not None:
            parts.append(f"above {_number(self.maximum)}")
        where = f" where {self.when[0]} is {self.when[1]}" if self.when else ""
        return f"{self.severity} {' or '.join(parts)}{where}: {self.hint}"


@dataclass(frozen=True)
class UnitScale:
    """A whole column, or all rows of one group, given in a unit ``factor`` times too small.

    Parameters
    ----------
    below : float
        When every value of the column (or of one group while the other groups'
        are larger) is below this, the unit is wrong.
    factor : float
        What to multiply the values by.
    given_as : str
        The wrong unit in words, e.g. ``"fractions (0.0575 for 5.75 %)"``.
    by : str, optional
        Column whose groups are checked one by one, e.g. ``"municipality"``.
    """

    below: float
    factor: float
    given_as: str
    by: str | None = None

    def describe(self) -> str:
        """The check in words."""
        scope = f", for the whole column or one {self.by}" if self.by else ""
        return (
            f"error when every value is below {_number(self.below)}{scope}: "
            f"{self.given_as}; multiply by {_number(self.factor)}"
        )


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
        Inclusive hard bounds: a value outside is impossible and raises (or is
        excluded). For ``period`` columns they bound the period's year.
    allowed : tuple of str, optional
        Allowed values of a category column.
    frequency : {"M", "Q", "Y", "6M"}, optional
        The one period frequency a ``period`` column may hold (``month`` must
        hold months); without it any one frequency is accepted.
    plausible : tuple of Plausible
        Ranges beyond the hard bounds that are reported (error or warning).
    scale : UnitScale, optional
        A wholesale unit mistake that is an error.
    limit : str
        A bound that depends on other columns, in words (checked by the validator).
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
    frequency: str | None = None
    plausible: tuple[Plausible, ...] = ()
    scale: UnitScale | None = None
    limit: str = ""

    def bounds(self) -> list[str]:
        """The column's bounds and checks in words, one item each (empty when it has none)."""
        lines = []
        if self.minimum is not None or self.maximum is not None:
            show = (lambda v: f"{v:g}") if self.kind in {"period", "year"} else _number
            low = "" if self.minimum is None else show(self.minimum)
            high = "" if self.maximum is None else show(self.maximum)
            what = "years" if self.kind == "period" else "values"
            if low and high:
                lines.append(f"{what} {low} to {high}")
            else:
                lines.append(f"{what} at least {low}" if low else f"{what} at most {high}")
        if self.frequency:
            names = {"M": "months", "Q": "quarters", "Y": "years", "6M": "half-years"}
            lines.append(f"{names.get(self.frequency, self.frequency)} only")
        if self.limit:
            lines.append(self.limit)
        if self.allowed:
            lines.append(f"one of {', '.join(self.allowed)}")
        lines.extend(p.describe() for p in self.plausible)
        if self.scale is not None:
            lines.append(self.scale.describe())
        return lines


@dataclass(frozen=True)
class Schema:
    """A panel's columns, in their canonical order.

    Examples
    --------
    >>> HOURS_PERSON.key
    ('person_id', 'month')
    >>> CASELOAD.column("cases_per_caseworker").unit
    'cases per full-time caseworker'
    >>> print(CYCLE.describe().splitlines()[5])
      unemployment_rate        float     required  percent: registered unemployment rate
    >>> print(CYCLE.describe().splitlines()[6])
                               - values 0 to 100
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
        """A plain-text table of the schema with units and bounds, for documentation."""
        lines = [f"{self.name}: key ({', '.join(self.key)})"]
        for c in self.columns:
            need = "required" if c.required else "optional"
            lines.append(f"  {c.name:<24} {c.kind:<9} {need:<9} {c.unit}: {c.description}")
            lines.extend(f"  {'':<24} - {line}" for line in c.bounds())
        return "\n".join(lines)


MUNICIPALITY = Column(
    "municipality", "int", "code", "Statistics Denmark municipality code (Hjørring 860) or name", key=True,
    limit="a code or name of one of the 98 municipalities",
)
_FIRST, _LAST = YEARS


def _period(description: str, *, name: str = "period", frequency: str | None = None) -> Column:
    unit = "month" if frequency == "M" else "period"
    return Column(name, "period", unit, description, key=True, minimum=_FIRST, maximum=_LAST, frequency=frequency)


HOURS_PERSON = Schema(
    "hours (person-month)",
    (
        Column("person_id", "int", "id", "pseudonymised person identifier", key=True),
        Column(
            "municipality", "int", "code",
            "municipality code (or name) of residence that month (Hjørring 860)",
            limit="a code or name of one of the 98 municipalities",
        ),
        _period("calendar month", name="month", frequency="M"),
        Column(
            "hours", "float", "hours per month", "hours worked that month (income register)",
            minimum=0.0, limit="at most the hours the month has (24 x its days)",
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
        _period("month, quarter or year"),
        Column(
            "benefit_group", "category", "label", "target group", required=False, key=True,
            allowed=BENEFIT_GROUPS,
        ),
        Column("persons", "int", "persons", "persons in the cell", minimum=0),
        Column(
            "hours_total", "float", "hours", "hours worked by them in the period", minimum=0.0,
            limit="at most persons x the hours the period has",
        ),
    ),
)

CASELOAD = Schema(
    "caseload",
    (
        MUNICIPALITY,
        _period("month, quarter or year"),
        Column("benefit_area", "category", "label", "benefit area, e.g. cash_benefit", key=True),
        Column(
            "caseworker_fte", "float", "full-time equivalents", "caseworkers", minimum=0.0,
            limit="more than 0 where there are open cases",
        ),
        Column("open_cases", "float", "cases", "open cases (average over the period)", minimum=0),
        Column(
            "cases_per_caseworker", "float", "cases per full-time caseworker",
            "open cases divided by caseworker FTE (computed when absent)",
            required=False, minimum=0.0,
            plausible=(
                Plausible(
                    maximum=1000.0,
                    hint="no caseworker holds that many cases; is caseworker_fte in full-time "
                    "equivalents (not hundreds or a share of one), and are open_cases cases (not a sum over months)?",
                ),
                Plausible(
                    maximum=300.0, severity="warning",
                    hint="more than a few hundred cases per caseworker is not plausible for a job centre; "
                    "check open_cases and caseworker_fte",
                ),
                Plausible(
                    minimum=1.0, zero_allowed=True, severity="warning",
                    hint="less than one case per full-time caseworker; are open_cases in thousands, "
                    "or caseworker_fte in hours?",
                ),
            ),
        ),
    ),
)

CYCLE = Schema(
    "cycle",
    (
        MUNICIPALITY,
        _period("month, quarter or year"),
        Column(
            "unemployment_rate", "float", "percent", "registered unemployment rate",
            minimum=0.0, maximum=100.0,
            plausible=(
                Plausible(
                    maximum=30.0, severity="warning",
                    hint="registered unemployment above 30 % is not plausible for a Danish municipality; "
                    "is the column a count of unemployed persons or a rate in per mille?",
                ),
            ),
            scale=UnitScale(
                below=1.0, factor=100.0, given_as="the rates look like fractions (0.0575 for 5.75 %)",
                by="municipality",
            ),
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

_BENEFIT_COST = ("item", "benefit_cost_per_full_time_person")
_INVESTMENT = ("item", "investment")

COSTS = Schema(
    "costs",
    (
        Column("year", "year", "year", "calendar year", key=True, minimum=_FIRST, maximum=_LAST),
        Column("item", "category", "label", "what the amount is", key=True, allowed=COST_ITEMS),
        Column(
            "benefit_group", "category", "label", "target group (benefit costs only)",
            required=False, key=True, allowed=BENEFIT_GROUPS,
            limit="required on benefit_cost_per_full_time_person rows",
        ),
        Column(
            "amount_dkk", "float", "DKK", "amount in Danish kroner (benefit costs: per full-time person a year)",
            minimum=0.0,
            plausible=(
                Plausible(
                    minimum=1_000.0, when=_BENEFIT_COST,
                    hint="a year's benefit for one full-time recipient is about 100,000-250,000 DKK; "
                    "the amount looks like thousands or millions of DKK: give it in kroner",
                ),
                Plausible(
                    minimum=20_000.0, severity="warning", when=_BENEFIT_COST,
                    hint="less than two months' benefit; is it a monthly or weekly amount? "
                    "The amount is per full-time person a year",
                ),
                Plausible(
                    maximum=2_000_000.0, when=_BENEFIT_COST,
                    hint="more than 2 million DKK a year for one full-time recipient; is it in øre, "
                    "or the total over all recipients?",
                ),
                Plausible(
                    minimum=1_000.0, zero_allowed=True, when=_INVESTMENT,
                    hint="an investment of less than 1,000 DKK looks like an amount in thousands or "
                    "millions of DKK: give it in kroner",
                ),
                Plausible(
                    maximum=5e9, severity="warning", when=_INVESTMENT,
                    hint="more than 5 billion DKK a year; is the amount in øre?",
                ),
            ),
        ),
    ),
)
