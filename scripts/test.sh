#!/usr/bin/env bash
# The full test suite: unit, validation and doctests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" dev
python -m pytest -n 2 --doctest-modules src/hjeval tests "$@"
