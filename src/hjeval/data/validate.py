"""Validate a frame against a panel schema.

Each check finds the rows at fault and either raises :class:`DataError`
(naming file, column and rows) or, when the caller allows exclusions, drops
those rows and records how many and why in ``frame.attrs["exclusions"]``.
Structural problems (missing columns, duplicated keys, an empty file) always
raise.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

from hjeval.data.municipalities import MUNICIPALITIES, area_code
from hjeval.data.schemas import Column, Schema
from hjeval.errors import DataError, HjevalWarning, format_rows
from hjeval.periods import parse_periods, period_lookup

__all__ = ["VALUE_ALIASES", "Exclusion", "OnInvalid", "validate"]

OnInvalid = Literal["raise", "exclude"]

_MISSING_TEXT = {"", "na", "nan", "null", "none", "..", "."}

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
    first_rows : tuple of int
        The first few file row numbers.
    """

    reason: str
    column: str
    rows: int
    first_rows: tuple[int, ...]


@dataclass(frozen=True)
class _Problem:
    column: str
    reason: str
    mask: np.ndarray
    example: object = None


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def _is_missing(values: pd.Series, factorized: tuple[np.ndarray, pd.Index] | None = None) -> np.ndarray:
    """Missing values, text ones ("", "NA", "..") included; ``factorized`` reuses ``pd.factorize(values)``."""
    missing = values.isna().to_numpy()
    if _is_text(values):
        codes, uniques = factorized if factorized is not None else pd.factorize(values)  # each distinct text once
        blank = np.array([str(u).strip().lower() in _MISSING_TEXT for u in uniques], dtype=bool)
        missing = missing | (blank[codes] & (codes >= 0))
    return missing


def _plain_integers(values: pd.Series) -> bool:
    """Numpy integers: nothing in them can be missing, fractional or not a number."""
    return isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu"


def _as_number(values: pd.Series, decimal: str | None, *, whole: bool = False) -> pd.Series:
    """Numbers from numeric or text values (NaN where not a number); with ``whole``,
    text that is all integers stays int64, so that long ids keep every digit."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    ):
        return values.astype("float64")
    text = values.astype(str).str.strip().str.replace("\u2212", "-", regex=False)
    if decimal is None:
        has_comma = text.str.contains(",", regex=False).any()
        decimal = "," if has_comma and not text.str.contains(".", regex=False).any() else "."
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    if whole and pd.api.types.is_integer_dtype(numbers.dtype):
        return numbers
    return numbers.astype("float64")


def _municipality_codes(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Codes from numeric codes or names; second item marks unknown ones."""
    numbers = pd.to_numeric(values, errors="coerce")
    names = numbers.isna() & values.notna()
    if names.any():
        lookup = {
            name: area_code(str(name)) for name in pd.unique(values[names])
        }
        mapped = values[names].map(
            lambda n: lookup[n][0] if lookup[n][1] == "municipality" else np.nan
        )
        numbers = numbers.astype("float64")
        numbers[names] = mapped.astype("float64")
    known = numbers.isin(list(MUNICIPALITIES)).to_numpy()
    return numbers, ~known


