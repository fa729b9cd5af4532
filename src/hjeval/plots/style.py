"""Shared figure style: colour-blind-safe palette, sizes for A4, Danish or English labels."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

__all__ = ["A4_WIDTH_IN", "PALETTE", "Language", "figure_and_axes", "format_number", "number_formatter", "styled"]

Language = Literal["da", "en"]

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE: dict[str, str] = {
    "treated": "#D55E00",
    "comparison": "#0072B2",
    "neutral": "#555555",
    "accent": "#009E73",
    "light": "#BBBBBB",
    "highlight": "#E69F00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
}

A4_WIDTH_IN = 6.3
"""Text width of an A4 page with 2.5 cm margins, in inches."""

_RC: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "svg.hashsalt": "hjeval",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}


@contextmanager
def styled() -> Iterator[None]:
    """Apply hjeval's figure style inside a ``with`` block."""
    with mpl.rc_context(_RC):  # type: ignore[arg-type]  # matplotlib types keys as a Literal
        yield


def format_number(value: float, decimals: int = 0, language: Language = "en") -> str:
    """Format a number with thousands separators in the language's convention.

    Examples
    --------
    >>> format_number(1234567.891, 1, "da")
    '1.234.567,9'
    >>> format_number(-1234.5, 1, "en")
    '−1,234.5'
    """
    text = f"{abs(value):,.{decimals}f}"
    if language == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return ("\u2212" if value < 0 and float(f"{abs(value):.{decimals}f}") != 0 else "") + text


def number_formatter(decimals: int = 0, language: Language = "en") -> FuncFormatter:
    """A tick formatter using :func:`format_number`."""
    return FuncFormatter(lambda value, _pos: format_number(value, decimals, language))


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _show_figures_in_jupyter() -> None:
    """In IPython, display a Figure that is a cell's value as PNG (pyplot is not involved)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    if Figure not in formatter.type_printers:
        formatter.for_type(Figure, _png)


def figure_and_axes(ax: Axes | None, height: float = 3.2) -> tuple[Figure, Axes]:
    """Use the given axes, or a new A4-wide figure.

    New figures are made without pyplot, so that nothing is kept in pyplot's
    global state: the caller owns the returned figure (Jupyter shows it when it
    is a cell's value; ``figure.savefig`` writes it).
    """
    if ax is not None:
        figure = ax.get_figure()
        if figure is None:
            raise ValueError("the axes belong to no figure")
        return figure, ax  # type: ignore[return-value]
    _show_figures_in_jupyter()
    figure = Figure(figsize=(A4_WIDTH_IN, height), layout="constrained")
    return figure, figure.add_subplot()
