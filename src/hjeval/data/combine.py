"""Attach municipality-by-period series (cycle, caseload) to person-month rows."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hjeval.errors import DataError, describe_rows

__all__ = ["attach"]


def attach(
    rows: pd.DataFrame,
    panel: pd.DataFrame,
    columns: str | Sequence[str],
    *,
    time: str = "month",
    panel_time: str = "period",
    key: str = "municipality",
) -> pd.DataFrame:
    """Add columns of a municipality x period panel to each row with the same municipality and period.

    Parameters
    ----------
    rows : pandas.DataFrame
        E.g. the person-month hours panel.
    panel : pandas.DataFrame
        E.g. the cycle panel, one row per municipality and period.
    columns : str or sequence of str
        Column(s) of ``panel`` to add.
    time, panel_time : str
        Period columns of ``rows`` and ``panel``; both must hold pandas Periods
        of the same frequency (as the loaders return them). Aggregated hours
        cells have ``period``: pass ``time="period"``.
    key : str, default "municipality"

    Returns
    -------
    pandas.DataFrame
        A new frame: ``rows`` with the columns added, in the same order.

    Raises
    ------
    DataError
        If a named column is absent (saying which columns there are), the
        frequencies differ, a column would be overwritten, or some rows find no
        match (naming the first rows by their index labels and the first
        municipalities and periods).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"municipality": [860, 860], "month": pd.PeriodIndex(["2015-01", "2015-02"], freq="M")})
    >>> cycle = pd.DataFrame({"municipality": [860, 860], "period": pd.PeriodIndex(["2015-01", "2015-02"], freq="M"),
    ...                       "unemployment_rate": [4.1, 4.0]})
    >>> attach(rows, cycle, ["unemployment_rate"])["unemployment_rate"].tolist()
    [4.1, 4.0]
    """
    if not isinstance(rows, pd.DataFrame) or not isinstance(panel, pd.DataFrame):
        raise DataError("attach: rows and panel must be pandas DataFrames")
    columns = [columns] if isinstance(columns, str) else list(columns)
    for frame, what, needed in (
        (rows, "rows", {"key": key, "time": time}),
        (panel, "panel", {"key": key, "panel_time": panel_time}),
    ):
        for argument, name in needed.items():
            if name not in frame.columns:
                guess = next((c for c in ("month", "period") if c in frame.columns and c != name), None)
                fix = f"; pass {argument}={guess!r}" if guess and argument != "key" else ""
                raise DataError(
                    f"attach: the {what} have no column {name!r} ({argument}={name!r}); "
                    f"they have {[str(c) for c in frame.columns]}{fix}"
                )
    clash = [c for c in columns if c in rows.columns]
    if clash:
        raise DataError(f"attach: columns {clash} are already in the rows; rename them before attaching")
    absent = [c for c in columns if c not in panel.columns]
    if absent:
        raise DataError(f"attach: the panel has no column(s) {absent}; it has {[str(c) for c in panel.columns]}")
    if rows[time].dtype != panel[panel_time].dtype:
        raise DataError(
            f"attach: periods differ in kind: rows have {rows[time].dtype}, the panel has {panel[panel_time].dtype}; "
            "aggregate one of them first"
        )
    twice = panel.duplicated([key, panel_time], keep=False).to_numpy()
    if twice.any():
        raise DataError(
            f"attach: the panel has more than one row for some ({key}, {panel_time}), in "
            f"{describe_rows(list(panel.index[twice]), 'index')}; keep one row per {key} and period"
        )
    right = panel[[key, panel_time, *columns]].rename(columns={panel_time: time})
    try:
        merged = rows.merge(right, on=[key, time], how="left", validate="many_to_one", indicator=True)
    except (ValueError, TypeError) as err:
        raise DataError(f"attach: cannot match rows to the panel on ({key}, {time}): {err}") from err
    missing = (merged["_merge"] == "left_only").to_numpy()
    if missing.any():
        pairs = merged.loc[missing, [key, time]].drop_duplicates().head(5)
        listed = ", ".join(f"{k} {t}" for k, t in pairs.itertuples(index=False))
        count = int(missing.sum())
        raise DataError(
            f"attach: {count} {'row has' if count == 1 else 'rows have'} no {', '.join(columns)} in the panel "
            f"({describe_rows(list(rows.index[missing]), 'index')}; e.g. {listed}); "
            "the panel must cover every municipality and period of the rows"
        )
    merged = merged.drop(columns="_merge")
    merged.index = rows.index
    return merged