def _convert(
    frame: pd.DataFrame, col: Column, decimal: str | None
) -> Iterator[_Problem | pd.Series]:
    values = frame[col.name]
    factorized = pd.factorize(values) if _is_text(values) else None
    missing = _is_missing(values, factorized)
    if missing.any() and col.required:
        what = "key column" if col.key else "required column"
        yield _Problem(col.name, f"missing values in {what}", missing)
    present = ~missing
    if col.name == "municipality":
        codes, unknown = _municipality_codes(values)
        unknown &= present
        if unknown.any():
            yield _Problem(
                col.name, "unknown municipality code or name", unknown,
                values[unknown].iloc[0],
            )
        yield codes
        return
    if col.kind in {"int", "float", "year"}:
        if _plain_integers(values):
            numbers = values  # kept as integers: no float round trip of (large) ids
        else:
            numbers = _as_number(values, decimal, whole=col.kind in {"int", "year"})
            bad = present & numbers.isna().to_numpy()
            if bad.any():
                yield _Problem(col.name, "values that are not numbers", bad, values[bad].iloc[0])
            if col.kind in {"int", "year"}:
                fractional = present & ~bad & (numbers.fillna(0) % 1 != 0).to_numpy()
                if fractional.any():
                    yield _Problem(
                        col.name, "values that are not whole numbers", fractional,
                        values[fractional].iloc[0],
                    )
        too_low = (numbers < col.minimum).to_numpy() if col.minimum is not None else None
        if too_low is not None and too_low.any():
            yield _Problem(
                col.name, f"values below {col.minimum:g}", too_low, values[too_low].iloc[0]
            )
        too_high = (numbers > col.maximum).to_numpy() if col.maximum is not None else None
        if too_high is not None and too_high.any():
            yield _Problem(
                col.name, f"values above {col.maximum:g}", too_high, values[too_high].iloc[0]
            )
        yield numbers
        return
    if col.kind == "period":
        yield from _convert_periods(values, present, col.name)
        return
    # category: clean and check each distinct value once, then map the codes
    codes, uniques = factorized if factorized is not None else pd.factorize(values)
    aliases = VALUE_ALIASES.get(col.name, {})
    cleaned = [str(u).strip() for u in uniques]
    cleaned = [aliases.get(c.lower(), c) for c in cleaned]
    categories = list(col.allowed) if col.allowed else sorted({c for c, u in zip(cleaned, uniques, strict=True)
                                                               if str(u).strip().lower() not in _MISSING_TEXT})
    position = {c: i for i, c in enumerate(categories)}
    mapped = np.array([position.get(c, -1) for c in cleaned] + [-1], dtype=np.int64)
    category_codes = mapped[codes]  # code -1 (missing) picks the appended -1
    bad = present & (category_codes < 0)
    if bad.any():
        yield _Problem(col.name, f"values outside {categories}", bad, values[bad].iloc[0])
    yield pd.Series(pd.Categorical.from_codes(category_codes, categories=categories), index=values.index)


def _convert_periods(
    values: pd.Series, present: np.ndarray, name: str
) -> Iterator[_Problem | pd.Series]:
    if isinstance(values.dtype, pd.PeriodDtype) or pd.api.types.is_datetime64_any_dtype(
        values.dtype
    ):
        yield parse_periods(values)
        return
    parsed, bad = period_lookup(values[present])
    bad_mask = present & values.isin(bad).to_numpy()
    if bad_mask.any():
        yield _Problem(
            name, "values that are not periods (use 2015, 2015Q1/2015K1, 2015M01/2015-01 or "
            "2015H1)", bad_mask, values[bad_mask].iloc[0],
        )
        return
    freqs = sorted({p.freqstr for p in parsed.values()})
    if len(freqs) > 1:
        yield _Problem(name, f"mixed period frequencies {freqs}", present)
        return
    dtype = pd.PeriodDtype(next(iter(parsed.values())).freq) if parsed else pd.PeriodDtype("M")
    yield values.map(parsed).astype(dtype)


def _hours_in_period(periods: pd.Series) -> pd.Series:
    """Hours in each row's period, computed once per distinct period."""
    codes, uniques = pd.factorize(periods)
    hours = ((uniques.end_time - uniques.start_time).total_seconds().round() / 3600.0).to_numpy()
    per_row = np.where(codes >= 0, hours[codes] if len(hours) else np.nan, np.nan)
    return pd.Series(per_row, index=periods.index)


def _hour_caps(schema: Schema, out: Mapping[str, pd.Series]) -> _Problem | None:
    if "hours" in out and "month" in out:
        cap = _hours_in_period(out["month"])
        over = (out["hours"] > cap).to_numpy()
        if over.any():
            return _Problem("hours", "more hours than the month has", over, out["hours"][over].iloc[0])
    if "hours_total" in out and "persons" in out and "period" in out:
        cap = _hours_in_period(out["period"]) * out["persons"]
        over = (out["hours_total"] > cap).to_numpy()
        if over.any():
            return _Problem(
                "hours_total", "more hours than the persons in the cell have in the period",
                over, out["hours_total"][over].iloc[0],
            )
    return None


def _message(source: str, problem: _Problem, index: pd.Index) -> str:
    rows = list(index[problem.mask])
    example = "" if problem.example is None else f" (first: {problem.example!r})"
    return f"{source}: column {problem.column!r} has {problem.reason}{example} in {format_rows(rows)}"


