"""The annual evaluation report: configuration, analysis, disclosure-safe tables, HTML and PDF.

``hjeval report --config evaluation.toml --out reports/<name>/ [--lang da|en]`` builds it;
:func:`build_report` does the same from Python.

Examples
--------
>>> from hjeval.report import EXAMPLE_CONFIG
>>> "[evaluation]" in EXAMPLE_CONFIG
True
"""

from hjeval.report.build import BuiltReport, build_date, build_report
from hjeval.report.config import EXAMPLE_CONFIG, ReportConfig, load_config

__all__ = ["EXAMPLE_CONFIG", "BuiltReport", "ReportConfig", "build_date", "build_report", "load_config"]
