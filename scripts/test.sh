#!/usr/bin/env bash
# The full test suite: lint, type checks, then unit, validation and doctests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" dev
source "$(dirname "${BASH_SOURCE[0]}")/_system.sh"
# PDF typesetting (Pango, fonts), the browser test (Chromium) and the PDF page test (pdftoppm)
ensure_debian_packages libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core chromium poppler-utils
python -m ruff check src tests benchmarks
python -m mypy src/hjeval
python -m pytest -n 2 --doctest-modules src/hjeval tests "$@"
