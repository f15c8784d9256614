#!/usr/bin/env bash
# Tokenizer speed benchmark (see Tools/benchmarks/bench_tokenizer.py): builds corpuskit as it ships (Tools/setup/build_release.sh) and
# the reference venv, then compares them on one core. Extra arguments go to the Python script.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source Tools/setup/install_deps.sh
Tools/setup/setup_venv.sh
.venv/bin/python -m Tools.references.make_bpe_vocabularies --shared "${CORPUSKIT_SHARED:-../shared}" --out references/bpe-vocab
BIN="$(Tools/setup/build_release.sh)"
exec .venv/bin/python -m Tools.benchmarks.bench_tokenizer --corpuskit "$BIN" "$@"
