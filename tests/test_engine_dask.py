"""The Dask engine: a Parquet dataset read on a Dask cluster gives the in-memory estimates and inference."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from distributed import Client, LocalCluster

import hjeval as hj
from hjeval.design.panel import PanelDesign
from hjeval.engines import build_design_on, dask_engine, resolve_engine
from hjeval.errors import DataError
from tests.panels import person_panel

START = "2014-07"
KWARGS = dict(group="muni", time="month", treated=0, start=START)


@pytest.fixture(scope="module")
def client(dask_client: Client) -> Client:
    """The session's local Dask cluster (tests/conftest.py)."""
    return dask_client


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A person-month panel in memory (cycle merged in), and as files: a year-partitioned folder and a cycle panel.

    The files hold the month as text, as a register extract would; the cycle panel is a separate
    municipality-month table, as a DataFrame, a Parquet file and a CSV file.
    """
    memory = person_panel()
    cycle = memory.drop_duplicates(["muni", "month"])[["muni", "month", "unemployment"]]
    cycle = cycle.assign(month=cycle["month"].astype(str)).reset_index(drop=True)
    rows = memory.drop(columns=["unemployment"])
    rows = rows.assign(month=rows["month"].astype(str), year=rows["month"].dt.year)
    folder = tmp_path_factory.mktemp("dask_engine")
    ds.write_dataset(pa.Table.from_pandas(rows, preserve_index=False), folder / "hours", format="parquet",
                     partitioning=["year"], partitioning_flavor="hive")
    cycle.to_parquet(folder / "cycle.parquet")
    cycle.to_csv(folder / "cycle.csv", index=False)
    return {"memory": memory, "rows": rows, "folder": folder / "hours", "cycle": cycle,
            "cycle_parquet": folder / "cycle.parquet", "cycle_csv": folder / "cycle.csv", "tmp": folder}


def _run(fit: Callable[[], hj.EffectResult]) -> tuple[hj.EffectResult, list[str]]:
    """The result and the messages of the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit()
    return result, [str(w.message) for w in caught if issubclass(w.category, hj.HjevalWarning)]


def _same(got: hj.EffectResult, want: hj.EffectResult, *, permutation: bool) -> None:
    assert got.estimate == pytest.approx(want.estimate, rel=1e-10)
    if np.isnan(want.se):
        assert np.isnan(got.se)
    else:
        assert got.se == pytest.approx(want.se, rel=1e-10)
    assert got.ci == pytest.approx(want.ci, rel=1e-10)
    if permutation:  # a rank among the re-assignments: exactly the same
        assert got.pvalue == want.pvalue
        pd.testing.assert_series_equal(got.placebo, want.placebo, rtol=1e-10)
    else:
        assert got.pvalue == pytest.approx(want.pvalue, rel=1e-8)
    assert got.n_obs == want.n_obs
    for key in ("rows_input", "exclusions", "adjustments"):
        assert got.provenance.get(key) == want.provenance.get(key)
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-10)


@pytest.mark.parametrize("given", ["DataFrame", "parquet", "csv"])
def test_person_effects_with_cycle_panel_equal_in_memory(panel: dict[str, object], client: Client,
                                                          given: str) -> None:
    cycle_panel = {"DataFrame": panel["cycle"], "parquet": panel["cycle_parquet"], "csv": panel["cycle_csv"]}[given]
    kwargs = dict(unit="pid", cycle="unemployment", **KWARGS)
    want, want_warned = _run(lambda: hj.did(panel["memory"], "y", **kwargs))
    got, got_warned = _run(lambda: hj.did(panel["folder"], "y", engine="dask", client=client,
                                          cycle_panel=cycle_panel, **kwargs))
    _same(got, want, permutation=True)
    assert got_warned == want_warned
    assert got.other_terms["term"].tolist() == ["unemployment"]


@pytest.mark.parametrize("unit", ["pid", "muni"])
@pytest.mark.parametrize("inference", ["placebo", "conley-taber", "cluster", "wild-bootstrap"])
def test_inference_equals_in_memory(panel: dict[str, object], client: Client, unit: str, inference: str) -> None:
    kwargs = dict(unit=unit, cycle="unemployment", inference=inference, draws=199, **KWARGS)
    want, want_warned = _run(lambda: hj.did(panel["memory"], "y", **kwargs))
    got, got_warned = _run(lambda: hj.did(panel["folder"], "y", engine="dask", client=client,
                                          cycle_panel=panel["cycle"], **kwargs))
    _same(got, want, permutation=inference in ("placebo", "conley-taber"))
    assert got_warned == want_warned


