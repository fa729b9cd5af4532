"""Effects by subgroup: levels equal separate DiDs, adjusted p-values, the joint test, suppression, bad input."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

import hjeval as hj
from hjeval.errors import HjevalWarning
from hjeval.results.subgroups import SubgroupsResult

TRUE_EFFECTS = {"f": 3.0, "m": 1.0}
SPEC = dict(unit="person", group="municipality", time="year", treated=0, start=2015)


def subgroup_panel(seed: int = 4, municipalities: int = 25, per_municipality: int = 40) -> pd.DataFrame:
    """Persons nested in municipalities, yearly, with an effect by sex in municipality 0 and a tiny level."""
    rng = np.random.default_rng(seed)
    persons = municipalities * per_municipality
    person = np.repeat(np.arange(persons), 8)
    year = np.tile(np.arange(2011, 2019), persons)
    muni = person // per_municipality
    sex = np.where(person % 2 == 0, "f", "m")
    # a handful of persons in band "80+", only 3 of them in the treated municipality
    band = np.where(person % per_municipality < 3, "80+", np.where(person % 3 == 0, "young", "old"))
    shock = rng.normal(scale=0.3, size=(municipalities, 8))[muni, year - 2011]
    effect = np.vectorize(TRUE_EFFECTS.get)(sex) * ((muni == 0) & (year >= 2015))
    hours = rng.normal(size=persons)[person] + 0.2 * (year - 2011) + shock + effect + rng.normal(size=len(person))
    return pd.DataFrame({"person": person, "municipality": muni, "year": year, "sex": sex, "band": band,
                         "unemployment": rng.normal(size=(municipalities, 8))[muni, year - 2011], "hours": hours})


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return subgroup_panel()


@pytest.fixture(scope="module")
def by_sex(panel: pd.DataFrame) -> SubgroupsResult:
    return hj.subgroups(panel, "hours", **SPEC, by="sex", cycle="unemployment")


def test_frame_columns_and_persons(by_sex: SubgroupsResult, panel: pd.DataFrame) -> None:
    table = by_sex.to_frame()
    assert list(table.columns[:1]) == ["sex"]
    for col in ("estimate", "ci_low", "ci_high", "p_value", "p_adjusted", "persons", "suppressed"):
        assert col in table.columns
    treated = panel[panel.municipality == 0]
    assert table.set_index("sex")["persons"].to_dict() == treated.groupby("sex")["person"].nunique().to_dict()


@pytest.mark.parametrize("inference", ["placebo", "cluster", "conley-taber"])
def test_each_level_equals_did_on_its_rows(panel: pd.DataFrame, inference: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HjevalWarning)
        sg = hj.subgroups(panel, "hours", **SPEC, by="sex", cycle="unemployment", inference=inference)
        for level, row in sg.to_frame().set_index("sex").iterrows():
            alone = hj.did(panel[panel.sex == level].copy(), "hours", **SPEC, cycle="unemployment",
                           inference=inference)
            assert row["estimate"] == pytest.approx(alone.estimate, abs=1e-10)
            assert row["se"] == pytest.approx(alone.se, abs=1e-10)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx(alone.ci, abs=1e-10)
            assert row["p_value"] == pytest.approx(alone.pvalue, abs=1e-12)
        overall = hj.did(panel, "hours", **SPEC, cycle="unemployment", inference=inference)
    assert sg.estimate == pytest.approx(overall.estimate, abs=1e-10)


@pytest.mark.parametrize("adjust, method", [("holm", "holm"), ("bh", "fdr_bh")])
def test_adjustment_equals_multipletests(panel: pd.DataFrame, adjust: str, method: str) -> None:
    sg = hj.subgroups(panel, "hours", **SPEC, by=["sex", "band"], adjust=adjust, min_persons=4)  # type: ignore[arg-type]
    table = sg.to_frame()
    estimated = table[~table.suppressed]
    expected = multipletests(estimated["p_value"].to_numpy(), alpha=0.05, method=method)[1]
    np.testing.assert_allclose(estimated["p_adjusted"].to_numpy(), expected, rtol=0, atol=1e-15)
    unadjusted = hj.subgroups(panel, "hours", **SPEC, by=["sex", "band"], adjust=None, min_persons=4)
    frame = unadjusted.to_frame()
    np.testing.assert_array_equal(frame["p_adjusted"].dropna(), frame["p_value"].dropna())


def test_placebo_joint_test_equals_independent_permutation(panel: pd.DataFrame) -> None:
    sg = hj.subgroups(panel, "hours", **SPEC, by="band", min_persons=1)
    fits = {level: hj.did(panel[panel.band == level], "hours", **SPEC) for level in sorted(panel.band.unique())}
    errors = pd.DataFrame({level: fit.placebo_errors for level, fit in fits.items()}).dropna()
    tau = np.array([fit.estimate for fit in fits.values()])
    w = np.array([1 / fit.se**2 for fit in fits.values()])

    def wald(values: np.ndarray) -> float:
        mean = np.sum(w * values) / np.sum(w)
        return float(np.sum(w * (values - mean) ** 2))

    observed = wald(tau)
    null = np.array([wald(row) for row in errors.to_numpy()])
    expected_p = (1 + np.sum(null >= observed - 1e-12 * observed)) / (len(null) + 1)
    assert sg.joint_test["method"] == "placebo"
    assert sg.joint_test["statistic"] == pytest.approx(observed, rel=1e-10)
    assert sg.joint_test["pvalue"] == pytest.approx(expected_p, abs=1e-12)
    assert sg.joint_test["draws"] == len(errors) == 24


def test_cluster_joint_test_equals_independent_wald(panel: pd.DataFrame) -> None:
    """Wald with the stacked CR1 covariance, the influence functions from a dummy-variable OLS per level."""
    cells = panel.groupby(["municipality", "year", "sex"], as_index=False)["hours"].mean()
    spec = dict(unit="municipality", time="year", treated=0, start=2015, inference="cluster")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HjevalWarning)
        sg = hj.subgroups(cells.assign(n=40.0), "hours", **spec, by="sex", weights="n")
    influence, tau, ses = [], [], []
    for level in ("f", "m"):
        part = cells[cells.sex == level]
        x = np.column_stack([
            ((part.municipality == 0) & (part.year >= 2015)).to_numpy(float),
            pd.get_dummies(part.municipality, dtype=float).to_numpy(),
            pd.get_dummies(part.year, dtype=float).to_numpy()[:, 1:],
        ])
        y = part.hours.to_numpy()
        bread = np.linalg.pinv(x.T @ x)
        coef = bread @ x.T @ y
        resid = y - x @ coef
        scores = np.array([(x[part.municipality.to_numpy() == g].T @ resid[part.municipality.to_numpy() == g])
                           for g in range(25)])
        psi = scores @ bread[0]
        n, k = len(y), 1 + 8  # fixest's K: municipality effects nested in the clusters count as none
        g = 25
        tau.append(coef[0])
        ses.append(np.sqrt(g / (g - 1) * (n - 1) / (n - k) * psi @ psi))
        influence.append(psi)
    psi = np.column_stack(influence)
    cross = psi.T @ psi
    corr = cross / np.sqrt(np.outer(np.diag(cross), np.diag(cross)))
    vcov = corr * np.outer(ses, ses)
    diff = tau[0] - tau[1]
    statistic = diff**2 / (vcov[0, 0] + vcov[1, 1] - 2 * vcov[0, 1])
    table = sg.to_frame().set_index("sex")
    np.testing.assert_allclose(table["estimate"], tau, atol=1e-10)
    np.testing.assert_allclose(table["se"], ses, rtol=1e-8)
    assert sg.joint_test["method"] == "wald"
    assert sg.joint_test["statistic"] == pytest.approx(statistic, rel=1e-8)
    assert sg.joint_test["pvalue"] == pytest.approx(stats.f.sf(statistic, 1, 24), rel=1e-8)


def test_small_levels_are_suppressed_and_counted(panel: pd.DataFrame) -> None:
    sg = hj.subgroups(panel, "hours", **SPEC, by="band")
    table = sg.to_frame().set_index("band")
    small = table.loc["80+"]
    assert bool(small["suppressed"]) and pd.isna(small["persons"])
    assert small[["estimate", "ci_low", "ci_high", "p_value", "p_adjusted"]].isna().all()
    assert "80+" not in sg.levels and set(sg.levels) == {"old", "young"}
    assert sg.provenance["levels_suppressed"] == 1
    assert sg.provenance["subgroup_exclusions"][0]["rows"] == int((panel.band == "80+").sum())
    assert "1 suppressed" in sg.summary()
    figure = sg.plot(language="da")
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[-1] == "Alle" and "80+" in labels
    assert any("færre end 5 personer" in t.get_text() for t in figure.axes[0].texts)


def test_known_subgroup_effects_are_recovered(by_sex: SubgroupsResult) -> None:
    table = by_sex.to_frame().set_index("sex")
    for level, truth in TRUE_EFFECTS.items():
        assert table.loc[level, "ci_low"] <= truth <= table.loc[level, "ci_high"]
    assert by_sex.joint_test["pvalue"] <= 0.05  # 3 against 1 hour: the levels differ


def test_input_is_not_mutated(panel: pd.DataFrame) -> None:
    before = panel.copy()
    hj.subgroups(panel, "hours", **SPEC, by=["sex", "band"])
    pd.testing.assert_frame_equal(panel, before)


def test_unknown_by_column(panel: pd.DataFrame) -> None:
    with pytest.raises(hj.DataError, match=r"by: column\(s\) \['gender'\] not in the data; the data has"):
        hj.subgroups(panel, "hours", **SPEC, by="gender")
    with pytest.raises(hj.DataError, match="by='year' is already the time column"):
        hj.subgroups(panel, "hours", **SPEC, by="year")


def test_bad_adjust(panel: pd.DataFrame) -> None:
    with pytest.raises(hj.DataError, match=r"adjust='bonferroni' is not one of \['holm', 'bh', None\]"):
        hj.subgroups(panel, "hours", **SPEC, by="sex", adjust="bonferroni")  # type: ignore[arg-type]


def test_missing_level_values_name_column_rows_and_fix(panel: pd.DataFrame) -> None:
    broken = panel.copy()
    broken.loc[[7, 12], "sex"] = None
    with pytest.raises(hj.DataError, match=r"column 'sex' has missing values in rows 7, 12 .*give those rows a level"):
        hj.subgroups(broken, "hours", **SPEC, by="sex")


def test_aggregated_panel_without_person_counts(panel: pd.DataFrame) -> None:
    cells = panel.groupby(["municipality", "year", "sex"], as_index=False)["hours"].mean()
    with pytest.raises(hj.DataError, match=r"needs the number of persons.*pass a person-level unit= or weights="):
        hj.subgroups(cells, "hours", unit="municipality", time="year", treated=0, start=2015, by="sex")


def test_true_subgroup_effects_on_the_synthetic_data_lie_in_their_intervals(synthetic_region: Path) -> None:
    truth = json.loads((synthetic_region / "truth.json").read_text(encoding="utf-8"))["subgroup_effects"]
    hours = hj.load_hours(synthetic_region / "hours_person_month.parquet")
    rows = hours[hours["benefit_group"] == "activity_ready_cash"]
    rows = hj.attach(rows, hj.load_cycle(synthetic_region / "cycle.csv"), "unemployment_rate")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        result = hj.subgroups(rows, "hours", unit="person_id", group="municipality", time="month", treated=860,
                              start="2015-01", by="sex", cycle="unemployment_rate")
    table = result.to_frame().set_index("sex")
    for sex in ("F", "M"):
        true = truth["activity_ready_cash"]["sex"][sex]["hours_per_month"]
        assert table.loc[sex, "ci_low"] <= true <= table.loc[sex, "ci_high"], (sex, true, table.loc[sex].to_dict())
