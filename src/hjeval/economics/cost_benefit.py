"""Did the investment pay off: savings on public support against the money invested, by year.

Savings in a year are the full-time persons off support that year times the
benefit cost of a full-time person of the target group that year. Against them
stands the money invested. The draws of the persons off support (one per
placebo re-assignment of the treatment) go through the same arithmetic, so the
answer to "how sure are we" is the answer of the hours effect's own test.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hjeval._version import __version__
from hjeval.data.loaders import default_benefit_costs
from hjeval.data.schemas import BENEFIT_GROUPS, COST_ITEMS
from hjeval.economics._checks import (
    BenefitGroup,
    Language,
    check_alpha,
    check_option,
    numeric_column,
    where,
    year_labels,
)
from hjeval.economics.persons import PersonsOffSupport
from hjeval.errors import DataError, HjevalWarning

__all__ = ["CostBenefitResult", "cost_benefit"]

_BENEFIT_ITEM = "benefit_cost_per_full_time_person"
_TOLERANCE_DKK = 1e-6
"""Cumulative net amounts within a millionth of a krone of zero count as paid back (rounding of products)."""


@dataclass(frozen=True)
class CostBenefitResult:
    """Savings on public support against the money invested, by year, with the effect's uncertainty.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per year (the effect's years and the investment years):
        ``year, persons_off_support, benefit_cost_dkk, savings_dkk,
        investment_dkk, net_dkk, cumulative_net_dkk, discount_factor,
        savings_low, savings_high, cumulative_net_low, cumulative_net_high``.
        The interval columns are quantiles of the draws at ``alpha / 2`` and
        ``1 - alpha / 2`` (NaN without draws). A year with investment but no
        estimated effect has ``persons_off_support`` NaN and no savings.
    net_gain : float
        Present value of savings minus investment at ``discount_rate``, in
        DKK of the base year (the first year).
    net_gain_ci : tuple of float
        Its interval from the draws (NaN without draws).
    payback_year : int or None
        First year whose cumulative net (undiscounted) is at least 0.
    roi : float
        Total savings over total investment, undiscounted (NaN without
        investment).
    prob_paid_off : float
        Share of the draws whose cumulative net at the last year is at least
        0 (NaN without draws).
    savings_draws : pandas.DataFrame
        Savings in DKK for each draw (rows) and year (columns).
    discount_rate, base_year, benefit_group, alpha
    provenance : dict
        Where the persons came from, the number of draws, benefit costs
        filled from the published defaults, version.
    """

    table: pd.DataFrame
    net_gain: float
    net_gain_ci: tuple[float, float]
    payback_year: int | None
    roi: float
    prob_paid_off: float
    savings_draws: pd.DataFrame
    discount_rate: float
    base_year: int
    benefit_group: str
    alpha: float
    provenance: dict[str, Any] = field(default_factory=dict, repr=False, kw_only=True)

    @property
    def conf_level(self) -> float:
        """Confidence level, ``1 - alpha``."""
        return 1.0 - self.alpha

    @property
    def n_draws(self) -> int:
        """Draws behind the intervals and the probability."""
        return len(self.savings_draws)

    @property
    def total_savings(self) -> float:
        """Savings over all years, undiscounted (DKK)."""
        return float(self.table["savings_dkk"].sum())

    @property
    def total_investment(self) -> float:
        """Investment over all years, undiscounted (DKK)."""
        return float(self.table["investment_dkk"].sum())

    def to_frame(self) -> pd.DataFrame:
        """One row per year (see :attr:`table`).

        Returns
        -------
        pandas.DataFrame
        """
        return self.table.copy()

    def title(self) -> str:
        """A one-line title for text and HTML."""
        first, last = int(self.table["year"].iloc[0]), int(self.table["year"].iloc[-1])
        return f"Cost-benefit of the investment, {first}-{last} ({self.benefit_group})"

    def _rows(self) -> list[tuple[str, str]]:
        level = f"{self.conf_level:.0%}"
        mio = 1e6

        def amount(value: float) -> str:
            return "n/a" if not np.isfinite(value) else f"{value / mio:,.1f} mio DKK"

        rows = [
            ("Invested", amount(self.total_investment)),
            ("Saved on public support", amount(self.total_savings)),
            (f"Net gain (present value, {self.discount_rate:.1%} a year, base {self.base_year})",
             amount(self.net_gain)),
        ]
        if self.n_draws:
            rows.append((f"{level} interval", f"{amount(self.net_gain_ci[0])} to {amount(self.net_gain_ci[1])}"))
        rows += [
            ("Return (saved / invested)", "n/a" if not np.isfinite(self.roi) else f"{self.roi:.2f}"),
            ("Paid back in", "not within the years" if self.payback_year is None else str(self.payback_year)),
            ("Probability it paid off", "n/a (no draws)" if not np.isfinite(self.prob_paid_off)
             else f"{self.prob_paid_off:.2f} ({self.n_draws:,} placebo draws)"),
        ]
        return rows

    def _notes(self) -> list[str]:
        return [
            "Savings = full-time persons off support x benefit cost of a full-time person of the group that year.",
            "Persons off support re-express the hours effect: an hour of work replaces an hour of benefit "
            "one-for-one, at full-time rates.",
            "Payback year, return and probability are undiscounted; the probability is the share of the placebo "
            "draws of the effect under which the cumulative net at the last year is at least 0.",
        ]

    def summary(self) -> str:
        """A plain-text summary: key figures, then the table by year (amounts in mio DKK).

        Returns
        -------
        str
        """
        title = self.title()
        rows = self._rows()
        width = max(len(k) for k, _ in rows)
        shown = self.table.copy()
        money = [c for c in shown.columns if c.endswith("_dkk") or c.endswith(("_low", "_high"))]
        money = [c for c in money if c != "benefit_cost_dkk"]
        shown[money] = shown[money] / 1e6
        body = shown.to_string(index=False, float_format=lambda v: f"{v:,.2f}")
        return "\n".join([title, "-" * len(title), *[f"{k:<{width}}  {v}" for k, v in rows], "",
                          "By year (amounts in mio DKK; benefit cost in DKK):", body, "", *self._notes()])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        cells = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                        f"<td style='text-align:right'>{html.escape(v)}</td></tr>" for k, v in self._rows())
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.table.columns)

        def cell(column: str, value: object) -> str:
            if pd.isna(value):
                return ""
            number = float(value)  # type: ignore[arg-type]
            if column == "year":
                return f"{number:.0f}"
            if column == "discount_factor":
                return f"{number:.4f}"
            return f"{number:,.1f}" if column == "persons_off_support" else f"{number:,.0f}"

        body = "".join(
            "<tr>" + "".join(f"<td style='text-align:right'>{cell(c, v)}</td>"
                             for c, v in zip(self.table.columns, row, strict=True)) + "</tr>"
            for row in self.table.itertuples(index=False)
        )
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self._notes())
        return (f"<div class='hjeval-result'><table><caption>{html.escape(self.title())}</caption>{cells}</table>"
                f"<table><tr>{head}</tr>{body}</table>{notes}</div>")

    def plot(self, ax: Any = None, *, language: Language = "en", **kwargs: Any) -> Any:
        """Invested against saved, cumulative, with the band of the savings from the draws.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        language : {"en", "da"}

        Returns
        -------
        matplotlib.figure.Figure
        """
        from hjeval.economics.figures import cost_benefit_plot

        return cost_benefit_plot(self, ax=ax, language=language, **kwargs)


def _persons(effect: PersonsOffSupport | pd.Series, draws: pd.DataFrame | None
             ) -> tuple[pd.Series, pd.DataFrame | None, str | None, float | None, str]:
    """The persons by year, their draws, the group, the level and where they came from."""
    if isinstance(effect, PersonsOffSupport):
        if draws is not None:
            raise DataError("draws: the persons_off_support result carries its own draws; pass draws only with a "
                            "pandas Series of persons off support")
        return (effect.series, effect.draws if len(effect.draws) else None, effect.benefit_group, effect.alpha,
                f"persons_off_support from the {effect.source} effect on {effect.outcome}")
    if not isinstance(effect, pd.Series):
        raise DataError(f"effect must be the result of persons_off_support or a pandas Series of persons off "
                        f"support indexed by year, not {type(effect).__name__}")
    if effect.empty:
        raise DataError("effect: the Series of persons off support is empty")
    years = year_labels(effect.index, what="effect: the index")
    frame = pd.DataFrame({"persons_off_support": effect.to_numpy()}, index=effect.index)
    values = numeric_column(frame, "persons_off_support", argument="effect")
    series = pd.Series(values, index=pd.Index(years, name="year"), name="persons_off_support").sort_index()
    if draws is None:
        return series, None, None, None, "a Series of persons off support"
    if not isinstance(draws, pd.DataFrame):
        raise DataError(f"draws must be a pandas DataFrame (one row per draw, one column per year), "
                        f"not {type(draws).__name__}")
    if draws.empty:
        raise DataError("draws: the DataFrame has no rows; pass draws=None for no draws")
    columns = year_labels(draws.columns, what="draws: the columns")
    if set(columns) != set(years):
        missing, extra = sorted(set(years) - set(columns)), sorted(set(columns) - set(years))
        raise DataError(f"draws: the columns must be the effect's years {sorted(years)}; "
                        f"missing {missing}, not in the effect {extra}")
    for column in draws.columns:
        numeric_column(draws, column, argument="draws")
    table = pd.DataFrame(draws.to_numpy(dtype=np.float64), index=draws.index, columns=pd.Index(columns, name="year"))
    return series, table[list(series.index)], None, None, "a Series of persons off support with draws"


def _costs(costs: pd.DataFrame) -> pd.DataFrame:
    """The costs panel checked: year (int), item, benefit_group, amount_dkk (float)."""
    if not isinstance(costs, pd.DataFrame):
        raise DataError(f"costs must be a pandas DataFrame (as hj.load_costs returns it), not {type(costs).__name__}")
    missing = [c for c in ("year", "item", "amount_dkk") if c not in costs.columns]
    if missing:
        raise DataError(f"costs: column(s) {missing} not found; the costs panel has year, item, benefit_group, "
                        f"amount_dkk (read it with hj.load_costs); the data has {list(costs.columns)}")
    items = costs["item"].astype(object)
    unknown = (~items.isin(COST_ITEMS)).to_numpy()
    if unknown.any():
        raise DataError(f"costs: column 'item' has values other than {list(COST_ITEMS)} "
                        f"(first: {items[unknown].iloc[0]!r}) in {where(costs, unknown)}")
    year = numeric_column(costs, "year", argument="costs")
    whole = year == np.round(year)
    if not whole.all():
        raise DataError(f"costs: column 'year' has values that are not whole years in {where(costs, ~whole)}")
    amount = numeric_column(costs, "amount_dkk", argument="costs", minimum=0.0)
    group = (costs["benefit_group"].astype(object) if "benefit_group" in costs.columns
             else pd.Series([None] * len(costs), index=costs.index, dtype=object))
    is_benefit = (items == _BENEFIT_ITEM).to_numpy()
    lacking = is_benefit & group.isna().to_numpy()
    if lacking.any():
        raise DataError(f"costs: column 'benefit_group' is missing on {_BENEFIT_ITEM!r} rows {where(costs, lacking)}")
    panel = pd.DataFrame({"year": year.astype(np.int64), "item": items.to_numpy(),
                          "benefit_group": group.where(is_benefit, None).to_numpy(), "amount_dkk": amount},
                         index=costs.index)
    repeated = panel.duplicated(["year", "item", "benefit_group"], keep=False).to_numpy()
    if repeated.any():
        raise DataError(f"costs: rows repeat a year, item and benefit_group ({where(costs, repeated)}); "
                        "give each amount once")
    return panel


def _missing_cost_message(group: str, years: list[int], known: list[int]) -> str:
    defaults = default_benefit_costs()
    covered = sorted(int(y) for y in defaults.loc[defaults["benefit_group"] == group, "year"])
    fillable = [y for y in years if y in covered]
    hint = (f"hj.load_costs(..., defaults=True) fills the published levels of hj.default_benefit_costs() for "
            f"{fillable}" if fillable else
            f"hj.default_benefit_costs() has published levels for {group!r} only in {covered}")
    return (f"costs: no {_BENEFIT_ITEM!r} row for benefit_group {group!r} in year(s) {years}, where the effect has "
            f"persons off support (the costs panel has this group in {known}); add rows with year, "
            f"item={_BENEFIT_ITEM!r}, benefit_group={group!r} and amount_dkk (the yearly benefit of one full-time "
            f"recipient) to the costs panel; {hint}")


def cost_benefit(
    effect: PersonsOffSupport | pd.Series,
    costs: pd.DataFrame,
    *,
    benefit_group: BenefitGroup | None = None,
    discount_rate: float = 0.0,
    draws: pd.DataFrame | None = None,
    alpha: float | None = None,
) -> CostBenefitResult:
    """Savings on public support against the money invested, by year, with the effect's uncertainty.

    Parameters
    ----------
    effect : PersonsOffSupport or pandas.Series
        Full-time persons off support by year: the result of
        :func:`hjeval.economics.persons_off_support` (its draws are used), or a
        Series indexed by year.
    costs : pandas.DataFrame
        The costs panel as :func:`hjeval.load_costs` returns it: rows
        ``item="investment"`` (money invested that year) and
        ``item="benefit_cost_per_full_time_person"`` by ``benefit_group``
        (the yearly benefit of one full-time recipient), in ``amount_dkk``.
        It is only read.
    benefit_group : {"activity_ready_cash", "job_ready_cash", "sickness", "integration"}, optional
        Whose benefit cost prices the persons; by default the group of the
        persons-off-support result, else ``"activity_ready_cash"``.
    discount_rate : float, default 0.0
        Yearly rate for the present value (above -1).
    draws : pandas.DataFrame, optional
        With a Series ``effect``: draws of the persons off support, one row per
        draw, one column per year of the Series.
    alpha : float, optional
        Level of the intervals; by default the effect's, else 0.05.

    Returns
    -------
    CostBenefitResult
        ``.to_frame()`` by year, ``.net_gain``, ``.payback_year``, ``.roi``,
        ``.prob_paid_off``, ``summary()``, ``plot()``.

    Raises
    ------
    DataError
        If an argument is of the wrong kind, the costs panel lacks a column
        or has non-numeric, negative or repeated amounts, a year with persons
        off support has no benefit cost for the group, the draws' columns are
        not the effect's years, or the discount rate is -1 or below.

    Notes
    -----
    For each year ``t``: ``savings_t = persons_t x benefit_cost_t``,
    ``net_t = savings_t - investment_t`` and the cumulative net is the sum up
    to ``t``. Years without investment count zero investment; investment
    years without an estimated effect count no savings (a warning says so).
    With base year ``t0`` (the first year),

    ``net_gain = sum_t net_t / (1 + discount_rate) ** (t - t0)``.

    The payback year is the first year whose cumulative net is at least 0;
    the return is total savings over total investment; both undiscounted.
    Each draw (one placebo re-assignment of the treatment, the same in every
    year) gives its own savings, cumulative net and present value; the
    probability that the investment paid off is the share of draws whose
    cumulative net at the last year is at least 0, and the intervals are the
    draws' quantiles. With one treated municipality there are as many draws as
    comparison municipalities, which bounds how finely that probability is
    resolved.

    Examples
    --------
    >>> import pandas as pd
    >>> import hjeval as hj
    >>> from hjeval.economics import cost_benefit
    >>> persons = pd.Series([100.0, 200.0], index=[2015, 2016])
    >>> costs = pd.DataFrame({
    ...     "year": [2015, 2016, 2015, 2016],
    ...     "item": ["investment", "investment", "benefit_cost_per_full_time_person",
    ...              "benefit_cost_per_full_time_person"],
    ...     "benefit_group": [None, None, "activity_ready_cash", "activity_ready_cash"],
    ...     "amount_dkk": [30e6, 10e6, 150e3, 150e3]})
    >>> cb = cost_benefit(persons, costs)
    >>> cb.to_frame()[["year", "savings_dkk", "net_dkk", "cumulative_net_dkk"]].values.tolist()
    [[2015.0, 15000000.0, -15000000.0, -15000000.0], [2016.0, 30000000.0, 20000000.0, 5000000.0]]
    >>> cb.payback_year, cb.roi, cb.net_gain
    (2016, 1.125, 5000000.0)
    """
    rate = _discount_rate(discount_rate)
    persons, persons_draws, group_of_effect, alpha_of_effect, origin = _persons(effect, draws)
    if benefit_group is not None:
        check_option("benefit_group", benefit_group, BENEFIT_GROUPS)
        if group_of_effect is not None and benefit_group != group_of_effect:
            raise DataError(f"benefit_group={benefit_group!r}, but the persons off support were counted in "
                            f"{group_of_effect!r}; leave benefit_group out to price them at that group's cost")
    group = str(benefit_group or group_of_effect or "activity_ready_cash")
    level = check_alpha(alpha) if alpha is not None else (alpha_of_effect if alpha_of_effect is not None else 0.05)
    panel = _costs(costs)

    investment = panel[panel["item"] == "investment"].groupby("year")["amount_dkk"].sum()
    benefit = panel[(panel["item"] == _BENEFIT_ITEM) & (panel["benefit_group"] == group)]
    cost_of = dict(zip(benefit["year"].astype(int), benefit["amount_dkk"].astype(float), strict=True))
    effect_years = [int(y) for y in persons.index]
    uncovered = [y for y in effect_years if y not in cost_of and persons[y] != 0]
    if uncovered:
        raise DataError(_missing_cost_message(group, uncovered, sorted(cost_of)))
    only_invested = sorted(int(y) for y in investment.index if int(y) not in set(effect_years))
    if only_invested:
        warnings.warn(f"investment in year(s) {only_invested} has no estimated persons off support: counted "
                      "with no savings", HjevalWarning, stacklevel=2)
    years = sorted(set(effect_years) | {int(y) for y in investment.index})
    base = years[0]
    in_effect = np.array([y in set(effect_years) for y in years])
    persons_all = np.array([float(persons[y]) if y in set(effect_years) else np.nan for y in years])
    cost_all = np.array([cost_of.get(y, np.nan) for y in years])
    price = np.where(in_effect & (np.nan_to_num(persons_all) != 0), cost_all, 0.0)
    savings = np.where(in_effect, np.nan_to_num(persons_all) * price, 0.0)
    invested = np.array([float(investment.get(y, 0.0)) for y in years])
    net = savings - invested
    cumulative = np.cumsum(net)
    factor = (1.0 + rate) ** -(np.array(years, dtype=np.float64) - base)
    net_gain = float(net @ factor)
    paid_back = np.flatnonzero(cumulative >= -_TOLERANCE_DKK)
    payback = int(years[paid_back[0]]) if len(paid_back) else None
    total_investment = float(invested.sum())
    roi = float(savings.sum() / total_investment) if total_investment > 0 else np.nan

    columns = pd.Index(years, name="year")
    nan = np.full(len(years), np.nan)
    savings_low, savings_high, cum_low, cum_high = nan.copy(), nan.copy(), nan.copy(), nan.copy()
    net_gain_ci = (np.nan, np.nan)
    prob = np.nan
    if persons_draws is not None and len(persons_draws):
        drawn = np.zeros((len(persons_draws), len(years)))
        position = {y: i for i, y in enumerate(years)}
        for y in effect_years:
            drawn[:, position[y]] = persons_draws[y].to_numpy(dtype=np.float64) * price[position[y]]
        savings_draws = pd.DataFrame(drawn, index=persons_draws.index, columns=columns)
        cum_draws = np.cumsum(drawn - invested[None, :], axis=1)
        quantiles = [level / 2, 1 - level / 2]
        savings_low, savings_high = np.quantile(drawn, quantiles, axis=0)
        cum_low, cum_high = np.quantile(cum_draws, quantiles, axis=0)
        pv = (drawn - invested[None, :]) @ factor
        low, high = np.quantile(pv, quantiles)
        net_gain_ci = (float(low), float(high))
        prob = float(np.mean(cum_draws[:, -1] >= -_TOLERANCE_DKK))
    else:
        savings_draws = pd.DataFrame(columns=columns, dtype=float)

    table = pd.DataFrame({
        "year": years, "persons_off_support": persons_all, "benefit_cost_dkk": np.where(in_effect, cost_all, np.nan),
        "savings_dkk": savings, "investment_dkk": invested, "net_dkk": net, "cumulative_net_dkk": cumulative,
        "discount_factor": factor, "savings_low": savings_low, "savings_high": savings_high,
        "cumulative_net_low": cum_low, "cumulative_net_high": cum_high,
    })
    defaults = costs.get("source_of_value")
    filled = (sorted({int(y) for y, s, i, g in zip(panel["year"], defaults, panel["item"], panel["benefit_group"],
                                                     strict=True)
                      if s == "default" and i == _BENEFIT_ITEM and g == group and int(y) in set(effect_years)})
              if defaults is not None else [])
    provenance = {"persons": origin, "draws": len(savings_draws), "benefit_costs_from_defaults": filled,
                  "years_invested_without_effect": only_invested, "hjeval_version": __version__}
    return CostBenefitResult(
        table=table, net_gain=net_gain, net_gain_ci=net_gain_ci, payback_year=payback, roi=roi,
        prob_paid_off=prob, savings_draws=savings_draws, discount_rate=rate, base_year=int(base),
        benefit_group=group, alpha=float(level), provenance=provenance,
    )


def _discount_rate(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise DataError(f"discount_rate must be a number (e.g. 0.04 for 4 % a year), not {value!r}")
    rate = float(value)
    if not np.isfinite(rate) or rate <= -1:
        raise DataError(f"discount_rate={value!r} must be finite and above -1 (e.g. 0.04 for 4 % a year)")
    return rate
