#!/usr/bin/env bash
# Tokenizer speed benchmark (see Tools/benchmarks/bench_tokenizer.py): builds corpuskit as it ships (Tools/setup/build_release.sh) and
# the reference venvs (.venv: sentencepiece 0.2.3, tokenizers 0.23.3; .venv-tokenizers1 or $TOKENIZERS1_VENV:
# tokenizers 1.0.0rc3), then compares them on one core. Extra arguments go to the Python script.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source Tools/setup/install_deps.sh
Tools/setup/setup_venv.sh
TOKENIZERS1_VENV="${TOKENIZERS1_VENV:-$ROOT/.venv-tokenizers1}"
VENV="$TOKENIZERS1_VENV" Tools/setup/setup_tokenizers1_venv.sh
.venv/bin/python -m Tools.references.make_bpe_vocabularies --shared "${CORPUSKIT_SHARED:-../shared}" --out references/bpe-vocab
BIN="$(Tools/setup/build_release.sh)"
exec .venv/bin/python -m Tools.benchmarks.bench_tokenizer --corpuskit "$BIN" --tokenizers1-python "$TOKENIZERS1_VENV/bin/python" "$@"
