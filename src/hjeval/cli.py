"""The ``hjeval`` command.

Sub-commands
------------
``hjeval synth``     write the calibrated synthetic panels.
``hjeval evaluate``  estimate the headline effect on a folder of panels and print it.
``hjeval report``    build the evaluation report (HTML and PDF) from a configuration file.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from hjeval._version import __version__
from hjeval.errors import DataError

__all__ = ["main"]


def _rows(text: str) -> int:
    """The value of ``--rows``: a positive whole number (``200000000``, ``200_000_000`` or ``2e8``)."""
    try:
        number = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value.is_integer()):
            raise argparse.ArgumentTypeError(
                f"not a whole number of person-months: {text!r} (give e.g. 200000000 or 2e8)"
            ) from None
        number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"not a positive number of person-months: {text!r} (give e.g. 200000000 or 2e8)"
        )
    return number


def _synth(args: argparse.Namespace) -> int:
    from hjeval.synthetic import generate

    if args.rows is not None and args.scale != "national":
        raise DataError(f"--rows {args.rows} needs --scale national (the size of the whole country), "
                        f"not --scale {args.scale}")
    paths = generate(Path(args.out), seed=args.seed, scale=args.scale, rollout=args.rollout, rows=args.rows)
    for name, path in sorted(paths.items()):
        print(f"{name:<28} {path}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from hjeval.evaluation import evaluate_folder

    print(evaluate_folder(Path(args.data), treated=args.treated, start=args.start, seed=args.seed).summary())
    return 0


def _report(args: argparse.Namespace) -> int:
    from hjeval.report import EXAMPLE_CONFIG, build_report

    if args.example_config:
        print(EXAMPLE_CONFIG, end="")
        return 0
    if args.config is None:
        print("hjeval report: error: give --config FILE (or --example-config to print one)", file=sys.stderr)
        return 2
    built = build_report(args.config, args.out, language=args.lang, pdf=not args.no_pdf)
    print(built.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``hjeval`` command."""
    from hjeval.synthetic import DEFAULT_SEED, ROLLOUTS

    parser = argparse.ArgumentParser(
        prog="hjeval",
        description="Evaluate a labour-market reform in one municipality against comparison "
        "municipalities, net of the business cycle.",
    )
    parser.add_argument("--version", action="version", version=f"hjeval {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    synth = commands.add_parser(
        "synth", help="write calibrated synthetic panels (hours, caseload, cycle, costs)"
    )
    synth.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    synth.add_argument("--out", default="data/synthetic", help="output folder (default %(default)s)")
    synth.add_argument(
        "--scale", choices=("region", "national"), default="region",
        help="region: North Jutland at full size, the rest at 1/10 (default); "
        "national: about 10 million person-months",
    )
    synth.add_argument(
        "--rows", type=_rows, default=None, metavar="N",
        help="with --scale national: about N person-months (persons scaled from the national calibration, "
        "simulated in blocks of bounded memory); the hours panel is then the Parquet dataset "
        "OUT/hours_person_month/ partitioned by year (year=YYYY/part-KKKKK.parquet)",
    )
    synth.add_argument(
        "--rollout", choices=ROLLOUTS, default="hjorring",
        help="hjorring: Hjørring alone adopts the caseload model in 2015-01 (default); "
        "staggered: cohorts adopting in 2015, 2017 and 2018, with adoption.csv (each "
        "municipality's cohort) and the true ATT(g,t) in truth.json",
    )
    synth.set_defaults(handler=_synth)

    evaluate = commands.add_parser(
        "evaluate", help="estimate the headline effect on a folder of panels and print it"
    )
    evaluate.add_argument("--data", default="data/synthetic", help="folder with the panels")
    evaluate.add_argument("--treated", type=int, default=860, help="treated municipality code (default 860)")
    evaluate.add_argument("--start", default="2015-01", help="first treated month (default 2015-01)")
    evaluate.add_argument("--seed", type=int, default=0, help="seed for random placebo draws")
    evaluate.set_defaults(handler=_evaluate)

    report = commands.add_parser(
        "report", help="build the evaluation report (HTML and PDF, Danish or English) from a TOML configuration",
        description="Build the annual evaluation report into a folder: report.html (self-contained), "
        "report.pdf, figures/ (PNG and SVG), tables/ (CSV) and manifest.json. The folder is replaced "
        "only when the build succeeds.",
    )
    report.add_argument("--config", help="the configuration file (TOML)")
    report.add_argument("--out", default="reports/evaluation", help="output folder (default %(default)s)")
    report.add_argument("--lang", choices=("da", "en"), default=None,
                        help="language of the report (default: the configuration's, else Danish)")
    report.add_argument("--no-pdf", action="store_true", help="write the HTML and files only")
    report.add_argument("--example-config", action="store_true",
                        help="print a complete, commented example configuration and exit")
    report.set_defaults(handler=_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hjeval`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.handler(args))
    except DataError as err:
        print(f"hjeval: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
