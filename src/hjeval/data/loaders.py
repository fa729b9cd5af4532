"""The four panel loaders: hours, caseload, business cycle and costs.

Each reads a file (CSV, Parquet or Excel, any sheet) or takes a DataFrame,
matches its headers to hjeval's names (recognised English and Danish headers
in any case and spacing, or an explicit map), validates the panel against its
schema (:mod:`hjeval.data.validate`, where every value check lives) and
returns a typed DataFrame. Bad input raises :class:`hjeval.DataError` naming
the file or argument, the column, the problem, the first rows as the user sees
them (file rows with the header as row 1; a DataFrame's index labels) and the
fix; with ``on_invalid="exclude"`` bad rows are left out and recorded in
``attrs["exclusions"]`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeAlias

import pandas as pd

from hjeval.data.readers import (
    PathLike,
    apply_column_map,
    canonical_name,
    check_unique_columns,
    excel_sheets_with,
    read_table,
    release_arrow_memory,
)
from hjeval.data.schemas import CASELOAD, COSTS, CYCLE, HOURS_CELL, HOURS_PERSON, Schema
from hjeval.data.validate import OnInvalid, validate
from hjeval.errors import DataError

__all__ = [
    "DANISH_COLUMNS",
    "default_benefit_costs",
    "load_caseload",
    "load_costs",
    "load_cycle",
    "load_hours",
]

DANISH_COLUMNS: dict[str, str] = {
    "personid": "person_id",
    "person_id": "person_id",
    "pnr": "person_id",
    "kommune": "municipality",
    "komkode": "municipality",
    "kommunekode": "municipality",
    "kommunenr": "municipality",
    "kommunenummer": "municipality",
    "komnr": "municipality",
    "bopælskommune": "municipality",
    "måned": "month",
    "maaned": "month",
    "timer": "hours",
    "arbejdstimer": "hours",
    "ydelsesgruppe": "benefit_group",
    "ydelse": "benefit_group",
    "målgruppe": "benefit_group",
    "køn": "sex",
    "alder": "age",
    "herkomst": "origin",
    "indsatser": "interventions",
    "periode": "period",
    "tid": "period",
    "personer": "persons",
    "antal_personer": "persons",
    "timer_i_alt": "hours_total",
    "ydelsesområde": "benefit_area",
    "sagsbehandlere": "caseworker_fte",
    "sager": "open_cases",
    "åbne_sager": "open_cases",
    "sager_pr_sagsbehandler": "cases_per_caseworker",
    "ledighed": "unemployment_rate",
    "ledighedsprocent": "unemployment_rate",
    "ledighedsgrad": "unemployment_rate",
    "fuldtidsbeskæftigede": "full_time_employees",
    "fuldtidsmodtagere": "benefit_recipients_fte",
    "år": "year",
    "aar": "year",
    "post": "item",
    "beløb": "amount_dkk",
    "beløb_kr": "amount_dkk",
    "beløb_dkk": "amount_dkk",
    "amount": "amount_dkk",
}
"""Recognised headers (Danish and a few English ones) and the hjeval column each means.

Headers are matched without regard to case, spaces, punctuation or the
spelling of æ/ø/å (``"MÅNED"``, ``"Maaned"`` and ``" måned "`` all mean
``month``); hjeval's own names are matched the same way (``"MUNICIPALITY"``).
"""

_PERIOD_WORDS = ("year", "år", "month", "måned", "quarter", "kvartal")
"""Headers that name the period column of a panel keyed by ``period`` when it has no other."""

Source: TypeAlias = PathLike | pd.DataFrame


def _aliases(schema_names: tuple[str, ...]) -> dict[str, str]:
    """Canonical header -> hjeval name, for the names of the schema(s) at hand."""
    aliases = {canonical_name(k): v for k, v in DANISH_COLUMNS.items() if v in schema_names}
    aliases.update({canonical_name(name): name for name in schema_names})
    return aliases


def _match_headers(frame: pd.DataFrame, schema_names: tuple[str, ...], source: str,
                   explicit: Mapping[str, str] | None) -> pd.DataFrame:
    """Rename recognised headers to hjeval's names; refuse two columns that would mean the same one."""
    aliases = _aliases(schema_names)
    mapped_by_caller = set((explicit or {}).values())
    claims: dict[str, list[object]] = {}
    for column in frame.columns:
        if column in mapped_by_caller:
            target: str | None = str(column)
        else:
            target = aliases.get(canonical_name(column))
        if target is not None:
            claims.setdefault(target, []).append(column)
    if "period" in schema_names and "period" not in claims:
        words = [c for c in frame.columns if canonical_name(c) in {canonical_name(w) for w in _PERIOD_WORDS}
                 and c not in [x for cols in claims.values() for x in cols]]
        if len(words) == 1:
            claims["period"] = words
    clashes = {target: cols for target, cols in claims.items() if len(cols) > 1}
    if clashes:
        target, cols = next(iter(clashes.items()))
        raise DataError(
            f"{source}: columns {[str(c) for c in cols]} all mean {target!r}; keep one, or say which with "
            f"columns={{{str(cols[0])!r}: {target!r}}} and rename the other"
        )
    rename = {cols[0]: target for target, cols in claims.items() if cols[0] != target}
    return frame.rename(columns=rename) if rename else frame


