"""Turn a DataFrame and column roles into an estimation design.

The design holds plain integer codes and float arrays (no pandas on the hot
path): units (the fixed-effect level), groups (where treatment is assigned),
clusters, periods, the treatment indicator, outcome, weights and regressors,
together with the labels needed to report results and a record of every row
left out and why.

Building it from a frame of millions of rows makes no full-length temporary
beyond the int32 codes: float columns are used in place (read-only views of
the frame's data, copied only when rows are left out or a type changes),
integer labels with a short range are coded through a lookup table, and ids
whose rows come in runs (a register sorted by person) are hashed once per run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from hjeval.data.municipalities import area_code, comparison_pool
from hjeval.design.labels import DesignLabels
from hjeval.design.rows import row_slices
from hjeval.errors import DataError, format_rows, warn_user
from hjeval.periods import parse_period, parse_periods

__all__ = ["Comparison", "Movers", "PanelDesign", "as_list", "build_design", "design_starts", "require_columns",
           "start_values", "where"]

Comparison = str | Sequence[object] | None

Movers = Literal["error", "entry", "split"]

_NAMED_POOLS = ("north_jutland", "rural", "all")

_FACTORIZE_ROWS = 1 << 18
"""Up to this many rows, unit ids are factorised in one go (the int64 codes are small)."""


@dataclass(frozen=True)
class PanelDesign(DesignLabels):
    """Arrays and labels of a difference-in-differences design.

    Attributes
    ----------
    y : numpy.ndarray
        Outcome per row.
    unit, group, cluster, period : numpy.ndarray of int32
        Codes per row; ``group_labels[group]`` etc. give the labels.
    weight : numpy.ndarray or None
        Row weights; None when none were given (every row weighs one).
    treated_groups : numpy.ndarray of int64
        Group codes of the treated groups (sorted).
    start : int
        Period code of the first treated period (the earliest, when treated
        groups start at different times).
    treated_starts : numpy.ndarray of int64 or None
        Period code of each treated group's first treated period, aligned with
        ``treated_groups``; None when they all start at ``start``.
    treat : numpy.ndarray of bool
        Treatment indicator per row (built from the codes on access, not stored).
    regressors : numpy.ndarray, shape (n, k)
        Further regressors (cycle, covariates), in ``regressor_names`` order.
    exclusions : tuple of dict
        Rows left out: ``{"reason", "rows"}``.
    adjustments : tuple of dict
        Rows kept but changed, e.g. movers: ``{"reason", "rows", "units"}``.
    units_nested_in_clusters : bool
        False only when the fixed-effect unit is the group and clusters are
        finer (e.g. state effects with store clusters).
    y_offset : numpy.ndarray, optional
        What an adjustment removed from the outcome per row (``y`` is net of
        it), e.g. the business cycle's part.
    """

    y: np.ndarray
    unit: np.ndarray
    group: np.ndarray
    cluster: np.ndarray
    period: np.ndarray
    weight: np.ndarray | None
    regressors: np.ndarray
    regressor_names: tuple[str, ...]
    treated_groups: np.ndarray
    start: int
    group_labels: tuple[object, ...]
    period_labels: tuple[object, ...]
    cluster_labels: tuple[object, ...]
    unit_is_group: bool
    outcome: str
    comparison: str
    n_rows_input: int
    exclusions: tuple[dict[str, object], ...] = field(default=())
    adjustments: tuple[dict[str, object], ...] = field(default=())
    y_offset: np.ndarray | None = field(default=None, repr=False)
    units_nested_in_clusters: bool = True
    treated_starts: np.ndarray | None = field(default=None, repr=False)

    @property
    def treat(self) -> np.ndarray:
        """Treatment indicator per row: a treated group from its start period on."""
        return self.period >= self.group_starts()[self.group]

    @property
    def has_cohorts(self) -> bool:
        """Whether treated groups start at different periods."""
        return self.treated_starts is not None

    def starts_of_treated(self) -> np.ndarray:
        """Start period code of each treated group, aligned with ``treated_groups``."""
        if self.treated_starts is None:
            return np.full(len(self.treated_groups), self.start, dtype=np.int64)
        return self.treated_starts

    def group_starts(self) -> np.ndarray:
        """Start period code of every group, shape (G,); ``n_periods`` for groups never treated."""
        out = np.full(self.n_groups, self.n_periods, dtype=np.int64)
        out[self.treated_groups] = self.starts_of_treated()
        return out

    def cohort_codes(self) -> np.ndarray:
        """The distinct start period codes of the treated groups, in calendar order (the cohorts)."""
        return np.unique(self.starts_of_treated())

    def cohort_of_treated(self) -> np.ndarray:
        """Index into :meth:`cohort_codes` of each treated group, aligned with ``treated_groups``."""
        return np.searchsorted(self.cohort_codes(), self.starts_of_treated())

    def start_label(self) -> object:
        """The first treated period as a label, or ``{group label: period}`` when groups start apart."""
        if self.treated_starts is None:
            return self.period_labels[self.start]
        return {self.group_labels[int(g)]: self.period_labels[int(s)]
                for g, s in zip(self.treated_groups, self.treated_starts, strict=True)}

    @property
    def n_obs(self) -> int:
        """Rows used."""
        return len(self.y)

    @property
    def n_clusters(self) -> int:
        """Number of clusters."""
        return int(self.cluster.max()) + 1

    def weights(self) -> np.ndarray:
        """Row weights as an array (ones when the design is unweighted)."""
        return np.ones(self.n_obs) if self.weight is None else self.weight

    def fixed_effect_parameters(self) -> int:
        """Fixed-effect parameters counted in the small-sample K (the fixest convention).

        Unit effects nested in the clusters count as one; otherwise all unit and
        period effects count, less one redundancy.
        """
        if self.units_nested_in_clusters:
            return self.n_periods
        return int(self.unit.max()) + 1 + self.n_periods - 1

    def group_sizes(self) -> tuple[np.ndarray, Literal["persons", "weight sum", "rows"]]:
        """Each group's size for the size correction of placebo inference, and what it counts.

        The weight sum when the design is weighted (persons in aggregated
        cells); the distinct fixed-effect units (persons) when they are finer
        than the groups; otherwise rows (person rows with group effects, whose
        count equals the weight sum of their collapse to cells; with one row
        per group and period every group of a balanced panel has the same size).
        """
        if self.weight is not None:
            total = np.zeros(self.n_groups)
            for rows in row_slices(self.n_obs):
                total += np.bincount(self.group[rows], weights=self.weight[rows], minlength=self.n_groups)
            return total, "weight sum"
        if self.unit_is_group:
            rows_per_group = np.zeros(self.n_groups)
            for rows in row_slices(self.n_obs):
                rows_per_group += np.bincount(self.group[rows], minlength=self.n_groups)
            return rows_per_group, "rows"
        group_of_unit = np.full(int(self.unit.max()) + 1, -1, dtype=np.int64)
        for rows in row_slices(self.n_obs):
            group_of_unit[self.unit[rows]] = self.group[rows]
        return np.bincount(group_of_unit[group_of_unit >= 0], minlength=self.n_groups).astype(np.float64), "persons"


def as_list(value: object) -> list[object]:
    """One label or a sequence of labels as a list (a string is one label)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def require_columns(data: pd.DataFrame, roles: dict[str, str | None]) -> None:
    """Raise DataError naming every role whose column is not in the data (None means not used)."""
    absent = {role: col for role, col in roles.items() if col is not None and col not in data.columns}
    if absent:
        detail = ", ".join(f"{role}={col!r}" for role, col in absent.items())
        raise DataError(f"column(s) not in the data: {detail}; the data has {list(data.columns)}")


