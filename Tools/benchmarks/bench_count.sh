#!/usr/bin/env bash
# Benchmark: `corpuskit count` on 2,000 tiny shard prefixes (the issue's bound: under 2 s).
# Builds corpuskit as it ships (Tools/setup/build_release.sh), generates the shards with `corpuskit tokenize` (one 1-5 line corpus each, the
# fixture tokenizer), then times `count DIR --format tsv` (best of 5, cold and warm page cache
# are not distinguished: the .idx files are a few hundred bytes).
#
# Usage: Tools/benchmarks/bench_count.sh [number of shards, default 2000]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
N="${1:-2000}"
BIN="$(Tools/setup/build_release.sh 2>/dev/null)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/in" "$WORK/shards/ja"
python3 - "$WORK/in" "$N" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(f"{d}/ja_tiny_{i:04d}.jsonl", "w") as f:
        for j in range(1 + i % 5):
            f.write(json.dumps({"text": f"吾輩は猫である。名前はまだ無い。{i} {j}"}, ensure_ascii=False) + "\n")
PY
MODEL="$ROOT/Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model"
# One process per shard would take minutes; a small Swift-free loop over tokenize in parallel.
ls "$WORK/in" | sed 's/\.jsonl$//' | xargs -P 2 -I{} "$BIN" tokenize --quiet --workers 1 --input "$WORK/in/{}.jsonl" \
    --output-prefix "$WORK/shards/ja/{}" --tokenizer-type Llama2Tokenizer --tokenizer-model "$MODEL" --append-eod
echo "shards: $(ls "$WORK/shards/ja" | grep -c '\.idx$') prefixes in $WORK/shards" >&2
best=""
for run in 1 2 3 4 5; do
    start=$(date +%s.%N)
    "$BIN" count "$WORK/shards" --root "$WORK/shards" --format tsv > "$WORK/num_tokens.tsv"
    end=$(date +%s.%N)
    t=$(python3 -c "print(f'{$end - $start:.3f}')")
    echo "run $run: $t s" >&2
    if [[ -z "$best" ]] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then best=$t; fi
done
echo "rows: $(($(wc -l < "$WORK/num_tokens.tsv") - 1)), first: $(sed -n 2p "$WORK/num_tokens.tsv")" >&2
echo "count of $N shard prefixes: best of 5 = $best s"
