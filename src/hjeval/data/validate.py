"""Validate a frame against a panel schema: every check on panel values lives here.

The checks run in stages, each on the rows the earlier ones left:

1. each column on its own: missing values in required columns, text that is
   not a number or not a period, infinite numbers, fractions in whole-number
   columns, hard bounds (:attr:`Column.minimum`/``maximum``), unknown
   municipalities and labels, mixed period frequencies, months that are not
   months and years outside :data:`~hjeval.data.schemas.YEARS` (with a hint
   when a number is an Excel date serial);
2. rules across columns: hours within what the month (or the cell's persons)
   can hold, caseworkers where there are open cases, a benefit group on
   benefit-cost rows;
3. derived columns (``cases_per_caseworker``) and plausible ranges
   (:class:`~hjeval.data.schemas.Plausible`: errors, or warnings that keep
   the rows);
4. unit mistakes of a whole column or of one municipality
   (:class:`~hjeval.data.schemas.UnitScale`, e.g. unemployment rates given as
   fractions);
5. duplicated keys.

A problem raises :class:`DataError` naming the file (or the DataFrame), the
column, the problem, the first rows as the user sees them (file rows with the
header as row 1, or DataFrame index labels; see
:func:`hjeval.errors.describe_rows`) and how to fix it. With
``on_invalid="exclude"`` rows with bad values are left out instead and counted
in ``attrs["exclusions"]``, with a warning. Structural problems (missing or
repeated columns, a unit mistake of the whole column, duplicated keys, nothing
left) raise either way.

The checks are written by hand rather than with a schema library: they must
name rows in the user's numbering, give the first offending value and the
likely fix, check per-municipality units, and stay vectorised (each distinct
text is parsed once) so that ten million person-months validate in about a
second.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

from hjeval.data.municipalities import MUNICIPALITIES, REGIONS, area_code
from hjeval.data.readers import canonical_name, check_unique_columns
from hjeval.data.schemas import Column, Plausible, Schema, UnitScale
from hjeval.errors import DataError, RowOrigin, describe_rows, row_labels, warn_user
from hjeval.periods import FREQUENCY_NAMES, frequency_of, mixed_frequencies, period_lookup, spelling_hint

__all__ = ["VALUE_ALIASES", "Exclusion", "OnInvalid", "validate"]

OnInvalid = Literal["raise", "exclude"]

_MISSING_TEXT = {"", "na", "nan", "null", "none", "..", "."}
_INT64_MAX = np.iinfo(np.int64).max

VALUE_ALIASES: dict[str, dict[str, str]] = {
    "benefit_group": {
        "aktivitetsparat kontanthjælp": "activity_ready_cash",
        "aktivitetsparate kontanthjælpsmodtagere": "activity_ready_cash",
        "jobparat kontanthjælp": "job_ready_cash",
        "jobparate kontanthjælpsmodtagere": "job_ready_cash",
        "sygedagpenge": "sickness",
        "integrationsydelse": "integration",
    },
    "sex": {"k": "F", "kvinde": "F", "kvinder": "F", "f": "F", "m": "M", "mand": "M",
            "mænd": "M", "female": "F", "male": "M", "women": "F", "men": "M"},
    "origin": {"dansk": "danish", "dansk oprindelse": "danish", "vestlig": "western",
               "ikke-vestlig": "non_western", "ikke vestlig": "non_western"},
    "item": {"investering": "investment"},
}
"""Other spellings of category values (matched without regard to case, spaces or punctuation)."""


@dataclass(frozen=True)
class Exclusion:
    """Rows left out of a panel, and why.

    Attributes
    ----------
    reason : str
        What was wrong with them.
    column : str
        The column at fault.
    rows : int
        How many rows.
    first_rows : tuple
        The first few rows: file row numbers (header = row 1) or DataFrame index labels.
    """

    reason: str
    column: str
    rows: int
    first_rows: tuple[object, ...]


@dataclass(frozen=True)
class _Problem:
    column: str
    reason: str
    mask: np.ndarray
    example: object = None
    verb: str = "has"
    hint: str = ""
    fatal: bool = False


@dataclass
class _Context:
    source: str
    labels: pd.Index
    origin: RowOrigin

    def message(self, problem: _Problem, mask: np.ndarray | None = None) -> str:
        rows = self.labels[problem.mask if mask is None else mask]
        example = "" if problem.example is None else f" (first: {_show(problem.example)})"
        hint = f"; {problem.hint}" if problem.hint else ""
        return (
            f"{self.source}: column {problem.column!r} {problem.verb} {problem.reason}{example} "
            f"in {describe_rows(list(rows), self.origin)}{hint}"
        )


def _show(value: object) -> str:
    """A value as the user wrote it: text quoted, numbers bare (``inf``, ``0.0575``)."""
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        value = item()
    return repr(value) if isinstance(value, str) else str(value)


# ---- reading values ---------------------------------------------------------------------------

def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def _is_missing(values: pd.Series, factorized: tuple[np.ndarray, pd.Index] | None = None) -> np.ndarray:
    """Missing values, text ones ("", "NA", "..") included; ``factorized`` reuses ``pd.factorize(values)``."""
    missing = np.asarray(values.isna().to_numpy(), dtype=bool)
    if _is_text(values) or isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = factorized if factorized is not None else pd.factorize(values)  # each distinct text once
        blank = np.array([str(u).strip().lower() in _MISSING_TEXT for u in uniques], dtype=bool)
        missing = missing | (blank[codes] & (codes >= 0)) if len(blank) else missing
    return missing


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index] | None:
    if not (_is_text(values) or isinstance(values.dtype, pd.CategoricalDtype)):
        return None
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:  # unhashable cells (lists, dicts) in an object column
        text = values.astype(str)
        codes, uniques = pd.factorize(text)
    return codes, pd.Index(uniques)


_COMMA_NUMBER = r"[+-]?(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d*)?|[+-]?,\d+"
_COMMA_EVIDENCE = r"[+-]?(?:\d+|\d{1,3}(?:\.\d{3})+),\d+"
_POINT_EVIDENCE = r"[+-]?\d*\.(?:\d{1,2}|\d{4,})(?:[eE][+-]?\d+)?|[+-]?\d{4,}\.\d+"


def _column_decimal(text: pd.Series) -> str:
    """The decimal mark of one text column whose file did not tell: a comma only with evidence for it."""
    if not text.str.contains(",", regex=False).any():
        return "."
    distinct = pd.Series(pd.unique(text), dtype="str")
    comma = int(distinct.str.fullmatch(_COMMA_EVIDENCE).sum())
    point = int(distinct.str.fullmatch(_POINT_EVIDENCE).sum())
    return "," if comma > point else "."


def _parse_numbers(values: pd.Series, decimal: str | None, *, whole: bool) -> tuple[pd.Series, str]:
    """Numbers from text (NaN where not a number) and the decimal mark used; with ``whole``,
    text that is all integers stays int64, so that long ids keep every digit."""
    text = values.astype("str").str.strip().str.replace("\u2212", "-", regex=False)
    if decimal is None:
        decimal = _column_decimal(text)
    if decimal == ",":
        readable = text.str.fullmatch(_COMMA_NUMBER).fillna(False).to_numpy(dtype=bool)
        text = text.where(readable, "x").str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    if not (whole and pd.api.types.is_integer_dtype(numbers.dtype)):
        numbers = numbers.astype("float64")
    return numbers, decimal


def _not_number_hint(example: object, decimal: str | None) -> str:
    text = str(example)
    if decimal == "," and "." in text:
        return ("the file uses decimal commas, where '.' only groups thousands (1.234,5); "
                "pass decimal='.' if its numbers have decimal points")
    if decimal == "." and "," in text:
        return "the numbers have decimal points here; pass decimal=',' if the file uses decimal commas"
    if "%" in text:
        return "give the number without the % sign"
    return "give a number, or leave the cell empty where the value is missing"


def _to_numbers(values: pd.Series, col: Column, decimal: str | None, present: np.ndarray,
                ) -> tuple[pd.Series, list[_Problem]]:
    problems: list[_Problem] = []
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    dtype = values.dtype
    not_numbers = np.zeros(len(values), dtype=bool)
    used_decimal = decimal
    if pd.api.types.is_bool_dtype(dtype):
        numbers = pd.Series(np.nan, index=values.index)
        not_numbers = present.copy()
    elif pd.api.types.is_integer_dtype(dtype):
        numbers = values  # kept as integers: no float round trip of (large) ids
        if pd.api.types.is_unsigned_integer_dtype(dtype) and len(values) and values.max() > _INT64_MAX:
            big = (values > _INT64_MAX).to_numpy(dtype=bool, na_value=False)
            problems.append(_Problem(col.name, "values too large for a 64-bit integer", big, values[big].iloc[0]))
            numbers = values.where(~big).astype("Float64")
    elif pd.api.types.is_float_dtype(dtype):
        numbers = values.astype("float64")
    elif _is_text(values):
        numbers, used_decimal = _parse_numbers(values, decimal, whole=col.kind in {"int", "year"})
        not_numbers = present & numbers.isna().to_numpy()
    else:  # dates, durations, periods, complex numbers
        numbers = pd.Series(np.nan, index=values.index)
        not_numbers = present.copy()
    if not_numbers.any():
        example = values[not_numbers].iloc[0]
        problems.append(_Problem(col.name, "values that are not numbers", not_numbers, example,
                                 hint=_not_number_hint(example, used_decimal)))
    floats = numbers.astype("float64").to_numpy(na_value=np.nan) if not isinstance(numbers.dtype, np.dtype) \
        else numbers.to_numpy(dtype="float64")
    usable = present & ~not_numbers
    infinite = usable & np.isinf(floats)
    if infinite.any():
        problems.append(_Problem(col.name, "infinite values", infinite, values[infinite].iloc[0],
                                 hint="give a finite number, or leave the cell empty where the value is missing"))
    finite = usable & np.isfinite(floats)
    if col.kind in {"int", "year"} and not pd.api.types.is_integer_dtype(numbers.dtype):
        fractional = finite & (np.mod(np.where(finite, floats, 0.0), 1) != 0)
        if fractional.any():
            problems.append(_Problem(col.name, "values that are not whole numbers", fractional,
                                     values[fractional].iloc[0]))
    for bound, label, outside in (
        (col.minimum, "below", np.less), (col.maximum, "above", np.greater),
    ):
        if bound is None:
            continue
        with np.errstate(invalid="ignore"):
            bad = finite & outside(floats, bound)
        if bad.any():
            example = values[bad].iloc[0]
            hint = spelling_hint(example) if col.kind == "year" else ""
            problems.append(_Problem(col.name, f"values {label} {bound:g}", bad, example, hint=hint))
    return numbers, problems


def _one_municipality(value: object) -> float:
    """The municipality code of one distinct value (a code, a code as text, a name, "860 Hjørring"), or NaN."""
    if isinstance(value, bool):
        return np.nan
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    else:
        text = str(value).strip()
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            code, level = area_code(text)
            return float(code) if level == "municipality" and code is not None else np.nan
    return number if np.isfinite(number) and number.is_integer() and int(number) in MUNICIPALITIES else np.nan


def _municipality_hint(example: object) -> str:
    code, level = area_code(str(example).strip().removesuffix(".0"))
    if level == "region" and code in REGIONS:
        what = f"{REGIONS[code]} (code {code}) is a region"
    elif level == "country":
        what = f"{example!r} is the whole country"
    elif level == "province":
        what = f"{example!r} is a province (landsdel)"
    else:
        what = ""
    usual = ("use Statistics Denmark's municipality codes (Hjørring 860) or names; "
             "hjeval.municipality_table() lists all 98")
    return f"{what}, not a municipality; {usual}" if what else usual


def _to_municipalities(values: pd.Series, col: Column, present: np.ndarray,
                       factorized: tuple[np.ndarray, pd.Index] | None) -> tuple[pd.Series, list[_Problem]]:
    known_codes = np.fromiter(MUNICIPALITIES, dtype=np.int64)
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers: pd.Series = values
        known = values.isin(known_codes).to_numpy(dtype=bool, na_value=False)
    elif pd.api.types.is_float_dtype(values.dtype):
        numbers = values.astype("float64")
        known = numbers.isin(known_codes.astype("float64")).to_numpy(dtype=bool, na_value=False)
    elif factorized is not None:
        codes, uniques = factorized
        mapped = np.array([_one_municipality(u) for u in uniques] + [np.nan], dtype="float64")
        numbers = pd.Series(mapped[codes], index=values.index)
        known = ~np.isnan(numbers.to_numpy())
    else:
        numbers = pd.Series(np.nan, index=values.index)
        known = np.zeros(len(values), dtype=bool)
    unknown = present & ~known
    problems = []
    if unknown.any():
        example = values[unknown].iloc[0]
        problems.append(_Problem(col.name, "unknown municipality code or name", unknown, example,
                                 hint=_municipality_hint(example)))
        numbers = numbers.astype("float64").where(~unknown)
    return numbers, problems


def _to_category(values: pd.Series, col: Column, present: np.ndarray,
                 factorized: tuple[np.ndarray, pd.Index] | None) -> tuple[pd.Series, list[_Problem]]:
    if factorized is None:  # numbers or flags where labels belong: each distinct value once
        factorized = _factorize(values.astype(object))
    assert factorized is not None  # an object column always factorizes
    codes, uniques = factorized
    cleaned = [str(u).strip() for u in uniques]
    if col.allowed:
        categories = list(col.allowed)
        lookup = {canonical_name(c): c for c in categories}
        lookup.update({canonical_name(k): v for k, v in VALUE_ALIASES.get(col.name, {}).items()})
        named = [lookup.get(canonical_name(c), c) for c in cleaned]
    else:
        named = cleaned
        categories = sorted({c for c in cleaned if c.lower() not in _MISSING_TEXT})
    position = {c: i for i, c in enumerate(categories)}
    mapped = np.array([position.get(c, -1) for c in named] + [-1], dtype=np.int64)
    category_codes = mapped[codes]  # code -1 (missing) picks the appended -1
    bad = present & (category_codes < 0)
    problems = []
    if bad.any():
        problems.append(_Problem(col.name, f"values outside {categories}", bad, values[bad].iloc[0],
                                 hint="use one of these labels (case and spaces do not matter)"))
    series = pd.Series(pd.Categorical.from_codes(category_codes, categories=categories), index=values.index)
    return series, problems


def _to_periods(values: pd.Series, col: Column, present: np.ndarray) -> tuple[pd.Series, list[_Problem]]:
    problems: list[_Problem] = []
    raw = values
    if isinstance(values.dtype, pd.PeriodDtype):
        periods = values
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        periods = stamps.dt.to_period("M")
    else:
        if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(values.dtype):
            values = values.astype(object)
        try:
            parsed, bad = period_lookup(values[present])
            bad_mask = present & values.isin(bad).to_numpy()
        except TypeError:  # unhashable cells
            parsed, bad_mask = {}, present.copy()
        if bad_mask.any():
            example = raw[bad_mask].iloc[0]
            hint = spelling_hint(example)
            problems.append(_Problem(
                col.name, "values that are not periods (use 2015, 2015Q1/2015K1, 2015M01/2015-01 or 2015H1)",
                bad_mask, example, hint=hint,
            ))
        kinds = pd.Series({key: frequency_of(p) for key, p in parsed.items()}, dtype=object)
        if kinds.nunique() > 1:
            row_kind = values.map(kinds)
            counts = row_kind[present & ~bad_mask].value_counts()
            odd = present & ~bad_mask & (row_kind != counts.index[0]).to_numpy()
            problems.append(_Problem(
                col.name, f"a mix of period frequencies ({mixed_frequencies(counts)})", odd,
                raw[odd].iloc[0], hint="use one frequency per column",
            ))
            parsed = {key: p for key, p in parsed.items() if kinds[key] == counts.index[0]}
        if parsed:
            dtype = pd.PeriodDtype(next(iter(parsed.values())).freq)
            periods = values.map(parsed).astype(dtype)
        else:
            periods = pd.Series(pd.NaT, index=values.index, dtype=pd.PeriodDtype(col.frequency or "M"))
    usable = present & periods.notna().to_numpy()
    dtype = periods.dtype
    assert isinstance(dtype, pd.PeriodDtype)
    kind = frequency_of(pd.Period("2000-01-01", freq=dtype.freq))
    if (col.minimum is not None or col.maximum is not None) and usable.any():
        ordinals = periods.array.asi8  # compared as integers: no Period objects per row
        first = pd.Period(f"{int(col.minimum if col.minimum is not None else 1)}-01-01", freq=dtype.freq).ordinal
        last = pd.Period(f"{int(col.maximum if col.maximum is not None else 9999)}-12-31", freq=dtype.freq).ordinal
        outside = usable & ((ordinals < first) | (ordinals > last))
        if outside.any():
            example = raw[outside].iloc[0]
            problems.append(_Problem(
                col.name, f"periods outside the years {col.minimum:g}-{col.maximum:g}", outside, example,
                hint=spelling_hint(example) or "check the period column",
            ))
            periods = periods.where(~outside)
            usable = usable & ~outside
    if col.frequency is not None and usable.any() and kind != col.frequency:
        plural = FREQUENCY_NAMES.get(col.frequency, (col.frequency, col.frequency))[1]
        found = FREQUENCY_NAMES.get(kind, ("", "other periods"))[1]
        problems.append(_Problem(
            col.name, f"{found}, not {plural}", usable, raw[usable].iloc[0],
            hint=f"the {col.name} column holds calendar {plural} such as 2015-01 or 2015M01"
            + ("; quarterly or yearly hours go in the aggregated layout (municipality, period, persons, "
               "hours_total)" if col.name == "month" else ""),
        ))
        return periods.where(~usable), problems
    return periods, problems


def _convert(values: pd.Series, col: Column, decimal: str | None) -> tuple[pd.Series, list[_Problem]]:
    factorized = _factorize(values)
    missing = _is_missing(values, factorized)
    problems: list[_Problem] = []
    if missing.any() and col.required:
        what = "key column" if col.key else "required column"
        problems.append(_Problem(col.name, f"missing values in {what}", missing,
                                 hint="fill them in, or leave such rows out"))
    present = ~missing
    if col.name == "municipality":
        series, found = _to_municipalities(values, col, present, factorized)
    elif col.kind in {"int", "float", "year"}:
        series, found = _to_numbers(values, col, decimal, present)
    elif col.kind == "period":
        series, found = _to_periods(values, col, present)
    else:
        series, found = _to_category(values, col, present, factorized)
    return series, problems + found


# ---- rules across columns -----------------------------------------------------------------

def _hours_in_period(periods: pd.Series) -> np.ndarray:
    """Hours in each row's period, computed once per distinct period."""
    codes, uniques = pd.factorize(periods)
    hours = ((uniques.end_time - uniques.start_time).total_seconds().round() / 3600.0).to_numpy()
    return np.where(codes >= 0, hours[codes] if len(hours) else np.nan, np.nan)