def resolve_labels(labels: list[object], distinct: np.ndarray, *, argument: str, column: str) -> list[object]:
    """Match group labels given by the user to the values of the group column.

    A label that is a value is kept. A municipality name (``"Hjørring"``,
    ``"Hjørring Kommune"``) or a code written as text is read as the
    municipality's code when the column holds codes; a label of another type
    than the column's values (``"860"`` against integer codes when names are
    not meant) is refused with the types named.

    Raises
    ------
    DataError
        Naming the argument, the column, the labels not found and some values.
    """
    values = set(distinct.tolist())
    numeric = len(distinct) > 0 and all(isinstance(v, int | np.integer | float | np.floating) for v in values)
    out, absent = [], []
    for label in labels:
        if label in values:
            out.append(label)
            continue
        if numeric and isinstance(label, str):
            code, level = area_code(label)
            if code is not None and level == "municipality" and not label.strip().isdigit() and code in values:
                out.append(code)
                continue
        absent.append(label)
    if absent:
        examples = sorted(values, key=str)[:8]
        shown = absent if len(absent) > 1 else absent[0]
        hint = ""
        kinds = {type(v).__name__ for v in list(values)[:50]}
        for label in absent:
            if isinstance(label, str) and numeric and label.strip().lstrip("-").isdigit() and int(label) in values:
                hint = (f"; {label!r} is text but column {column!r} holds numbers ({', '.join(sorted(kinds))}): "
                        f"write {argument}={int(label)}")
                break
            if not isinstance(label, str) and str(label) in {str(v) for v in values}:
                hint = (f"; {label!r} is a {type(label).__name__} but column {column!r} holds text: "
                        f"write {argument}={str(label)!r}")
                break
        raise DataError(
            f"{argument}={shown!r} is not a value of column {column!r} (values include {examples}){hint}"
        )
    return out


