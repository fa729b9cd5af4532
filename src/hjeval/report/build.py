"""Build the report folder: analyse, protect, draw, render, then swap the folder in.

The new report is written to a temporary folder beside the target and moved
into place only when everything succeeded, so a failed build leaves the
previous report as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hjeval._files import sha256_of
from hjeval._version import __version__
from hjeval.disclosure import check_no_identifiers
from hjeval.errors import DataError
from hjeval.report.analysis import analyse
from hjeval.report.compose import Stamp, compose_page
from hjeval.report.config import ReportConfig, ReportLanguage, load_config
from hjeval.report.figures import make_figures
from hjeval.report.render import render_html, render_pdf
from hjeval.report.tables import publish_tables

__all__ = ["BuiltReport", "build_date", "build_report"]

_TEXT_OUTPUTS = (".html", ".csv", ".svg", ".json")


@dataclass(frozen=True)
class BuiltReport:
    """Where a built report lies and its headline.

    Attributes
    ----------
    folder : pathlib.Path
    html, pdf : pathlib.Path, pathlib.Path or None
    files : tuple of pathlib.Path
        Every file written, relative to ``folder``.
    language : {"da", "en"}
    hours_per_year : float
        The headline effect.
    ci : tuple of float
    suppressed : tuple of int
        Primary and secondary suppressions.
    """

    folder: Path
    html: Path
    pdf: Path | None
    files: tuple[Path, ...]
    language: ReportLanguage
    hours_per_year: float
    ci: tuple[float, float]
    suppressed: tuple[int, int]

    def summary(self) -> str:
        """What was built, in a few lines."""
        low, high = self.ci
        return "\n".join([
            f"report ({self.language}) written to {self.folder}",
            f"  {self.html.name}" + (f", {self.pdf.name}" if self.pdf else "") + f", {len(self.files)} files",
            f"  effect: {self.hours_per_year:.1f} hours a year per person (interval {low:.1f} to {high:.1f})",
            f"  small-cell suppression: {self.suppressed[0]} primary, {self.suppressed[1]} secondary",
        ])


def build_date() -> str:
    """The build date: from ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today (UTC).

    Examples
    --------
    >>> import os
    >>> os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    >>> build_date()
    '2023-11-14'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip():
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError) as err:
            raise DataError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since 1970") from err
    else:
        moment = dt.datetime.now(tz=dt.UTC)
    return moment.date().isoformat()


