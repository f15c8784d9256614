#!/usr/bin/env bash
# Create (or reuse) the Python environment that generates the inference reference fixtures
# (Tools/make_inference_fixtures.py) and runs the transformers side of Tools/bench_inference.sh.
#
# Usage: Tools/setup_inference_venv.sh     # creates <repo>/.venv-inference
#        VENV=/some/dir Tools/setup_inference_venv.sh
#
# torch is the CPU build (torch==2.13.0+cpu, found by pip on these machines); the default PyPI torch
# pulls ~3 GB of CUDA wheels. sentencepiece encodes the perplexity corpus with the fixture tokenizer. CI does not need this environment: the
# fixtures it produces are committed under Tests/Fixtures/inference.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv-inference}"
PYTHON="${PYTHON:-python3}"
REQUIREMENTS="torch==2.13.0+cpu transformers==4.57.6 safetensors==0.7.0 sentencepiece==0.2.3 numpy"
STAMP="$VENV/.corpuskit-requirements"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$REQUIREMENTS" ]]; then
    exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
echo "setup_inference_venv: installing $REQUIREMENTS into $VENV" >&2
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $REQUIREMENTS
printf '%s' "$REQUIREMENTS" >"$STAMP"
