"""Where the heavy passes over person rows run: in memory, out of core with DuckDB, or on a Dask cluster.

Estimators take a DataFrame or the path of a Parquet dataset (one file, or a
folder of files, e.g. partitioned by year) and an ``engine``:

* ``"pandas"`` (the default for a DataFrame): the frame is used in place; a
  path is read whole into memory first.
* ``"duckdb"`` (the default for a path): DuckDB scans the files out of core,
  checks the column roles, counts and removes rows with missing values and
  joins a business-cycle panel. When the regressors are constant within
  (group, period) cells, persons stay in one group and every treated group
  starts together, ``did``, ``event_study``, ``phased_did`` and
  ``dose_response`` need no row at all: DuckDB returns cell sums and per-person runs of periods
  (:mod:`hjeval.engines.cell_statistics`), from which the fit and its
  inference follow exactly (:mod:`hjeval.estimators.twfe_cells`). Otherwise
  it hands over the design's integer codes and float columns
  (:mod:`hjeval.engines.duckdb_engine`); ``provenance["engine_path"]`` says
  which ran and why.
* ``"dask"``: the same passes on a Dask cluster -- the ``dask.distributed``
  Client given as ``client=``, or a local cluster started for the call and
  closed afterwards; the workers read the files, run the checks and group-bys
  and sort the kept rows, and the client receives only the design's codes and
  float columns (see :mod:`hjeval.engines.dask_engine`).

Every engine gives the same estimates and inference (to rounding, 1e-10
relative, and permutation p-values exactly), whichever path it took.
Synthetic control and synthetic DiD read the dataset's (unit, period) means
from the engine (:mod:`hjeval.engines.cell_sums`); ``subgroups`` and ``power``
count levels and periods on the engine and copy one level's rows (or the
pre-period's) out of core for its fit (:mod:`hjeval.engines.levels`,
:mod:`hjeval.engines.subset`). Spells, the stock of persons and the report's
descriptives run on all three engines: on DuckDB in
:mod:`hjeval.engines.duckdb_spells` and :mod:`hjeval.engines.duckdb_person_cells`,
on Dask through :mod:`hjeval.engines.dask_support` and
:mod:`hjeval.engines.dask_person_cells`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Literal, TypeAlias

import pandas as pd

from hjeval.design.panel import Comparison, Movers, PanelDesign, build_design
from hjeval.engines.dask_engine import dask_design
from hjeval.engines.dataset import dataset_files, is_dataset_path, read_dataset
from hjeval.engines.duckdb_engine import duckdb_design
from hjeval.errors import DataError

__all__ = ["ENGINES", "Engine", "build_design_on", "dask_design", "dataset_files", "duckdb_design",
           "is_dataset_path", "resolve_engine"]

Engine = Literal["pandas", "duckdb", "dask"]

ENGINES: dict[str, str] = {
    "pandas": "in memory; the default for a DataFrame (a Parquet path is read whole)",
    "duckdb": "out of core with DuckDB; the default for a Parquet file or folder",
    "dask": "on a Dask cluster: the dask.distributed Client given as client=, or a local one started for the call",
}
"""The engines and what each does."""

_BUILT = ("pandas", "duckdb", "dask")

Data: TypeAlias = pd.DataFrame | str | os.PathLike[str]
"""What an estimator reads: a DataFrame, or the path of a Parquet file or folder."""


def resolve_engine(data: object, engine: str | None) -> Literal["pandas", "duckdb", "dask"]:
    """The engine to use for ``data``: the one asked for, or the default for the kind of data.

    Parameters
    ----------
    data : DataFrame or path
    engine : {"pandas", "duckdb", "dask"} or None

    Returns
    -------
    str
        ``"pandas"``, ``"duckdb"`` or ``"dask"``.

    Raises
    ------
    DataError
        For an unknown engine, one not built yet, or data that is neither a
        DataFrame nor a path.

    Examples
    --------
    >>> import pandas as pd
    >>> resolve_engine(pd.DataFrame(), None), resolve_engine("registers/hours/", None)
    ('pandas', 'duckdb')
    >>> resolve_engine("registers/hours/", "dask")
    'dask'
    >>> resolve_engine("registers/hours/", "spark")
    Traceback (most recent call last):
    ...
    hjeval.errors.DataError: engine='spark' is not one of ['pandas', 'duckdb', 'dask']; ...
    """
    if not isinstance(data, pd.DataFrame) and not is_dataset_path(data):
        raise DataError(
            f"data must be a pandas DataFrame or the path of a Parquet file or folder, not {type(data).__name__}"
        )
    if engine is None:
        return "pandas" if isinstance(data, pd.DataFrame) else "duckdb"
    if engine not in ENGINES:
        known = "; ".join(f"{name!r}: {what}" for name, what in ENGINES.items())
        raise DataError(f"engine={engine!r} is not one of {list(ENGINES)}; {known}")
    if engine not in _BUILT:
        raise DataError(
            f"engine={engine!r} is not built yet; the engines that exist are {list(_BUILT)}: "
            "'duckdb' for a Parquet dataset out of core, 'dask' on a cluster, 'pandas' for a DataFrame in memory"
        )
    return engine  # type: ignore[return-value]


def build_design_on(
    data: Data,
    *,
    engine: str | None,
    cycle_panel: Data | None,
    cycle: str | None,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    group: str | None = None,
    cluster: str | None = None,
    regressors: Sequence[str] = (),
    weights: str | None = None,
    comparison: Comparison = None,
    movers: Movers = "error",
    client: object | None = None,
) -> PanelDesign:
    """Build the design on the chosen engine (see :func:`hjeval.design.panel.build_design` for the roles).

    ``cycle`` names the regressor that ``cycle_panel`` (a municipality-period
    panel, DataFrame or path) supplies; without a panel every regressor must
    be a column of ``data``. ``client`` is the ``dask.distributed.Client`` that
    ``engine="dask"`` runs on (without one it starts a local cluster for the
    call); giving a client with ``engine=None`` chooses ``"dask"``.

    Raises
    ------
    DataError
        As :func:`resolve_engine`, for a ``cycle_panel`` without ``cycle`` or
        on the pandas engine, for a ``client`` with another engine, and as the
        engine's design builder.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"m": [1, 1, 2, 2], "year": [2014, 2015] * 2, "y": [1.0, 3.0, 1.0, 2.0]})
    >>> design = build_design_on(data, engine="duckdb", cycle_panel=None, cycle=None, outcome="y",
    ...                          unit="m", time="year", treated=1, start=2015)
    >>> design.treat.tolist(), design.n_obs
    ([False, True, False, False], 4)
    """
    chosen = resolve_engine(data, "dask" if engine is None and client is not None else engine)
    if client is not None and chosen != "dask":
        raise DataError(f"client= is the Dask cluster of engine='dask', but engine={chosen!r}; pass engine='dask' to "
                        "run on that cluster, or drop client=")
    if cycle_panel is not None and cycle is None:
        raise DataError("cycle_panel= is given without cycle=: name the panel's column, e.g. "
                        "cycle='unemployment_rate'")
    roles: dict[str, object] = dict(
        outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group, cluster=cluster,
        regressors=list(regressors), weights=weights, comparison=comparison, movers=movers,
    )
    if chosen == "duckdb":
        return duckdb_design(data, cycle_panel=cycle_panel, cycle=cycle, **roles)  # type: ignore[arg-type]
    if chosen == "dask":
        return dask_design(data, client=client, cycle_panel=cycle_panel, cycle=cycle, **roles)  # type: ignore[arg-type]
    if cycle_panel is not None:
        raise DataError(
            "cycle_panel= is joined by engine='duckdb' (or 'dask'); with engine='pandas' merge the cycle column into "
            "the DataFrame first, or pass engine='duckdb'"
        )
    if not isinstance(data, pd.DataFrame):
        return build_design(read_dataset(data, roles), **roles)  # type: ignore[arg-type]
    return build_design(data, **roles)  # type: ignore[arg-type]