def _floats(series: pd.Series) -> np.ndarray:
    return series.astype("float64").to_numpy(na_value=np.nan)


def _hour_caps(out: Mapping[str, pd.Series]) -> list[_Problem]:
    problems = []
    if "hours" in out and "month" in out:
        hours = _floats(out["hours"])
        with np.errstate(invalid="ignore"):
            over = hours > _hours_in_period(out["month"])
        if over.any():
            problems.append(_Problem(
                "hours", "more hours than the month has", over, hours[over][0],
                hint="hours are hours worked in the month, at most 24 x its days; are they yearly hours, or minutes?",
            ))
    if "hours_total" in out and "persons" in out and "period" in out:
        total = _floats(out["hours_total"])
        with np.errstate(invalid="ignore"):
            over = total > _hours_in_period(out["period"]) * _floats(out["persons"])
        if over.any():
            problems.append(_Problem(
                "hours_total", "more hours than the persons in the cell have in the period", over, total[over][0],
                hint="hours_total is the sum over the cell's persons in the period",
            ))
    return problems


def _staffed(out: Mapping[str, pd.Series]) -> list[_Problem]:
    if "caseworker_fte" not in out or "open_cases" not in out:
        return []
    unstaffed = (_floats(out["caseworker_fte"]) == 0) & (_floats(out["open_cases"]) > 0)
    if not unstaffed.any():
        return []
    return [_Problem("caseworker_fte", "0 with open cases", unstaffed, verb="is",
                     hint="cases per caseworker cannot be computed; give the caseworkers' full-time equivalents")]


