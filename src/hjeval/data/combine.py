"""Attach municipality-by-period series (cycle, caseload) to person-month rows."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hjeval.errors import DataError, format_rows

__all__ = ["attach"]


def attach(
    rows: pd.DataFrame,
    panel: pd.DataFrame,
    columns: Sequence[str],
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
    columns : sequence of str
        Columns of ``panel`` to add.
    time, panel_time : str
        Period columns of ``rows`` and ``panel``; both must hold pandas Periods
        of the same frequency (as the loaders return them).
    key : str, default "municipality"

    Returns
    -------
    pandas.DataFrame
        A new frame: ``rows`` with the columns added, in the same order.

    Raises
    ------
    DataError
        If the frequencies differ, a column would be overwritten, or some
        rows find no match (naming the first municipalities and periods).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"municipality": [860, 860], "month": pd.PeriodIndex(["2015-01", "2015-02"], freq="M")})
    >>> cycle = pd.DataFrame({"municipality": [860, 860], "period": pd.PeriodIndex(["2015-01", "2015-02"], freq="M"),
    ...                       "unemployment_rate": [4.1, 4.0]})
    >>> attach(rows, cycle, ["unemployment_rate"])["unemployment_rate"].tolist()
    [4.1, 4.0]
    """
    clash = [c for c in columns if c in rows.columns]
    if clash:
        raise DataError(f"columns {clash} are already in the rows; rename them before attaching")
    absent = [c for c in (key, panel_time, *columns) if c not in panel.columns]
    if absent:
        raise DataError(f"the panel has no column(s) {absent}")
    if rows[time].dtype != panel[panel_time].dtype:
        raise DataError(
            f"periods differ in kind: rows have {rows[time].dtype}, the panel has {panel[panel_time].dtype}; "
            "aggregate one of them first"
        )
    if panel.duplicated([key, panel_time]).any():
        raise DataError(f"the panel has more than one row for some ({key}, {panel_time})")
    right = panel[[key, panel_time, *columns]].rename(columns={panel_time: time})
    merged = rows.merge(right, on=[key, time], how="left", validate="many_to_one", indicator=True)
    missing = (merged["_merge"] == "left_only").to_numpy()
    if missing.any():
        pairs = merged.loc[missing, [key, time]].drop_duplicates().head(5)
        listed = ", ".join(f"{k} {t}" for k, t in pairs.itertuples(index=False))
        raise DataError(
            f"{int(missing.sum())} rows have no {', '.join(columns)} in the panel "
            f"({format_rows(list(merged.index[missing] + 1))} in row order; e.g. {listed})"
        )
    merged = merged.drop(columns="_merge")
    merged.index = rows.index
    return merged
