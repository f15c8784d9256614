#!/usr/bin/env bash
# Create (or reuse) the heavy reference environment for `corpuskit plan` / `replay` fixtures:
# megatron-core 0.16.1 (its index arithmetic and compiled helpers_cpp) on a CPU-only torch.
# Used only by Tools/make_plan_fixtures.py to regenerate the committed fixtures; CI never needs it.
#
# Usage: Tools/setup_megatron_venv.sh          # creates <repo>/.venv-megatron
#        VENV=/some/dir Tools/setup_megatron_venv.sh
#
# torch: the default PyPI wheel pulls ~3 GB of CUDA libraries; the CPU build (torch==2.13.0+cpu)
# comes from the local wheel folder pip is configured with (find-links), or from
# https://download.pytorch.org/whl/cpu where that is reachable.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv-megatron}"
PYTHON="${PYTHON:-python3}"
REQUIREMENTS="torch==2.13.0+cpu megatron-core==0.16.1 numpy"
STAMP="$VENV/.corpuskit-requirements"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$REQUIREMENTS" ]]; then
    exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
echo "setup_megatron_venv: installing $REQUIREMENTS into $VENV" >&2
# torch first and alone, so that megatron-core's dependency on torch is already met by the CPU build.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "torch==2.13.0+cpu" ||
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "torch==2.13.0+cpu" \
        --extra-index-url https://download.pytorch.org/whl/cpu
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check numpy "megatron-core==0.16.1"
printf '%s' "$REQUIREMENTS" >"$STAMP"