def _benefit_rows_have_group(out: Mapping[str, pd.Series]) -> list[_Problem]:
    if "item" not in out or "amount_dkk" not in out:
        return []
    is_benefit = (out["item"] == "benefit_cost_per_full_time_person").to_numpy(dtype=bool)
    group = out.get("benefit_group")
    lacking = is_benefit & (group.isna().to_numpy() if group is not None else True)
    if not lacking.any():
        return []
    return [_Problem("benefit_group", "missing on benefit-cost rows", lacking, verb="is",
                     hint="benefit_cost_per_full_time_person rows need the benefit group they cost")]


_RULES: tuple[Callable[[Mapping[str, pd.Series]], list[_Problem]], ...] = (
    _hour_caps, _staffed, _benefit_rows_have_group,
)


def _derive(schema: Schema, out: dict[str, pd.Series], keep: np.ndarray, tolerance: float,
            ) -> list[tuple[str, np.ndarray]]:
    """Add columns computed from others (cases per caseworker); warnings for given values that disagree."""
    notes: list[tuple[str, np.ndarray]] = []
    if "cases_per_caseworker" not in schema.names or "open_cases" not in out or "caseworker_fte" not in out:
        return notes
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = _floats(out["open_cases"]) / _floats(out["caseworker_fte"])
    if "cases_per_caseworker" not in out:
        out["cases_per_caseworker"] = pd.Series(np.where(np.isnan(ratio), 0.0, ratio), index=out["open_cases"].index)
        return notes
    given = _floats(out["cases_per_caseworker"])
    with np.errstate(invalid="ignore"):
        off = keep & (np.abs(given - ratio) > tolerance * np.abs(ratio))
    if off.any():
        notes.append((
            f"'cases_per_caseworker' differs from open_cases / caseworker_fte by more than {tolerance:.0%} in "
            "{rows}; kept as given",
            off,
        ))
    return notes


