"""Disclosure control: small cells, complementary suppression, the audit, and the identifier scan.

The main table is built from a small person-year panel: four municipalities (one of them
tiny) over three years, with cells of 0 to 4 persons, totals over municipalities per year,
totals over years per municipality and a grand total. Counts are distinct persons, so they
add up over municipalities but not over years; hours add up over both.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from random import Random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hjeval import disclosure
from hjeval.disclosure import (
    DEFAULT_THRESHOLD,
    DisclosureError,
    Margin,
    ProtectedTable,
    ShortIdentifierWarning,
    audit,
    check_no_identifiers,
    check_protected,
    protect,
    render,
)
from hjeval.disclosure.structure import table_lines
from hjeval.errors import DataError

DIMS = ["municipality", "year"]
MARGINS = [Margin("municipality", "Total"), Margin("year", "all")]
# persons per municipality and year; 825 is tiny, so even its total over the years is small
DESIGN = {813: (12, 3, 15), 825: (2, 1, 0), 849: (9, 14, 2), 860: (30, 28, 4)}
YEARS = (2015, 2016, 2017)


def person_panel() -> pd.DataFrame:
    """Person-year rows: a municipality's persons in a year are the first n of its pool."""
    rng = np.random.default_rng(7)
    pool = max(max(n) for n in DESIGN.values())
    ids = 10**9 + rng.choice(9 * 10**9, size=len(DESIGN) * pool, replace=False)  # ten digits
    rows = []
    for m, (code, sizes) in enumerate(DESIGN.items()):
        for year, n in zip(YEARS, sizes, strict=True):
            for k in range(n):
                rows.append((int(ids[m * pool + k]), code, year, float(rng.integers(0, 80))))
    return pd.DataFrame(rows, columns=["person_id", "municipality", "year", "hours"])


