"""What a design knows from its labels alone, shared by the row design and the cell design."""

from __future__ import annotations

import numpy as np

from hjeval.periods import calendar_distance

__all__ = ["DesignLabels"]


class DesignLabels:
    """Counts, comparison groups and calendar time of a design, from its group and period labels.

    A base of :class:`hjeval.design.panel.PanelDesign` and
    :class:`hjeval.design.cells.CellDesign`, which hold the attributes below.
    """

    group_labels: tuple[object, ...]
    period_labels: tuple[object, ...]
    treated_groups: np.ndarray
    start: int

    @property
    def n_groups(self) -> int:
        """Number of groups (treated and comparison)."""
        return len(self.group_labels)

    @property
    def n_periods(self) -> int:
        """Number of periods."""
        return len(self.period_labels)

    @property
    def comparison_groups(self) -> np.ndarray:
        """Codes of the comparison groups."""
        return np.setdiff1d(np.arange(self.n_groups), self.treated_groups)

    def treated_label(self) -> object:
        """The treated group's label, or a list of labels when several."""
        labels = [self.group_labels[g] for g in self.treated_groups]
        return labels[0] if len(labels) == 1 else labels

    def relative_periods(self, start: int | None = None) -> np.ndarray:
        """Calendar distance of every period code from a start, in periods of the data's frequency.

        Periods the data lacks still count: with yearly data that skips 2012
        and a start in 2015, 2011 is -4.

        Parameters
        ----------
        start : int, optional
            A start period code (default :attr:`start`), e.g. one of the cohorts' starts.
        """
        return calendar_distance(self.period_labels, self.start if start is None else start)
