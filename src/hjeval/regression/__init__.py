"""The regression kernel: fixed-effect absorption, weighted least squares, covariances.

Plain numpy arrays in, frozen results out; estimators build on :func:`fit`
and, to reuse one design across many columns (placebo treatments), on
:class:`FixedEffects`.

Examples
--------
>>> import numpy as np
>>> from hjeval.regression import fit
>>> x = np.column_stack([np.ones(5), np.arange(5.0)])
>>> res = fit(2.0 + 3.0 * np.arange(5.0), x, vcov="iid")
>>> np.round(res.coef, 6).tolist()
[2.0, 3.0]
"""

from hjeval.regression.covariance import VCOV_ESTIMATORS, Covariance, CovarianceInput, FeCount, VcovType
from hjeval.regression.encoding import encode, singleton_rows
from hjeval.regression.fixed_effects import DemeanInfo, FixedEffects, demean
from hjeval.regression.wls import FitResult, fit

__all__ = [
    "VCOV_ESTIMATORS",
    "Covariance",
    "CovarianceInput",
    "DemeanInfo",
    "FeCount",
    "FitResult",
    "FixedEffects",
    "VcovType",
    "demean",
    "encode",
    "fit",
    "singleton_rows",
]