def cell_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Cells with distinct persons, hours and mean hours, and every margin as rows of its own."""

    def aggregate(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        return frame.groupby(by).agg(persons=("person_id", "nunique"), hours=("hours", "sum")).reset_index()

    inner = aggregate(panel, DIMS)
    full = pd.MultiIndex.from_product([list(DESIGN), YEARS], names=DIMS)
    inner = inner.set_index(DIMS).reindex(full, fill_value=0).reset_index()  # empty cells are zeros
    by_year = aggregate(panel, ["year"]).assign(municipality="Total")
    by_municipality = aggregate(panel, ["municipality"]).assign(year="all")
    grand = pd.DataFrame({"municipality": ["Total"], "year": ["all"], "persons": [panel["person_id"].nunique()],
                          "hours": [panel["hours"].sum()]})
    table = pd.concat([inner, by_year, by_municipality, grand], ignore_index=True)
    table["municipality"] = table["municipality"].astype(object)
    table["year"] = table["year"].astype(object)
    table["persons"] = table["persons"].astype(np.int64)
    table["mean_hours"] = table["hours"] / table["persons"].where(table["persons"] > 0)
    return table[["municipality", "year", "persons", "hours", "mean_hours"]]


@pytest.fixture
def panel() -> pd.DataFrame:
    return person_panel()


@pytest.fixture
def cells(panel: pd.DataFrame) -> pd.DataFrame:
    return cell_table(panel)


def protected_cells(cells: pd.DataFrame, **options: object) -> ProtectedTable:
    arguments: dict[str, object] = dict(dims=DIMS, count="persons", additive=["hours"], margins=MARGINS)
    arguments.update(options)
    return protect(cells, **arguments)  # type: ignore[arg-type]


def row(frame: pd.DataFrame, municipality: object, year: object) -> pd.Series:
    found = frame[(frame["municipality"] == municipality) & (frame["year"] == year)]
    assert len(found) == 1
    return found.iloc[0]


def lines_suppressed(frame: pd.DataFrame, hidden: np.ndarray, margins: list[Margin]) -> list[int]:
    """Number of suppressed cells in every line of every margin (lines built by the package)."""
    lines = table_lines(frame, DIMS, margins)
    canonical = hidden[lines.order]
    return [int(canonical[line.cells].sum()) for line in lines.lines]


# ---- primary and secondary suppression --------------------------------------------------------


def test_no_published_number_rests_on_fewer_than_k_persons(cells: pd.DataFrame) -> None:
    protected = protected_cells(cells)
    table = protected.table
    hidden = protected.suppressed.to_numpy()
    original = cells["persons"].to_numpy()
    # every small cell is suppressed as primary, margins included (825's total over the years has 2 persons)
    small = (original > 0) & (original < DEFAULT_THRESHOLD)
    assert (table.loc[small, "suppressed"] == "primary").all()
    assert row(table, 825, "all")["suppressed"] == "primary"
    assert small.sum() == protected.n_primary == 6
    # what is shown rests on 0 or at least k persons
    shown = table.loc[~hidden, "persons"].astype(int)
    assert ((shown == 0) | (shown >= DEFAULT_THRESHOLD)).all()
    # a suppressed cell hides its count and every value column, a shown one keeps them
    assert table.loc[hidden, "persons"].isna().all()
    assert table.loc[hidden, ["hours", "mean_hours"]].isna().all().all()
    assert (table.loc[~hidden, "persons"].to_numpy() == original[~hidden]).all()
    assert np.allclose(table.loc[~hidden, "hours"], cells.loc[~hidden, "hours"])
    assert protected.n_secondary == (table["suppressed"] == "secondary").sum() > 0


def test_csv_of_a_protected_table_carries_no_suppressed_number(cells: pd.DataFrame) -> None:
    protected = protected_cells(cells)
    text = protected.to_frame().to_csv(index=False)
    parsed = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    assert list(parsed.columns) == ["municipality", "year", "persons", "hours", "mean_hours"]
    hidden = protected.suppressed.to_numpy()
    assert (parsed.loc[hidden, ["persons", "hours", "mean_hours"]] == "").all().all()
    assert (parsed.loc[~hidden, "persons"] != "").all()
    # the flags (primary tells a cell is small) are left out unless asked for
    assert "suppressed" not in parsed.columns
    assert protected.to_frame(flags=True)["suppressed"].tolist() == protected.table["suppressed"].tolist()


def test_every_line_has_zero_or_at_least_two_suppressed_cells(cells: pd.DataFrame) -> None:
    protected = protected_cells(cells)
    counts = lines_suppressed(cells, protected.suppressed.to_numpy(), MARGINS)
    assert len(counts) == 5 + 4  # a line per year (and "all") across municipalities, per municipality across years
    assert all(c == 0 or c >= 2 for c in counts)


def test_audit_finds_nothing_after_protection(cells: pd.DataFrame) -> None:
    protected = protected_cells(cells)
    found = audit(protected)
    assert found.empty and list(found.columns) == [*DIMS, "column", "value"]
    check_protected(protected)
    # the same when the audit is given the published frame rather than the result object
    assert audit(protected.to_frame(), dims=DIMS, margins=MARGINS, columns=["persons", "hours"]).empty


def test_audit_recovers_cells_when_only_primary_suppression_is_applied(cells: pd.DataFrame) -> None:
    primary_only = protected_cells(cells, secondary=False)
    assert primary_only.n_secondary == 0 and primary_only.n_primary == 6
    found = audit(primary_only, columns=["hours"])
    assert not found.empty
    # 860 in 2017 (4 persons) follows from 860's total over the years minus its two shown years
    recovered = found[(found["municipality"] == 860) & (found["year"] == 2017)]
    assert recovered["value"].iloc[0] == pytest.approx(row(cells, 860, 2017)["hours"])
    # every recovered value is the true hidden one
    for _, hit in found.iterrows():
        assert hit["value"] == pytest.approx(row(cells, hit["municipality"], hit["year"])["hours"])
    with pytest.raises(DisclosureError, match="can be computed"):
        check_protected(primary_only)


def test_cell_recoverable_through_several_lines_gets_one_more_partner() -> None:
    # With both margins known from outside, the line rule alone leaves every line with 0 or >= 2
    # suppressed cells yet c/2 computable: row c, column 2 and rows a, b, d together pin it down.
    persons = {"a": [40, 0, 9, 6], "b": [9, 5, 9, 9], "c": [15, 3, 2, 4], "d": [6, 3, 15, 9]}
    frame = pd.DataFrame([(m, y + 1, n, 10.0 * n + y) for m, row_ in persons.items() for y, n in enumerate(row_)],
                         columns=["m", "y", "persons", "hours"])
    protected = protect(frame, dims=["m", "y"], count="persons", additive=["hours"], margins=["m", "y"])
    grid = protected.table.pivot(index="m", columns="y", values="suppressed")
    assert grid.to_numpy().tolist() == [
        ["", "", "secondary", "secondary"],
        ["secondary", "secondary", "", ""],
        ["secondary", "primary", "primary", "primary"],  # c/1 is the extra partner
        ["secondary", "primary", "", ""],
    ]
    assert audit(protected).empty


def test_zero_cells_are_shown_and_never_used_as_complements() -> None:
    # one line: the 3-person cell needs a partner; the empty cell is smaller but is never picked
    frame = pd.DataFrame({"m": ["a", "b", "c", "d"], "persons": [3, 0, 9, 7],
                          "hours": [12.0, 0.0, 50.0, 40.0], "mean": [4.0, np.nan, 50 / 9, 40 / 7]})
    protected = protect(frame, dims=["m"], count="persons", additive=["hours"], margins=["m"])
    assert protected.table["suppressed"].tolist() == ["primary", "", "", "secondary"]
    zero = protected.table.iloc[1]
    assert zero["persons"] == 0 and zero["hours"] == 0.0 and np.isnan(zero["mean"])
    assert audit(protected).empty


def test_complement_is_smallest_cell_with_ties_broken_by_dimension_order() -> None:
    frame = pd.DataFrame({"m": [900, "Total", 813, 860, 851], "persons": [2, 41, 7, 7, 25],
                          "hours": [1.0, 100.0, 20.0, 30.0, 49.0]})
    protected = protect(frame, dims=["m"], count="persons", margins=[Margin("m", "Total")])
    flags = dict(zip(frame["m"], protected.table["suppressed"], strict=True))
    # 813 and 860 both have 7 persons: 813 sorts first
    assert flags == {900: "primary", "Total": "", 813: "secondary", 860: "", 851: ""}


def test_result_does_not_depend_on_row_order(cells: pd.DataFrame) -> None:
    first = protected_cells(cells).table
    assert protected_cells(cells).table.equals(first)
    shuffled = cells.sample(frac=1.0, random_state=3)
    again = protected_cells(shuffled).table
    key = DIMS
    merged = first.merge(again, on=key, suffixes=("", "_shuffled"))
    assert len(merged) == len(cells)
    assert (merged["suppressed"] == merged["suppressed_shuffled"]).all()
    assert again[key].reset_index(drop=True).equals(shuffled[key].reset_index(drop=True))  # caller's row order


def test_inputs_are_not_mutated(cells: pd.DataFrame, panel: pd.DataFrame) -> None:
    before = cells.copy(deep=True)
    protected = protected_cells(cells)
    published = protected.to_frame()
    published_before = published.copy(deep=True)
    audit(published, dims=DIMS, margins=MARGINS, columns=["hours"])
    render(protected)
    check_no_identifiers(published, panel["person_id"])
    pd.testing.assert_frame_equal(cells, before)
    pd.testing.assert_frame_equal(published, published_before)
    # the result is frozen, and the frames it hands out are copies
    with pytest.raises(dataclasses.FrozenInstanceError):
        protected.threshold = 1  # type: ignore[misc]
    published.loc[:, "hours"] = -1.0
    pd.testing.assert_frame_equal(protected.to_frame(), published_before)


def test_threshold_is_configurable(cells: pd.DataFrame) -> None:
    none = protected_cells(cells, threshold=1)
    assert none.n_primary == none.n_secondary == 0 and none.threshold == 1
    assert (none.table["persons"].to_numpy() == cells["persons"].to_numpy()).all()
    assert (none.table["persons"] == 0).sum() == 1  # the empty cell is shown as 0 under any threshold
    stricter = protected_cells(cells, threshold=10)
    small = (cells["persons"] > 0) & (cells["persons"] < 10)
    assert stricter.n_primary == small.sum() == 7  # 849 in 2015 (9 persons) joins the six
    assert (stricter.table.loc[small, "suppressed"] == "primary").all()
    assert audit(stricter).empty


def test_hierarchy_treated_plus_comparison_equals_all() -> None:
    frame = pd.DataFrame({
        "group": ["treated", "comparison", "all"] * 2,
        "period": ["2015"] * 3 + ["2016"] * 3,
        "persons": [4, 40, 44, 30, 41, 71],
        "hours": [10.0, 300.0, 310.0, 200.0, 310.0, 510.0],
    })
    group = Margin("group", "all", ("treated", "comparison"))
    protected = protect(frame, dims=["group", "period"], count="persons", additive=["hours"], margins=[group])
    assert protected.table["suppressed"].tolist() == ["primary", "secondary", "", "", "", ""]
    assert audit(protected).empty
    # with the treated-group total over the years published too, more must go
    years = Margin("period", "total")
    with_years = pd.concat([frame, pd.DataFrame({"group": ["treated", "comparison", "all"], "period": "total",
                                                 "persons": [31, 45, 76], "hours": [210.0, 610.0, 820.0]})])
    protected = protect(with_years, dims=["group", "period"], count="persons", additive=["hours"],
                        margins=[group, years])
    assert protected.n_primary == 1 and protected.n_secondary == 3
    assert audit(protected).empty


def test_margin_cell_below_k_is_suppressed_with_its_parts() -> None:
    frame = pd.DataFrame({"m": ["a", "b", "c", "Total"], "persons": [1, 2, 0, 3], "hours": [3.0, 5.0, 0.0, 8.0]})
    protected = protect(frame, dims=["m"], count="persons", margins=[Margin("m", "Total")])
    assert protected.table["suppressed"].tolist() == ["primary", "primary", "", "primary"]


def test_no_feasible_protection_raises_disclosure_error() -> None:
    # a/1 needs b/1 as partner, but b/1 is the only cell with persons of b, whose total is known
    lone = pd.DataFrame({"m": ["a", "a", "b", "b"], "y": [1, 2, 1, 2], "persons": [3, 8, 6, 0],
                         "hours": [4.0, 9.0, 7.0, 0.0]})
    with pytest.raises(DisclosureError, match=r"no protection exists for the cell m=b, y=1: it is the only cell "
                                              r"with persons in the line of margin over 'y' at m=b"):
        protect(lone, dims=["m", "y"], count="persons", margins=["m", "y"])
    # a total known from elsewhere that itself rests on 3 persons
    small_total = pd.DataFrame({"m": ["a", "b"], "persons": [1, 2], "hours": [4.0, 1.0]})
    with pytest.raises(DisclosureError, match="at most 3 persons"):
        protect(small_total, dims=["m"], count="persons", margins=["m"])
    assert issubclass(DisclosureError, DataError)
    # the audit reports the lone cell recoverable from a line with a single cell
    found = audit(pd.DataFrame({"m": ["a"], "hours": [np.nan]}), dims=["m"], margins=["m"], columns=["hours"])
    assert found["m"].tolist() == ["a"] and np.isnan(found["value"].iloc[0])  # needs the outside total


def bad(cells: pd.DataFrame, column: str, rows: list[int], value: object) -> pd.DataFrame:
    frame = cells.astype({column: object})
    frame.loc[rows, column] = value
    return frame


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda c: c.drop(columns="persons"), r"count column 'persons' not in the table"),
        (lambda c: c.drop(columns="year"), r"dimension column 'year' not in the table"),
        (lambda c: bad(c, "persons", [2, 5], -1), r"column 'persons': negative person counts in rows 2, 5"),
        (lambda c: bad(c, "persons", [3], 2.5), r"column 'persons': person counts must be whole.*row 3"),
        (lambda c: bad(c, "persons", [4], None), r"column 'persons': missing or non-numeric.*row 4"),
        (lambda c: bad(c, "persons", [1], "many"), r"column 'persons': missing or non-numeric.*row 1"),
        (lambda c: bad(c, "hours", [6], "lots"), r"column 'hours': non-numeric values in row 6"),
        (lambda c: bad(c, "year", [0], np.nan), r"column 'year': missing dimension values in row 0"),
        (lambda c: pd.concat([c, c.iloc[[1]]]), r"more than one row for the same cell in rows 1, 1"),
        (lambda c: c.assign(name="x"), r"column 'name': non-numeric values in rows 0, 1, 2, 3, 4 \(and"),
    ],
    ids=["no-count", "no-dimension", "negative", "fractional", "missing", "text-count", "text-value",
         "missing-dimension", "duplicate", "label-column"],
)
def test_bad_input_names_column_and_rows(cells: pd.DataFrame, make: object, message: str) -> None:
    frame = make(cells)  # type: ignore[operator]
    with pytest.raises(DataError, match=message):
        protected_cells(frame)


def test_bad_margins_and_threshold(cells: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="margin over 'region': not a dimension column"):
        protected_cells(cells, margins=["region"])
    with pytest.raises(DataError, match="no row has municipality == 'All'"):
        protected_cells(cells, margins=[Margin("municipality", "All")])
    with pytest.raises(DataError, match="threshold must be a whole number"):
        protected_cells(cells, threshold=0)
    with pytest.raises(DataError, match="additive column 'cost'"):
        protected_cells(cells, additive=["cost"])
    with pytest.raises(DataError, match="needs its dims"):
        audit(cells)
    with pytest.raises(DataError, match="column 'name' is neither a dimension"):
        protected_cells(cells.assign(name="x"), values=["hours", "mean_hours"])


def test_render_shows_a_marker_and_never_the_hidden_number(cells: pd.DataFrame) -> None:
    protected = protected_cells(cells)
    shown = render(protected)
    hidden = protected.suppressed.to_numpy()
    assert (shown.loc[hidden, ["persons", "hours", "mean_hours"]] == "·").all().all()
    assert shown.loc[~hidden, "persons"].tolist() == [str(n) for n in cells.loc[~hidden, "persons"]]
    assert row(shown, 825, 2017)["mean_hours"] == ""  # a mean over nobody is empty, not hidden
    custom = render(protected, marker="..", decimals=0)
    assert (custom.loc[hidden, "hours"] == "..").all()
    assert row(protected.table, 860, 2015)["suppressed"] == ""
    assert row(custom, 860, 2015)["hours"] == f"{row(cells, 860, 2015)['hours']:.0f}"


# ---- properties over random tables -------------------------------------------------------------


@st.composite
def random_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, bool]:
    """Municipality x period tables with many small cells, with margin rows or margins known from outside."""
    n_m, n_p = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    counts = draw(st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9, 15, 40]), min_size=n_m * n_p,
                           max_size=n_m * n_p))
    per_person = draw(st.lists(st.integers(1, 60), min_size=n_m * n_p, max_size=n_m * n_p))
    with_totals = draw(st.booleans())
    codes = [851, 813, 860, 825][:n_m]
    inner = pd.DataFrame({
        "municipality": np.repeat(codes, n_p).astype(object),
        "year": np.tile(np.arange(2015, 2015 + n_p), n_m).astype(object),
        "persons": counts,
        "hours": np.array(counts, dtype=float) * per_person,
    })
    if not with_totals:
        return inner, False
    by_year = inner.groupby("year", as_index=False)[["persons", "hours"]].sum().assign(municipality="Total")
    by_m = inner.groupby("municipality", as_index=False)[["persons", "hours"]].sum().assign(year="all")
    grand = pd.DataFrame({"municipality": ["Total"], "year": ["all"], "persons": [inner["persons"].sum()],
                          "hours": [inner["hours"].sum()]})
    table = pd.concat([inner, by_year, by_m, grand], ignore_index=True)[inner.columns]
    return table.astype({"municipality": object, "year": object}), True


@settings(max_examples=60, deadline=None)
@given(random_tables())
def test_protection_property(drawn: tuple[pd.DataFrame, bool]) -> None:
    table, with_totals = drawn
    margins = MARGINS if with_totals else [Margin("municipality"), Margin("year")]
    try:
        protected = protect(table, dims=DIMS, count="persons", additive=["hours"], margins=margins)
    except DisclosureError:
        assert not with_totals  # with every margin in the table, suppressing more always works
        return
    hidden = protected.suppressed.to_numpy()
    assert all(c == 0 or c >= 2 for c in lines_suppressed(table, hidden, margins))
    assert audit(protected).empty
    shown = table.loc[~hidden, "persons"]
    assert ((shown == 0) | (shown >= DEFAULT_THRESHOLD)).all()
    assert (table.loc[hidden, "persons"] > 0).all()


def reader_system(table: pd.DataFrame, hidden: np.ndarray) -> np.ndarray:
    """The reader's equations in the hidden cells, written out independently of the package."""
    index = {(m, y): i for i, (m, y) in enumerate(zip(table["municipality"], table["year"], strict=True))}
    unknown = {int(cell): k for k, cell in enumerate(np.flatnonzero(hidden))}
    municipalities = [m for m in dict.fromkeys(table["municipality"]) if m != "Total"]
    years = [y for y in dict.fromkeys(table["year"]) if y != "all"]
    equations = []
    for y in [*years, "all"]:  # the municipalities add up to "Total"
        equations.append([(index[(m, y)], 1.0) for m in municipalities] + [(index[("Total", y)], -1.0)])
    for m in [*municipalities, "Total"]:  # the years add up to "all"
        equations.append([(index[(m, y)], 1.0) for y in years] + [(index[(m, "all")], -1.0)])
    matrix = np.zeros((len(equations), len(unknown)))
    for r, terms in enumerate(equations):
        for cell, sign in terms:
            if cell in unknown:
                matrix[r, unknown[cell]] = sign
    return matrix