def validate(
    frame: pd.DataFrame,
    schema: Schema,
    *,
    source: str = "data",
    on_invalid: OnInvalid = "raise",
) -> pd.DataFrame:
    """Check and type a frame against a schema.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns already named as in the schema; index = file row numbers.
    schema : Schema
        One of the panel schemas.
    source : str
        File name used in messages.
    on_invalid : {"raise", "exclude"}, default "raise"
        ``"exclude"`` drops rows with bad values and records them in
        ``attrs["exclusions"]`` (and warns); missing columns and duplicated
        keys raise either way.

    Returns
    -------
    pandas.DataFrame
        A new frame: schema columns typed (periods as pandas Period, labels as
        categories, codes as int64) followed by any extra columns, a fresh
        RangeIndex, and ``attrs`` with ``source``, ``schema``, ``rows_read`` and
        ``exclusions``.

    Raises
    ------
    DataError
        Naming the file, column, problem and the first rows at fault.

    Examples
    --------
    >>> import pandas as pd
    >>> from hjeval.data.schemas import CYCLE
    >>> raw = pd.DataFrame({"municipality": ["860"], "period": ["2015K1"],
    ...                     "unemployment_rate": ["4,2"]}, index=[2])
    >>> validate(raw, CYCLE, source="cycle.csv").loc[0, "unemployment_rate"]
    np.float64(4.2)
    """
    if on_invalid not in ("raise", "exclude"):
        raise DataError(f"on_invalid must be 'raise' or 'exclude', not {on_invalid!r}")
    if frame.empty:
        raise DataError(f"{source}: no data rows")
    missing_cols = [c for c in schema.required if c not in frame.columns]
    if missing_cols:
        raise DataError(
            f"{source}: required column(s) {missing_cols} missing for the {schema.name} panel; "
            f"the file has {list(frame.columns)}. Rename columns with columns={{'file name': "
            f"'{missing_cols[0]}'}}"
        )
    decimal = frame.attrs.get("decimal")
    converted: dict[str, pd.Series] = {}
    problems: list[_Problem] = []
    for col in schema.columns:
        if col.name not in frame.columns:
            continue
        for item in _convert(frame, col, decimal):
            if isinstance(item, _Problem):
                problems.append(item)
            else:
                converted[col.name] = item
    if not problems:
        cap_problem = _hour_caps(schema, converted)
        if cap_problem is not None:
            problems.append(cap_problem)
    keep = np.ones(len(frame), dtype=bool)
    exclusions: list[Exclusion] = []
    for problem in problems:
        if on_invalid == "raise":
            raise DataError(_message(source, problem, frame.index))
        rows = frame.index[problem.mask & keep]
        if len(rows):
            exclusions.append(
                Exclusion(problem.reason, problem.column, len(rows), tuple(int(r) for r in rows[:5]))
            )
        keep &= ~problem.mask
    extra = [c for c in frame.columns if c not in schema.names]
    out = pd.DataFrame({name: converted[name] for name in schema.names if name in converted}, copy=False)
    for name in extra:
        out[name] = frame[name]
    index = frame.index
    if not keep.all():
        out, index = out[keep], index[keep]
        if exclusions and problems and on_invalid == "exclude":
            cap_problem = _hour_caps(schema, {k: out[k] for k in out.columns})
            if cap_problem is not None:
                rows = index[cap_problem.mask]
                exclusions.append(
                    Exclusion(cap_problem.reason, cap_problem.column, len(rows),
                              tuple(int(r) for r in rows[:5]))
                )
                out, index = out[~cap_problem.mask], index[~cap_problem.mask]
    out = _typed(out, schema)
    _check_duplicates(out, schema, source, index)
    if out.empty:
        raise DataError(f"{source}: no valid rows left after excluding invalid ones")
    out = out.reset_index(drop=True)
    out.attrs = {
        "source": source,
        "schema": schema.name,
        "rows_read": len(frame),
        "exclusions": [asdict(e) for e in exclusions],
    }
    if exclusions:
        import warnings

        detail = "; ".join(f"{e.rows} with {e.reason} in {e.column!r}" for e in exclusions)
        warnings.warn(f"{source}: excluded rows: {detail}", HjevalWarning, stacklevel=4)
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


def _check_duplicates(out: pd.DataFrame, schema: Schema, source: str, index: pd.Index) -> None:
    key = [k for k in schema.key if k in out.columns]
    if not key:
        return
    if _ordered_without_duplicates(out, key):
        return
    dup = out.duplicated(subset=key, keep=False).to_numpy()
    if dup.any():
        raise DataError(
            f"{source}: duplicated rows for the key ({', '.join(key)}) in "
            f"{format_rows(list(index[dup]))}; each key may appear once"
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