def _read(
    source: Source,
    columns: Mapping[str, str] | None,
    schema_names: tuple[str, ...],
    *,
    sheet: str | int,
    decimal: str | None,
    caller: str,
) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        name = f"the DataFrame given to {caller}"
        if source.empty:
            raise DataError(f"{name}: no data rows")
        check_unique_columns(list(source.columns), source=name)
        frame = source.copy(deep=False)  # copy-on-write: the caller's frame is never changed
        frame.attrs = {"row_labels": "index", "decimal": decimal}
        frame = apply_column_map(frame, columns, source=name)
    elif isinstance(source, str | bytes) or hasattr(source, "__fspath__"):
        if isinstance(source, bytes):
            raise DataError(f"{caller}: give the file path as text, not bytes")
        frame = read_table(source, columns=columns, sheet=sheet, decimal=decimal, allow_empty=True)
        name = frame.attrs["source"]
    else:
        raise DataError(
            f"{caller}: the source must be a file path (CSV, Parquet or Excel) or a pandas DataFrame, "
            f"not {type(source).__name__}"
        )
    attrs = dict(frame.attrs)
    frame = _match_headers(frame, schema_names, name, columns)
    frame.attrs = attrs
    return frame, name


def _require(frame: pd.DataFrame, schema: Schema, name: str, source: Source, sheet: str | int) -> None:
    """Refuse a frame without the schema's required columns, saying where they are if they are elsewhere."""
    missing = [c for c in schema.required if c not in frame.columns]
    if not missing:
        return
    hints = []
    if not isinstance(source, pd.DataFrame):
        sheets = [s for s in excel_sheets_with(source, schema.required, _aliases(schema.names))
                  if s != frame.attrs.get("sheet")]
        if sheets:
            hints.append(f"sheet {sheets[0]!r} has them: pass sheet={sheets[0]!r}")
    header_row = _header_further_down(frame, schema)
    if header_row is not None and not hints:
        hints.append(f"the header seems to be in row {header_row}: delete the rows above it")
    hints.append(f"rename columns with columns={{'file name': {missing[0]!r}}}")
    it = "it has" if isinstance(source, pd.DataFrame) else "the file has"
    raise DataError(
        f"{name}: required column(s) {missing} missing for the {schema.name} panel; "
        f"{it} {[str(c) for c in frame.columns]}; " + "; ".join(hints)
    )


def _not_empty(frame: pd.DataFrame, name: str) -> None:
    if frame.empty:
        raise DataError(f"{name}: the file has no data rows")


def _header_further_down(frame: pd.DataFrame, schema: Schema) -> object | None:
    """The row label of an early row that holds the required column names (a title above the header)."""
    if frame.attrs.get("row_labels") != "file":
        return None
    aliases = _aliases(schema.names)
    wanted = set(schema.required)
    for label, row in frame.head(20).iterrows():
        names = {aliases.get(canonical_name(v)) for v in row.tolist() if isinstance(v, str)}
        if wanted <= names:
            return label
    return None