@settings(max_examples=40, deadline=None)
@given(random_tables(), st.randoms(use_true_random=False))
def test_audit_agrees_with_the_rank_test(drawn: tuple[pd.DataFrame, bool], random: Random) -> None:
    table, with_totals = drawn
    if not with_totals:
        return
    hidden = np.array([random.random() < 0.4 for _ in range(len(table))])
    published = table.assign(hours=table["hours"].where(~hidden))
    found = audit(published, dims=DIMS, margins=MARGINS, columns=["hours"])
    matrix = reader_system(table, hidden)
    rank = np.linalg.matrix_rank(matrix) if matrix.size else 0
    expected = set()
    for k, cell in enumerate(np.flatnonzero(hidden)):
        unit = np.zeros(matrix.shape[1])
        unit[k] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            expected.add((table["municipality"].iloc[cell], table["year"].iloc[cell]))
    assert set(zip(found["municipality"], found["year"], strict=True)) == expected
    for _, hit in found.iterrows():
        assert hit["value"] == pytest.approx(row(table, hit["municipality"], hit["year"])["hours"])


# ---- person identifiers ----------------------------------------------------------------------


def test_identifier_in_csv_text_is_found(panel: pd.DataFrame, cells: pd.DataFrame) -> None:
    ids = panel["person_id"]
    text = protected_cells(cells).to_frame().to_csv(index=False)
    check_no_identifiers(text, ids)
    leaked = text.splitlines()
    leaked[2] = leaked[2] + f",{ids.iloc[5]}"
    with pytest.raises(DataError, match=r"cells\.csv: person identifiers on line 3$"):
        check_no_identifiers("\n".join(leaked), ids, source="cells.csv")
    # as a float, in a sentence, and as a string identifier
    for written in [f"{ids.iloc[0]}.0", f"see {ids.iloc[0]}.", f'"{ids.iloc[0]}"']:
        with pytest.raises(DataError, match="person identifiers on line 1"):
            check_no_identifiers(written, ids.astype(str))


