#!/usr/bin/env bash
# corpuskit tokenize vs the Megatron-style Python pipeline (Tools/references/megatron_reference.py: per-line
# json.loads + sentencepiece encode in a multiprocessing.Pool, numpy writer), on the same input.
#
#   Tools/benchmarks/bench_preprocess.sh [MEGABYTES]          (default 30 MB of uncompressed JSONL)
#
# Environment:
#   MODEL=path.model     tokenizer (default: $CORPUSKIT_SHARED/vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model)
#   TYPE=Llama2Tokenizer tokenizer type (any --tokenizer-type)
#   WORKERS="1 2"        worker counts to compare
#   RUNS=1               timed runs per configuration (the fastest is reported)
#   BENCH_DIR=dir        where the corpus and outputs go (default ${TMPDIR:-/tmp}/corpuskit-bench-preprocess)
#   SCRATCH_PATH=dir     SwiftPM scratch path of the release build (default <repo>/.build)
#   SKIP_BUILD=1         use the existing release build
#
# Builds a .jsonl.zst of ~4 KB documents cut from $CORPUSKIT_SHARED/corpora (Japanese and English,
# each pass starting at a different line so documents differ) and runs, with --append-eod, at each
# worker count and interleaved over RUNS rounds:
#   * megatron_reference.py                (the reference as it is: Pool + imap(encode, fin, 32))
#   * megatron_reference.py, fork writer   (the same with Megatron's own add_doc: np.array(ids, dtype),
#                                           without the reference's per-id range check in Python)
#   * corpuskit tokenize
# checks every output is byte-identical to the reference's (cmp), and prints wall and CPU seconds,
# docs/s, MB/s (uncompressed input), the ratios, a single-process json.loads + sp.encode bound,
# and how much parallelism the (shared) machine offered before and after.
# Needs .venv (Tools/setup/setup_venv.sh), the zstd CLI and the shared corpora and vocabularies.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHARED="${CORPUSKIT_SHARED:-$ROOT/../shared}"
SIZE_MB="${1:-30}"
MODEL="${MODEL:-$SHARED/vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model}"
TYPE="${TYPE:-Llama2Tokenizer}"
WORKERS="${WORKERS:-1 2}"
RUNS="${RUNS:-1}"
WORK="${BENCH_DIR:-${TMPDIR:-/tmp}/corpuskit-bench-preprocess}"
SCRATCH="${SCRATCH_PATH:-$ROOT/.build-static}"   # as Tools/setup/build_release.sh builds it
PYTHON="$ROOT/.venv/bin/python"
mkdir -p "$WORK"

[[ -x "$PYTHON" ]] || { echo "bench: $PYTHON missing; run Tools/setup/setup_venv.sh" >&2; exit 1; }
command -v zstd >/dev/null || { echo "bench: the zstd CLI is needed (apt-get install zstd)" >&2; exit 1; }
[[ -f "$MODEL" ]] || { echo "bench: tokenizer model $MODEL not found (set MODEL or CORPUSKIT_SHARED)" >&2; exit 1; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
    SCRATCH_PATH="$SCRATCH" "$ROOT/Tools/setup/build_release.sh" 2>&1 >/dev/null | tail -1 >&2
fi
CORPUSKIT="$SCRATCH/release/corpuskit"

CORPUS="$WORK/bench-${SIZE_MB}mb.jsonl"
if [[ ! -f "$CORPUS.zst" ]]; then
    "$PYTHON" - "$SHARED/corpora" "$CORPUS" "$SIZE_MB" <<'PY'
import json, os, sys
corpora, out_path, size = sys.argv[1], sys.argv[2], int(sys.argv[3]) * 1_000_000
files = ["neko.txt", "botchan.txt", "jnli-v1.1-train.txt", "jsts-v1.1-train.txt", "jcommonsenseqa-v1.1-train.txt"]
sources = []
for name in files:
    path = os.path.join(corpora, name)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            sources.append([line.rstrip("\n") for line in f if line.strip()])
if not sources:
    sys.exit(f"no corpora in {corpora}")
written, doc, rotation = 0, 0, 0
with open(out_path, "w", encoding="utf-8") as out:
    while written < size:
        for lines in sources:  # alternate sources: Japanese novels, English novel, Japanese NLI/QA
            start = (rotation * 7919 + doc * 31) % len(lines)
            parts, length, i = [], 0, start
            while length < 4000:
                parts.append(lines[i % len(lines)])
                length += len(parts[-1].encode()) + 1
                i += 1
            line = json.dumps({"id": doc, "text": "\n".join(parts)}, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode())
            doc += 1
        rotation += 1
PY
    zstd -q -3 -f --rm "$CORPUS" -o "$CORPUS.zst"
fi
INPUT="$CORPUS.zst"
DOCS=$(zstd -dc "$INPUT" | wc -l)
BYTES=$(zstd -dc "$INPUT" | wc -c)

# Runs a command once: prints "wall_seconds cpu_seconds" (cpu = user + system of it and its children).
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
result = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
if result.returncode != 0:
    sys.stderr.write(result.stderr.decode(errors="replace"))
    sys.exit(f"bench: {sys.argv[1]} failed ({result.returncode})")
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.4f} {usage.ru_utime + usage.ru_stime:.4f}")
PY
}