def _pool_labels(
    comparison: Comparison, treated: list[object], groups: pd.Series, distinct: np.ndarray
) -> tuple[list[object] | None, str]:
    if comparison is None:
        return None, "all other groups"
    if isinstance(comparison, str):
        if comparison not in _NAMED_POOLS:
            raise DataError(
                f"comparison={comparison!r} is not a named pool; use one of {list(_NAMED_POOLS)}, "
                "a list of group labels, or None for all other groups"
            )
        codes = comparison_pool(comparison, [int(t) for t in treated if isinstance(t, int | np.integer)])  # type: ignore[arg-type]
        return list(codes), comparison
    given = as_list(comparison)
    if not given:
        raise DataError("comparison=[] names no comparison group; give at least one, or comparison=None for all "
                        "other groups")
    labels = resolve_labels(given, distinct, argument="comparison", column=str(groups.name))
    both = [c for c in labels if c in treated]
    if both:
        raise DataError(
            f"comparison={given!r} contains the treated group(s) {both}; a group cannot be its own comparison: "
            "remove them from the list"
        )
    return labels, "list: " + ", ".join(str(c) for c in labels)


def _integer_encode(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes of the sorted distinct values of an integer array with a short range, through a lookup table.

    None when the values are not integers or spread too widely for a table.

    Examples
    --------
    >>> codes, uniques = _integer_encode(np.array([860, 101, 860, 851], dtype=np.int16))
    >>> codes.tolist(), uniques.tolist()
    ([2, 0, 2, 1], [101, 851, 860])
    """
    if values.dtype.kind not in "iu" or values.dtype == np.uint64 or not len(values):
        return None
    lo, hi = int(values.min()), int(values.max())
    span = hi - lo + 1
    if span > max(1 << 16, len(values) // 8):
        return None
    counts = np.zeros(span, dtype=np.int64)
    for rows in row_slices(len(values)):
        counts += np.bincount(np.subtract(values[rows], lo, dtype=np.intp), minlength=span)
    offsets = np.flatnonzero(counts)
    lookup = np.zeros(span, dtype=np.int32)
    lookup[offsets] = np.arange(len(offsets), dtype=np.int32)
    codes = np.empty(len(values), dtype=np.int32)
    for rows in row_slices(len(values)):
        np.take(lookup, np.subtract(values[rows], lo, dtype=np.intp), out=codes[rows])
    return codes, (offsets + lo).astype(values.dtype)


def _numpy_values(values: pd.Series) -> np.ndarray | None:
    """The column's numbers as a numpy array without copying, or None for other kinds of column."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iuf":
        return values.to_numpy()
    return None


def _encode(values: pd.Series) -> tuple[np.ndarray, tuple[object, ...]]:
    array = _numpy_values(values)
    found = None if array is None else _integer_encode(array)
    if found is not None:
        return found[0], tuple(found[1].tolist())
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int32), tuple(uniques.tolist())


def _fast_periods(values: pd.Series) -> tuple[np.ndarray, tuple[pd.Period, ...], pd.PeriodDtype] | None:
    """Codes, labels and dtype of a Period or integer-year column from its integers, or None."""
    if isinstance(values.dtype, pd.PeriodDtype):
        found = _integer_encode(values.array.asi8)
        if found is None:
            return None
        labels = pd.PeriodIndex.from_ordinals(found[1], freq=values.dtype.freq).tolist()
        return found[0], tuple(labels), values.dtype
    if values.dtype.kind in "iu":
        found = _integer_encode(values.to_numpy())
        if found is None:
            return None
        try:
            years = tuple(parse_period(int(u)) for u in found[1])
        except DataError:
            return None  # the general parser names the rows at fault
        return found[0], years, pd.PeriodDtype(years[0].freq)
    return None


