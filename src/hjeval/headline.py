"""The raw headline comparison: before/after in the treated municipality and the comparisons.

This is the descriptive table a policymaker sees first -- hours a year per
recipient before and after the reform, in the treated municipality and in the
comparison municipalities, and the difference of the two changes. It is a
difference of means on the aggregated panel, without the business-cycle
adjustment or inference that :func:`hjeval.did` adds.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from hjeval.errors import DataError
from hjeval.periods import parse_period

__all__ = ["RawComparison", "raw_comparison"]


@dataclass(frozen=True)
class RawComparison:
    """Mean hours a year per person before and after, treated vs comparison.

    Attributes
    ----------
    treated_before, treated_after, comparison_before, comparison_after : float
        Person-month-weighted mean hours per month, times 12.
    treated : int
        Code of the treated municipality.
    benefit_group : str
    before, after : str
        The windows, as text.
    person_months : int
        Person-months behind the treated municipality's two means.
    """

    treated: int
    benefit_group: str
    before: str
    after: str
    treated_before: float
    treated_after: float
    comparison_before: float
    comparison_after: float
    person_months: int

    @property
    def treated_change(self) -> float:
        """Raw change in the treated municipality (hours a year)."""
        return self.treated_after - self.treated_before

    @property
    def comparison_change(self) -> float:
        """Change in the comparison municipalities (hours a year)."""
        return self.comparison_after - self.comparison_before

    @property
    def difference_in_differences(self) -> float:
        """Treated change minus comparison change (hours a year)."""
        return self.treated_change - self.comparison_change

    def summary(self) -> str:
        """Plain-text table of the comparison."""
        width = 28
        return "\n".join(
            [
                f"Hours worked a year per person, {self.benefit_group}, municipality {self.treated}",
                f"{'':<{width}}{'before':>10}{'after':>10}{'change':>10}",
                f"{'treated':<{width}}{self.treated_before:>10.1f}{self.treated_after:>10.1f}"
                f"{self.treated_change:>10.1f}",
                f"{'comparison municipalities':<{width}}{self.comparison_before:>10.1f}"
                f"{self.comparison_after:>10.1f}{self.comparison_change:>10.1f}",
                f"{'difference (raw DiD)':<{width}}{'':>20}{self.difference_in_differences:>10.1f}",
                f"before = {self.before}, after = {self.after}; "
                f"{self.person_months} person-months; no business-cycle adjustment.",
            ]
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        def row(label: str, *values: float) -> str:
            cells = "".join(f"<td style='text-align:right'>{v:.1f}</td>" if v == v else "<td></td>" for v in values)
            return f"<tr><th style='text-align:left'>{html.escape(label)}</th>{cells}</tr>"

        nan = float("nan")
        return (
            f"<table class='hjeval-result'><caption>Hours worked a year per person, "
            f"{html.escape(self.benefit_group)}, municipality {self.treated}</caption>"
            "<tr><th></th><th>before</th><th>after</th><th>change</th></tr>"
            + row("treated", self.treated_before, self.treated_after, self.treated_change)
            + row("comparison municipalities", self.comparison_before, self.comparison_after, self.comparison_change)
            + row("difference (raw DiD)", nan, nan, self.difference_in_differences)
            + f"</table><p>before = {html.escape(self.before)}, after = {html.escape(self.after)}; "
            "no business-cycle adjustment.</p>"
        )


def raw_comparison(
    cells: pd.DataFrame,
    *,
    treated: int = 860,
    benefit_group: str = "activity_ready_cash",
    before: tuple[str, str] = ("2014-01", "2014-12"),
    after: tuple[str, str] = ("2015-01", "2017-08"),
) -> RawComparison:
    """Compare mean yearly hours before and after in treated and comparison units.

    Parameters
    ----------
    cells : pandas.DataFrame
        Aggregated hours panel as returned by :func:`hjeval.load_hours`
        (``municipality, period, benefit_group, persons, hours_total``) with
        monthly periods.
    treated : int, default 860
    benefit_group : str, default "activity_ready_cash"
    before, after : tuple of str
        First and last month of each window, inclusive.

    Returns
    -------
    RawComparison

    Raises
    ------
    DataError
        If a window or the treated municipality has no persons.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({
    ...     "municipality": [860, 860, 813, 813],
    ...     "period": pd.PeriodIndex(["2014-06", "2016-06"] * 2, freq="M"),
    ...     "benefit_group": "activity_ready_cash",
    ...     "persons": [10, 10, 20, 20], "hours_total": [50.0, 100.0, 40.0, 60.0]})
    >>> round(raw_comparison(cells).difference_in_differences, 1)
    48.0
    """
    rows = cells[cells["benefit_group"] == benefit_group] if "benefit_group" in cells else cells
    windows = {
        name: (parse_period(lo), parse_period(hi)) for name, (lo, hi) in
        {"before": before, "after": after}.items()
    }
    means: dict[tuple[bool, str], float] = {}
    person_months = 0
    for is_treated in (True, False):
        side = rows[(rows["municipality"] == treated) == is_treated]
        for name, (lo, hi) in windows.items():
            window = side[(side["period"] >= lo) & (side["period"] <= hi)]
            persons = float(window["persons"].sum())
            if persons == 0:
                who = f"municipality {treated}" if is_treated else "the comparison municipalities"
                raise DataError(
                    f"no {benefit_group} persons in {who} between {lo} and {hi}"
                )
            means[(is_treated, name)] = 12 * float(window["hours_total"].sum()) / persons
            person_months += int(persons) if is_treated else 0
    return RawComparison(
        treated=treated,
        benefit_group=benefit_group,
        before=f"{before[0]}..{before[1]}",
        after=f"{after[0]}..{after[1]}",
        treated_before=means[(True, "before")],
        treated_after=means[(True, "after")],
        comparison_before=means[(False, "before")],
        comparison_after=means[(False, "after")],
        person_months=person_months,
    )
