#!/usr/bin/env bash
# Tokenizer speed benchmark (see Tools/bench_tokenizer.py): builds corpuskit as it ships (Tools/build_release.sh) and
# the reference venvs (.venv: sentencepiece 0.2.3, tokenizers 0.23.3; /work/venvs/tok1 or $TOKENIZERS1_VENV:
# tokenizers 1.0.0rc3), then compares them on one core. Extra arguments go to the Python script.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source Tools/install_deps.sh
Tools/setup_venv.sh
TOKENIZERS1_VENV="${TOKENIZERS1_VENV:-/work/venvs/tok1}"
VENV="$TOKENIZERS1_VENV" Tools/setup_tokenizers1_venv.sh
.venv/bin/python Tools/make_bpe_vocabularies.py --shared "${CORPUSKIT_SHARED:-../shared}" --out references/bpe-vocab
BIN="$(Tools/build_release.sh)"
exec .venv/bin/python Tools/bench_tokenizer.py --corpuskit "$BIN" --tokenizers1-python "$TOKENIZERS1_VENV/bin/python" "$@"