def _parse_start(start: object, dtype: pd.PeriodDtype, labels: tuple[object, ...], time: str) -> int:
    """The period code of one start value, checked against the data's periods."""
    try:
        first = parse_period(start)
    except DataError as err:
        raise DataError(f"start={start!r} is not a period: {err}") from err
    if pd.PeriodDtype(first.freq) != dtype:
        raise DataError(
            f"start={start!r} is a {first.freqstr} period but column {time!r} holds "
            f"{dtype} values; give start in the same kind"
        )
    ordinals = [p.ordinal for p in labels]  # type: ignore[attr-defined]
    lo, hi = labels[0], labels[-1]
    if not lo < first <= hi:
        raise DataError(
            f"start={first} leaves no pre-period or no post-period: column {time!r} runs "
            f"from {lo} to {hi}; start must be after the first and at most the last period"
        )
    return int(np.searchsorted(ordinals, first.ordinal))


def _period_codes(
    values: pd.Series, start: object, time: str
) -> tuple[np.ndarray, tuple[object, ...], int | list[int]]:
    """Period codes and labels of ``values`` and the code of ``start`` (a list of codes for a list of starts)."""
    fast = _fast_periods(values)
    if fast is None:
        periods = parse_periods(values, column=time)
        codes, labels = _encode(periods)
        dtype = periods.dtype
    else:
        codes, labels, dtype = fast
    if isinstance(start, list):
        return codes, labels, [_parse_start(s, dtype, labels, time) for s in start]
    return codes, labels, _parse_start(start, dtype, labels, time)


def start_values(start: object, treated: list[object], distinct: np.ndarray, *, column: str) -> object:
    """``start`` as given, or, for a mapping of treated group to start, the starts in ``treated`` order.

    A mapping (``{860: "2015-01", 851: "2017-01"}``, or a Series indexed by
    group; names are read as codes as for ``treated``) gives each treated group its own first treated
    period; its keys must be exactly the treated groups.

    Raises
    ------
    DataError
        When the mapping's groups differ from ``treated``.

    Examples
    --------
    >>> start_values({2: 2017, 1: 2015}, [1, 2], np.array([1, 2, 3]), column="m")
    [2015, 2017]
    >>> start_values(2015, [1, 2], np.array([1, 2, 3]), column="m")
    2015
    """
    if isinstance(start, pd.Series):
        start = start.to_dict()
    if isinstance(start, list | tuple | np.ndarray):
        raise DataError(f"start={start!r} is a sequence; give one period for all treated groups, or a mapping "
                        "of each treated group to its start, e.g. start={860: '2015-01', 851: '2017-01'}")
    if not isinstance(start, Mapping):
        return start
    keys = resolve_labels(list(start.keys()), distinct, argument="start", column=column)
    by_label = dict(zip(keys, start.values(), strict=True))
    if len(by_label) != len(keys) or set(keys) != set(treated):
        raise DataError(
            f"start={dict(start)!r} must give one start for each treated group {treated} and no other; "
            f"it names {keys}"
        )
    return [by_label[t] for t in treated]


def design_starts(
    start_code: int | list[int], treated: list[object], group_labels: tuple[object, ...], treated_codes: np.ndarray
) -> tuple[int, np.ndarray | None]:
    """The earliest start code and each treated group's start code aligned with ``treated_codes``.

    The second is None when every treated group starts in the same period.

    Examples
    --------
    >>> design_starts([5, 3], ["b", "a"], ("a", "b", "c"), np.array([0, 1]))
    (3, array([3, 5]))
    >>> design_starts([4, 4], ["b", "a"], ("a", "b", "c"), np.array([0, 1]))
    (4, None)
    """
    if not isinstance(start_code, list):
        return start_code, None
    by_code = {group_labels.index(t): s for t, s in zip(treated, start_code, strict=True)}
    starts = np.array([by_code[int(g)] for g in treated_codes], dtype=np.int64)
    if len(set(starts.tolist())) == 1:
        return int(starts[0]), None
    return int(starts.min()), starts


