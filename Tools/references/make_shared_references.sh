#!/usr/bin/env bash
# Generate references/ (gitignored): reference outputs of sentencepiece and tokenizers for the eight
# llm-jp tokenizer files in $CORPUSKIT_SHARED/vocab (v2.1, v3.0, v3.1, v4.0; .model and tokenizer.json)
# and four BPE files: Llama 2's .model, its tokenizer.json and the Swallow-style extension (.model and
# tokenizer.json), plus the same extension of llm-jp v2.1 (Unigram, .model and tokenizer.json), which
# Tools/references/make_bpe_vocabularies.py first derives into references/bpe-vocab,
# over $CORPUSKIT_SHARED/corpora/*.txt plus 2000 adversarial documents, 2000 repeated-character runs, the run sweep
# and 12 documents of repeated segments (2-200 KB; conformance_texts.Segments).
#
# Usage: Tools/references/make_shared_references.sh [extra make_references.py options]
# CORPUSKIT_SHARED defaults to ../shared relative to the repository root. Does nothing when
# references/manifest.json already matches the inputs, scripts and library versions (a fingerprint);
# delete that file to force a rebuild.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SHARED="${CORPUSKIT_SHARED:-../shared}"
if [[ ! -d "$SHARED/vocab" || ! -d "$SHARED/corpora" ]]; then
    echo "make_shared_references: $SHARED has no vocab/ and corpora/ (set CORPUSKIT_SHARED)" >&2
    exit 1
fi
Tools/setup/setup_venv.sh
BPE=references/bpe-vocab
.venv/bin/python -m Tools.references.make_bpe_vocabularies --shared "$SHARED" --out "$BPE"

args=()
for version in v2.1 v3.0 v3.1 v4.0; do
    dir="$SHARED/vocab/llm-jp-$version"
    models=("$dir"/*.model)
    if [[ ${#models[@]} -ne 1 || ! -f "${models[0]}" || ! -f "$dir/tokenizer.json" ]]; then
        echo "make_shared_references: expected one .model and a tokenizer.json in $dir" >&2
        exit 1
    fi
    args+=(--tokenizer "llm-jp-$version.model=${models[0]}")
    args+=(--tokenizer "llm-jp-$version.tokenizer.json=$dir/tokenizer.json")
done
args+=(--tokenizer "llama2.model=$SHARED/vocab/llama2/tokenizer.model")
args+=(--tokenizer "llama2.tokenizer.json=$BPE/llama2/tokenizer.json")
args+=(--tokenizer "llama2-ja.model=$BPE/llama2-ja/llama2-ja.model")
args+=(--tokenizer "llama2-ja.tokenizer.json=$BPE/llama2-ja/tokenizer.json")
args+=(--tokenizer "llmjp-ja.model=$BPE/llmjp-ja/llmjp-ja.model")
args+=(--tokenizer "llmjp-ja.tokenizer.json=$BPE/llmjp-ja/tokenizer.json")

exec .venv/bin/python -m Tools.references.make_references \
    --out references \
    --corpora "$SHARED/corpora" \
    --adversarial 2000 \
    --seed 1234 \
    --regressions Tests/Fixtures/regressions.jsonl \
    --runs 2000 \
    --sweep \
    --long-bytes 150000 \
    --segments 12 \
    "${args[@]}" \
    --skip-if-fresh \
    "$@"
