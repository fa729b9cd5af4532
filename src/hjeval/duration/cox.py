"""A stratified Cox model of the exit hazard, fitted from counts by duration.

The model of :func:`hjeval.duration.duration_did` has a baseline exit hazard
per municipality (strata), a window term (spells starting after the start)
and the treated municipality's window term: ``h_g(t | after) = h_g0(t)
exp(b1 after + b2 after treated_g)``. With Breslow's handling of tied
durations its partial likelihood depends on the data only through, per
stratum and duration, the events and the risk sets of the two windows, so it
is fitted from the counts the Kaplan-Meier curves use, exactly as a fit on
the individual spells (statsmodels ``PHReg(..., strata=..., ties="breslow")``).

Within stratum ``g`` only ``theta_g = b1 + b2 treated_g`` enters, so ``b2``
is the treated stratum's own ``theta`` less the ``b1`` of the other strata:
each is a one-dimensional concave problem, solved by Newton's method for
many sets of strata at once (the placebo re-assignments).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = ["common_log_hazard_ratio", "phreg_log_hazard_ratio"]

_MAX_ITERATIONS = 100
_MAX_STEP = 3.0
_TOLERANCE = 1e-11
_BOUND = 40.0


def common_log_hazard_ratio(
    masks: np.ndarray, events_before: np.ndarray, events_after: np.ndarray, at_risk_before: np.ndarray,
    at_risk_after: np.ndarray,
) -> np.ndarray:
    """The log hazard ratio after/before shared by the strata of each set, by Breslow's partial likelihood.

    Parameters
    ----------
    masks : numpy.ndarray of bool, shape (S, G)
        Row ``s`` selects the strata that share the coefficient.
    events_before, events_after, at_risk_before, at_risk_after : numpy.ndarray, shape (G, D + 1)
        Per stratum and duration: spells ending, and spells at risk, in each window.

    Returns
    -------
    numpy.ndarray, shape (S,)
        The coefficient; NaN where it is not identified (no events after, or
        only after, in the selected strata) or Newton's method did not settle.

    Examples
    --------
    >>> # one stratum, no ties across windows: exits at 1, 2 before, at 1, 3 after
    >>> e0, e1 = np.array([[0, 1, 1, 0]]), np.array([[0, 1, 0, 1]])
    >>> n0, n1 = np.array([[2, 2, 1, 0]]), np.array([[2, 2, 1, 1]])
    >>> round(float(common_log_hazard_ratio(np.ones((1, 1), bool), e0, e1, n0, n1)[0]), 4)
    -0.6931
    """
    masks = np.asarray(masks, dtype=np.float64)
    total = np.asarray(events_before, dtype=np.float64) + np.asarray(events_after, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(np.asarray(at_risk_after, dtype=np.float64)) - np.log(
            np.asarray(at_risk_before, dtype=np.float64))
    log_ratio = np.where(total > 0, log_ratio, 0.0)
    observed = masks @ np.asarray(events_after, dtype=np.float64).sum(axis=1)
    theta = np.zeros(masks.shape[0])
    settled = np.zeros(masks.shape[0], dtype=bool)
    information = np.zeros(masks.shape[0])
    for _ in range(_MAX_ITERATIONS):
        share = expit(theta[:, None, None] + log_ratio[None])
        expected = np.einsum("sg,gd,sgd->s", masks, total, share)
        information = np.einsum("sg,gd,sgd->s", masks, total, share * (1.0 - share))
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.clip((observed - expected) / information, -_MAX_STEP, _MAX_STEP)
        step = np.where(np.isfinite(step), step, 0.0)
        theta = theta + step
        settled = np.abs(step) < _TOLERANCE
        if settled.all():
            break
    identified = settled & (np.abs(theta) < _BOUND) & (observed > 0) & (information > 0)
    return np.where(identified, theta, np.nan)


def phreg_log_hazard_ratio(events: np.ndarray, censored: np.ndarray, treated: np.ndarray) -> float:
    """The treated municipality's log hazard ratio from statsmodels ``PHReg`` on the spells the counts hold.

    Parameters
    ----------
    events, censored : numpy.ndarray, shape (G, 2, D + 1)
        Per municipality, window (before, after) and survival time: spells
        ending and spells censored there.
    treated : numpy.ndarray of bool, shape (G,)

    Returns
    -------
    float
        ``b2`` of ``h_g(t) = h_g0(t) exp(b1 after + b2 after treated_g)``,
        stratified by municipality, Breslow ties.

    Examples
    --------
    >>> e = np.zeros((2, 2, 4)); c = np.zeros((2, 2, 4))
    >>> e[:, 0, 1:] = 5.0; e[1, 1, 1:] = 5.0; e[0, 1, 1] = 15.0
    >>> bool(phreg_log_hazard_ratio(e, c, np.array([True, False])) > 0)
    True
    """
    from statsmodels.duration.hazard_regression import PHReg

    g, w, d = np.indices(events.shape)
    counts = np.concatenate([events.ravel(), censored.ravel()]).astype(np.int64)
    status = np.repeat(np.r_[np.ones(events.size), np.zeros(censored.size)], counts)
    stratum = np.repeat(np.r_[g.ravel(), g.ravel()], counts)
    window = np.repeat(np.r_[w.ravel(), w.ravel()], counts).astype(np.float64)
    time = np.repeat(np.r_[d.ravel(), d.ravel()], counts).astype(np.float64)
    exog = np.column_stack([window, window * treated[stratum]])
    fit = PHReg(time, exog, status=status, strata=stratum, ties="breslow").fit()
    return float(fit.params[1])