def build_design(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    group: str | None = None,
    cluster: str | None = None,
    regressors: Sequence[str] = (),
    weights: str | None = None,
    comparison: Comparison = None,
    movers: Movers = "error",
) -> PanelDesign:
    """Validate column roles and build a :class:`PanelDesign`.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    outcome, unit, time : str
        Column names.
    treated : label or list of labels
        Treated group(s), values of the ``group`` column.
    start : int, str, pandas.Period, Timestamp or mapping
        First treated period, of the same kind as ``time``; or a mapping of
        each treated group to its own first treated period (cohorts).
    group : str, optional
        Where treatment is assigned (default ``unit``).
    cluster : str, optional
        Where errors cluster (default ``group``); must be constant within units.
    regressors : sequence of str
        Further regressors (cycle series, covariates).
    weights : str, optional
        Non-negative row weights.
    comparison : None, {"north_jutland", "rural", "all"} or list
        Comparison groups: all others (None), a named Danish pool of
        municipality codes, or an explicit list. Labels may be municipality
        names where the column holds codes.
    movers : {"error", "entry", "split"}, default "error"
        Units (persons) seen in more than one group: ``"error"`` names them;
        ``"entry"`` keeps each in the group of its first period (its rows
        elsewhere count there); ``"split"`` makes unit x group the
        fixed-effect unit. What was done is counted in ``adjustments``.

    Returns
    -------
    PanelDesign

    Raises
    ------
    DataError
        Missing columns, a treated label absent from the data, a start with no
        pre- or post-period, a constant treatment, missing values in role
        columns, a cluster that varies within units.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"m": [1, 1, 2, 2], "year": [2014, 2015] * 2,
    ...                      "y": [1.0, 3.0, 1.0, 2.0]})
    >>> design = build_design(data, outcome="y", unit="m", time="year", treated=1, start=2015)
    >>> design.treat.tolist(), design.start
    ([False, True, False, False], 1)
    """
    if movers not in ("error", "entry", "split"):
        raise DataError(f"movers={movers!r} is not one of ['error', 'entry', 'split']")
    group = group or unit
    cluster = cluster or group
    require_columns(
        data,
        {"outcome": outcome, "unit": unit, "time": time, "group": group, "cluster": cluster,
         "weights": weights, **{f"regressor {r!r}": r for r in regressors}},
    )
    n_input = len(data)
    distinct = pd.unique(data[group].dropna())
    treated_labels = resolve_labels(as_list(treated), distinct, argument="treated", column=group)
    if len(set(treated_labels)) != len(treated_labels):
        raise DataError(f"treated={as_list(treated)!r} names a group twice; name each treated group once")
    pool, pool_name = _pool_labels(comparison, treated_labels, data[group], distinct)
    exclusions: list[dict[str, object]] = []
    keep = np.ones(n_input, dtype=bool)
    if pool is not None:
        in_sample = data[group].isin(treated_labels + pool).to_numpy()
        if (~in_sample).any():
            exclusions.append({"reason": f"group not in the comparison pool ({pool_name})",
                               "rows": int((~in_sample).sum())})
        keep &= in_sample
    for role, col in (("unit", unit), ("time", time), ("group", group), ("cluster", cluster)):
        missing = data[col].isna().to_numpy() & keep
        if missing.any():
            raise DataError(
                f"column {col!r} ({role}) has missing values in {where(data, missing)}; fill them in or "
                "drop those rows"
            )
    numeric_roles = [("outcome", outcome), *(("regressor", r) for r in regressors),
                     *([("weights", weights)] if weights else [])]
    for role, col in numeric_roles:
        _check_numeric(data, col, role, keep)
    for col in (outcome, *regressors, *([weights] if weights else [])):
        missing = data[col].isna().to_numpy() & keep
        if missing.any():
            exclusions.append({"reason": f"missing {col!r}", "rows": int(missing.sum())})
            keep &= ~missing
    everything = bool(keep.all())

    def column(name: str) -> pd.Series:
        # only the columns the design uses are subset, and only when rows are left out
        return data[name] if everything else data[name][keep]

    if weights is not None:
        negative = (data[weights] < 0).to_numpy() & keep
        if negative.any():
            raise DataError(f"column {weights!r} (weights) has negative values in {where(data, negative)}; "
                            "weights count persons or shares and must be zero or more")
    period, period_labels, start_codes = _period_codes(
        column(time), start_values(start, treated_labels, distinct, column=group), time
    )
    group_codes, group_labels = _encode(column(group))
    treated_codes = np.array(sorted(group_labels.index(t) for t in treated_labels), dtype=np.int64)
    start_code, treated_starts = design_starts(start_codes, treated_labels, group_labels, treated_codes)
    if len(treated_codes) == len(group_labels):
        raise DataError("every group is treated: there is no comparison group")
    adjustments: list[dict[str, object]] = []
    if unit == group:
        unit_codes = group_codes
    else:
        unit_codes = _unit_codes(column(unit))
        if not _nested(unit_codes, group_codes):
            group_codes, unit_codes, adjustment = _movers(
                column(unit), unit_codes, group_codes, period, group_labels, unit=unit, group=group, movers=movers,
            )
            adjustments.append(adjustment)
            warn_user(f"{adjustment['units']} {unit} value(s) appear in more than one {group}: "
                      f"{adjustment['reason']} ({adjustment['rows']} rows)")
    if unit != group:
        _check_unique_unit_periods(data, keep, unit_codes, period, len(period_labels), unit_name=unit, time_name=time)
    if cluster == group:
        cluster_codes, cluster_labels = group_codes, group_labels
    else:
        cluster_codes, cluster_labels = _encode(column(cluster))
    nested = check_clusters_nest(unit_codes, cluster_codes, unit_is_group=unit == group, unit=unit, cluster=cluster)
    check_treatment(group_codes, period, treated_codes, start_code, len(group_labels), treated_starts, start=start)
    y = column(outcome).to_numpy(dtype=np.float64)
    x = _regressor_matrix([column(r) for r in regressors], len(y))
    w = column(weights).to_numpy(dtype=np.float64) if weights else None
    if w is not None:
        _check_weight_sums(w, group_codes, treated_codes, group_labels, weights)  # type: ignore[arg-type]
    warn_exclusions(exclusions)
    return PanelDesign(
        y=y, unit=unit_codes, group=group_codes, cluster=cluster_codes, period=period, weight=w,
        regressors=x, regressor_names=tuple(regressors),
        treated_groups=treated_codes, start=start_code, group_labels=group_labels,
        period_labels=period_labels, cluster_labels=cluster_labels,
        unit_is_group=unit == group, outcome=outcome, comparison=pool_name,
        n_rows_input=n_input, exclusions=tuple(exclusions), units_nested_in_clusters=nested,
        adjustments=tuple(adjustments), treated_starts=treated_starts,
    )


