"""Decode tokens/s of corpuskit against llama.cpp BF16 (and optionally a baseline corpuskit build) in alternating
rounds, with a memory-read probe before each engine (issue 21; BENCHMARKS.md "Decoding, seventh session").

Why rounds: on this project's shared 2-vCPU guest the memory bandwidth at 2 threads swings between ~30-40 and
~55-92 GB/s from minute to minute, so one run of each engine (bench_inference_llmjp's generate rows) compares
the host's states, not the engines. Here every round runs each engine once, back to back, and the summary gives
each engine's median and the geometric mean of the per-round ratios, with the number of rounds each side won.
The probe (Tools/benchmarks/bench_read_probe.c, compiled into --work) prints the GB/s the host gave that many threads
just before each engine ran.

The checkpoint and its GGUF are bench_inference_llmjp's, under --work (made by its code when missing).

Usage:
    /work/venvs/inference/bin/python -m Tools.benchmarks.bench_decode_rounds --binary .build-static/release/corpuskit \
        --llama-cpp /tmp/llama.cpp-src --threads 1 2 --rounds 12 [--baseline-binary OLD]
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys

from Tools.benchmarks.bench_inference_llmjp import DEFAULT_TOKENIZER, ROOT, llama_cpp_bench, llama_cpp_gguf, make


def corpuskit_decode(binary, directory, prompt_path, new, threads):
    """Decode tokens/s from one `model generate --timing` run (its prompt pass is not counted)."""
    result = subprocess.run([binary, "model", "generate", directory, "--ids-file", prompt_path, "--max-new-tokens", str(new),
                             "--ignore-eos", "--timing", "--threads", str(threads)], capture_output=True, text=True, check=True)
    match = re.search(r"decode (\d+) tokens in ([\d.]+) s", result.stderr)
    return int(match.group(1)) / float(match.group(2))


def probe(executable, threads):
    """Median GB/s of the read probe at `threads` threads, or None without a probe."""
    if executable is None:
        return None
    result = subprocess.run([executable, str(threads), "1"], capture_output=True, text=True, check=True)
    return float(re.search(r"median ([\d.]+)", result.stdout).group(1))


def geometric_mean_ratio(a, b):
    return math.exp(statistics.mean(math.log(x / y) for x, y in zip(a, b)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build-static/release/corpuskit"))
    parser.add_argument("--baseline-binary", help="a second corpuskit build, run in every round too")
    parser.add_argument("--llama-cpp", metavar="DIR", required=True, help="a llama.cpp tree with build/bin/llama-bench")
    parser.add_argument("--work", default="/tmp/corpuskit-bench-llmjp")
    parser.add_argument("--tokenizer", default=DEFAULT_TOKENIZER, help="for the GGUF conversion, when the GGUF is missing")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--new", type=int, default=48, help="tokens decoded per run")
    parser.add_argument("--cc", default=os.environ.get("CC", "cc"), help="C compiler for the read probe ('' to skip it)")
    args = parser.parse_args()

    llama_bench = os.path.join(args.llama_cpp, "build", "bin", "llama-bench")
    if not os.access(llama_bench, os.X_OK):
        sys.exit(f"{llama_bench}: no such executable (Tools/setup/build_llama_cpp.sh builds it)")
    directory = make(args.work)
    gguf = llama_cpp_gguf(args.llama_cpp, directory, args.tokenizer, args.work)
    probe_executable = None
    if args.cc:
        probe_executable = os.path.join(args.work, "bench_read_probe")
        subprocess.run([args.cc, "-O2", "-pthread", os.path.join(ROOT, "Tools/benchmarks/bench_read_probe.c"), "-o", probe_executable],
                       check=True)
    prompt_path = os.path.join(args.work, "rounds-prompt.json")
    with open(prompt_path, "w") as f:
        f.write(json.dumps([1] + [(i * 37) % 99000 + 5 for i in range(15)]) + "\n")

    engines = [("corpuskit", lambda t: corpuskit_decode(args.binary, directory, prompt_path, args.new, t))]
    if args.baseline_binary:
        engines.append(("baseline", lambda t: corpuskit_decode(args.baseline_binary, directory, prompt_path, args.new, t)))
    engines.append(("llama.cpp BF16", lambda t: llama_cpp_bench(llama_bench, gguf, t, 0, args.new, 1)[0]))
    for _, run in engines[:-1]:
        run(1)   # page cache warm for every engine before the first timed round
    for threads in args.threads:
        print(f"\n{threads} thread(s), {args.rounds} rounds, decode tok/s (probe GB/s just before, in brackets)\n")
        print("| round | " + " | ".join(name for name, _ in engines) + " |")
        print("|---|" + "---:|" * len(engines))
        rates = {name: [] for name, _ in engines}
        for r in range(1, args.rounds + 1):
            cells = []
            for name, run in engines:
                before = probe(probe_executable, threads)
                rate = run(threads)
                rates[name].append(rate)
                cells.append(f"{rate:.2f}" + (f" ({before:.0f})" if before is not None else ""))
            print(f"| {r} | " + " | ".join(cells) + " |")
            sys.stdout.flush()
        reference = rates["llama.cpp BF16"]
        print()
        for name, _ in engines:
            line = f"{name}: median {statistics.median(rates[name]):.2f} tok/s"
            if name != "llama.cpp BF16":
                wins = sum(x > y for x, y in zip(rates[name], reference))
                line += f"; ÷ llama.cpp {geometric_mean_ratio(rates[name], reference):.3f} (geometric mean), faster in {wins} of {args.rounds}"
            print(line)
        if args.baseline_binary:
            wins = sum(x > y for x, y in zip(rates["corpuskit"], rates["baseline"]))
            print(f"corpuskit ÷ baseline {geometric_mean_ratio(rates['corpuskit'], rates['baseline']):.3f}, faster in {wins} of {args.rounds}")


if __name__ == "__main__":
    main()
