"""The staggered rollout of the synthetic generator: opt-in, deterministic, and its truth recoverable.

The default world is pinned by the hashes of its files as they were before the
rollout option existed (seed 2015, region scale). Truth recovery runs
``hj.staggered_did`` on municipality x year means of the activity-ready hours
and checks it against ``truth.json``'s ``staggered_rollout`` entry, with
tolerances of three standard errors of the estimator (a 0.3 % two-sided miss
rate for each check of a correct generator and estimator).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats

import hjeval as hj
from hjeval.cli import build_parser, main
from hjeval.data.municipalities import MUNICIPALITIES
from hjeval.results.staggered import StaggeredResult
from hjeval.synthetic import FILE_NAMES, ROLLOUT_FILE_NAMES, generate
from hjeval.synthetic.params import ROLLOUT
from hjeval.synthetic.writer import _generate

ADOPTERS = sorted(ROLLOUT.adoption)
COHORTS = {2015: 4, 2017: 8, 2018: 8}

# sha256 of the default files (seed 2015, region scale) written before the rollout option
# existed; the Parquet file by the content of its columns (its bytes carry the writer's version)
DEFAULT_SHA256 = {
    "caseload": "8bb901a2e21f26a7ab555725e0ddff4c1a44a9efe1215f0a61dc0867e3a2a8cc",
    "costs": "5bf5655bbcddea7a0f9317406ae5e9c5534ac84d1c371e4a8a18914c01a1d8fe",
    "cycle": "963566103831ecc4abc3ba24e2556af642f5910c8063487798563cb4ba9b2945",
    "hours_municipality_month": "c30521ce4820e68aaf11274dfeaaeb486773088879fdfef8a8cf5d5e1cc147f7",
}
DEFAULT_PARQUET_CONTENT = "ab37c63d45e571775f16a85be8dd51c7d11a121100c17742de114e0c234672f2"
DEFAULT_TRUTH_CONTENT = "6a444f1a350648c2d9a820496ac8f0f1794a1ca189a89a4fed4f6d3b1892231e"


def table_digest(path: Path) -> str:
    """sha256 over the columns of a Parquet file (names and values), independent of the writer."""
    table = pq.read_table(path)
    digest = hashlib.sha256()
    for name in table.column_names:
        column = table[name].combine_chunks()
        if pa.types.is_string(column.type):
            data = "\x1f".join(column.to_pylist()).encode()
        elif pa.types.is_date32(column.type):
            data = column.cast(pa.int32()).to_numpy().tobytes()
        else:
            data = column.to_numpy().tobytes()
        digest.update(name.encode() + b"\x00" + data)
    return digest.hexdigest()


def truth_digest(path: Path) -> str:
    """sha256 of truth.json without the Parquet file's hash (which carries the writer's version)."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    del truth["sha256"]["hours_person_month"]
    return hashlib.sha256(json.dumps(truth, sort_keys=True).encode()).hexdigest()