def test_identifier_in_dataframe_is_found(panel: pd.DataFrame) -> None:
    ids = panel["person_id"]
    frame = pd.DataFrame({"municipality": [860, 813, 849], "who": [1, int(ids.iloc[3]), 2]})
    with pytest.raises(DataError, match=r"table: person identifiers in column 'who', row 1$"):
        check_no_identifiers(frame, ids)
    as_text = pd.DataFrame({"note": ["fine", f"person {ids.iloc[7]} left", "fine"]}, index=[10, 11, 12])
    with pytest.raises(DataError, match="column 'note', row 11"):
        check_no_identifiers(as_text, ids)
    as_float = pd.DataFrame({"x": [0.5, float(ids.iloc[2])]})
    with pytest.raises(DataError, match="column 'x', row 1"):
        check_no_identifiers(as_float, ids)
    with pytest.raises(DataError, match="carries the identifier column name 'person_id'"):
        check_no_identifiers(panel[["person_id"]].head(0), [])


def test_no_false_positive_on_longer_numbers(panel: pd.DataFrame) -> None:
    ids = panel["person_id"]
    one = int(ids.iloc[0])
    lookalikes = [one * 10 + 1, 10**10 + one, one + 0.5]
    text = "\n".join([f"{lookalikes[0]},{lookalikes[1]}", f"{one}.25", f"0.{one}", f"x{one}y", f"1.{one}.5"])
    check_no_identifiers(text, ids)
    check_no_identifiers(pd.DataFrame({"a": lookalikes[:2], "b": [lookalikes[2], 1.0]}), ids)
    # but the number itself, between separators or in a file name, is found
    for written in [f"-{one};", f"person_{one}_2.png", f"{one}-01"]:
        with pytest.raises(DataError, match="line 2"):
            check_no_identifiers(f"hours\n{written}", ids)


def test_identifier_column_name_and_short_identifiers(tmp_path: Path, panel: pd.DataFrame) -> None:
    path = tmp_path / "out.csv"
    path.write_text("Person_ID,hours\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"out\.csv: the identifier column name 'person_id' appears on line 1"):
        check_no_identifiers(path, panel["person_id"])
    path.write_text(f"hours\n{panel['person_id'].iloc[4]}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"out\.csv: person identifiers on line 2"):
        check_no_identifiers(path, panel["person_id"])
    with pytest.warns(ShortIdentifierWarning, match="2 person identifiers are shorter than 6"):
        check_no_identifiers("persons\n12\n417\n", [12, 417, 123456])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # long enough: no warning, and found
        with pytest.raises(DataError, match="line 2"):
            check_no_identifiers("persons\n12\n", [12], min_length=2)


def test_default_threshold_is_five_persons() -> None:
    frame = pd.DataFrame({"m": ["a", "b"], "persons": [4, 5], "hours": [1.0, 2.0]})
    assert DEFAULT_THRESHOLD == 5
    assert disclosure.protect(frame, dims=["m"], count="persons").table["suppressed"].tolist() == ["primary", ""]