def check_clusters_nest(unit_codes: np.ndarray, cluster_codes: np.ndarray, *, unit_is_group: bool, unit: str,
                        cluster: str) -> bool:
    """Whether units are nested in clusters; refuse clusters that split a unit unless units are the groups."""
    nested = unit_codes is cluster_codes or _nested(unit_codes, cluster_codes)
    if not nested and not unit_is_group:
        raise DataError(
            f"cluster column {cluster!r} varies within units of {unit!r}; clusters must contain whole "
            "units (finer clusters are allowed only when the fixed-effect unit is the group)"
        )
    return nested


def check_treatment(group_codes: np.ndarray, period: np.ndarray, treated_codes: np.ndarray, start_code: int,
                    n_groups: int, treated_starts: np.ndarray | None, *, start: object) -> None:
    """Refuse a treatment indicator that is constant, or treated groups with no rows before their start."""
    some_treated, all_treated, treated_before = _treatment(
        group_codes, period, treated_codes, start_code, n_groups, treated_starts
    )
    if all_treated or not some_treated:
        raise DataError("the treatment indicator is constant in the sample: no treated or no untreated rows")
    if not treated_before:
        raise DataError(f"the treated group has no rows before start={start!r}")


def warn_exclusions(exclusions: Sequence[dict[str, object]]) -> None:
    """Warn of the rows left out, reason by reason (nothing when none were), at the first caller outside hjeval."""
    if exclusions:
        detail = "; ".join(f"{e['rows']} rows: {e['reason']}" for e in exclusions)
        warn_user(f"rows left out of the estimation: {detail}")


def _treatment(
    group: np.ndarray, period: np.ndarray, treated: np.ndarray, start: int, n_groups: int,
    treated_starts: np.ndarray | None = None,
) -> tuple[bool, bool, bool]:
    """Whether some rows are treated, whether all are, and whether a treated group has rows before its start."""
    is_treated = np.zeros(n_groups, dtype=bool)
    is_treated[treated] = True
    first = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
    first[treated] = start if treated_starts is None else treated_starts
    some, every, before = False, True, False
    for rows in row_slices(len(group)):
        in_treated = is_treated[group[rows]]
        after = period[rows] >= first[group[rows]]
        treat = in_treated & after
        some = some or bool(treat.any())
        every = every and bool(treat.all())
        before = before or bool(np.any(in_treated & ~after))
    return some, every, before