def test_design_rows_equal_in_memory_ordered_by_unit_and_period(panel: dict[str, object], client: Client) -> None:
    roles = dict(outcome="y", unit="pid", regressors=["unemployment"], weights="w", cluster=None, **KWARGS)
    want = build_design_on(panel["memory"], engine="pandas", cycle_panel=None, cycle=None, **roles)  # type: ignore[arg-type]
    got = build_design_on(panel["folder"], engine="dask", client=client, cycle_panel=panel["cycle"],  # type: ignore[arg-type]
                          cycle="unemployment", **roles)
    for name in ("group_labels", "period_labels", "cluster_labels", "start", "n_rows_input", "exclusions",
                 "adjustments", "comparison", "unit_is_group", "units_nested_in_clusters"):
        assert getattr(got, name) == getattr(want, name), name
    np.testing.assert_array_equal(got.treated_groups, want.treated_groups)
    # the same rows (values copied, not computed: exactly equal), in the order the projector walks
    assert np.all(np.diff(got.unit) >= 0)
    same_unit = np.diff(got.unit) == 0
    assert np.all(np.diff(got.period)[same_unit] > 0)
    assert got.unit.max() == want.unit.max()

    def rows(design: PanelDesign) -> np.ndarray:
        table = np.column_stack([design.group, design.period, design.y, design.regressors[:, 0], design.weights()])
        return table[np.lexsort(table.T[::-1])]

    np.testing.assert_array_equal(rows(got), rows(want))


def test_hive_partition_column_serves_as_a_role(panel: dict[str, object], client: Client) -> None:
    kwargs = dict(unit="muni", group="muni", time="year", treated=0, start=2015)  # year=... folders
    want, _ = _run(lambda: hj.did(panel["rows"], "y", **kwargs))
    got, _ = _run(lambda: hj.did(panel["folder"], "y", engine="dask", client=client, **kwargs))
    _same(got, want, permutation=True)
    assert str(got.start) == str(want.start) == "2015"


def test_dataframe_on_the_cluster_equals_in_memory(panel: dict[str, object], client: Client) -> None:
    kwargs = dict(unit="pid", weights="w", **KWARGS)
    want, _ = _run(lambda: hj.did(panel["memory"], "y", **kwargs))
    got, _ = _run(lambda: hj.did(panel["rows"], "y", engine="dask", client=client, **kwargs))
    _same(got, want, permutation=True)
    # a client without engine= chooses Dask, which joins a cycle panel to a DataFrame (pandas would refuse)
    kwargs = dict(unit="pid", cycle="unemployment", **KWARGS)
    want, _ = _run(lambda: hj.did(panel["memory"], "y", **kwargs))
    got, _ = _run(lambda: hj.did(panel["rows"], "y", client=client, cycle_panel=panel["cycle"], **kwargs))
    _same(got, want, permutation=True)


def test_many_partitions_give_the_same_design_and_name_rows_in_later_row_groups(
        panel: dict[str, object], client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_engine, "PARTITION_ROWS", 5000)  # pieces of two 2500-row groups; units cross them
    path = Path(panel["tmp"]) / "row_groups.parquet"
    panel["rows"].sample(frac=1.0, random_state=1).to_parquet(path, row_group_size=2500)
    kwargs = dict(unit="pid", cluster="pid", inference="cluster", **KWARGS)
    want, want_warned = _run(lambda: hj.did(panel["memory"], "y", **kwargs))
    for data in (path, panel["rows"]):
        got, got_warned = _run(lambda: hj.did(data, "y", engine="dask", client=client, **kwargs))  # noqa: B023
        _same(got, want, permutation=False)
        assert got_warned == want_warned
    text = panel["rows"].assign(y=panel["rows"]["y"].astype(str))
    text.loc[[7500, 17001], "y"] = "-"
    text.to_parquet(path, row_group_size=2500)
    with pytest.raises(DataError, match=r"2 rows hold text, e.g. row_groups.parquet row 7501 \(pid=.*y='-'\); "
                                        r"row_groups.parquet row 17002 "):
        hj.did(path, "y", engine="dask", client=client, **kwargs)


def test_missing_outcome_rows_are_left_out_and_counted(panel: dict[str, object], client: Client) -> None:
    memory = panel["memory"].copy()
    memory.loc[memory.index[memory["muni"] <= 8][[3, 40, 41]], "y"] = np.nan
    memory.loc[memory.index[memory["muni"] > 8][:2], "y"] = np.nan  # outside the pool: not counted as missing
    path = Path(panel["tmp"]) / "missing.parquet"
    memory.drop(columns=["unemployment"]).assign(month=memory["month"].astype(str)).to_parquet(path)
    kwargs = dict(unit="pid", comparison=[1, 2, 3, 4, 5, 6, 7, 8], cycle="unemployment", **KWARGS)
    want, want_warned = _run(lambda: hj.did(memory, "y", **kwargs))
    got, got_warned = _run(lambda: hj.did(path, "y", engine="dask", client=client, cycle_panel=panel["cycle"],
                                          **kwargs))
    _same(got, want, permutation=True)
    assert got_warned == want_warned
    assert got.provenance["exclusions"][1] == {"reason": "missing 'y'", "rows": 3}
    pool = "group not in the comparison pool (list: 1, 2, 3, 4, 5, 6, 7, 8)"
    assert got.provenance["exclusions"][0]["reason"] == pool
    assert got.provenance["rows_input"] == len(memory)
    assert any("3 rows: missing 'y'" in message for message in got_warned)