def _load(
    source: Source,
    schema: Schema,
    columns: Mapping[str, str] | None,
    on_invalid: OnInvalid,
    *,
    sheet: str | int,
    decimal: str | None,
    caller: str,
    tolerance: float = 0.02,
) -> pd.DataFrame:
    frame, name = _read(source, columns, schema.names, sheet=sheet, decimal=decimal, caller=caller)
    _require(frame, schema, name, source, sheet)
    _not_empty(frame, name)
    panel = validate(frame, schema, source=name, on_invalid=on_invalid, tolerance=tolerance)
    del frame
    release_arrow_memory()  # the raw text columns just freed
    return panel


def load_hours(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    level: Literal["auto", "person", "cell"] = "auto",
    on_invalid: OnInvalid = "raise",
    sheet: str | int = 0,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Load an employment-hours panel.

    Two layouts are accepted. Person-month (``HOURS_PERSON``): ``person_id,
    municipality, month, hours, benefit_group`` and optionally ``sex, age,
    origin, interventions``; hours are hours worked in the month (0 to 24 x days
    in the month). Aggregated (``HOURS_CELL``): ``municipality, period,
    [benefit_group,] persons, hours_total``.

    Parameters
    ----------
    source : path or DataFrame
        CSV (``,`` or ``;``, decimal point or comma), Parquet or Excel file.
    columns : mapping, optional
        File column -> hjeval column, e.g. ``{"kommune": "municipality"}``.
        hjeval's names and common Danish headers (kommune, måned, timer, ...)
        are recognised in any case and spacing without a map.
    level : {"auto", "person", "cell"}, default "auto"
        Layout; ``"auto"`` picks person-month when a ``person_id`` column exists.
    on_invalid : {"raise", "exclude"}, default "raise"
        Whether rows with bad values raise or are excluded (and recorded in
        ``attrs["exclusions"]`` with a warning).
    sheet : str or int, default 0
        Excel sheet, by name or position (0 is the first); when the sheet lacks
        the columns and another has them, the error says which.
    decimal : {",", "."}, optional
        Decimal mark of a CSV file (or of text cells in a DataFrame);
        detected when omitted. With a decimal comma, ``.`` groups thousands.

    Returns
    -------
    pandas.DataFrame
        Typed panel: ``month``/``period`` as pandas Period, labels as
        categories, codes as int64. ``attrs`` has ``source``, ``schema``,
        ``rows_read``, ``exclusions``, ``warnings``, ``row_labels`` and
        ``blank_rows``.

    Raises
    ------
    DataError
        Missing or repeated column, unparseable or non-monthly month, years
        outside 1900-2100 (Excel date serials), non-numeric or infinite value,
        duplicated key, negative hours or more hours than the month has,
        unknown municipality, missing key values, empty file -- naming file
        (or DataFrame), column, the first rows (file rows with the header as
        row 1, or index labels) and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> import hjeval as hj
    >>> raw = pd.DataFrame({"person_id": [1, 1], "kommune": [860, 860],
    ...                     "måned": ["2015-01", "2015-02"], "timer": [0, 12.5],
    ...                     "benefit_group": "activity_ready_cash"})
    >>> hours = hj.load_hours(raw)
    >>> hours["month"].dtype, float(hours["hours"].sum())
    (period[M], 12.5)
    """
    if level not in ("auto", "person", "cell"):
        raise DataError(f"level must be 'auto', 'person' or 'cell', not {level!r}")
    names = tuple(dict.fromkeys(HOURS_PERSON.names + HOURS_CELL.names))
    frame, name = _read(source, columns, names, sheet=sheet, decimal=decimal, caller="load_hours")
    if level == "auto":
        level = "person" if "person_id" in frame.columns else "cell"
        if level == "cell" and "persons" not in frame.columns and "hours" in frame.columns:
            raise DataError(
                f"{name}: an hours panel needs either person_id (person-month rows) or "
                f"persons and hours_total (aggregated rows); the file has {[str(c) for c in frame.columns]}"
            )
    schema = HOURS_PERSON if level == "person" else HOURS_CELL
    own, other = ("month", "period") if level == "person" else ("period", "month")
    if own not in frame.columns and other in frame.columns:  # a person panel's "periode", a cell panel's "month"
        attrs = frame.attrs
        frame = frame.rename(columns={other: own})
        frame.attrs = attrs
    _require(frame, schema, name, source, sheet)
    _not_empty(frame, name)
    panel = validate(frame, schema, source=name, on_invalid=on_invalid)
    del frame
    release_arrow_memory()  # the raw text columns just freed
    return panel


def load_caseload(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    on_invalid: OnInvalid = "raise",
    tolerance: float = 0.02,
    sheet: str | int = 0,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Load a caseload panel: municipality x period x benefit area.

    Columns ``municipality, period, benefit_area, caseworker_fte, open_cases``
    and optionally ``cases_per_caseworker``, which is computed as
    ``open_cases / caseworker_fte`` when absent. When given, it is checked
    against that ratio and a :class:`HjevalWarning` names rows that differ by
    more than ``tolerance`` (relative); the given values are kept. Caseloads
    above 1,000 cases per caseworker raise, above 300 or below 1 warn.

    Parameters
    ----------
    source : path or DataFrame
    columns : mapping, optional
        File column -> hjeval column.
    on_invalid : {"raise", "exclude"}, default "raise"
    tolerance : float, default 0.02
        Relative difference above which a given ratio is reported.
    sheet : str or int, default 0
        Excel sheet, by name or position (0 is the first); when the sheet lacks
        the columns and another has them, the error says which.
    decimal : {",", "."}, optional
        Decimal mark of a CSV file (or of text cells in a DataFrame);
        detected when omitted. With a decimal comma, ``.`` groups thousands.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataError
        As :func:`load_hours`, and for open cases with zero caseworkers or an
        implausible caseload.

    Examples
    --------
    >>> import pandas as pd
    >>> import hjeval as hj
    >>> raw = pd.DataFrame({"municipality": [860], "period": ["2014M06"],
    ...                     "benefit_area": ["cash_benefit"], "caseworker_fte": [20.0],
    ...                     "open_cases": [1500]})
    >>> float(hj.load_caseload(raw)["cases_per_caseworker"].iloc[0])
    75.0
    """
    return _load(source, CASELOAD, columns, on_invalid, sheet=sheet, decimal=decimal, caller="load_caseload",
                 tolerance=tolerance)


def load_cycle(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    on_invalid: OnInvalid = "raise",
    sheet: str | int = 0,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Load a business-cycle panel: municipality x period.

    Columns ``municipality, period, unemployment_rate`` (percent) and optionally
    ``full_time_employees`` and ``benefit_recipients_fte``. Municipality names
    ("Hjørring", "Vesthimmerlands", "860 Hjørring") are turned into codes.
    Rates given as fractions (0.0575 for 5.75 %) raise, for the whole file or
    for one municipality; rates above 30 % warn.

    Parameters
    ----------
    source : path or DataFrame
    columns : mapping, optional
        File column -> hjeval column, e.g. ``{"year": "period", "value":
        "unemployment_rate"}`` for a normalised Statbank unemployment file.
    on_invalid : {"raise", "exclude"}, default "raise"
    sheet : str or int, default 0
        Excel sheet, by name or position (0 is the first); when the sheet lacks
        the columns and another has them, the error says which.
    decimal : {",", "."}, optional
        Decimal mark of a CSV file (or of text cells in a DataFrame);
        detected when omitted. With a decimal comma, ``.`` groups thousands.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> import hjeval as hj
    >>> raw = pd.DataFrame({"municipality": ["Hjørring"], "year": [2015], "value": [4.1]})
    >>> cycle = hj.load_cycle(raw, columns={"year": "period", "value": "unemployment_rate"})
    >>> int(cycle["municipality"].iloc[0]), str(cycle["period"].iloc[0])
    (860, '2015')
    """
    return _load(source, CYCLE, columns, on_invalid, sheet=sheet, decimal=decimal, caller="load_cycle")


# Monthly cash-benefit rates (age 30+) with and without children, DKK.
_CASH_BENEFIT_MONTHLY: dict[int, tuple[float, float]] = {
    2015: (14_416.0, 10_849.0),
    2016: (14_575.0, 10_968.0),
    2017: (14_808.0, 11_143.0),
}
_SICKNESS_WEEKLY_MAX: dict[int, float] = {2015: 4_135.0}


def default_benefit_costs() -> pd.DataFrame:
    """Published benefit levels as yearly cost per full-time recipient.

    Cash benefit (both activity-ready and job-ready recipients): the mean of
    the monthly rates with and without children for age 30+, times 12 (2015-2017).
    Sickness benefit: the weekly maximum times 52 (2015).

    Returns
    -------
    pandas.DataFrame
        Columns of the costs panel: ``year, item, benefit_group, amount_dkk``.

    Examples
    --------
    >>> costs = default_benefit_costs()
    >>> row = costs.query("year == 2015 and benefit_group == 'activity_ready_cash'")
    >>> float(row["amount_dkk"].iloc[0])
    151590.0
    """
    rows: list[tuple[int, str, str, float]] = []
    for year, (with_children, without) in _CASH_BENEFIT_MONTHLY.items():
        yearly = 12 * (with_children + without) / 2
        for group in ("activity_ready_cash", "job_ready_cash"):
            rows.append((year, "benefit_cost_per_full_time_person", group, yearly))
    for year, weekly in _SICKNESS_WEEKLY_MAX.items():
        rows.append((year, "benefit_cost_per_full_time_person", "sickness", 52 * weekly))
    return pd.DataFrame(rows, columns=["year", "item", "benefit_group", "amount_dkk"])


def load_costs(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    defaults: bool = True,
    on_invalid: OnInvalid = "raise",
    sheet: str | int = 0,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Load the costs panel: money invested and benefit cost per full-time person.

    Columns ``year, item, amount_dkk`` and ``benefit_group`` (required on
    ``benefit_cost_per_full_time_person`` rows). ``item`` is ``investment`` or
    ``benefit_cost_per_full_time_person``. Amounts are kroner; a benefit cost
    per full-time person below 1,000 DKK a year (an amount in thousands or
    millions) or above 2 million raises, one below 20,000 (a monthly amount?)
    warns.

    Parameters
    ----------
    source : path or DataFrame
    columns : mapping, optional
    defaults : bool, default True
        Add the published benefit levels (:func:`default_benefit_costs`) for
        year and group pairs the file does not cover. The file always wins;
        added rows are flagged in the ``source_of_value`` column ("file" or
        "default") and counted in ``attrs["defaults_added"]``.
    on_invalid : {"raise", "exclude"}, default "raise"
    sheet : str or int, default 0
        Excel sheet, by name or position (0 is the first); when the sheet lacks
        the columns and another has them, the error says which.
    decimal : {",", "."}, optional
        Decimal mark of a CSV file (or of text cells in a DataFrame);
        detected when omitted. With a decimal comma, ``.`` groups thousands.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> import hjeval as hj
    >>> raw = pd.DataFrame({"year": [2015, 2016], "item": "investment",
    ...                     "amount_dkk": [31e6, 32e6]})
    >>> costs = hj.load_costs(raw)
    >>> costs.attrs["defaults_added"], sorted(costs["source_of_value"].unique())
    (7, ['default', 'file'])
    """
    panel = _load(source, COSTS, columns, on_invalid, sheet=sheet, decimal=decimal, caller="load_costs")
    attrs = dict(panel.attrs)
    is_benefit = panel["item"] == "benefit_cost_per_full_time_person"
    if "benefit_group" not in panel.columns:
        panel = panel.assign(benefit_group=pd.Categorical([None] * len(panel), categories=COSTS.column(
            "benefit_group").allowed))
    panel = panel.assign(source_of_value="file")
    added = 0
    if defaults:
        extra = default_benefit_costs()
        have = set(
            zip(panel.loc[is_benefit, "year"], panel.loc[is_benefit, "benefit_group"].astype(str), strict=True)
        )
        fill = extra[[(y, g) not in have for y, g in zip(extra["year"], extra["benefit_group"], strict=True)]]
        added = len(fill)
        if added:
            panel = pd.concat([panel, fill.assign(source_of_value="default")], ignore_index=True)
            for col in ("item", "benefit_group"):
                panel[col] = pd.Categorical(panel[col].astype(object), categories=COSTS.column(col).allowed)
    panel = panel.sort_values(["year", "item", "benefit_group"], kind="stable").reset_index(drop=True)
    attrs["defaults_added"] = added
    panel.attrs = attrs
    return panel
