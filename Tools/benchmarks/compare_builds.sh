#!/usr/bin/env bash
# Before/after of a change that should not change speed: the instruction counts (cachegrind's
# `I refs`, stable on a shared machine where times are not) of two corpuskit builds on the same
# inputs, command by command, with a check that both builds print the same results.
#
# Commands: encode (a .model, after one warm-up run that fills the trie cache), tokenize (one
# thread), count of 300 tiny datasets, plan --json of a 50-dataset synthetic blend
# (Tools/benchmarks/bench_plan.py's shards), mixture --shards. Inputs: the first $DOCS (default
# 5,000) documents of $CORPUSKIT_REFERENCES/documents.jsonl when set (else Corpora/sample.jsonl); tokenizer:
# $MODEL (default: the llm-jp v3.0 .model in ../shared when present, else the fixture's).
#
# Usage: Tools/benchmarks/compare_builds.sh BEFORE_BINARY AFTER_BINARY
#   (e.g. git worktree add /tmp/before REV && (cd /tmp/before && Tools/setup/build_release.sh),
#    then Tools/setup/build_release.sh here). Needs valgrind and the .venv (numpy).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
[[ $# -eq 2 ]] || { echo "usage: $0 BEFORE_BINARY AFTER_BINARY" >&2; exit 64; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PY="${PYTHON:-$ROOT/.venv/bin/python}"
SHARED="${CORPUSKIT_SHARED:-$ROOT/../shared}"
MODEL="${MODEL:-}"
if [[ -z "$MODEL" ]]; then
    MODEL="$SHARED/vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model"
    [[ -f "$MODEL" ]] || MODEL="$ROOT/Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model"
fi
if [[ -n "${CORPUSKIT_REFERENCES:-}" && -f "$CORPUSKIT_REFERENCES/documents.jsonl" ]]; then
    head -n "${DOCS:-5000}" "$CORPUSKIT_REFERENCES/documents.jsonl" > "$WORK/docs.jsonl"
else
    cp Corpora/sample.jsonl "$WORK/docs.jsonl"
fi
# valgrind cannot read the debug information of the static binaries; symbols are not needed here.
strip --strip-debug -o "$WORK/before" "$1"
strip --strip-debug -o "$WORK/after" "$2"

# 300 tiny datasets for count and mixture, the blend for plan.
mkdir -p "$WORK/in" "$WORK/shards/ja" "$WORK/blend"
"$PY" - "$WORK" <<'PY'
import json, sys
sys.path.insert(0, ".")
from Tools.benchmarks.bench_plan import write_blend
work = sys.argv[1]
for i in range(300):
    with open(f"{work}/in/ja_tiny_{i:04d}.jsonl", "w") as f:
        for j in range(1 + i % 5):
            f.write(json.dumps({"text": f"吾輩は猫である。名前はまだ無い。{i} {j}"}, ensure_ascii=False) + "\n")
write_blend(f"{work}/blend", 50)
PY
FIXTURE="$ROOT/Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model"
ls "$WORK/in" | sed 's/\.jsonl$//' | xargs -P 2 -I{} "$WORK/after" tokenize --quiet --workers 1 \
    --input "$WORK/in/{}.jsonl" --output-prefix "$WORK/shards/ja/{}" \
    --tokenizer-type Llama2Tokenizer --tokenizer-model "$FIXTURE" --append-eod
printf 'prefix: /data\nsubsets:\n  ja_tiny: 1\n' > "$WORK/spec.yaml"

# run NAME BUILD ARGS...: the instruction count of one command; its stdout in $WORK/NAME.BUILD.out
run() {
    local name="$1" build="$2"; shift 2
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$WORK/cg.out" \
        "$WORK/$build" "$@" > "$WORK/$name.$build.out" 2> "$WORK/cg.err" || { cat "$WORK/cg.err" >&2; exit 1; }
    grep -o 'I *refs: *[0-9,]*' "$WORK/cg.err" | tr -dc '0-9'
}
plan_args=(--data-path-file "$WORK/blend/data_path.txt" --seq-length 4096 --global-batch-size 1024
           --train-iters 1000 --split 1,0,0)
printf '%-44s %16s %16s %8s  %s\n' command before after ratio output
for name in encode tokenize count plan mixture; do
    counts=()
    for build in before after; do
        case "$name" in
            encode)
                "$WORK/$build" encode --tokenizer "$MODEL" --input /dev/null > /dev/null
                counts+=("$(run encode "$build" encode --tokenizer "$MODEL" --input "$WORK/docs.jsonl")") ;;
            tokenize)
                counts+=("$(run tokenize "$build" tokenize --quiet --workers 1 --input "$WORK/docs.jsonl" \
                    --output-prefix "$WORK/tok-$build" --tokenizer-type Llama2Tokenizer --tokenizer-model "$MODEL" --append-eod)")
                cat "$WORK/tok-${build}_text_document.bin" "$WORK/tok-${build}_text_document.idx" > "$WORK/tokenize.$build.out" ;;
            count)
                counts+=("$(run count "$build" count "$WORK/shards" --root "$WORK/shards" --format tsv)") ;;
            plan)
                counts+=("$(run plan "$build" plan --json "${plan_args[@]}")") ;;
            mixture)
                counts+=("$(run mixture "$build" mixture --shards "$WORK/shards" --root "$WORK/shards" --spec "$WORK/spec.yaml")") ;;
        esac
    done
    # encode's id lines changed format on purpose in issue 24 ([1,2] → [1, 2]): compare as JSON.
    if "$PY" -c 'import json, sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
same = a == b or (sys.argv[3] == "encode" and [json.loads(l) for l in a.splitlines()] == [json.loads(l) for l in b.splitlines()])
sys.exit(0 if same else 1)' "$WORK/$name.before.out" "$WORK/$name.after.out" "$name"; then same=identical; else same=DIFFERENT; fi
    ratio="$("$PY" -c "print(f'{${counts[1]} / ${counts[0]}:.4f}')")"
    printf '%-44s %16s %16s %8s  %s\n' "$name" "${counts[0]}" "${counts[1]}" "$ratio" "$same"
done
echo "model: $MODEL; documents: $(wc -l < "$WORK/docs.jsonl") lines ($(wc -c < "$WORK/docs.jsonl") bytes)"