def small(value: float) -> dict[int, float]:
    return {code: value for code in MUNICIPALITIES}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def staggered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The staggered world at region scale, written through the command line."""
    folder = tmp_path_factory.mktemp("staggered")
    assert main(["synth", "--out", str(folder), "--rollout", "staggered"]) == 0
    return folder


@pytest.fixture(scope="session")
def rollout_truth(staggered: Path) -> dict:
    truth = json.loads((staggered / FILE_NAMES["truth"]).read_text(encoding="utf-8"))
    return truth["staggered_rollout"]


@pytest.fixture(scope="session")
def yearly(staggered: Path) -> pd.DataFrame:
    """Activity-ready hours a year per municipality and year, with the cohort from adoption.csv."""
    cells = pd.read_csv(staggered / FILE_NAMES["hours_municipality_month"])
    active = cells[cells["benefit_group"] == "activity_ready_cash"]
    sums = (
        active.assign(year=active["period"].str[:4].astype(int))
        .groupby(["municipality", "year"], as_index=False)[["hours_total", "persons"]]
        .sum()
    )
    sums["hours"] = 12 * sums["hours_total"] / sums["persons"]
    adoption = pd.read_csv(staggered / ROLLOUT_FILE_NAMES["adoption"])
    return sums.merge(adoption[["municipality", "cohort_year"]], on="municipality", how="left")


@pytest.fixture(scope="session")
def estimate(yearly: pd.DataFrame) -> StaggeredResult:
    with warnings.catch_warnings():
        # a tiny municipality sampled at 1/10 may lack activity-ready rows in a year (left out, counted)
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return hj.staggered_did(yearly, outcome="hours", unit="municipality", time="year",
                                cohort="cohort_year")


# --------------------------------------------------------------------------- opt-in and determinism


def test_default_output_is_unchanged(synthetic_region: Path) -> None:
    assert sorted(p.name for p in synthetic_region.iterdir()) == sorted(FILE_NAMES.values())
    for name, digest in DEFAULT_SHA256.items():
        assert hashlib.sha256((synthetic_region / FILE_NAMES[name]).read_bytes()).hexdigest() == digest
    assert table_digest(synthetic_region / FILE_NAMES["hours_person_month"]) == DEFAULT_PARQUET_CONTENT
    truth_path = synthetic_region / FILE_NAMES["truth"]
    assert truth_digest(truth_path) == DEFAULT_TRUTH_CONTENT
    assert "staggered_rollout" not in json.loads(truth_path.read_text(encoding="utf-8"))


@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")  # tiny sample: empty windows
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_explicit_default_rollout_gives_the_same_bytes(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", seed=3, scale="test", factors=small(0.03))
    second = _generate(tmp_path / "b", seed=3, scale="test", factors=small(0.03), rollout="hjorring")
    assert set(first) == set(second) == set(FILE_NAMES)
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name


def test_same_seed_gives_byte_identical_files_with_the_rollout(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", seed=7, scale="test", factors=small(0.03), rollout="staggered")
    second = _generate(tmp_path / "b", seed=7, scale="test", factors=small(0.03), rollout="staggered")
    assert set(first) == set(FILE_NAMES) | set(ROLLOUT_FILE_NAMES)
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name
    other = _generate(tmp_path / "c", seed=8, scale="test", factors=small(0.03), rollout="staggered")
    assert other["hours_municipality_month"].read_bytes() != first["hours_municipality_month"].read_bytes()


def test_only_the_adopters_change(synthetic_region: Path, staggered: Path) -> None:
    # Hjørring adopts in both worlds and every other non-adopter keeps its own generators
    unchanged = [c for c in MUNICIPALITIES if c not in ROLLOUT.adoption or c == 860]
    cycle = FILE_NAMES["cycle"]
    assert (synthetic_region / cycle).read_bytes() == (staggered / cycle).read_bytes()
    for name in ("hours_municipality_month", "caseload"):
        default = pd.read_csv(synthetic_region / FILE_NAMES[name])
        rollout = pd.read_csv(staggered / FILE_NAMES[name])
        keep = default["municipality"].isin(unchanged)
        pd.testing.assert_frame_equal(
            default[keep].reset_index(drop=True),
            rollout[rollout["municipality"].isin(unchanged)].reset_index(drop=True),
        )
        adopters = [c for c in ADOPTERS if c != 860]
        assert not default[default["municipality"].isin(adopters)].reset_index(drop=True).equals(
            rollout[rollout["municipality"].isin(adopters)].reset_index(drop=True)
        )
    filters = [("municipality", "in", unchanged)]
    assert pq.read_table(synthetic_region / FILE_NAMES["hours_person_month"], filters=filters).equals(
        pq.read_table(staggered / FILE_NAMES["hours_person_month"], filters=filters)
    )


def test_bad_rollout_raises_data_error(tmp_path: Path) -> None:
    with pytest.raises(hj.DataError, match=r"rollout must be one of \['hjorring', 'staggered'\].*'staggered'"):
        generate(tmp_path, rollout="national")  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())
    with pytest.raises(SystemExit):
        build_parser().parse_args(["synth", "--rollout", "sometimes"])
    assert build_parser().parse_args(["synth"]).rollout == "hjorring"


# --------------------------------------------------------------------------- files and truth


def test_adoption_file_gives_the_cohort_column(staggered: Path, rollout_truth: dict) -> None:
    adoption = pd.read_csv(staggered / ROLLOUT_FILE_NAMES["adoption"], keep_default_na=False)
    assert list(adoption.columns) == ["municipality", "name", "cohort_year", "cohort_month"]
    assert sorted(adoption["municipality"]) == sorted(MUNICIPALITIES)
    treated = adoption[adoption["cohort_year"] > 0]
    assert sorted(treated["municipality"]) == ADOPTERS
    assert treated.groupby("cohort_year").size().to_dict() == COHORTS
    assert (adoption.loc[adoption["cohort_year"] == 0, "cohort_month"] == "").all()
    assert (treated["cohort_month"] == treated["cohort_year"].astype(str) + "-01").all()
    for code, info in rollout_truth["adopters"].items():
        row = adoption[adoption["municipality"] == int(code)].iloc[0]
        assert (row["cohort_year"], row["cohort_month"]) == (info["cohort_year"], info["first_treated_month"])
    assert rollout_truth["cohorts"] == {
        str(g): sorted(treated.loc[treated["cohort_year"] == g, "municipality"].tolist()) for g in COHORTS
    }
    assert "0" in rollout_truth["cohort_convention"] and "never treated" in rollout_truth["cohort_convention"]
    truth = json.loads((staggered / FILE_NAMES["truth"]).read_text(encoding="utf-8"))
    digest = hashlib.sha256((staggered / ROLLOUT_FILE_NAMES["adoption"]).read_bytes()).hexdigest()
    assert truth["sha256"]["adoption"] == digest


def test_truth_is_consistent_with_itself(rollout_truth: dict) -> None:
    cells = pd.DataFrame(rollout_truth["att_gt"])
    assert len(cells) == 3 * 9 and not cells.duplicated(["group", "time"]).any()
    pre, post = cells[~cells["post"]], cells[cells["post"]]
    assert (pre[["att", "att_municipality_mean", "att_design"]] == 0).all().all()
    assert (post["base_year"] == post["group"] - 1).all() and (pre["base_year"] == pre["time"] - 1).all()
    gap = post["did_estimand"] - post["att_municipality_mean"] - post["counterfactual_gap"]
    assert np.allclose(gap, 0, atol=1e-5)
    # the design path is Hjørring's by months since adoption; in a year with a constant path the
    # realised effect differs from it only where the 0.95 cap on the work probability binds, which
    # can only lower it; in a year where the path changes, the person-months weight the months
    path = np.asarray(rollout_truth["paths_by_months_since_adoption"]["effect_hours_per_month"][
        "activity_ready_cash"])
    for row in post.itertuples():
        months = path[12 * (row.time - row.group): 12 * (row.time - row.group) + 12]
        assert row.att_design == pytest.approx(12 * months.mean(), abs=1e-5)
        below = row.att_design - row.att_municipality_mean
        if np.ptp(months) == 0:
            assert 0 <= below <= 0.03 * row.att_design
        else:
            assert abs(below) <= 0.05 * row.att_design
        members = rollout_truth["cohorts"][str(row.group)]
        by_municipality = [rollout_truth["adopters"][str(c)]["activity_ready_effect_hours_per_year"][
            str(row.time)] for c in members]
        assert row.att_municipality_mean == pytest.approx(np.mean(by_municipality), abs=1e-5)
    # the same kind of effect as Hjørring's: about 58 h a year in the first full-dose years
    assert post.loc[post["rel_time"] == 1, "att"].between(55, 60).all()
    sizes = post["group"].map(COHORTS)
    simple = float(np.dot(sizes, post["att_municipality_mean"]) / sizes.sum())
    assert rollout_truth["aggregates"]["simple"] == pytest.approx(simple, abs=1e-5)


def test_adopters_caseloads_fall_by_the_reform_dose(staggered: Path) -> None:
    caseload = pd.read_csv(staggered / FILE_NAMES["caseload"])
    cash = caseload[(caseload["benefit_area"] == "cash_benefit") & (caseload["open_cases"] > 0)]
    ratio = cash.assign(year=cash["period"].str[:4].astype(int)).groupby(
        ["municipality", "year"])["cases_per_caseworker"].mean()
    for code, first in ROLLOUT.cohort_years().items():
        drop = ratio[(code, first - 1)] - ratio[(code, first + 1)]
        assert drop == pytest.approx(40, abs=3), code


# --------------------------------------------------------------------------- truth recovery


def test_staggered_did_recovers_every_post_period_att(estimate: StaggeredResult, rollout_truth: dict) -> None:
    truth = pd.DataFrame(rollout_truth["att_gt"])
    cells = estimate.att_gt.merge(truth, on=["group", "time"], suffixes=("", "_true"))
    assert len(cells) == len(truth)
    post = cells[cells["post"]]
    # the estimator's exact expectation given the realised persons, cell by cell
    assert ((post["att"] - post["did_estimand"]).abs() <= 3 * post["se"]).all()
    # and, for the cohorts without Hjørring's strong cycle, the causal effect itself
    later = post[post["group"] > 2015]
    assert ((later["att"] - later["att_municipality_mean"]).abs() <= 3 * later["se"]).all()
    # every cell, before adoption too (truth zero): a cell's standard error rests on the 4 or 8
    # municipalities of its cohort, so the same 0.3 % miss rate needs Student's t with
    # (municipalities - 1) degrees of freedom, not the normal 3
    multiple = stats.t.ppf(1 - 0.0027 / 2, cells["municipalities"] - 1)
    assert ((cells["att"] - cells["did_estimand"]).abs() <= multiple * cells["se"]).all()
    left_out = set(rollout_truth["left_out_unbalanced"])
    assert estimate.provenance["units"] == len(MUNICIPALITIES) - len(left_out)


@pytest.mark.parametrize("kind", ["simple", "dynamic", "group", "calendar"])
def test_staggered_did_recovers_the_aggregated_effects(
    estimate: StaggeredResult, rollout_truth: dict, kind: str
) -> None:
    result = estimate.aggregate(kind)
    key = kind if kind == "simple" else f"{kind}_overall"
    assert abs(result.estimate - rollout_truth["aggregates_did_estimand"][key]) <= 3 * result.se
    assert abs(result.estimate - rollout_truth["aggregates"][key]) <= 3 * result.se
    assert 40 <= rollout_truth["aggregates"][key] <= 60  # about 50 h a year, as for Hjørring
    if kind == "group":
        table = result.table.set_index("group")
        for cohort in COHORTS:
            true = rollout_truth["aggregates"]["group"][str(cohort)]
            assert abs(table.loc[cohort, "estimate"] - true) <= 3 * table.loc[cohort, "se"]
