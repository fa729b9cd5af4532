"""Dose response: the effect per unit of a continuous, time-varying treatment intensity.

The dose (e.g. cases per caseworker) is a group-period regressor of the
two-way fixed-effects fit, for every group. With one treated group the slope
is identified mostly from that group's own dose path, which the result
reports as the share of the dose's variation (after the fixed effects and
the other regressors) that lies in the treated group.

Placebo inference swaps dose paths: re-assignment ``j`` gives comparison
group ``j`` the treated group's dose path and the treated group ``j``'s path,
everything else unchanged. Under the null of a slope ``b0`` the outcome net
of ``b0 x dose`` does not depend on which group got which path, so the
swapped slopes are its permutation distribution. The dose is constant within
(group, period) cells, so every swap's slope comes from cell sums of the
projected columns and the per-group blocks of the projector, without
touching the rows again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, cast, get_args

import numpy as np
import pandas as pd

from hjeval.cycle import CycleMethod
from hjeval.design.cells import CellDesign
from hjeval.design.panel import Comparison, Movers, PanelDesign, require_columns, where
from hjeval.design.rows import row_slices
from hjeval.engines import Data, Engine
from hjeval.engines.dataset import arrow_dataset, is_dataset_path
from hjeval.engines.in_memory import missing_columns
from hjeval.errors import DataError
from hjeval.estimators.did import (
    Inference,
    _check_option,
    _other_terms,
    engine_design,
    inference_options,
    placebo_errors,
    placebo_series,
    provenance_record,
    twfe_offer,
)
from hjeval.estimators.twfe import TwfeFit, fit_twfe
from hjeval.estimators.twfe_cells import CellTwfeFit, cell_offer, fit_cells
from hjeval.inference.reassignment import Reassignable, Target
from hjeval.inference.strategies import InferenceOffer, infer
from hjeval.regression import Covariance
from hjeval.results.phased import DoseResult

__all__ = ["DoseFit", "Variation", "dose_response"]

Variation = Literal["all", "treated"]
"""Whose dose variation identifies the slope: every group's, or only the treated group's path."""


def _check_dose_column(data: Data, dose: str, group: str, others: Sequence[str]) -> None:
    """The dose column: present, named once, numeric and known on every row.

    A DataFrame's column is checked in place; a Parquet dataset's from its
    schema and one streamed pass over the dose column alone.
    """
    if isinstance(data, pd.DataFrame):
        require_columns(data, {"dose": dose})
    elif is_dataset_path(data):
        dataset = arrow_dataset(data)
        missing_columns(data, dataset.schema.names, {"dose": dose})
    else:
        return  # the engine refuses it
    if dose in others:
        raise DataError(f"dose={dose!r} is also given as the cycle or a covariate; name it once, as dose=")
    fix = (f"the dose must be known on every row: attach it from the caseload panel for every {group} and period "
           "(hj.attach) or drop those rows")
    if isinstance(data, pd.DataFrame):
        values = data[dose]
        if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
            raise DataError(f"column {dose!r} (dose) has type {values.dtype}; it must hold numbers (e.g. cases per "
                            "caseworker); convert it with pd.to_numeric")
        missing = values.isna().to_numpy()
        if missing.any():
            raise DataError(f"column {dose!r} (dose) is missing in {where(data, missing)}; {fix}")
        return
    import pyarrow as pa

    kind = dataset.schema.field(dose).type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)):
        raise DataError(f"{data}: column {dose!r} (dose) has type {kind}; it must hold numbers (e.g. cases per "
                        "caseworker); convert it with pd.to_numeric and write the files again")
    count, shown = _missing_in_dataset(Path(data), dataset, dose)
    if count:
        raise DataError(f"{data}: column {dose!r} (dose) is missing in {count} rows, e.g. {', '.join(shown)}; {fix}")


def _missing_in_dataset(root: Path, dataset: Any, column: str, limit: int = 5) -> tuple[int, list[str]]:
    """Rows of a Parquet dataset where ``column`` is null or NaN: how many, and the first as file and row (from 1)."""
    import pyarrow.compute as pc

    count, shown = 0, list[str]()
    for fragment in dataset.get_fragments():
        file = Path(fragment.path)
        name = file.relative_to(root).as_posix() if root.is_dir() and file.is_relative_to(root) else file.name
        offset = 0
        for batch in fragment.to_batches(columns=[column], schema=dataset.schema, use_threads=False):
            bad = pc.is_null(batch.column(0), nan_is_null=True)
            found = int(pc.sum(bad).as_py() or 0)
            if found and len(shown) < limit:
                positions = np.flatnonzero(bad.to_numpy(zero_copy_only=False))[: limit - len(shown)]
                shown += [f"{name} row {offset + int(i) + 1}" for i in positions]
            count += found
            offset += batch.num_rows
    return count, shown


def _check_cells_constant(design: PanelDesign, column: int, data: Data, dose: str, group: str, time: str) -> None:
    """The dose is constant within the design's (group, period) cells: checked on its arrays, a chunk at a time."""
    size = design.n_groups * design.n_periods
    low, high = np.full(size, np.inf), np.full(size, -np.inf)
    for rows in row_slices(design.n_obs):
        cells = design.group[rows].astype(np.intp) * design.n_periods + design.period[rows]
        values = design.regressors[rows, column]
        np.minimum.at(low, cells, values)
        np.maximum.at(high, cells, values)
    seen = np.isfinite(low)
    scale = max(1.0, float(np.abs(low[seen]).max(initial=0.0)), float(np.abs(high[seen]).max(initial=0.0)))
    varies = np.flatnonzero(seen & (high - low > 1e-9 * scale))
    if not len(varies):
        return
    shown = ", ".join(f"({design.group_labels[c // design.n_periods]!r}, {design.period_labels[c % design.n_periods]})"
                      for c in varies[:5])
    place = f"{len(varies)} cells, e.g. {shown}" if len(varies) > 1 else f"the cell {shown}"
    prefix = "" if isinstance(data, pd.DataFrame) else f"{data}: "
    if isinstance(data, pd.DataFrame):
        # the rows by their index labels, as the user sees them (only now that the dose is known to vary)
        by_cell = data.groupby([data[group], data[time]], sort=False, observed=True)[dose]
        rows_varying = ((by_cell.transform("max") - by_cell.transform("min")).to_numpy() > 1e-9 * scale)
        if rows_varying.any():
            place = where(data, rows_varying)
    raise DataError(
        f"{prefix}column {dose!r} (dose) varies within a ({group}, {time}) cell in {place}; the dose "
        f"is a {group}-period intensity: use one value per {group} and period (e.g. from the caseload panel)"
    )