def _write(folder: Path, relative: str, content: bytes | str) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return Path(relative)


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames on the same file system."""
    previous = None
    if target.exists():
        previous = target.with_name(f".{target.name}.previous-{os.getpid()}")
        target.rename(previous)
    try:
        staging.rename(target)
    except OSError:
        if previous is not None:
            previous.rename(target)
        raise
    if previous is not None:
        shutil.rmtree(previous)


def danish_name_forms(text: str, name: str) -> str:
    """Danish genitive and official name of the municipality where the templates add a plain "s" or "Kommune".

    A name ending in s, x or z takes an apostrophe in the genitive, and Copenhagen's
    official name is itself a genitive.

    Examples
    --------
    >>> danish_name_forms("Vesthimmerlandss estimat", "Vesthimmerlands")
    "Vesthimmerlands' estimat"
    >>> danish_name_forms("i København Kommune; Københavns estimat", "København")
    'i Københavns Kommune; Københavns estimat'
    """
    if name[-1:].lower() in ("s", "x", "z"):
        text = text.replace(f"{name}s ", f"{name}' ")
    if name == "København":
        text = text.replace("København Kommune", "Københavns Kommune")
    return text


def build_report(
    config: ReportConfig | str | Path,
    out: str | Path,
    *,
    language: ReportLanguage | None = None,
    pdf: bool = True,
) -> BuiltReport:
    """Build the evaluation report into a folder.

    Parameters
    ----------
    config : ReportConfig, str or pathlib.Path
        A configuration or the path of its TOML file (see ``hjeval report --example-config``).
    out : str or pathlib.Path
        The report folder; replaced as a whole when the build succeeds.
    language : {"da", "en"}, optional
        Overrides the configuration's language.
    pdf : bool, default True
        Also typeset ``report.pdf``.

    Returns
    -------
    BuiltReport

    Raises
    ------
    DataError
        If the configuration or the data are invalid, or the treated municipality's target group is too
        small to publish anything.

    Notes
    -----
    The folder holds ``report.html`` (self-contained), ``report.pdf``, ``figures/`` (PNG and SVG),
    ``tables/`` (CSV, after small-cell suppression) and ``manifest.json`` (hjeval version, build
    date, SHA-256 of the configuration and every input file, seeds, and of every output file).
    With ``SOURCE_DATE_EPOCH`` set, the same inputs give byte-identical HTML, figures and tables.

    Examples
    --------
    >>> import hjeval, tempfile, pathlib                    # doctest: +SKIP
    >>> folder = pathlib.Path(tempfile.mkdtemp())           # doctest: +SKIP
    >>> _ = hjeval.generate(folder / "data")                # doctest: +SKIP
    >>> config = folder / "evaluation.toml"                 # doctest: +SKIP
    >>> _ = config.write_text(hjeval.report.EXAMPLE_CONFIG.replace("data/synthetic", "data"))  # doctest: +SKIP
    >>> build_report(config, folder / "report").html.name   # doctest: +SKIP
    'report.html'
    """
    cfg = config if isinstance(config, ReportConfig) else load_config(config)
    lang: ReportLanguage = language or cfg.language
    target = Path(out).resolve()
    date = build_date()

    analysis = analyse(cfg)
    published = publish_tables(analysis, lang)
    figures = make_figures(analysis, published, lang)
    inputs = tuple((role, path.name, analysis.rows.get(role, 0), sha256_of(path)) for role, path in cfg.data.items())
    stamp = Stamp(build_date=date, inputs=inputs, primary=published.primary, secondary=published.secondary)
    html = render_html(compose_page(analysis, published.tables, {f.name: f for f in figures}, stamp, lang))
    if lang == "da":
        html = danish_name_forms(html, analysis.treated_name)

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the report is meant to be read
    try:
        written = [_write(staging, "report.html", html)]
        for figure in figures:
            written.append(_write(staging, f"figures/{figure.name}.png", figure.png))
            written.append(_write(staging, f"figures/{figure.name}.svg", figure.svg))
        for name, table in sorted(published.tables.items()):
            written.append(_write(staging, f"tables/{name}.csv", table.to_csv(index=False, lineterminator="\n")))
        if pdf:
            written.append(_write(staging, "report.pdf", render_pdf(html)))
        for path in written:
            if path.suffix in _TEXT_OUTPUTS:  # images and the PDF are drawn from the scanned tables
                check_no_identifiers(staging / path, analysis.identifiers.among(staging / path), source=str(path))
        manifest = {
            "hjeval": __version__,
            "build_date": date,
            "language": lang,
            "config": {"file": cfg.source.name, "sha256": hashlib.sha256(cfg.text.encode("utf-8")).hexdigest(),
                       "text": cfg.text},
            "inputs": [{"role": role, "file": name, "rows": rows, "sha256": sha} for role, name, rows, sha in inputs],
            "seed": cfg.seed,
            "inference": analysis.main.inference.to_dict(),
            "disclosure": {"threshold": cfg.disclosure_threshold, "primary": published.primary,
                           "secondary": published.secondary},
            "outputs": {str(path): sha256_of(staging / path) for path in sorted(written)},
        }
        written.append(_write(staging, "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"))
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuiltReport(
        folder=target, html=target / "report.html", pdf=target / "report.pdf" if pdf else None,
        files=tuple(sorted(written)), language=lang, hours_per_year=12 * analysis.main.estimate,
        ci=(12 * analysis.main.ci[0], 12 * analysis.main.ci[1]),
        suppressed=(published.primary, published.secondary),
    )