def _in_scope(rule: Plausible, out: Mapping[str, pd.Series], n: int) -> np.ndarray:
    if rule.when is None:
        return np.ones(n, dtype=bool)
    column, value = rule.when
    if column not in out:
        return np.zeros(n, dtype=bool)
    return (out[column] == value).to_numpy(dtype=bool, na_value=False)


def _plausible(schema: Schema, out: Mapping[str, pd.Series], keep: np.ndarray,
               ) -> tuple[list[_Problem], list[tuple[str, np.ndarray]]]:
    errors: list[_Problem] = []
    notes: list[tuple[str, np.ndarray]] = []
    flagged = np.zeros(len(keep), dtype=bool)
    for col in schema.columns:
        if not col.plausible or col.name not in out:
            continue
        values = _floats(out[col.name])
        for rule in col.plausible:
            scope = keep & _in_scope(rule, out, len(keep)) & np.isfinite(values) & ~flagged
            with np.errstate(invalid="ignore"):
                low = scope & (values < rule.minimum) if rule.minimum is not None else np.zeros_like(scope)
                if rule.zero_allowed:
                    low &= values != 0
                high = scope & (values > rule.maximum) if rule.maximum is not None else np.zeros_like(scope)
            for mask, word, bound in ((low, "below", rule.minimum), (high, "above", rule.maximum)):
                if bound is None or not mask.any():
                    continue
                where = f" ({rule.when[0]} {rule.when[1]})" if rule.when else ""
                reason = f"implausible values {word} {bound:,.0f}{where}" if bound >= 1000 else \
                    f"implausible values {word} {bound:g}{where}"
                if rule.severity == "error":
                    errors.append(_Problem(col.name, reason, mask, values[mask][0], hint=rule.hint))
                    flagged |= mask
                else:
                    notes.append((
                        f"column {col.name!r} has {reason} (first: {_show(values[mask][0])}) in {{rows}}; "
                        f"{rule.hint}; kept as given",
                        mask,
                    ))
    return errors, notes