def _regressor_matrix(columns: list[pd.Series], n_rows: int) -> np.ndarray:
    """Regressors as an (n, k) float array; a single float column stays a view of the frame's data."""
    if len(columns) == 1:
        return columns[0].to_numpy(dtype=np.float64)[:, None]
    x = np.empty((n_rows, len(columns)))
    for j, values in enumerate(columns):
        x[:, j] = values.to_numpy(dtype=np.float64)
    return x


def _run_starts(values: np.ndarray, limit: int) -> np.ndarray | None:
    """Rows where a run of equal values starts, or None when there are more than ``limit`` runs."""
    parts = [np.zeros(1, dtype=np.intp)]
    found = 1
    for rows in row_slices(len(values) - 1):
        changes = np.flatnonzero(values[rows.start + 1:rows.stop + 1] != values[rows]) + (rows.start + 1)
        found += len(changes)
        if found > limit:
            return None
        parts.append(changes)
    return np.concatenate(parts)


def _unit_codes(units: pd.Series) -> np.ndarray:
    """Unit codes (int32) in order of first appearance.

    Rows ordered by unit then get non-decreasing codes, which the projector
    uses. Numeric ids whose rows come in runs (rows grouped by unit) are hashed
    once per run, without an int64 code array of the full length; otherwise
    all rows are hashed at once (the projector then sorts the rows by unit,
    which needs as much memory as those codes).
    """
    values = _numpy_values(units)
    if values is None or len(values) <= _FACTORIZE_ROWS:
        return pd.factorize(units)[0].astype(np.int32)
    heads = _run_starts(values, len(values) // 4)
    if heads is not None:
        head_codes = pd.factorize(values[heads])[0].astype(np.int32)
        return np.repeat(head_codes, np.diff(np.r_[heads, len(values)]))
    return pd.factorize(values)[0].astype(np.int32)


def _nested(inner: np.ndarray, outer: np.ndarray) -> bool:
    """Whether every inner code (e.g. a unit) lies within a single outer code (e.g. a cluster)."""
    outer_of_inner = np.empty(int(inner.max()) + 1, dtype=outer.dtype)
    for rows in row_slices(len(inner)):
        outer_of_inner[inner[rows]] = outer[rows]
    return all(np.array_equal(outer_of_inner[inner[rows]], outer[rows]) for rows in row_slices(len(inner)))


def where(data: pd.DataFrame, mask: np.ndarray, limit: int = 5) -> str:
    """The first rows of ``data`` where ``mask`` holds, by their index labels, and how many there are.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1.0, 2.0, 3.0]}, index=[10, 11, 12])
    >>> where(frame, np.array([False, True, True]))
    'rows 11, 12 (index labels)'
    """
    positions = np.flatnonzero(mask)
    labels = [data.index[int(i)] for i in positions[:limit]]
    text = format_rows(labels)
    if len(positions) > limit:
        text += f" (and {len(positions) - limit} more)"
    return text + " (index labels)"


def _check_numeric(data: pd.DataFrame, col: str, role: str, keep: np.ndarray) -> None:
    """Numbers only, and finite: name the rows otherwise."""
    values = data[col]
    if not (pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)):
        coerced = pd.to_numeric(values, errors="coerce")
        bad = (coerced.isna() & values.notna()).to_numpy() & keep
        if bad.any():
            example = values[bad].iloc[0]
            raise DataError(
                f"column {col!r} ({role}) must hold numbers, but {where(data, bad)} hold text such as "
                f"{example!r}; convert the column (e.g. pd.to_numeric) or fix those rows"
            )
        raise DataError(f"column {col!r} ({role}) has type {values.dtype}; convert it to numbers")
    if pd.api.types.is_bool_dtype(values.dtype) or values.dtype.kind in "iu":
        return
    infinite = np.isinf(values.to_numpy(dtype=np.float64, na_value=np.nan)) & keep
    if infinite.any():
        raise DataError(
            f"column {col!r} ({role}) has infinite values in {where(data, infinite)}; replace them with the "
            "right numbers, or leave them empty to have those rows left out (and counted)"
        )