# How much two CPU-bound processes get out of this (shared, virtualized) machine right now:
# 2.00x means two idle cores; less means other tenants or shared cores. No program can scale
# from 1 to 2 threads better than this.
capacity() {
    python3 - <<'PY'
import multiprocessing as mp, statistics, time
def spin(n=6_000_000):
    x = 0
    for i in range(n):
        x += i
def timed(k):
    start = time.perf_counter()
    procs = [mp.Process(target=spin) for _ in range(k)]
    for p in procs: p.start()
    for p in procs: p.join()
    return time.perf_counter() - start
ratios = []
for _ in range(5):
    one, two = timed(1), timed(2)
    ratios.append(2 * one / two)
print(f"{statistics.median(ratios):.2f}x (median of 5; min {min(ratios):.2f}x, max {max(ratios):.2f}x)")
PY
}

echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min before the runs)"
echo "2-process CPU throughput before: $(capacity)"
echo "input:   $INPUT ($DOCS documents, $(python3 -c "print(round($BYTES/1e6, 1))") MB uncompressed, $(stat -c %s "$INPUT") bytes zstd)"
echo "model:   $MODEL ($TYPE, --append-eod)"
echo "build:   $CORPUSKIT (git $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- Sources 2>/dev/null || echo ' + uncommitted changes'))"
echo
printf '%-46s %8s %8s %10s %8s\n' "tool (fastest of $RUNS)" "wall s" "cpu s" "docs/s" "MB/s"
# megatron_reference.py range-checks every id in a Python loop in the main process before writing
# (to fail loudly where NumPy would wrap); Megatron's MMapIndexedDatasetBuilder.add_doc just calls
# np.array(tokens, dtype). "fork writer" runs the reference with that one method replaced, which is
# what the fork itself does per document.
FORK_WRITER='import sys, numpy as np
from Tools.references import megatron_reference as m
m.MMapIndexedDatasetBuilder._array = lambda self, tokens: np.array(tokens, dtype=self._dtype)
m.main(sys.argv[1:])'

