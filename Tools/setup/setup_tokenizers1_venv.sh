#!/usr/bin/env bash
# Create (or reuse) a small venv with HF tokenizers 1.0.0rc3, the newest reference for
# Tools/benchmarks/bench_tokenizer.py (its `--tokenizers1-python`). Kept apart from .venv (tokenizers 0.23.3,
# which transformers 5.24 needs), so both versions run side by side in one benchmark. No torch.
#
# Usage: Tools/setup/setup_tokenizers1_venv.sh    # creates <repo>/.venv-tokenizers1 (or $VENV)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VENV:-$ROOT/.venv-tokenizers1}"
PYTHON="${PYTHON:-python3}"
REQUIREMENTS="tokenizers==1.0.0rc3"
STAMP="$VENV/.corpuskit-requirements"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$REQUIREMENTS" ]]; then
    exit 0
fi
mkdir -p "$(dirname "$VENV")"
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
echo "setup_tokenizers1_venv: installing $REQUIREMENTS into $VENV" >&2
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $REQUIREMENTS
printf '%s' "$REQUIREMENTS" >"$STAMP"