def test_movers_are_named_or_handled_as_in_memory(panel: dict[str, object], client: Client) -> None:
    rows = panel["rows"].copy()
    mover = int(rows.groupby("pid")["month"].nunique().idxmax())  # a person seen over many months
    months = sorted(rows.loc[rows["pid"] == mover, "month"])
    moving = (rows["pid"] == mover) & (rows["month"] >= months[len(months) // 2])
    old = int(rows.loc[rows["pid"] == mover, "muni"].iloc[0])
    new = (old + 1) % 20
    rows.loc[moving, "muni"] = new
    path = Path(panel["tmp"]) / "movers.parquet"
    rows.to_parquet(path)
    memory = rows.assign(month=pd.PeriodIndex(rows["month"], freq="M"))
    kwargs = dict(unit="pid", **KWARGS)
    with pytest.raises(DataError, match=rf"movers.parquet: 1 pid value\(s\) appear in more than one muni, e.g. "
                                        rf"{mover} in \[{min(old, new)}, {max(old, new)}\]\. .*movers='entry'"):
        hj.did(path, "y", engine="dask", client=client, **kwargs)
    for movers in ("entry", "split"):
        want, want_warned = _run(lambda: hj.did(memory, "y", movers=movers, **kwargs))  # noqa: B023
        got, got_warned = _run(lambda: hj.did(path, "y", movers=movers, engine="dask", client=client,  # noqa: B023
                                              **kwargs))
        _same(got, want, permutation=True)
        assert got.provenance["adjustments"] == want.provenance["adjustments"]
        assert got_warned == want_warned


def test_bad_input_names_file_column_rows_and_fix(panel: dict[str, object], client: Client) -> None:
    kwargs = dict(unit="pid", engine="dask", client=client, **KWARGS)
    tmp = Path(panel["tmp"])
    with pytest.raises(DataError, match=r"hours: column\(s\) not in the dataset: outcome='hourz'; it has \["):
        hj.did(panel["folder"], "hourz", **kwargs)
    text = panel["rows"].assign(y=panel["rows"]["y"].astype(str))
    text.loc[[3, 50], "y"] = "n/a"
    text.to_parquet(tmp / "text.parquet")
    with pytest.raises(DataError, match=r"text.parquet: column 'y' \(outcome\) must hold numbers, but 2 rows hold "
                                        r"text, e.g. text.parquet row 4 \(pid=.*y='n/a'\); text.parquet row 51 "
                                        r".*pandas.to_numeric"):
        hj.did(tmp / "text.parquet", "y", **kwargs)
    with pytest.raises(DataError, match=r"the DataFrame: column 'y' \(outcome\) must hold numbers, but 2 rows hold "
                                        r"text, e.g. index 3 \("):
        hj.did(text, "y", **kwargs)
    partial = panel["cycle"][panel["cycle"]["muni"] != 3]
    with pytest.raises(DataError, match=r"cycle_panel does not cover \d+ rows of .*hours in 36 \(muni, month\) "
                                        r"cells, e.g. \(3, '2013-01'\).*column 'unemployment'"):
        hj.did(panel["folder"], "y", cycle="unemployment", cycle_panel=partial, **kwargs)
    missing = panel["rows"].assign(pid=panel["rows"]["pid"].astype("Int64"))
    missing.loc[7, "pid"] = pd.NA
    missing.to_parquet(tmp / "no_pid.parquet")
    with pytest.raises(DataError, match=r"column 'pid' \(unit\) has missing values in 1 rows, e.g. no_pid.parquet "
                                        r"row 8 .*fill them in"):
        hj.did(tmp / "no_pid.parquet", "y", **kwargs)
    pd.concat([panel["rows"], panel["rows"].iloc[[10]]]).to_parquet(tmp / "repeated.parquet")
    with pytest.raises(DataError, match=r"rows repeat a \(pid, month\) pair \(1 extra rows\), e.g. .*drop the dup"):
        hj.did(tmp / "repeated.parquet", "y", **kwargs)
    with pytest.raises(DataError, match=r"client= must be a dask.distributed.Client, not str"):
        hj.did(panel["folder"], "y", **{**kwargs, "client": "tcp://127.0.0.1:8786"})
    with pytest.raises(DataError, match=r"client= is the Dask cluster of engine='dask', but engine='duckdb'"):
        hj.did(panel["folder"], "y", **{**kwargs, "engine": "duckdb"})


def test_local_cluster_started_and_closed_without_a_client(panel: dict[str, object],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import distributed

    started: list[LocalCluster] = []

    class Recorded(LocalCluster):  # type: ignore[misc]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(distributed, "LocalCluster", Recorded)
    kwargs = dict(unit="muni", **KWARGS)
    got = hj.did(panel["folder"], "y", engine="dask", **kwargs)
    want = hj.did(panel["memory"], "y", **kwargs)
    _same(got, want, permutation=True)
    assert len(started) == 1 and started[0].status.name == "closed"
    assert resolve_engine(panel["folder"], "dask") == "dask"