declare -A WALL CPU
# Interleaved: every configuration once per round, RUNS rounds; the fastest wall time is kept
# (this machine is shared, so slower rounds are other tenants' load, not the tools').
for round in $(seq "$RUNS"); do
    for w in $WORKERS; do
        common=(--input "$INPUT" --tokenizer-type "$TYPE" --tokenizer-model "$MODEL" --append-eod --workers "$w")
        for tool in py fork ck; do
            prefix="$WORK/$tool-w$w"
            rm -f "$prefix"_text_document.*
            case $tool in
                py) out=$(measure "$PYTHON" "$ROOT/Tools/references/megatron_reference.py" "${common[@]}" --output-prefix "$prefix" --log-interval 100000000) ;;
                fork) out=$(measure env PYTHONPATH="$ROOT" "$PYTHON" -c "$FORK_WRITER" "${common[@]}" --output-prefix "$prefix" --log-interval 100000000) ;;
                ck) out=$(measure "$CORPUSKIT" tokenize "${common[@]}" --output-prefix "$prefix" --quiet) ;;
            esac
            wall=${out% *}; cpu=${out#* }
            if [[ -z "${WALL[$tool$w]:-}" ]] || python3 -c "import sys; sys.exit(not $wall < ${WALL[$tool$w]})"; then
                WALL[$tool$w]=$wall; CPU[$tool$w]=$cpu
            fi
            if [[ $tool != py ]]; then
                for suffix in bin idx; do
                    cmp "$WORK/py-w$w"_text_document.$suffix "$prefix"_text_document.$suffix ||
                        { echo "bench: outputs differ ($tool, $w workers, .$suffix)" >&2; exit 1; }
                done
            fi
        done
    done
done
for w in $WORKERS; do
    for tool in py fork ck; do
        case $tool in
            py) name="megatron_reference.py" ;;
            fork) name="megatron_reference.py, fork writer" ;;
            ck) name="corpuskit tokenize" ;;
        esac
        s=${WALL[$tool$w]}
        printf '%-46s %8.2f %8.2f %10.0f %8.2f\n' "$name --workers $w" "$s" "${CPU[$tool$w]}" \
            "$(python3 -c "print($DOCS/$s)")" "$(python3 -c "print($BYTES/1e6/$s)")"
    done
done

# A lower bound for any Python pipeline built on the sentencepiece binding, the fork included:
# json.loads + [bos] + encode + [eos] (Llama2Tokenizer with --append-eod) of every line in one
# process, with no pool, IPC or writer (the fork's --workers N cannot run faster than this time / N).
zstd -dc "$INPUT" > "$WORK/plain.jsonl"
ENCODE_ONLY=$(RUNS="$RUNS" "$PYTHON" - "$WORK/plain.jsonl" "$MODEL" <<'PY'
import json, sys, time
import sentencepiece
sp = sentencepiece.SentencePieceProcessor(model_file=sys.argv[2])
best = None
for _ in range(int(__import__("os").environ.get("RUNS", "1"))):
    start = time.perf_counter()
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            ids = [sp.bos_id()] + sp.encode(json.loads(line)["text"]) + [sp.eos_id()]
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(best)
PY
)
rm -f "$WORK/plain.jsonl"
printf '%-46s %8.2f %8s %10.0f %8.2f\n' "python json.loads+sp.encode only, 1 process" "$ENCODE_ONLY" "" \
    "$(python3 -c "print($DOCS/$ENCODE_ONLY)")" "$(python3 -c "print($BYTES/1e6/$ENCODE_ONLY)")"

echo
echo "outputs identical (cmp .bin and .idx) at every worker count"
for w in $WORKERS; do
    printf 'corpuskit vs megatron_reference.py at --workers %s:  %5.2fx\n' "$w" "$(python3 -c "print(${WALL[py$w]}/${WALL[ck$w]})")"
    printf 'corpuskit vs fork writer at --workers %s:            %5.2fx\n' "$w" "$(python3 -c "print(${WALL[fork$w]}/${WALL[ck$w]})")"
    printf 'corpuskit vs encode-only python / %s (bound):        %5.2fx\n' "$w" "$(python3 -c "print(($ENCODE_ONLY/$w)/${WALL[ck$w]})")"
done
set -- $WORKERS
if [[ $# -ge 2 ]]; then
    printf 'corpuskit --workers %s / --workers %s speed-up: %.2fx (cpu seconds %.2f -> %.2f)\n' "$2" "$1" \
        "$(python3 -c "print(${WALL[ck$1]}/${WALL[ck$2]})")" "${CPU[ck$1]}" "${CPU[ck$2]}"
    printf 'megatron_reference.py --workers %s / --workers %s speed-up: %.2fx\n' "$2" "$1" \
        "$(python3 -c "print(${WALL[py$1]}/${WALL[py$2]})")"
    printf 'fork writer --workers %s / --workers %s speed-up: %.2fx\n' "$2" "$1" \
        "$(python3 -c "print(${WALL[fork$1]}/${WALL[fork$2]})")"
fi
echo "2-process CPU throughput after:  $(capacity)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
