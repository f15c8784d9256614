#!/usr/bin/env bash
# Regenerate Tests/Fixtures/references/ (committed): reference outputs of sentencepiece and tokenizers for
# the fixture tokenizers in Tests/Fixtures/tokenizers/, over Corpora/*.txt plus 500 adversarial documents and 200 repeated-character runs.
#
# Usage: Tools/references/make_fixture_references.sh [extra make_references.py options]
# Does nothing when Tests/Fixtures/references/manifest.json already matches the inputs; delete that
# file to force a rebuild.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
Tools/setup/setup_venv.sh

F=Tests/Fixtures/tokenizers
exec .venv/bin/python -m Tools.references.make_references \
    --out Tests/Fixtures/references \
    --corpora Corpora \
    --adversarial 500 \
    --seed 1234 \
    --regressions Tests/Fixtures/regressions.jsonl \
    --runs 200 \
    --tokenizer "fixture-llmjp.model=$F/fixture-llmjp/fixture-llmjp.model" \
    --tokenizer "fixture-llmjp.tokenizer.json=$F/fixture-llmjp/tokenizer.json" \
    --tokenizer "fixture-nfkc.model=$F/fixture-nfkc/fixture-nfkc.model" \
    --tokenizer "fixture-nfkc.tokenizer.json=$F/fixture-nfkc/tokenizer.json" \
    --tokenizer "fixture-bpe.model=$F/fixture-bpe/fixture-bpe.model" \
    --tokenizer "fixture-bpe.tokenizer.json=$F/fixture-bpe/tokenizer.json" \
    --tokenizer "fixture-bpe-bytes.model=$F/fixture-bpe-bytes/fixture-bpe-bytes.model" \
    --skip-if-fresh \
    "$@"
