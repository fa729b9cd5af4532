#!/usr/bin/env bash
# The main job: make the synthetic data if missing, then run the evaluation.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" ""
if [ ! -f data/synthetic/truth.json ]; then
    hjeval synth --out data/synthetic
fi
hjeval evaluate --data data/synthetic
