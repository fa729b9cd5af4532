"""The regression kernel reproduces published DiD numbers on public data.

Card & Krueger (1994, AER 84(4), Table 3) and California's Proposition 99
(Arkhangelsky et al. 2021, AER 111(12), Table 1, DiD column), with the
reference values of ``../shared/validation/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hjeval.regression import fit

# The references are printed to 6 decimals; agreement to 1e-6 absolute is all they can show.
PUBLISHED_ATOL = 1e-6


@pytest.fixture(scope="module")
def card_krueger_long(validation_dir: Path) -> pd.DataFrame:
    """One row per store and wave with a non-missing FTE count.

    ``fte = empft + nmgrs + 0.5 * emppt`` (C&K Table 3). The six permanently
    closed stores carry wave-2 employment 0 in the file and stay in; the four
    temporarily closed stores have missing wave-2 counts and drop out of wave 2.
    """
    wide = pd.read_csv(validation_dir / "card_krueger_njmin_wide.csv")
    waves = []
    for after, suffix in ((0, ""), (1, "2")):
        fte = wide[f"empft{suffix}"] + wide[f"nmgrs{suffix}"] + 0.5 * wide[f"emppt{suffix}"]
        waves.append(pd.DataFrame({"store": wide["sheet"], "nj": wide["state"], "after": after, "fte": fte}))
    return pd.concat(waves, ignore_index=True).dropna(subset=["fte"]).reset_index(drop=True)


def test_card_krueger_all_available_stores(card_krueger_long: pd.DataFrame) -> None:
    """Pooled OLS of fte on 1, NJ, after, NJ x after; CR1 clustered by store.

    Sample: every store-wave with a non-missing FTE (794 rows, 410 stores).
    Convention that reproduces 2.753606 (1.306607): CR1 with
    ``G/(G-1) * (n-1)/(n-K)``, K = 4 coefficients (fixest/pyfixest default).
    """
    data = card_krueger_long
    design = np.column_stack([np.ones(len(data)), data["nj"], data["after"], data["nj"] * data["after"]])
    res = fit(data["fte"], design, cluster=data["store"], vcov="CR1", names=["const", "nj", "after", "did"])
    assert (res.n_obs, res.n_clusters) == (794, 410)
    assert res.coef[3] == pytest.approx(2.753606, abs=PUBLISHED_ATOL)
    assert res.se[3] == pytest.approx(1.306607, abs=PUBLISHED_ATOL)


def test_card_krueger_balanced_two_way_fixed_effects(card_krueger_long: pd.DataFrame) -> None:
    """Store and wave fixed effects on the balanced panel; CR1 clustered by store.

    Sample: the 384 stores with an FTE count in both waves (768 rows) -- the
    same rows pyfixest keeps after dropping singletons from all available
    stores. Convention that reproduces 2.750000 (1.337723): fixest's
    ``G/(G-1) * (n-1)/(n-K)`` where the store effects, nested in the store
    clusters, count as one parameter: K = 1 (NJ x after) + 384 + 2 - 1
    (store and wave effects) - 384 + 1 = 3.

    Two conventions that do not reproduce it: keeping the 26 one-wave stores
    (R fixest's default, n = 794, G = 410) gives 1.337555; counting every
    store effect in K (K = 386) gives 1.893064.
    """
    data = card_krueger_long
    balanced = data[data.groupby("store")["fte"].transform("size") == 2]
    res = fit(
        balanced["fte"], (balanced["nj"] * balanced["after"]).to_numpy(),
        fixed_effects=[balanced["store"], balanced["after"]], cluster=balanced["store"], vcov="CR1",
    )
    assert (res.n_obs, res.n_clusters, res.n_params) == (768, 384, 3)
    assert res.coef[0] == pytest.approx(2.75, abs=PUBLISHED_ATOL)
    assert res.se[0] == pytest.approx(1.337723, abs=PUBLISHED_ATOL)

    every_store_counted = res.vcov[0, 0] / res.small_sample * (384 / 383) * (767 / (768 - 1 - 385))
    assert np.sqrt(every_store_counted) == pytest.approx(1.893064, abs=PUBLISHED_ATOL)
    unbalanced = fit(
        data["fte"], (data["nj"] * data["after"]).to_numpy(),
        fixed_effects=[data["store"], data["after"]], cluster=data["store"], vcov="CR1",
    )
    assert unbalanced.coef[0] == pytest.approx(2.75, abs=PUBLISHED_ATOL)
    assert unbalanced.se[0] == pytest.approx(1.337555, abs=PUBLISHED_ATOL)


def test_proposition_99_two_way_fixed_effects(validation_dir: Path) -> None:
    """State and year fixed effects, treated = California from 1989: -27.349111."""
    data = pd.read_csv(validation_dir / "california_prop99.csv")
    res = fit(
        data["PacksPerCapita"], data["treated"].to_numpy(dtype=float),
        fixed_effects=[data["State"], data["Year"]], cluster=data["State"], vcov="CR1",
    )
    assert (res.n_obs, res.n_clusters) == (1209, 39)
    assert res.coef[0] == pytest.approx(-27.349111, abs=PUBLISHED_ATOL)
