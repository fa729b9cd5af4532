"""The business cycle: national unemployment and each municipality's local economy.

National registered unemployment follows yearly means from about 6 % in
2010-2012 to 3.7 % in 2019, with a seasonal peak in January. A
municipality's rate is ``level + sensitivity * (national - national mean) +
local AR(1) shock``; the rounded rate written to ``cycle.csv`` is the one that
drives hours, exits and entries, so an adjustment for the published local
unemployment can remove the cycle exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hjeval.synthetic.params import CYCLE, HJORRING, MONTHS, month_index

__all__ = ["LocalEconomy", "local_economy", "national_unemployment"]


def _yearly_mean_path(yearly: tuple[float, ...]) -> np.ndarray:
    """Monthly path through mid-year points whose yearly means equal ``yearly``."""
    months = np.arange(MONTHS, dtype=float)
    mid = 12.0 * np.arange(len(yearly)) + 5.5
    path = np.interp(months, mid, np.asarray(yearly))
    by_year = path.reshape(len(yearly), 12)
    return (by_year - by_year.mean(axis=1, keepdims=True) + np.asarray(yearly)[:, None]).ravel()


def national_unemployment(rng: np.random.Generator) -> np.ndarray:
    """National registered unemployment rate (percent) for 2010-01 .. 2019-12.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws the small month-to-month noise.

    Returns
    -------
    numpy.ndarray
        120 monthly rates, rounded to 3 decimals.

    Examples
    --------
    >>> import numpy as np
    >>> rates = national_unemployment(np.random.default_rng(1))
    >>> round(float(rates[:36].mean()), 1), round(float(rates[-12:].mean()), 1)
    (6.0, 3.7)
    """
    seasonal = CYCLE.seasonal_amplitude * np.cos(2 * np.pi * np.arange(MONTHS) / 12)
    noise = rng.normal(0.0, CYCLE.national_noise_sd, MONTHS)
    return np.round(_yearly_mean_path(CYCLE.national_yearly) + seasonal + noise, 3)


@dataclass(frozen=True)
class LocalEconomy:
    """One municipality's labour market in the synthetic world.

    Attributes
    ----------
    code : int
    level : float
        Average unemployment rate (percent) over 2010-2019 apart from shocks.
    sensitivity : float
        Points of local unemployment per point of national deviation.
    unemployment : numpy.ndarray
        Monthly local rate (percent, rounded to 3 decimals).
    hours_level : float
        Multiplier of recipients' work probability (mean 1 across municipalities).
    exit_level : float
        Multiplier of exit rates (mean 1).
    employees : numpy.ndarray
        Monthly full-time employees living in the municipality.
    """

    code: int
    level: float
    sensitivity: float
    unemployment: np.ndarray
    hours_level: float
    exit_level: float
    employees: np.ndarray

    @property
    def deviation(self) -> np.ndarray:
        """Local unemployment minus the municipality's level (points)."""
        return self.unemployment - self.level


def _mean_one_lognormal(rng: np.random.Generator, sd: float) -> float:
    return float(np.exp(rng.normal(-0.5 * sd**2, sd)))


def _employees(
    code: int, population: int, deviation: np.ndarray
) -> np.ndarray:
    years = np.arange(MONTHS) / 12.0
    if code == HJORRING:
        before, after = CYCLE.hjorring_employment_trend
        cut = month_index(2015, 1) / 12.0
        log_trend = np.where(years < cut, before * years, before * cut + after * (years - cut))
    else:
        log_trend = CYCLE.employment_growth * years
    rate = CYCLE.employment_rate * (1.0 - 0.9 * deviation / 100.0)
    return np.round(population * rate * np.exp(log_trend))


def local_economy(
    code: int, population: int, national: np.ndarray, rng: np.random.Generator
) -> LocalEconomy:
    """Draw a municipality's level, sensitivity and monthly unemployment.

    Parameters
    ----------
    code : int
        Municipality code.
    population : int
        Inhabitants (sets employees and the size of local shocks).
    national : numpy.ndarray
        National rate from :func:`national_unemployment`.
    rng : numpy.random.Generator
        The municipality's own generator.

    Returns
    -------
    LocalEconomy

    Examples
    --------
    >>> import numpy as np
    >>> nat = national_unemployment(np.random.default_rng(1))
    >>> econ = local_economy(860, 65_000, nat, np.random.default_rng(2))
    >>> econ.sensitivity, econ.level
    (2.2, 5.5)
    """
    draw_level = float(np.clip(rng.normal(float(national.mean()), CYCLE.level_sd),
                               *CYCLE.level_bounds))
    draw_sens = float(np.clip(rng.normal(CYCLE.sensitivity_mean, CYCLE.sensitivity_sd),
                              *CYCLE.sensitivity_bounds))
    draw_hours = _mean_one_lognormal(rng, CYCLE.hours_level_sd)
    draw_exit = _mean_one_lognormal(rng, CYCLE.exit_level_sd)
    level = CYCLE.fixed_level.get(code, draw_level)
    sensitivity = CYCLE.fixed_sensitivity.get(code, draw_sens)
    hours_level, exit_level = (1.0, 1.0) if code == HJORRING else (draw_hours, draw_exit)

    shock_sd = float(np.clip(CYCLE.local_noise_sd * np.sqrt(50_000 / population), 0.04, 0.3))
    innovations = rng.normal(0.0, shock_sd, MONTHS)
    shock = np.empty(MONTHS)
    shock[0] = innovations[0] / np.sqrt(1 - CYCLE.local_ar**2)
    for t in range(1, MONTHS):
        shock[t] = CYCLE.local_ar * shock[t - 1] + innovations[t]
    rate = level + sensitivity * (national - national.mean()) + shock
    unemployment = np.round(np.maximum(rate, 0.5), 3)
    return LocalEconomy(
        code=code,
        level=level,
        sensitivity=sensitivity,
        unemployment=unemployment,
        hours_level=hours_level,
        exit_level=exit_level,
        employees=_employees(code, population, unemployment - level),
    )