def _unit_scale(col: Column, scale: UnitScale, out: Mapping[str, pd.Series], keep: np.ndarray) -> list[_Problem]:
    values = _floats(out[col.name])
    usable = keep & np.isfinite(values)
    if not usable.any():
        return []
    largest = float(values[usable].max())
    if 0 < largest < scale.below:
        return [_Problem(
            col.name, f"only values below {scale.below:g} (largest: {largest:g})", usable, values[usable][0],
            hint=f"{scale.given_as}; multiply the column by {scale.factor:g}", fatal=True,
        )]
    if scale.by is None or scale.by not in out:
        return []
    frame = pd.DataFrame({"group": out[scale.by].to_numpy()[usable], "value": values[usable]})
    by_group = frame.groupby("group", sort=True)["value"].agg(["max", "median"])
    if len(by_group) < 2:
        return []
    typical = float(by_group["median"].median())
    small = by_group[(by_group["max"] > 0) & (by_group["max"] < scale.below)
                     & (by_group["median"] * 10 < typical)]
    if small.empty:
        return []
    groups = [_plain_label(g) for g in small.index]
    mask = usable & out[scale.by].isin(groups).to_numpy(dtype=bool)
    named = ", ".join(_group_name(scale.by, g) for g in groups[:5]) + (
        f" and {len(groups) - 5} more" if len(groups) > 5 else "")
    others = "municipalities" if scale.by == "municipality" else f"{scale.by} groups"
    return [_Problem(
        col.name, f"only values below {scale.below:g} for {scale.by} {named} while the other "
        f"{others}' median is {typical:g}", mask, values[mask][0],
        hint=f"{scale.given_as}; multiply that {scale.by}'s values by {scale.factor:g}",
    )]


