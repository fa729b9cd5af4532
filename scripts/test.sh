#!/usr/bin/env bash
# The full test suite: lint, type checks, then unit, validation and doctests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" dev
python -m ruff check src tests benchmarks
python -m mypy src/hjeval
python -m pytest -n 2 --doctest-modules src/hjeval tests "$@"