def _cell_values(design: PanelDesign | CellDesign, column: int) -> np.ndarray:
    """The regressor's value in every (group, period) cell, NaN where a cell has no rows, shape (G, T)."""
    if isinstance(design, CellDesign):
        return np.where(design.cell_rows > 0, design.regressors[:, :, column], np.nan)
    size = design.n_groups * design.n_periods
    cells = design.group.astype(np.intp) * design.n_periods + design.period
    total = np.bincount(cells, weights=design.regressors[:, column], minlength=size)
    count = np.bincount(cells, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return values.reshape(design.n_groups, design.n_periods)


@dataclasses.dataclass(frozen=True)
class DoseFit:
    """The two-way fit with the dose as a regressor, and the algebra of swapped dose paths.

    Attributes
    ----------
    fit : TwfeFit or CellTwfeFit
        Regressors in design order; the dose is column ``column``.
    column : int
    cells : numpy.ndarray, shape (G, T)
        The dose per cell (NaN in empty cells).
    """

    fit: TwfeFit | CellTwfeFit
    column: int
    cells: np.ndarray

    @property
    def slope(self) -> float:
        """The dose coefficient."""
        return float(self.fit.coef[self.column])

    @property
    def others(self) -> np.ndarray:
        """Positions of the other regressors."""
        return np.delete(np.arange(len(self.fit.coef)), self.column)

    def swapped(self, treated: int, group: int) -> np.ndarray:
        """Cell doses with the dose paths of ``treated`` and ``group`` exchanged."""
        out = self.cells.copy()
        out[[treated, group]] = self.cells[[group, treated]]
        return out

    def evaluate(self, doses: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Slope, slope of the actual dose and slope of the residuals for each cell-dose array.

        For cell doses ``z`` the regression ``y ~ z + other regressors + fixed
        effects`` has slope ``(z~' W y~ - ...) / (z~' W z~ - ...)`` with the
        other regressors partialled out; ``z~' W u~ = z' W u~`` for any
        projected column ``u~``, so only cell sums of the fit's projected
        columns and the Gram matrix of ``z`` are needed.

        Returns
        -------
        (estimates, slopes, residual) : tuple of numpy.ndarray, each shape (S,)
            NaN where ``z`` is missing in a cell with rows, or has no variation
            left after the fixed effects.
        """
        fit, j, others = self.fit, self.column, self.others
        sums, _ = fit._cell_terms  # cell sums of the projected columns, the outcome and the residuals
        p = len(fit.coef)
        weight = fit.projector.cell_weight
        rr_inv = np.linalg.inv(fit.gram[np.ix_(others, others)]) if len(others) else np.zeros((0, 0))
        r_y, r_d = fit.cross[others, p], fit.gram[others, j]
        out = np.full((3, len(doses)), np.nan)
        for s, z in enumerate(doses):
            if np.isnan(z[weight > 0]).any():
                continue
            z0 = np.where(weight > 0, z, 0.0)
            zr = np.einsum("gt,gtk->k", z0, sums[..., others])
            zz = float(fit.projector.cell_gram(z0[..., None])[0, 0] - zr @ rr_inv @ zr)
            raw = float(np.sum(weight * (z0 - np.sum(weight * z0) / weight.sum()) ** 2))
            if not zz > 1e-10 * max(raw, 1e-300):
                continue
            zy = float(np.sum(z0 * sums[..., p]) - zr @ rr_inv @ r_y)
            zd = float(np.sum(z0 * sums[..., j]) - zr @ rr_inv @ r_d)
            ze = float(np.sum(z0 * sums[..., p + 1]))
            out[:, s] = zy / zz, zd / zz, ze / zz
        return out[0], out[1], out[2]

    def reassignable(self) -> Reassignable:
        """Swaps of the treated group's dose path with each comparison group's, for placebo and Conley-Taber."""
        design = self.fit.design
        treated = int(design.treated_groups[0])
        sizes, measure = design.group_sizes()

        def doses(sets: list[np.ndarray]) -> list[np.ndarray]:
            return [self.cells if int(g[0]) == treated else self.swapped(treated, int(g[0])) for g in sets]

        def evaluate(sets: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
            est, slope, _ = self.evaluate(doses(sets))
            return est[:, None], slope[:, None, None]

        def residual_errors(sets: list[np.ndarray]) -> np.ndarray:
            return self.evaluate(doses(sets))[2][:, None]

        return Reassignable(
            coef=np.array([self.slope]), treated=design.treated_groups, comparison=design.comparison_groups,
            group_labels=design.group_labels, sizes=sizes, shares=self.fit.projector.cell_weight.sum(axis=1),
            size_measure=measure, evaluate=evaluate, residual_errors=residual_errors,
        )

    def variation_by_group(self) -> np.ndarray:
        """Each group's part of the dose's weighted sum of squares after the fixed effects and other regressors."""
        fit, j, others = self.fit, self.column, self.others
        design = fit.design
        p = len(fit.coef)
        b = np.linalg.solve(fit.gram[np.ix_(others, others)], fit.gram[others, j]) if len(others) else np.zeros(0)
        if isinstance(fit, CellTwfeFit):
            # the group's rows' sum of w (x~_j - b' x~_others)^2 is v' X~_g' W X~_g v
            v = np.zeros(p)
            v[j], v[others] = 1.0, -b
            return np.einsum("p,gpq,q->g", v, fit.group_gram, v)
        rows_design = fit.design
        total = np.zeros(design.n_groups)
        for block in fit._projected():
            x = block.tilde[:p]
            part = x[j] - b @ x[others]
            square = part**2 if block.weight is None else block.weight * part**2
            total += np.bincount(rows_design.group[block.rows], weights=square, minlength=design.n_groups)
        return total


def _fit(design: PanelDesign | CellDesign, profiles: np.ndarray, treat_names: tuple[str, ...],
         ) -> TwfeFit | CellTwfeFit:
    if isinstance(design, CellDesign):
        return fit_cells(design, profiles=profiles, treat_names=treat_names)
    return fit_twfe(design, profiles=profiles, treat_names=treat_names)


def _offer(fit: TwfeFit | CellTwfeFit, cluster_by: str) -> InferenceOffer:
    if isinstance(fit, CellTwfeFit):
        return cell_offer(fit, cluster_by, "dose_response")
    return twfe_offer(fit, cluster_by, "dose_response")


def _covariance_first(covariance: Callable[[str], Covariance], column: int, kind: str,
                      keep: dict[str, Covariance]) -> Covariance:
    """The cluster covariance with the dose first (what the inference layer reads), the raw one kept."""
    raw = covariance(kind)
    keep["raw"] = raw
    order = np.r_[column, np.delete(np.arange(raw.vcov.shape[0]), column)]
    return dataclasses.replace(raw, vcov=raw.vcov[np.ix_(order, order)], df_t=raw.df_t[order])


def _path(design: PanelDesign | CellDesign, cells: np.ndarray, cell_weight: np.ndarray, slope: float,
          ci: tuple[float, float]) -> tuple[pd.DataFrame, dict[str, float]]:
    """The treated group's dose per period, its change against before the start, and the implied effect."""
    treated = int(design.treated_groups[0])
    weight = cell_weight[treated]
    present = weight > 0
    values = cells[treated]
    before = present & (np.arange(design.n_periods) < design.start)
    after = present & ~before
    level_before = float(np.average(values[before], weights=weight[before]))
    level_after = float(np.average(values[after], weights=weight[after]))
    change = values[present] - level_before
    with np.errstate(invalid="ignore"):  # an unbounded interval times no change is no change
        ends = tuple(np.where(change == 0, 0.0, end * change) for end in ci)
    path = pd.DataFrame({
        "period": [str(design.period_labels[t]) for t in np.flatnonzero(present)],
        "dose": values[present], "dose_change": change, "effect": slope * change,
        "effect_low": np.fmin(*ends), "effect_high": np.fmax(*ends),
    })
    levels = {"treated_dose_before": level_before, "treated_dose_after": level_after,
              "dose_change": level_after - level_before, "implied_effect": slope * (level_after - level_before)}
    return path, levels


def _identification(design: PanelDesign | CellDesign, by_group: np.ndarray, dose: str, levels: dict[str, float],
                    variation: Variation) -> dict[str, object]:
    share = by_group / by_group.sum()
    treated_share = float(share[design.treated_groups].sum())
    label = design.treated_label()
    extent = "mostly" if treated_share >= 0.5 else "only partly"
    note = (
        f"{treated_share:.0%} of the variation in {dose!r} left after the fixed effects and the other regressors "
        f"lies in the treated group ({label}): the slope is identified {extent} from its own dose path; the "
        f"comparison groups' dose variation supplies {1 - treated_share:.0%}. A component of the reform that "
        "starts while the dose is low is attributed to the dose unless it is controlled for (e.g. its indicator "
        "as a covariate, or hj.phased_did)."
    )
    if variation == "treated":
        note = (f"variation='treated': only the treated group's ({label}) dose path is a treatment; the comparison "
                f"groups' {dose!r} does not enter, so the slope is identified from that path alone (against the "
                "comparison groups' outcomes). Placebo inference gives that path to each comparison group in turn. "
                "A component of the reform that starts while the dose is low is attributed to the dose unless it "
                "is controlled for (e.g. its indicator as a covariate, or hj.phased_did).")
    else:
        note += " Placebo inference swaps the treated group's dose path with each comparison group's."
    return {"treated_share": treated_share,
            "share_by_group": pd.Series(share, index=pd.Index(list(design.group_labels), name="group"),
                                        name="dose_variation_share"),
            **levels, "note": note}


def _all_groups_fit(design: PanelDesign | CellDesign, column: int, cluster_by: str,
                    ) -> tuple[TwfeFit | CellTwfeFit, InferenceOffer, np.ndarray, np.ndarray, dict[str, Covariance]]:
    """Every group's dose as a regressor; placebo by swapping dose paths."""
    fit = _fit(design, np.zeros((design.n_periods, 0)), ())
    base = _offer(fit, cluster_by)
    covariance = cast(Callable[[str], Covariance], base.covariance)  # both two-way offers carry one
    dose_fit = DoseFit(fit, column, _cell_values(design, column))
    kept: dict[str, Covariance] = {}
    offer = InferenceOffer(
        coef=np.array([dose_fit.slope]), estimator="dose_response", clusters=base.clusters,
        treated_clusters=base.treated_clusters, cluster_by=cluster_by, reassignment=dose_fit.reassignable(),
        covariance=lambda kind: _covariance_first(covariance, column, kind, kept),
    )
    return fit, offer, dose_fit.cells, dose_fit.variation_by_group(), kept


def _treated_fit(design: PanelDesign | CellDesign, column: int, cluster_by: str, dose: str,
                 ) -> tuple[TwfeFit | CellTwfeFit, InferenceOffer, np.ndarray]:
    """Only the treated group's dose path as the treatment profile (the comparison groups' dose left out)."""
    cells = _cell_values(design, column)
    treated = int(design.treated_groups[0])
    profile = np.nan_to_num(cells[treated], nan=0.0)[:, None]
    without = dataclasses.replace(design, regressors=np.delete(design.regressors, column, axis=-1),
                                  regressor_names=tuple(n for n in design.regressor_names if n != dose))
    fit = _fit(without, profile, (dose,))
    return fit, _offer(fit, cluster_by), cells


def dose_response(
    data: Data,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    *,
    dose: str,
    variation: Variation = "all",
    group: str | None = None,
    cycle: str | None = None,
    cycle_method: CycleMethod | None = None,
    covariates: Sequence[str] | None = None,
    cluster: str | None = None,
    weights: str | None = None,
    comparison: Comparison = None,
    inference: Inference | None = None,
    alpha: float = 0.05,
    seed: int = 0,
    draws: int = 999,
    size_correction: bool = True,
    movers: Movers = "error",
    engine: Engine | None = None,
    cycle_panel: Data | None = None,
    client: object | None = None,
) -> DoseResult:
    """The change in the outcome per one-unit increase of a group-period dose.

    Fits ``y_it = a_i + l_t + beta dose_gt + g cycle_it + X_it c + e_it`` for
    every group ``g`` (treated and comparison): ``beta`` is the change in the
    outcome per one-unit increase of the dose (negative when fewer cases per
    caseworker mean more hours worked).

    Parameters
    ----------
    data, outcome, unit, time, treated, start, group, cycle, cycle_method, covariates, cluster, weights, comparison
        As in :func:`hjeval.did`; ``treated`` is one group, the one whose
        dose path the placebo test moves, and ``start`` splits its dose into
        before and after for the reported levels and effect path.
    dose : str
        A numeric column of ``data`` constant within (group, period) cells,
        e.g. cases per caseworker put on the rows with :func:`hjeval.attach`.
        No row may lack it.
    variation : {"all", "treated"}, default "all"
        ``"all"``: every group's dose is the regressor, so comparison groups'
        ordinary dose changes help identify the slope (their share is
        reported); their effect is assumed equal to the treated group's.
        ``"treated"``: only the treated group's dose path is a treatment
        (``1{treated} dose_t``), the comparison groups are untreated and
        their dose does not enter: a difference in differences with the
        treated group's dose as its intensity, identified from that path
        alone. Use it when the comparison groups' dose moves for other
        reasons (noise in the caseload count) that should not count.
    inference : {"cluster", "placebo", "conley-taber"}, optional
        Default as in :func:`hjeval.did`. ``"placebo"`` swaps the treated
        group's dose path with each comparison group's in turn (exact
        enumeration) and compares the slopes, size-corrected (Ferman and
        Pinto 2019) as in :func:`hjeval.did`; ``"conley-taber"`` uses the
        swapped-path slopes of the fit's residuals. With
        ``variation="treated"`` the treated group's dose path is given to
        each comparison group in turn, exactly as :func:`hjeval.did`
        re-assigns its indicator.
    alpha, seed, draws, size_correction, movers
        As in :func:`hjeval.did`.
    engine, cycle_panel, client
        As in :func:`hjeval.did` (every engine gives the same result).

    Returns
    -------
    DoseResult
        ``estimate`` is the slope; ``identification`` says where it comes
        from (``treated_share``: the treated group's share of the dose
        variation after the fixed effects) and the effect it implies;
        ``path`` the treated group's dose and implied effect per period;
        ``plot()`` draws the effect path against the dose path.

    Raises
    ------
    DataError
        A dose column that is missing, not numeric, incomplete, varies within
        a (group, period) cell or is absorbed by the fixed effects; several
        treated groups; and everything :func:`hjeval.did` refuses.

    Notes
    -----
    The slope is estimated exactly as a regressor of the two-way fit. For a
    swapped dose ``z`` its slope is ``z~' W y~ / z~' W z~`` after the other
    regressors are partialled out, and ``z~' W u~ = z' W u~`` for every
    projected column ``u~``: cell sums of the fit and the projector's
    per-group blocks give every swap. Under ``H0: beta = b0`` a swap's slope
    moves by ``-b0`` times its slope on the actual dose, which makes the
    permutation test exact for every ``b0`` and the interval its inversion.
    The swap is the randomisation analogue of re-assigning the treatment in
    :func:`hjeval.did`: which group's dose path counts as the treated one.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hjeval as hj
    >>> rng = np.random.default_rng(2)
    >>> panel = pd.DataFrame([(m, y) for m in range(20) for y in range(2008, 2020)],
    ...                      columns=["municipality", "year"])
    >>> panel["cases"] = 75 + rng.normal(size=len(panel))
    >>> cut = (panel.municipality == 0) & (panel.year >= 2015)
    >>> panel.loc[cut, "cases"] -= 40
    >>> panel["hours"] = -0.1 * panel["cases"] + rng.normal(scale=0.2, size=len(panel))
    >>> res = hj.dose_response(panel, "hours", unit="municipality", time="year", treated=0, start=2015,
    ...                        dose="cases")
    >>> bool(abs(res.estimate + 0.1) < 0.02), res.identification["treated_share"] > 0.5
    (True, True)
    """
    if inference is not None:
        _check_option("inference", inference, ("cluster", "placebo", "conley-taber"))
    _check_option("variation", variation, get_args(Variation))
    others = [c for c in ([cycle] if cycle else []) + list(covariates or [])]
    if isinstance(data, pd.DataFrame):
        require_columns(data, {"unit": unit, "time": time, "group": group})
    _check_dose_column(data, dose, group or unit, others)
    with_dose = [*(covariates or []), dose]
    design, cycle_method, engine_path = engine_design(
        data, engine=engine, client=client, inference=inference, cycle=cycle, cycle_method=cycle_method,
        covariates=with_dose, alpha=alpha, movers=movers, cycle_panel=cycle_panel,
        roles=dict(outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group,
                   cluster=cluster, weights=weights, comparison=comparison),
    )
    if isinstance(design, PanelDesign):  # the rows' design (cell statistics exist only for a cell-constant dose)
        _check_cells_constant(design, design.regressor_names.index(dose), data, dose, group or unit, time)
    if len(design.treated_groups) != 1:
        raise DataError(f"treated={treated!r} names {len(design.treated_groups)} groups; dose_response moves one "
                        "treated group's dose path: pass one treated group (several adopters: hj.staggered_did)")
    column = design.regressor_names.index(dose)
    cluster_by = cluster or group or unit
    if variation == "all":
        fit, offer, cells, by_group, kept = _all_groups_fit(design, column, cluster_by)
        slope = float(offer.coef[0])
    else:
        fit, offer, cells = _treated_fit(design, column, cluster_by, dose)
        slope = float(fit.coef[0])
        by_group = np.zeros(design.n_groups)
        by_group[design.treated_groups] = 1.0
        kept = {}
    options = inference_options(inference, offer, alpha=alpha, seed=seed, draws=draws,
                                size_correction=size_correction)
    target = Target(np.ones(1), np.zeros(1), np.ones(1))
    outcome_ = infer(offer, [target], options)
    record = outcome_.records[0]
    ci = (float(record.ci[0]), float(record.ci[1]))
    path, levels = _path(design, cells, fit.projector.cell_weight, slope, ci)
    covariance = kept.get("raw") if variation == "all" else outcome_.covariance
    other_terms = _other_terms(fit, covariance, alpha)
    if len(other_terms):
        other_terms = other_terms[other_terms["term"] != dose].reset_index(drop=True)
    provenance = provenance_record(design, seed, cycle_method=cycle_method, dose=dose, variation=variation,
                                   **engine_path)
    if options.method != "cluster":
        provenance["draws"] = record.draws
        provenance["degenerate_draws"] = record.degenerate
        provenance["exact_enumeration"] = record.exact
    return DoseResult(
        estimate=record.estimate, se=record.se, ci=ci, pvalue=float(record.pvalue), n_obs=design.n_obs,
        alpha=alpha, inference=record, method="dose_response", outcome=outcome, treated=design.treated_label(),
        start=design.period_labels[design.start], comparison=design.comparison, dose=dose,
        identification=_identification(design, by_group, dose, levels, variation), path=path,
        other_terms=other_terms,
        placebo=placebo_series(outcome_.placebo, target),
        placebo_errors=placebo_errors(outcome_.placebo, [target], [record.estimate], [dose])[dose],
        provenance=provenance,
    )
