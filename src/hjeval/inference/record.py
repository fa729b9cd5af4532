"""The structured record every inference strategy returns, and the options that choose one.

Results carry an :class:`InferenceRecord`; the report and the summaries read
its fields (method, draws, size correction, ...) and never parse a label.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, fields
from typing import Literal, get_args

from hjeval.errors import DataError

__all__ = ["InferenceMethod", "InferenceOptions", "InferenceRecord", "SizeCorrection"]

InferenceMethod = Literal["cluster", "placebo", "conley-taber", "wild-bootstrap"]

SizeMeasure = Literal["persons", "weight sum", "rows"]

Reason = Literal["sizes differ", "equal sizes", "switched off", "no variance model", "not offered"]


@dataclass(frozen=True)
class SizeCorrection:
    """The fitted variance model ``Var(W_j) = A + B / M_j`` of the size correction.

    ``W_j`` is the estimator applied to group ``j``'s residuals (its residual
    difference-in-differences), ``M_j`` the group's size. ``A`` and ``B`` are
    fitted on the comparison groups by least squares of ``W_j^2`` on ``1`` and
    ``1 / M_j`` (Ferman and Pinto 2019), kept non-negative and reweighted by
    the fitted variances. Each comparison statistic
    is then rescaled by ``sqrt(Var(treated) / Var(j))``: to what it would be
    had the group been as large as the treated one.

    Attributes
    ----------
    applied : bool
        Whether the rescaling was used.
    reason : {"sizes differ", "equal sizes", "switched off", "no variance model", "not offered"}
        Why it was or was not applied.
    measure : {"persons", "weight sum", "rows"}
        What ``M_j`` counts: distinct fixed-effect units (persons), the sum
        of ``weights=``, or rows.
    intercept, slope : float
        ``A`` (variance not shrinking with size, e.g. municipality shocks) and
        ``B`` (sampling variance per person); NaN when not fitted.
    treated_size : float
        ``M`` of the treated group(s).
    size_range : tuple of float
        Smallest and largest ``M_j`` among all groups.
    fitted_groups : int
        Comparison groups the model was fitted on.
    """

    applied: bool
    reason: Reason
    measure: SizeMeasure
    intercept: float = math.nan
    slope: float = math.nan
    treated_size: float = math.nan
    size_range: tuple[float, float] = (math.nan, math.nan)
    fitted_groups: int = 0

    def variance(self, size: float) -> float:
        """The model's variance for a group of ``size``.

        Examples
        --------
        >>> SizeCorrection(True, "sizes differ", "persons", 1.0, 50.0).variance(25.0)
        3.0
        """
        return self.intercept + self.slope / size


@dataclass(frozen=True)
class InferenceRecord:
    """How the uncertainty of one estimate was obtained, and its numbers.

    Attributes
    ----------
    method : {"cluster", "placebo", "conley-taber", "wild-bootstrap"}
    estimate, se, pvalue : float
        ``se`` is, for ``"cluster"`` and ``"wild-bootstrap"``, the CR1 or CR2
        standard error; for ``"placebo"`` the standard deviation of the placebo
        estimates with the estimated effect removed, and for ``"conley-taber"``
        that of the comparison groups' residual estimates, both after the size
        correction where applied (so that ``estimate +- 1.96 se`` is close to
        the exact interval).
    ci : tuple of float
        Interval at level ``1 - alpha``; ends are infinite where the test
        cannot reject at ``alpha`` with the draws available.
    alpha : float
    draws : int
        Re-assignments (placebo), comparison draws (Conley-Taber) or
        bootstrap draws; 0 for ``"cluster"``.
    exact : bool
        Every re-assignment enumerated (placebo and Conley-Taber with one
        treated group), not drawn at random.
    seed : int or None
        Seed of the random draws, where any were made.
    degenerate : int
        Re-assignments left out because the effect cannot be estimated there.
    clusters, treated_clusters : int
    df : float
        Degrees of freedom of the t reference (``"cluster"``), else NaN.
    vcov : str
        ``"CR1"`` or ``"CR2"`` where a cluster covariance was used, else "".
    bootstrap_weights : str
        ``"webb"`` or ``"rademacher"`` for the wild bootstrap, else "".
    size_correction : SizeCorrection or None
        The fitted variance model (placebo and Conley-Taber), else None.
    cluster_by : str
        The cluster column.
    notes : tuple of str
        Anything a reader should know (few treated clusters, an unbounded interval).
    """

    method: InferenceMethod
    estimate: float
    se: float
    ci: tuple[float, float]
    pvalue: float
    alpha: float
    draws: int = 0
    exact: bool = False
    seed: int | None = None
    degenerate: int = 0
    clusters: int = 0
    treated_clusters: int = 0
    df: float = math.nan
    vcov: str = ""
    bootstrap_weights: str = ""
    size_correction: SizeCorrection | None = None
    cluster_by: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def size_corrected(self) -> bool:
        """Whether the size correction was applied."""
        return self.size_correction is not None and self.size_correction.applied

    @property
    def label(self) -> str:
        """The method in a line of English, e.g. ``"placebo permutation over 97 re-assignments"``.

        Examples
        --------
        >>> InferenceRecord("placebo", 1.0, 0.5, (0.1, 2.0), 0.04, 0.05, draws=29, exact=True).label
        'placebo permutation over 29 re-assignments'
        """
        corrected = ", size-corrected" if self.size_corrected else ""
        if self.method == "placebo":
            return f"placebo permutation over {self.draws} re-assignments" + (
                "" if self.exact else " (random)") + corrected
        if self.method == "conley-taber":
            return f"Conley-Taber over {self.draws} comparison " + (
                "groups" if self.exact else "draws") + corrected
        if self.method == "wild-bootstrap":
            return (f"wild cluster bootstrap (restricted, {self.bootstrap_weights}, {self.draws} draws, "
                    f"{self.clusters} clusters)")
        if self.vcov == "influence function":
            return f"influence-function standard errors clustered by {self.cluster_by} ({self.clusters} clusters)"
        return f"cluster-robust {self.vcov} by {self.cluster_by} ({self.clusters} clusters, t({self.df:.4g}))"

    def __str__(self) -> str:
        return self.label

    def to_dict(self) -> dict[str, object]:
        """The record as plain JSON-ready values (non-finite numbers as None).

        Examples
        --------
        >>> InferenceRecord("placebo", 1.0, 0.5, (0.1, math.inf), 0.04, 0.05, draws=29).to_dict()["ci"]
        [0.1, None]
        """
        def plain(value: object) -> object:
            if isinstance(value, float):
                return value if math.isfinite(value) else None
            if isinstance(value, tuple):
                return [plain(v) for v in value]
            if isinstance(value, SizeCorrection):
                return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
            return value

        out = {f.name: plain(getattr(self, f.name)) for f in fields(self)}
        out["label"] = self.label
        return out


@dataclass(frozen=True)
class InferenceOptions:
    """The inference choices of an estimator call, checked when made.

    Attributes
    ----------
    method : {"cluster", "placebo", "conley-taber", "wild-bootstrap"}
    alpha : float
    seed : int
    draws : int
        Random re-assignments (several treated groups) or bootstrap draws.
    size_correction : bool
        Correct placebo and Conley-Taber for unequal group sizes.
    bootstrap_weights : {"webb", "rademacher"}
    vcov : {"CR1", "CR2"}

    Examples
    --------
    >>> InferenceOptions("placebo", alpha=0.1).alpha
    0.1
    >>> InferenceOptions("bootstrap")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hjeval.errors.DataError: inference='bootstrap' is not one of ['cluster', 'placebo', ...]
    """

    method: InferenceMethod
    alpha: float = 0.05
    seed: int = 0
    draws: int = 999
    size_correction: bool = True
    bootstrap_weights: Literal["webb", "rademacher"] = "webb"
    vcov: Literal["CR1", "CR2"] = "CR1"

    def __post_init__(self) -> None:
        _check("inference", self.method, get_args(InferenceMethod))
        _check("bootstrap_weights", self.bootstrap_weights, ("webb", "rademacher"))
        _check("vcov", self.vcov, ("CR1", "CR2"))
        if isinstance(self.alpha, bool) or not isinstance(self.alpha, int | float) or not 0 < self.alpha < 1:
            raise DataError(f"alpha must be a number between 0 and 1, not {self.alpha!r}")
        if isinstance(self.draws, bool) or not isinstance(self.draws, numbers.Integral) or self.draws < 1:
            raise DataError(f"draws must be a positive whole number, not {self.draws!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral):
            raise DataError(f"seed must be a whole number, not {self.seed!r}")
        if not isinstance(self.size_correction, bool):
            raise DataError(f"size_correction must be True or False, not {self.size_correction!r}")


def _check(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise DataError(f"{name}={value!r} is not one of {list(allowed)}")
