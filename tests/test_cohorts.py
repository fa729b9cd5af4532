"""Treated groups that start at different times: `start` as a mapping of group to start.

The two-way fits are compared with pyfixest on hand-built treatment columns
(1e-8), and the placebo algebra with a re-fit that treats each placebo set
with the starts handed over.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from hjeval.design.panel import build_design
from hjeval.errors import DataError

pf = pytest.importorskip("pyfixest")

pytestmark = pytest.mark.filterwarnings("ignore::hjeval.errors.HjevalWarning")

STARTS = {3: 2013, 7: 2015, 11: 2016}


def _panel(seed: int = 0, n_groups: int = 18, persons: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = [y for y in range(2008, 2020) if y != 2011]  # a year the data lacks
    rows = []
    for g in range(n_groups):
        level = rng.normal()
        for p in range(3 if persons else 1):
            person_level = rng.normal() if persons else 0.0
            for y in years:
                if persons and rng.random() < 0.15:
                    continue  # unbalanced
                start = STARTS.get(g)
                effect = 0.0 if start is None or y < start else 1.5 + 0.4 * (y - start)
                rows.append({"m": g, "pid": g * 10 + p, "year": y,
                             "cycle": 0.3 * np.sin(y + g) + rng.normal(scale=0.1),
                             "y": level + person_level + 0.2 * (y - 2008) + effect + rng.normal(scale=0.5)})
    return pd.DataFrame(rows)


def _treat_column(frame: pd.DataFrame, starts: dict[int, int]) -> np.ndarray:
    first = frame["m"].map(starts)
    return (first.notna() & (frame["year"] >= first)).to_numpy(dtype=float)


def test_design_holds_each_treated_groups_start() -> None:
    frame = _panel()
    design = build_design(frame, outcome="y", unit="m", time="year", treated=list(STARTS), start=STARTS)
    assert design.has_cohorts
    assert [design.period_labels[s].year for s in design.starts_of_treated()] == [2013, 2015, 2016]
    assert design.period_labels[design.start].year == 2013
    np.testing.assert_array_equal(design.treat, _treat_column(frame, STARTS).astype(bool))
    same = build_design(frame, outcome="y", unit="m", time="year", treated=[3, 7], start={3: 2015, 7: 2015})
    assert not same.has_cohorts and same.treated_starts is None


@pytest.mark.parametrize("persons", [False, True])
def test_did_with_cohorts_equals_pyfixest(persons: bool) -> None:
    frame = _panel(persons=persons)
    unit = "pid" if persons else "m"
    res = hj.did(frame, "y", unit=unit, group="m", time="year", treated=list(STARTS), start=STARTS,
                 cycle="cycle", inference="cluster")
    fixest = pf.feols(f"y ~ D + cycle | {unit} + year", data=frame.assign(D=_treat_column(frame, STARTS)),
                      vcov={"CRV1": "m"})
    assert res.estimate == pytest.approx(float(fixest.coef()["D"]), rel=1e-8)
    assert res.se == pytest.approx(float(fixest.se()["D"]), rel=1e-6)
    assert res.start == {3: pd.Period(2013, "Y"), 7: pd.Period(2015, "Y"), 11: pd.Period(2016, "Y")}


def test_event_study_with_cohorts_counts_from_each_groups_start() -> None:
    frame = _panel()
    window = (-3, 3)
    es = hj.event_study(frame, "y", unit="m", time="year", treated=list(STARTS), start=STARTS, window=window,
                        inference="cluster")
    first = frame["m"].map(STARTS)
    relative = (frame["year"] - first).clip(*window)
    dummies = {f"r{b + 10}": ((relative == b) & first.notna()).astype(float)
               for b in range(window[0], window[1] + 1) if b != -1}
    fixest = pf.feols(" + ".join(["y ~ " + next(iter(dummies)), *list(dummies)[1:]]) + " | m + year",
                      data=frame.assign(**dummies), vcov={"CRV1": "m"})
    table = es.to_frame().set_index("rel_time")
    for name in dummies:
        b = int(name[1:]) - 10
        assert table.loc[b, "estimate"] == pytest.approx(float(fixest.coef()[name]), rel=1e-8, abs=1e-10)
    # the truth: 1.5 + 0.4 r after each start, nothing before
    assert table.loc[2, "estimate"] == pytest.approx(2.3, abs=0.8)
    assert abs(table.loc[-3, "estimate"]) < 0.8


def test_placebo_hands_the_starts_to_the_reassigned_groups() -> None:
    frame = _panel(seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = hj.did(frame, "y", unit="m", time="year", treated=list(STARTS), start=STARTS, inference="placebo",
                     draws=40, seed=3, size_correction=False)
    placebo = res.placebo
    assert len(placebo) == 40
    ordered_starts = [STARTS[g] for g in sorted(STARTS)]
    orders = {tuple(sorted(labels)) != labels for labels in placebo.index}
    assert True in orders  # sets keep the random order that assigns the starts
    for labels in list(placebo.index)[:6]:
        starts = dict(zip(labels, ordered_starts, strict=True))
        if len(set(starts.values())) == 1:
            continue
        refit = hj.did(frame, "y", unit="m", time="year", treated=list(labels), start=starts, inference="cluster")
        assert placebo[labels] == pytest.approx(refit.estimate, rel=1e-9, abs=1e-12)
    again = hj.did(frame, "y", unit="m", time="year", treated=list(STARTS), start=STARTS, inference="placebo",
                   draws=40, seed=3, size_correction=False)
    assert again.pvalue == res.pvalue


def test_cohort_decomposition_adds_up() -> None:
    frame = _panel(seed=2)
    res = hj.did(frame, "y", unit="m", time="year", treated=list(STARTS), start=STARTS, inference="cluster")
    parts = res.decomposition
    assert parts["raw_change"] == pytest.approx(
        sum(v for k, v in parts.items() if k != "raw_change"), rel=1e-9, abs=1e-12)


def test_bad_start_mappings_are_refused() -> None:
    frame = _panel()
    with pytest.raises(DataError, match="one start for each treated group"):
        hj.did(frame, "y", unit="m", time="year", treated=[3, 7], start={3: 2013})
    with pytest.raises(DataError, match="one start for each treated group"):
        hj.did(frame, "y", unit="m", time="year", treated=[3], start={3: 2013, 7: 2015})
    with pytest.raises(DataError, match="is a sequence"):
        hj.did(frame, "y", unit="m", time="year", treated=[3, 7], start=[2013, 2015])
    with pytest.raises(DataError, match="no pre-period or no post-period"):
        hj.did(frame, "y", unit="m", time="year", treated=[3, 7], start={3: 2008, 7: 2015})
    with pytest.raises(DataError, match="not one period"):
        hj.phased_did(frame, "y", unit="m", time="year", treated=[3, 7], start={3: 2013, 7: 2015},
                      phases={"a": 2013, "b": 2016})


def test_start_given_as_a_series_of_adoption_years() -> None:
    frame = _panel()
    adoption = pd.Series(STARTS, name="first_year")
    res = hj.did(frame, "y", unit="m", time="year", treated=list(STARTS), start=adoption, inference="cluster")
    same = hj.did(frame, "y", unit="m", time="year", treated=list(STARTS), start=STARTS, inference="cluster")
    assert res.estimate == same.estimate


def test_cohorts_on_the_duckdb_engine_equal_the_frame(tmp_path) -> None:
    frame = _panel(persons=True)
    path = tmp_path / "panel.parquet"
    frame.to_parquet(path)
    options = dict(unit="pid", group="m", time="year", treated=list(STARTS), start=STARTS, inference="placebo",
                   draws=30, seed=1)
    on_disk = hj.did(path, "y", engine="duckdb", **options)
    in_memory = hj.did(frame, "y", **options)
    assert on_disk.estimate == pytest.approx(in_memory.estimate, rel=1e-10)
    assert on_disk.pvalue == in_memory.pvalue


@pytest.mark.parametrize("estimator", ["synthetic_control", "synthetic_did"])
def test_synthetic_estimators_refuse_cohorts_with_the_alternative(estimator: str) -> None:
    with pytest.raises(DataError, match=r"one start for all treated units.*staggered_did"):
        getattr(hj, estimator)(_panel(), "y", unit="m", time="year", treated=list(STARTS), start=STARTS)