def _plain_label(value: object) -> object:
    return row_labels([value])[0]


def _group_name(by: str, group: object) -> str:
    if by == "municipality" and isinstance(group, int | float) and int(group) in MUNICIPALITIES:
        return f"{int(group)} ({MUNICIPALITIES[int(group)][0]})"
    return str(group)


# ---- the validator ------------------------------------------------------------------------------

def validate(
    frame: pd.DataFrame,
    schema: Schema,
    *,
    source: str = "data",
    on_invalid: OnInvalid = "raise",
    tolerance: float = 0.02,
) -> pd.DataFrame:
    """Check and type a frame against a schema.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns already named as in the schema. Index: file row numbers when
        ``frame.attrs["row_labels"] == "file"`` (as :func:`read_table` gives),
        else the labels messages name.
    schema : Schema
        One of the panel schemas.
    source : str
        File name (or a description of the DataFrame) used in messages.
    on_invalid : {"raise", "exclude"}, default "raise"
        ``"exclude"`` drops rows with bad values and records them in
        ``attrs["exclusions"]`` (and warns); missing columns, a wrong unit of
        a whole column and duplicated keys raise either way.
    tolerance : float, default 0.02
        Relative difference between a given ``cases_per_caseworker`` and
        ``open_cases / caseworker_fte`` above which rows are reported (kept).

    Returns
    -------
    pandas.DataFrame
        A new frame: schema columns typed (periods as pandas Period, labels as
        categories, codes as int64) followed by any extra columns, a fresh
        RangeIndex, and ``attrs`` with ``source``, ``schema``, ``rows_read``,
        ``exclusions``, ``warnings`` (messages about implausible values that
        were kept), ``row_labels`` and ``blank_rows``.

    Raises
    ------
    DataError
        Naming the file, column, problem, the first rows at fault and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> from hjeval.data.schemas import CYCLE
    >>> raw = pd.DataFrame({"municipality": ["860"], "period": ["2015K1"],
    ...                     "unemployment_rate": ["4,2"]}, index=[2])
    >>> raw.attrs["row_labels"] = "file"
    >>> validate(raw, CYCLE, source="cycle.csv").loc[0, "unemployment_rate"]
    np.float64(4.2)
    >>> raw["unemployment_rate"] = ["0,042"]
    >>> validate(raw, CYCLE, source="cycle.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hjeval.errors.DataError: cycle.csv: column 'unemployment_rate' has only values below 1 ...; multiply ... by 100
    """
    if on_invalid not in ("raise", "exclude"):
        raise DataError(f"on_invalid must be 'raise' or 'exclude', not {on_invalid!r}")
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{source}: expected a pandas DataFrame, not {type(frame).__name__}")
    if frame.empty:
        raise DataError(f"{source}: no data rows")
    check_unique_columns(list(frame.columns), source=source)
    missing_cols = [c for c in schema.required if c not in frame.columns]
    if missing_cols:
        raise DataError(
            f"{source}: required column(s) {missing_cols} missing for the {schema.name} panel; "
            f"the file has {list(frame.columns)}. Rename columns with columns={{'file name': "
            f"'{missing_cols[0]}'}}"
        )
    origin: RowOrigin = "file" if frame.attrs.get("row_labels") == "file" else "index"
    context = _Context(source, frame.index, origin)
    positional = frame.set_axis(pd.RangeIndex(len(frame)), axis=0)  # no data copied (copy-on-write)
    decimal = frame.attrs.get("decimal")
    keep = np.ones(len(frame), dtype=bool)
    exclusions: list[Exclusion] = []

    def settle(problems: Sequence[_Problem]) -> None:
        for problem in problems:
            if on_invalid == "raise" or problem.fatal:
                raise DataError(context.message(problem))
            mask = problem.mask & keep
            if mask.any():
                rows = context.labels[mask]
                exclusions.append(Exclusion(problem.reason, problem.column, int(mask.sum()), row_labels(rows[:5])))
            keep[problem.mask] = False

    converted: dict[str, pd.Series] = {}
    column_problems: list[_Problem] = []
    for col in schema.columns:
        if col.name in positional.columns:
            converted[col.name], found = _convert(positional[col.name], col, decimal)
            column_problems.extend(found)
    settle(column_problems)
    settle([p for rule in _RULES for p in rule(converted)])
    notes = _derive(schema, converted, keep, tolerance)
    errors, more_notes = _plausible(schema, converted, keep)
    settle(errors)
    notes.extend(more_notes)
    settle([p for col in schema.columns if col.scale is not None and col.name in converted
            for p in _unit_scale(col, col.scale, converted, keep)])

    out = pd.DataFrame({name: converted[name] for name in schema.names if name in converted}, copy=False)
    for name in positional.columns:
        if name not in schema.names:
            out[name] = positional[name]
    labels = context.labels
    if not keep.all():
        out, labels = out[keep], labels[keep]
    out = _typed(out, schema)
    _check_duplicates(out, schema, context, labels)
    if out.empty:
        raise DataError(f"{source}: no valid rows left after excluding invalid ones")
    out = out.reset_index(drop=True)
    messages = [text.replace("{rows}", describe_rows(list(context.labels[mask & keep]), origin))
                for text, mask in notes if (mask & keep).any()]
    out.attrs = {
        "source": source,
        "schema": schema.name,
        "rows_read": len(frame),
        "exclusions": [asdict(e) for e in exclusions],
        "warnings": messages,
        "row_labels": origin,
        "blank_rows": int(frame.attrs.get("blank_rows", 0)),
    }
    for text in messages:
        warn_user(f"{source}: {text}")
    if exclusions:
        detail = "; ".join(f"{e.rows} with {e.reason} in {e.column!r}" for e in exclusions)
        warn_user(f"{source}: excluded rows: {detail}")
    return out


