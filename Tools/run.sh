#!/usr/bin/env bash
# The main job on the project's own sample: tokenize Corpora/sample.jsonl into Megatron shards
# with the fixture tokenizer, the way llm-jp's preprocess_data.py is run, then show the result.
#
# Usage: Tools/run.sh [OUTPUT_DIR]   (default: out/)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source Tools/setup/install_deps.sh

OUT="${1:-out}"
mkdir -p "$OUT"
BIN="$(Tools/setup/build_release.sh)"
MODEL=Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model

"$BIN" tokenize --input Corpora/sample.jsonl --output-prefix "$OUT/sample" \
    --tokenizer-type Llama2Tokenizer --tokenizer-model "$MODEL" --append-eod --workers 2 \
    --output-result-total-token-info "$OUT/token_info.csv"
"$BIN" shard info "$OUT/sample_text_document"
echo "token counts: $OUT/token_info.csv"
