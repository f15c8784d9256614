#!/usr/bin/env bash
# Tokenizer speed benchmark (see Tools/bench_tokenizer.py): builds corpuskit as it ships (Tools/build_release.sh) and
# the reference venv, then compares them on one core. Extra arguments go to the Python script.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source Tools/install_deps.sh
Tools/setup_venv.sh
.venv/bin/python Tools/make_bpe_vocabularies.py --shared "${CORPUSKIT_SHARED:-../shared}" --out references/bpe-vocab
BIN="$(Tools/build_release.sh)"
exec .venv/bin/python Tools/bench_tokenizer.py --corpuskit "$BIN" "$@"
