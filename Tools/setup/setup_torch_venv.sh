#!/usr/bin/env bash
# Create (or reuse) a heavy reference environment on a CPU-only torch, for the fixture generators
# (never for CI, which uses the committed fixtures).
#
# Usage: Tools/setup/setup_torch_venv.sh VENV "REQUIREMENTS"    (torch==2.13.0+cpu is installed first)
#
# torch: the default PyPI wheel pulls ~3 GB of CUDA libraries; the CPU build (torch==2.13.0+cpu)
# is found by pip on these machines (the wheel folder pip is configured with). Installing it first
# and alone means the packages after it find their torch requirement already met.
# A stamp file inside the venv records the requirement list; when it matches, nothing is done.
set -euo pipefail

VENV="${1:?usage: $0 VENV REQUIREMENTS}"
REQUIREMENTS="${2:?usage: $0 VENV REQUIREMENTS}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.corpuskit-requirements"
TORCH="torch==2.13.0+cpu"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$TORCH $REQUIREMENTS" ]]; then
    exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
echo "setup_torch_venv: installing $TORCH $REQUIREMENTS into $VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$TORCH"
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $REQUIREMENTS
printf '%s' "$TORCH $REQUIREMENTS" >"$STAMP"
