#!/usr/bin/env bash
# The main job: make the synthetic data if missing, then build the evaluation report
# (HTML and PDF, Danish) into reports/evaluation/ with the shipped example configuration.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" ""
source "$(dirname "${BASH_SOURCE[0]}")/_system.sh"
# the PDF is typeset with WeasyPrint, which needs Pango and fonts from the system
ensure_debian_packages libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
if [ ! -f data/synthetic/truth.json ]; then
    hjeval synth --out data/synthetic
fi
hjeval report --config evaluation.toml --out reports/evaluation "$@"
