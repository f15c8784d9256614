#!/usr/bin/env bash
# `corpuskit tokenize` from 1 to 2 threads (issue #22 item 3): wall, user and sys CPU, peak RSS,
# page faults and context switches of each run, the stage CPU report, and the 1 -> 2 ratio, for
# one or two builds on the same input in one run.
#
#   Tools/benchmarks/bench_tokenize_scaling.sh [REPEATS]     (default 8)
#
# The input is $CORPUSKIT_REFERENCES/documents.jsonl (JSON with `\u` escapes) repeated REPEATS
# times, written once under $BENCH_DIR. Every configuration runs once per round, ROUNDS rounds,
# alternating builds (in both orders) and thread counts, each run after `sync`, under `taskset -c 0,1`; outputs go to fresh prefixes
# (no rename over an old dataset) and every `.bin`/`.idx` is compared (`cmp`) with the first
# run's. The machine is shared: the load average is printed with every run, the summary takes the
# fastest wall of each configuration, and the CPU columns (user + sys, which do not depend on the
# other tenants nearly as much as the wall) say how much work is done beside the tokenizing
# threads: at one thread the process can use at most 2 cores' worth of CPU in its wall, so
# 2 x wall(1) / CPU(2) bounds the ratio on two cores.
#
# Environment:
#   CORPUSKIT=path     the build to measure (default .build-static/release/corpuskit, see
#                      Tools/setup/build_release.sh)
#   BASELINE=path      a second build, run alternately with the first (e.g. main's)
#   ROUNDS=3  THREADS="1 2"  MODEL=path.model  TYPE=Llama2Tokenizer  BENCH_DIR=dir
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHARED="${CORPUSKIT_SHARED:-$ROOT/../shared}"
REFS="${CORPUSKIT_REFERENCES:-$ROOT/references}"
REPEATS="${1:-8}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-1 2}"
MODEL="${MODEL:-$SHARED/vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model}"
TYPE="${TYPE:-Llama2Tokenizer}"
WORK="${BENCH_DIR:-${TMPDIR:-/tmp}/corpuskit-bench-scaling}"
CORPUSKIT="${CORPUSKIT:-$ROOT/.build-static/release/corpuskit}"
BUILDS=("$CORPUSKIT")
[[ -n "${BASELINE:-}" ]] && BUILDS=("$BASELINE" "$CORPUSKIT")
[[ -f "$REFS/documents.jsonl" ]] || { echo "bench: $REFS/documents.jsonl missing (set CORPUSKIT_REFERENCES)" >&2; exit 1; }
[[ -f "$MODEL" ]] || { echo "bench: $MODEL missing (set MODEL or CORPUSKIT_SHARED)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
mkdir -p "$WORK"

INPUT="$WORK/documents-x$REPEATS.jsonl"
if [[ ! -f "$INPUT" ]]; then
    for _ in $(seq "$REPEATS"); do cat "$REFS/documents.jsonl"; done > "$INPUT.tmp"
    mv "$INPUT.tmp" "$INPUT"
fi

echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "input:   $INPUT ($(wc -l < "$INPUT") lines, $(stat -c %s "$INPUT") bytes)"
echo "model:   $MODEL ($TYPE, --append-eod)"
for b in "${!BUILDS[@]}"; do echo "build $b: ${BUILDS[$b]}"; done
echo
printf '%-7s %3s %5s %7s %6s %6s %7s %7s %7s %7s  %-40s %s\n' \
    round thr build wall_s user_s sys_s rss_MB minflt ctxsw_v ctxsw_i "stage cpu (load/reader/workers/writer)" "load avg"
REFERENCE=""
declare -A BEST BESTCPU
for round in $(seq "$ROUNDS"); do
    for n in $THREADS; do
        # The builds take turns in both orders (build 0 first in odd rounds, last in even ones), and
        # every run starts after `sync`: a run that follows another inherits the writeback of its
        # ~100 MB of output, which made the second build of a pair 5-10 % slower at two threads
        # whichever build it was (Intel Xeon host, 2026-12-08).
        order=("${!BUILDS[@]}")
        (( round % 2 == 0 )) && order=($(printf '%s\n' "${order[@]}" | tac))
        for b in "${order[@]}"; do
            prefix="$WORK/out-b$b-t$n"
            rm -f "$prefix"_text_document.* "$prefix"_text_document.*.tmp-* 2>/dev/null || true
            sync
            load=$(cut -d' ' -f1-3 /proc/loadavg)
            taskset -c 0,1 /usr/bin/time -o "$WORK/time.txt" -f '%e %U %S %M %R %w %c' \
                "${BUILDS[$b]}" tokenize --input "$INPUT" --output-prefix "$prefix" --tokenizer-type "$TYPE" \
                --tokenizer-model "$MODEL" --append-eod --threads "$n" > /dev/null 2> "$WORK/stderr.txt" ||
                { cat "$WORK/stderr.txt" >&2; exit 1; }
            read -r wall user sys rss minflt volcs invcs < "$WORK/time.txt"
            stages=$(grep -m1 '^cpu seconds:' "$WORK/stderr.txt" | sed 's/^cpu seconds: //')
            printf '%-7s %3s %5s %7.2f %6.2f %6.2f %7.1f %7s %7s %7s  %-40s %s\n' "$round" "$n" "$b" "$wall" "$user" "$sys" \
                "$(python3 -c "print($rss/1024)")" "$minflt" "$volcs" "$invcs" "$stages" "$load"
            if [[ -z "$REFERENCE" ]]; then
                REFERENCE="$prefix"
            else
                for suffix in bin idx; do
                    cmp "$REFERENCE"_text_document.$suffix "$prefix"_text_document.$suffix ||
                        { echo "bench: .$suffix differs (build $b, $n threads)" >&2; exit 1; }
                done
            fi
            key="$b-$n"
            if [[ -z "${BEST[$key]:-}" ]] || python3 -c "import sys; sys.exit(not $wall < ${BEST[$key]})"; then
                BEST[$key]=$wall
                BESTCPU[$key]=$(python3 -c "print(round($user + $sys, 2))")
            fi
        done
    done
done
echo
echo "outputs identical across builds and thread counts (cmp .bin/.idx)"
first=${THREADS%% *}
for b in "${!BUILDS[@]}"; do
    for n in $THREADS; do
        [[ $n == "$first" ]] && continue
        python3 -c "
w1, wn, c1, cn = ${BEST[$b-$first]}, ${BEST[$b-$n]}, ${BESTCPU[$b-$first]}, ${BESTCPU[$b-$n]}
print(f'build $b: $first -> $n threads, fastest walls {w1:.2f} -> {wn:.2f} s: {w1 / wn:.2f}x '
      f'(CPU of those runs {c1:.2f} / {cn:.2f} s; bound on 2 cores 2 x wall($first) / CPU($n) = {2 * w1 / cn:.2f}x)')"
    done
done