def _typed(out: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """A new frame with the schema's types; columns already of their type are not copied."""
    typed: dict[str, pd.Series] = {}
    for name in out.columns:
        series = out[name]
        kind = schema.column(name).kind if name in schema.names else None
        if kind in {"int", "year"}:
            series = series.astype("int64") if series.notna().all() else series.astype("Int64")
        elif kind == "float":
            series = series.astype("float64")
        typed[name] = series
    return pd.DataFrame(typed, index=out.index, copy=False)


def _check_duplicates(out: pd.DataFrame, schema: Schema, context: _Context, labels: pd.Index) -> None:
    key = [k for k in schema.key if k in out.columns]
    if not key:
        return
    if _ordered_without_duplicates(out, key):
        return
    dup = out.duplicated(subset=key, keep=False).to_numpy()
    if dup.any():
        raise DataError(
            f"{context.source}: duplicated rows for the key ({', '.join(key)}) in "
            f"{describe_rows(list(labels[dup]), context.origin)}; each key may appear once: "
            "remove the repeated rows, or aggregate them first"
        )


def _ordered_without_duplicates(out: pd.DataFrame, key: list[str]) -> bool:
    """True when the rows come grouped by the leading key columns (say by person) with the last
    key column (say the month) increasing within each group: then no key appears twice.

    A register is usually written so, and neighbouring rows prove the key unique
    without hashing millions of key tuples. False means "not shown", not
    "duplicated".
    """
    if len(out) < 2:
        return True
    leading, last = key[:-1], _orderable(out[key[-1]])
    if last is None:
        return False
    new_group = np.zeros(len(out) - 1, dtype=bool)
    for name in leading:
        values = out[name].to_numpy()
        if values.dtype == object:
            return False
        new_group |= values[1:] != values[:-1]
    if leading:
        heads = np.r_[0, np.flatnonzero(new_group) + 1]
        groups = out[leading].iloc[heads]
        if len(groups.drop_duplicates()) != len(heads):  # a group that comes back later
            return False
    return bool(np.all(new_group | (last[1:] > last[:-1])))


def _orderable(values: pd.Series) -> np.ndarray | None:
    """Numbers that sort like the values (period ordinals, numbers, category codes), or None."""
    if isinstance(values.dtype, pd.PeriodDtype):
        return None if values.isna().any() else values.array.asi8
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iuf":
        return None if values.isna().any() else values.to_numpy()
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, _ = pd.factorize(values, sort=True)
        return None if (codes < 0).any() else codes
    return None
