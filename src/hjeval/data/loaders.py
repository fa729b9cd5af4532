"""The four panel loaders: hours, caseload, business cycle and costs.

Each reads a file (CSV, Parquet or Excel) or takes a DataFrame, renames columns
with an optional map (Danish headers are recognised by default), validates the
panel against its schema and returns a typed DataFrame. Bad input raises
:class:`hjeval.DataError`; with ``on_invalid="exclude"`` bad rows are left out
and recorded in ``attrs["exclusions"]`` instead.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd

from hjeval.data.readers import PathLike, apply_column_map, read_table, release_arrow_memory
from hjeval.data.schemas import CASELOAD, COSTS, CYCLE, HOURS_CELL, HOURS_PERSON, Schema
from hjeval.data.validate import OnInvalid, validate
from hjeval.errors import DataError, HjevalWarning, format_rows

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
    "kommune": "municipality",
    "komkode": "municipality",
    "kommunekode": "municipality",
    "måned": "month",
    "maaned": "month",
    "timer": "hours",
    "ydelsesgruppe": "benefit_group",
    "ydelse": "benefit_group",
    "køn": "sex",
    "alder": "age",
    "herkomst": "origin",
    "indsatser": "interventions",
    "periode": "period",
    "tid": "period",
    "personer": "persons",
    "timer_i_alt": "hours_total",
    "ydelsesområde": "benefit_area",
    "sagsbehandlere": "caseworker_fte",
    "sager": "open_cases",
    "sager_pr_sagsbehandler": "cases_per_caseworker",
    "ledighed": "unemployment_rate",
    "ledighedsprocent": "unemployment_rate",
    "fuldtidsbeskæftigede": "full_time_employees",
    "år": "year",
    "post": "item",
    "beløb": "amount_dkk",
    "beløb_kr": "amount_dkk",
}

Source: TypeAlias = PathLike | pd.DataFrame


def _read(
    source: Source, columns: Mapping[str, str] | None, schema_names: tuple[str, ...]
) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        name = "DataFrame"
        frame = apply_column_map(frame, columns, source=name)
    else:
        frame = read_table(source, columns=columns)
        name = str(source)
    automatic = {
        c: DANISH_COLUMNS[c.strip().lower()]
        for c in frame.columns
        if c.strip().lower() in DANISH_COLUMNS
        and DANISH_COLUMNS[c.strip().lower()] not in frame.columns
        and c not in schema_names
    }
    if automatic and len(set(automatic.values())) == len(automatic):
        frame = frame.rename(columns=automatic)
    return frame, name


def _load(
    source: Source,
    schema: Schema,
    columns: Mapping[str, str] | None,
    on_invalid: OnInvalid,
) -> pd.DataFrame:
    frame, name = _read(source, columns, schema.names)
    panel = validate(frame, schema, source=name, on_invalid=on_invalid)
    del frame
    release_arrow_memory()  # the raw text columns just freed
    return panel


def load_hours(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    level: Literal["auto", "person", "cell"] = "auto",
    on_invalid: OnInvalid = "raise",
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
        Common Danish headers (kommune, måned, timer, ...) are mapped by default.
    level : {"auto", "person", "cell"}, default "auto"
        Layout; ``"auto"`` picks person-month when a ``person_id`` column exists.
    on_invalid : {"raise", "exclude"}, default "raise"
        Whether rows with bad values raise or are excluded (and recorded in
        ``attrs["exclusions"]`` with a warning).

    Returns
    -------
    pandas.DataFrame
        Typed panel: ``month``/``period`` as pandas Period, labels as
        categories, codes as int64. ``attrs`` has ``source``, ``schema``,
        ``rows_read`` and ``exclusions``.

    Raises
    ------
    DataError
        Missing column, unparseable period, non-numeric value, duplicated key,
        negative hours or more hours than the month has, unknown municipality,
        missing key values, empty file -- naming file, column and rows.

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
    frame, name = _read(source, columns, HOURS_PERSON.names + HOURS_CELL.names)
    if level == "auto":
        level = "person" if "person_id" in frame.columns else "cell"
        if level == "cell" and "persons" not in frame.columns and "hours" in frame.columns:
            raise DataError(
                f"{name}: an hours panel needs either person_id (person-month rows) or "
                f"persons and hours_total (aggregated rows); the file has {list(frame.columns)}"
            )
    schema = HOURS_PERSON if level == "person" else HOURS_CELL
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
) -> pd.DataFrame:
    """Load a caseload panel: municipality x period x benefit area.

    Columns ``municipality, period, benefit_area, caseworker_fte, open_cases``
    and optionally ``cases_per_caseworker``, which is computed as
    ``open_cases / caseworker_fte`` when absent. When given, it is checked
    against that ratio and a :class:`HjevalWarning` names rows that differ by
    more than ``tolerance`` (relative); the given values are kept.

    Parameters
    ----------
    source : path or DataFrame
    columns : mapping, optional
        File column -> hjeval column.
    on_invalid : {"raise", "exclude"}, default "raise"
    tolerance : float, default 0.02
        Relative difference above which a given ratio is reported.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataError
        As :func:`load_hours`, and for open cases with zero caseworkers.

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
    panel = _load(source, CASELOAD, columns, on_invalid)
    source_name = panel.attrs["source"]
    no_staff = (panel["caseworker_fte"] == 0) & (panel["open_cases"] > 0)
    if no_staff.any():
        raise DataError(
            f"{source_name}: column 'caseworker_fte' is 0 with open cases in "
            f"{format_rows(list(np.flatnonzero(no_staff.to_numpy()) + 1))} (record order)"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = panel["open_cases"] / panel["caseworker_fte"]
    if "cases_per_caseworker" not in panel.columns:
        attrs = panel.attrs
        panel = panel.assign(cases_per_caseworker=ratio.fillna(0.0))
        panel.attrs = attrs
    else:
        given = panel["cases_per_caseworker"]
        off = ((given - ratio).abs() > tolerance * ratio.abs()).to_numpy()
        if off.any():
            warnings.warn(
                f"{source_name}: 'cases_per_caseworker' differs from open_cases / "
                f"caseworker_fte by more than {tolerance:.0%} in "
                f"{format_rows(list(np.flatnonzero(off) + 1))} (record order); kept as given",
                HjevalWarning,
                stacklevel=2,
            )
    return panel


def load_cycle(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    on_invalid: OnInvalid = "raise",
) -> pd.DataFrame:
    """Load a business-cycle panel: municipality x period.

    Columns ``municipality, period, unemployment_rate`` (percent) and optionally
    ``full_time_employees`` and ``benefit_recipients_fte``. Municipality names
    ("Hjørring", "Vesthimmerlands") are turned into codes.

    Parameters
    ----------
    source : path or DataFrame
    columns : mapping, optional
        File column -> hjeval column, e.g. ``{"year": "period", "value":
        "unemployment_rate"}`` for a normalised Statbank unemployment file.
    on_invalid : {"raise", "exclude"}, default "raise"

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
    return _load(source, CYCLE, columns, on_invalid)


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
) -> pd.DataFrame:
    """Load the costs panel: money invested and benefit cost per full-time person.

    Columns ``year, item, amount_dkk`` and ``benefit_group`` (required on
    ``benefit_cost_per_full_time_person`` rows). ``item`` is ``investment`` or
    ``benefit_cost_per_full_time_person``.

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
    panel = _load(source, COSTS, columns, on_invalid)
    attrs = dict(panel.attrs)
    is_benefit = panel["item"] == "benefit_cost_per_full_time_person"
    if "benefit_group" not in panel.columns:
        panel = panel.assign(benefit_group=pd.Categorical([None] * len(panel)))
    lacking = is_benefit & panel["benefit_group"].isna()
    if lacking.any():
        raise DataError(
            f"{attrs['source']}: column 'benefit_group' is missing on benefit-cost rows "
            f"{format_rows(list(np.flatnonzero(lacking.to_numpy()) + 1))} (record order)"
        )
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