def _movers(
    units: pd.Series, unit_codes: np.ndarray, group_codes: np.ndarray, period: np.ndarray,
    group_labels: tuple[object, ...], *, unit: str, group: str, movers: str,
) -> tuple[np.ndarray, np.ndarray, dict[str, object]]:
    """Handle units seen in more than one group as ``movers`` says; return new group and unit codes."""
    frame = pd.DataFrame({"unit": unit_codes, "group": group_codes, "period": period})
    groups_per_unit = frame.groupby("unit", sort=False)["group"].nunique()
    moving = groups_per_unit.index[groups_per_unit.to_numpy() > 1].to_numpy()
    is_moving = np.isin(unit_codes, moving)
    if movers == "error":
        first_rows = np.unique(unit_codes[is_moving], return_index=True)[1]
        examples = []
        for position in np.flatnonzero(is_moving)[np.sort(first_rows)][:5]:
            seen = frame.loc[frame["unit"] == unit_codes[position], "group"].unique()
            label = units.iloc[position]
            label = label.item() if isinstance(label, np.generic) else label
            examples.append(f"{label!r} in {[group_labels[g] for g in seen]}")
        raise DataError(
            f"{len(moving)} {unit} value(s) appear in more than one {group}, e.g. {'; '.join(examples)}. "
            f"Treatment is assigned by {group!r}, so each {unit} must belong to one: pass movers='entry' to keep "
            f"each in the {group} of its first period, or movers='split' to make {unit} x {group} the "
            "fixed-effect unit"
        )
    if movers == "entry":
        entry = frame[is_moving].sort_values(["unit", "period"], kind="stable").drop_duplicates("unit")
        entry_group = np.full(int(unit_codes.max()) + 1, -1, dtype=np.int64)
        entry_group[entry["unit"].to_numpy()] = entry["group"].to_numpy()
        new_groups = group_codes.copy()
        new_groups[is_moving] = entry_group[unit_codes[is_moving]]
        changed = int((new_groups != group_codes).sum())
        return new_groups.astype(group_codes.dtype), unit_codes, {
            "reason": f"each {unit} seen in several {group} values kept in the {group} of its first period",
            "rows": changed, "units": len(moving),
        }
    pairs = pd.factorize(pd.MultiIndex.from_arrays([unit_codes, group_codes]))[0].astype(np.int32)
    return group_codes, pairs, {
        "reason": f"{unit} x {group} used as the fixed-effect unit for each {unit} seen in several {group} values",
        "rows": int(is_moving.sum()), "units": len(moving),
    }


def _check_weight_sums(
    weight: np.ndarray, group: np.ndarray, treated: np.ndarray, labels: tuple[object, ...], column: str
) -> None:
    """Every treated group, and the comparison groups together, must carry some weight."""
    total = np.bincount(group, weights=weight, minlength=len(labels))
    empty = [labels[g] for g in treated if total[g] <= 0]
    if empty:
        raise DataError(
            f"column {column!r} (weights) is zero on every row of the treated group(s) {empty}: their effect "
            "cannot be estimated; check the weight column (persons per cell) for those groups"
        )
    comparison = np.setdiff1d(np.arange(len(labels)), treated)
    if total[comparison].sum() <= 0:
        raise DataError(f"column {column!r} (weights) is zero on every row of the comparison groups")


def _check_unique_unit_periods(
    data: pd.DataFrame, keep: np.ndarray, unit: np.ndarray, period: np.ndarray, n_periods: int, *,
    unit_name: str, time_name: str,
) -> None:
    """A unit has at most one row per period; name the first duplicated rows otherwise.

    Rows sorted by unit and period (a register extract) are checked in one pass
    without hashing.
    """
    key = unit.astype(np.int64) * n_periods + period
    if all(bool(np.all(key[rows.start + 1:rows.stop + 1] > key[rows])) for rows in row_slices(len(key) - 1)):
        return
    duplicated = pd.Series(key).duplicated(keep=False).to_numpy()
    if not duplicated.any():
        return
    mask = np.zeros(len(data), dtype=bool)
    mask[np.flatnonzero(keep)[duplicated]] = True
    raise DataError(
        f"{int(duplicated.sum())} rows repeat a ({unit_name}, {time_name}) pair, e.g. {where(data, mask)}: "
        f"each {unit_name} has at most one row per period; drop the duplicates (e.g. "
        f"data.drop_duplicates([{unit_name!r}, {time_name!r}])) or sum them first"
    )
