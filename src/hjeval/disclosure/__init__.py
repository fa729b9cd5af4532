"""Disclosure control: no published number rests on fewer than ``k`` persons.

Statistics Denmark's rules for microdata forbid publishing any number that rests on
fewer than ``k`` persons (``k`` = :data:`DEFAULT_THRESHOLD` = 5). Everything that
leaves for the report (tables, figure data, CSV files) passes through this package:

* :func:`protect` suppresses small cells (primary) and the cells needed to keep them
  from being computed back through the declared margins (secondary), and returns a
  :class:`ProtectedTable`;
* :func:`audit` lists every hidden cell a reader could still compute exactly, and
  :func:`check_protected` raises if there is one;
* :func:`render` shows a protected table with a marker in place of hidden numbers;
* :func:`check_no_identifiers` raises if a person identifier (or the identifier
  column) appears in an output.

Examples
--------
>>> import pandas as pd
>>> from hjeval import disclosure
>>> cells = pd.DataFrame({
...     "municipality": [813, 813, 860, 860, "Total", "Total"],
...     "period": ["2015", "2016"] * 3,
...     "persons": [3, 12, 20, 25, 23, 37],
...     "hours": [40.0, 150.0, 300.0, 320.0, 340.0, 470.0],
... })
>>> protected = disclosure.protect(cells, dims=["municipality", "period"], count="persons", additive=["hours"],
...                                margins=[disclosure.Margin("municipality", "Total")])
>>> disclosure.audit(protected).empty
True
>>> disclosure.render(protected)
  municipality period persons  hours
0          813   2015       ·      ·
1          813   2016      12  150.0
2          860   2015       ·      ·
3          860   2016      25  320.0
4        Total   2015      23  340.0
5        Total   2016      37  470.0
"""

from hjeval.disclosure.identifiers import (
    DEFAULT_MIN_LENGTH,
    IDENTIFIER_COLUMNS,
    ShortIdentifierWarning,
    check_no_identifiers,
)
from hjeval.disclosure.recovery import audit, check_protected
from hjeval.disclosure.structure import DisclosureError, Margin
from hjeval.disclosure.suppression import DEFAULT_THRESHOLD, FLAG_COLUMN, MARKER, ProtectedTable, protect, render

__all__ = [
    "DEFAULT_MIN_LENGTH",
    "DEFAULT_THRESHOLD",
    "FLAG_COLUMN",
    "IDENTIFIER_COLUMNS",
    "MARKER",
    "DisclosureError",
    "Margin",
    "ProtectedTable",
    "ShortIdentifierWarning",
    "audit",
    "check_no_identifiers",
    "check_protected",
    "protect",
    "render",
]
