#!/usr/bin/env python3
"""`corpuskit model` against transformers (float32 and bfloat16) on a checkpoint shaped like llm-jp-3-1.8b.

Usage (after Tools/setup/setup_inference_venv.sh and Tools/setup/build_release.sh):
    .venv-inference/bin/python -m Tools.benchmarks.bench_inference_llmjp [--threads 1 2] [--prompt 128] [--new 17]
        [--context 256] [--corpus-tokens 512] [--engines corpuskit fp32 bf16] [--tasks generate perplexity compare]
        [--peak-gflops G] [--bandwidth B1 B2] [--binary .build-static/release/corpuskit] [--baseline-binary OTHER]
        [--work /tmp/corpuskit-bench-llmjp] [--llama-cpp LLAMA_CPP_DIR]

The checkpoint is random (normal, std 0.02, fixed seed), written tensor by tensor as bf16 safetensors with
llm-jp-3-1.8b's exact shape: Llama, hidden 2048, 24 layers, 16 heads (no GQA), FFN 7168, vocab 99,584,
untied: 1.87B parameters, 3.7 GB. It lives under --work (not in the repository).

Tasks, each timed for every engine at every thread count, in one run:
- generate: a random --prompt of ids, then greedy decoding of --new tokens (one token per step with the
  KV cache). corpuskit: `model generate --timing`; transformers: `model(ids)` then a loop of one-token
  steps, as generate() does. Prompt tokens/s and decode tokens/s; both must give the same greedy ids
  (bf16 transformers computes in bf16, so its ids may differ: printed, not required).
- perplexity: `model perplexity` on one document of the first texts of Corpora/sample.jsonl cut after
  --corpus-tokens pieces (re-encoded it gives somewhat more ids; printed), windows of --context with
  stride = context (disjoint). transformers: the same windows (Hugging Face's sliding-window recipe),
  NLL summed in float64. Positions per second (window lengths summed / seconds) and the mean NLL of
  each side.
- compare: `model compare A A` (the checkpoint against itself: two forward passes per window plus the
  KL divergence at every scored position). transformers: the model run twice per window, KL(P‖Q) in
  float64 as Tools/references/check_model_parity.py computes it.

With --llama-cpp DIR (a llama.cpp source tree built CPU-only with `llama-bench` in DIR/build/bin:
Tools/setup/build_llama_cpp.sh DIR), llama.cpp runs in the same run: the checkpoint is converted once to a BF16 GGUF under --work by
DIR/convert_hf_to_gguf.py (run with this Python; the --tokenizer's files give the GGUF its vocabulary), and at each
thread count `llama-bench -p PROMPT -n 0` and `-p 0 -n NEW-1` (--llama-cpp-repetitions runs each, mean tokens/s)
give its prompt and decode rows (random ids, as llama-bench draws them; no NLL). Without the flag, or when
DIR/build/bin/llama-bench is missing, the rows are skipped with a message.

corpuskit's perplexity and compare times are whole commands (loading included: the weights are
memory-mapped, page cache warm); its generate wall times are `--timing`'s, the prompt's CPU time that of a
run stopping after the prompt pass (loading included) and the decode's the difference to the full run.
transformers' times are the forward passes only (loading excluded). Each row prints the wall time, the CPU time
of the timed part, the rate per CPU second (wall rate × wall / CPU: on a shared machine the steadier
figure at one thread) and the 1-minute load average. The % columns set the
throughput against the machine's limits, measured in the same run at each thread count (or given with
--peak-gflops per thread and --bandwidth per thread count): prompt/perplexity FLOP/s against torch.mm's
float32 GFLOP/s, decode weight bytes/s against torch.sum's read GB/s over 1 GiB.
"""
import argparse
import copy
import json
import os
import re
import resource
import subprocess
import sys
import time

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import LlamaForCausalLM

from Tools.benchmarks.bench_model_diff import shapes as llama_shapes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# llm-jp v3.0's tokenizer (llm-jp-3-1.8b's), for the corpus and for llama.cpp's GGUF conversion.
DEFAULT_TOKENIZER = os.path.join(os.path.realpath(os.environ.get("CORPUSKIT_SHARED", os.path.join(ROOT, "../shared"))), "vocab/llm-jp-v3.0")
CONFIG = dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=2048, intermediate_size=7168,
              num_hidden_layers=24, num_attention_heads=16, num_key_value_heads=16, vocab_size=99584,
              max_position_embeddings=4096, rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False,
              bos_token_id=1, eos_token_id=2, hidden_act="silu", torch_dtype="bfloat16", attention_bias=False, mlp_bias=False)


# `--make-only --small`: the same architecture scaled down (hidden 512, FFN 1792, 4 layers, 8 heads, vocab
# 8,192; 23.6M parameters, 47 MB), for instruction counts under valgrind, which the full shape makes too slow:
#   valgrind --tool=cachegrind --cache-sim=no STRIPPED model generate DIR --ids-file P --max-new-tokens 16 --ignore-eos --threads 1
# (STRIPPED = `strip --strip-debug -o STRIPPED corpuskit`: valgrind cannot read the release build's debug information).
SMALL = dict(hidden_size=512, intermediate_size=1792, num_hidden_layers=4, num_attention_heads=8, num_key_value_heads=8, vocab_size=8192)


def shapes():
    return llama_shapes(CONFIG)


def make(work, small=False):
    if small:
        CONFIG.update(SMALL)
    directory = os.path.join(work, "small-bf16" if small else "llm-jp-3-1.8b-shape-bf16")
    path = os.path.join(directory, "model.safetensors")
    if os.path.exists(path):
        return directory
    os.makedirs(directory, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    tensors = {}
    for name, shape in shapes().items():
        if len(shape) == 1:
            tensors[name] = torch.ones(shape, dtype=torch.bfloat16)
        else:
            tensors[name] = (torch.randn(shape, generator=g) * 0.02).to(torch.bfloat16)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=1)
    save_file(tensors, path + ".tmp", metadata={"format": "pt"})
    os.rename(path + ".tmp", path)
    return directory


def matmul_parameters():
    """Parameters read by the matrix products per token: every 2-D tensor but the embedding."""
    return sum(int(np.prod(s)) for n, s in shapes().items() if len(s) == 2 and n != "model.embed_tokens.weight")


def flops_per_position(context):
    """2 FLOP per weight, plus attention's QK^T and PV over on average context/2 keys (causal)."""
    h, layers = CONFIG["hidden_size"], CONFIG["num_hidden_layers"]
    return 2 * matmul_parameters() + layers * 2 * 2 * h * context / 2


class Timer:
    """Wall time, CPU time (self, or finished children when `children`) and the load average."""

    def __init__(self, children=False):
        self.children = children

    def cpu(self):
        usage = resource.getrusage(resource.RUSAGE_CHILDREN if self.children else resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def __enter__(self):
        self.wall, self.cpu0 = time.perf_counter(), self.cpu()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.wall
        self.cpu_seconds = self.cpu() - self.cpu0
        self.load = os.getloadavg()[0]


def measure_limits(threads):
    """This run's limits at `threads`: float32 matrix product GFLOP/s (torch.mm, 2048³, best of 5) and
    read GB/s (torch.sum over 1 GiB of float32, best of 5; memory-bound)."""
    torch.set_num_threads(threads)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    best_mm = min(timed(lambda: torch.mm(a, b)) for _ in range(5))
    big = torch.ones(2 ** 28)
    best_sum = min(timed(lambda: big.sum()) for _ in range(5))
    return 2 * 2048 ** 3 / best_mm / 1e9, big.numel() * 4 / best_sum / 1e9


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


# ---------------------------------------------------------------- corpuskit


def corpuskit_generate(binary, directory, prompt, new, threads, work):
    """Prompt and decode timers: wall seconds from `--timing`; CPU seconds of the prompt = a run that stops
    after the prompt pass (loading included), of the decode = the full run's CPU minus that. An untimed run
    first brings the checkpoint into the page cache, so both timed runs find it there in the same state (a
    cold first load, e.g. reading 2 MiB folios in, made the difference of the two negative)."""
    path = os.path.join(work, "prompt.jsonl")
    with open(path, "w") as f:
        f.write(json.dumps(prompt) + "\n")
    subprocess.run([binary, "model", "generate", directory, "--ids-file", path, "--max-new-tokens", "1", "--ignore-eos",
                    "--threads", str(threads)], capture_output=True, check=True)
    runs = []
    for count in (1, new):
        with Timer(children=True) as t:
            result = subprocess.run([binary, "model", "generate", directory, "--ids-file", path, "--max-new-tokens", str(count),
                                     "--ignore-eos", "--timing", "--threads", str(threads)], capture_output=True, text=True, check=True)
        runs.append((re.search(r"prompt \d+ tokens in ([\d.]+) s.*decode \d+ tokens in ([\d.]+) s", result.stderr), result, t))
    tp, td = runs[0][2], copy.copy(runs[1][2])
    tp.seconds = float(runs[1][0].group(1))
    td.seconds, td.cpu_seconds = float(runs[1][0].group(2)), runs[1][2].cpu_seconds - runs[0][2].cpu_seconds
    return tp, td, json.loads(runs[1][1].stdout.splitlines()[0])


def corpuskit_corpus(binary, command, directory, corpus, tokenizer, context, threads):
    args = [binary, "model", command, directory] + ([directory] if command == "compare" else [])
    args += ["--tokenizer", tokenizer, "--input", corpus, "--context", str(context), "--stride", str(context), "--json", "--threads", str(threads)]
    with Timer(children=True) as t:
        result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return json.loads(result.stdout), t


# ---------------------------------------------------------------- transformers


def load_transformers(directory, dtype, threads):
    torch.set_num_threads(threads)
    return LlamaForCausalLM.from_pretrained(directory, dtype=dtype, attn_implementation="sdpa").eval()


def transformers_generate(model, prompt, new):
    with torch.inference_mode(), Timer() as tp:
        out = model(torch.tensor([prompt]), use_cache=True)
    past, token = out.past_key_values, int(out.logits[0, -1].argmax())
    produced = [token]
    with torch.inference_mode(), Timer() as td:
        for _ in range(new - 1):
            out = model(torch.tensor([[token]]), past_key_values=past, use_cache=True)
            past, token = out.past_key_values, int(out.logits[0, -1].argmax())
            produced.append(token)
    return tp, td, produced


def windows(count, context, stride):
    """Hugging Face's sliding windows (as corpuskit's SlidingWindow): (begin, end, first scored index)."""
    result, previous_end, begin = [], 0, 0
    while begin < count:
        end = min(begin + context, count)
        targets = end - previous_end
        if end - begin >= 2:
            result.append((begin, end, max(1, end - begin - targets)))
        previous_end = end
        if end == count:
            break
        begin += stride
    return result


def transformers_corpus(model, ids, context, compare):
    """Mean NLL over the windows (and with `compare` the mean KL of the model against a second run of itself)."""
    nll, kl, scored, positions = 0.0, 0.0, 0, 0
    with torch.inference_mode(), Timer() as t:
        for begin, end, first in windows(len(ids), context, context):
            x = torch.tensor([ids[begin:end]])
            logp = torch.log_softmax(model(x).logits[0].float(), dim=-1)
            target = torch.tensor(ids[begin + first:end])
            nll += -logp[first - 1:end - begin - 1].gather(1, target[:, None]).double().sum().item()
            if compare:
                logq = torch.log_softmax(model(x).logits[0].float(), dim=-1)
                p, q = logp[first - 1:end - begin - 1].double(), logq[first - 1:end - begin - 1].double()
                kl += (p.exp() * (p - q)).sum().item()
            scored += end - begin - first
            positions += end - begin
    return nll / scored, kl / scored, positions, t


# ---------------------------------------------------------------- llama.cpp


def llama_cpp_gguf(source, directory, tokenizer, work):
    """The checkpoint as a BF16 GGUF (converted once by llama.cpp's own converter, then reused)."""
    gguf = os.path.join(work, os.path.basename(directory) + ".gguf")
    if os.path.exists(gguf):
        return gguf
    # The converter reads the vocabulary from the checkpoint's folder: a folder of links to both.
    staging = os.path.join(work, "gguf-src")
    os.makedirs(staging, exist_ok=True)
    links = {name: os.path.join(directory, name) for name in ("config.json", "model.safetensors")}
    for name in os.listdir(tokenizer):
        links["tokenizer.model" if name.endswith(".model") else name] = os.path.join(tokenizer, name)
    for name, target in links.items():
        link = os.path.join(staging, name)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.abspath(target), link)
    partial = gguf + ".partial"
    print(f"converting to GGUF BF16 with {source}/convert_hf_to_gguf.py (once) …")
    sys.stdout.flush()
    subprocess.run([sys.executable, os.path.join(source, "convert_hf_to_gguf.py"), staging, "--outtype", "bf16", "--outfile", partial],
                   check=True, capture_output=True)
    os.rename(partial, gguf)
    return gguf


def llama_cpp_bench(binary, gguf, threads, prompt, new, repetitions):
    """llama-bench's mean tokens/s of one test (`prompt` ids, or `new` generated ids), with a Timer whose wall time is
    the sum of the timed repetitions and whose CPU time is the whole llama-bench process's (loading and warm-up too)."""
    args = [binary, "-m", gguf, "-t", str(threads), "-p", str(prompt), "-n", str(new), "-r", str(repetitions), "-o", "json"]
    with Timer(children=True) as t:
        result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}")
    test = json.loads(result.stdout)[0]
    t.seconds = sum(test["samples_ns"]) / 1e9
    return test["avg_ts"], t


# ---------------------------------------------------------------- report


def row(threads, task, engine, rate, unit, percent, t, note=""):
    """One table row; `CPU s` is the CPU time of the timed part (for corpuskit's generate rows: of the whole command)."""
    percent_text = f"{percent:.0f} %" if percent is not None else ""
    per_cpu = rate * t.seconds / t.cpu_seconds if t.cpu_seconds > 0 else float("nan")
    print(f"| {threads} | {task} | {engine} | {rate:.2f} {unit} | {percent_text} | {per_cpu:.2f} | {t.seconds:.2f} | {t.cpu_seconds:.2f} | {t.load:.1f} | {note} |")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--prompt", type=int, default=128, help="prompt ids of the generate task")
    parser.add_argument("--new", type=int, default=17, help="tokens generated (the first comes from the prompt pass)")
    parser.add_argument("--context", type=int, default=256, help="window length (= stride) of perplexity and compare")
    parser.add_argument("--corpus-tokens", type=int, default=512, help="ids of the one document perplexity and compare read")
    parser.add_argument("--engines", nargs="+", default=["corpuskit", "fp32", "bf16"], choices=["corpuskit", "baseline", "fp32", "bf16"],
                        help="baseline: a second corpuskit binary (--baseline-binary), e.g. a build before a change")
    parser.add_argument("--tasks", nargs="+", default=["generate", "perplexity", "compare"], choices=["generate", "perplexity", "compare"])
    parser.add_argument("--peak-gflops", type=float, help="FMA peak GFLOP/s of one core (default: this run's torch.mm figure)")
    parser.add_argument("--bandwidth", type=float, nargs="+", help="read GB/s at 1, 2, … threads (default: this run's torch.sum figure)")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build-static/release/corpuskit"))
    parser.add_argument("--baseline-binary")
    parser.add_argument("--tokenizer", default=DEFAULT_TOKENIZER)
    parser.add_argument("--work", default="/tmp/corpuskit-bench-llmjp")
    parser.add_argument("--make-only", action="store_true", help="write the checkpoint and stop")
    parser.add_argument("--small", action="store_true", help="with --make-only: the scaled-down checkpoint (SMALL)")
    parser.add_argument("--llama-cpp", metavar="DIR", help="a llama.cpp source tree with build/bin/llama-bench: adds its BF16 rows")
    parser.add_argument("--llama-cpp-repetitions", type=int, default=3, help="llama-bench -r (mean of the runs)")
    args = parser.parse_args()
    # A baseline binary given is a baseline wanted: its rows follow corpuskit's unless --engines
    # was given without it (a run meant to compare, not to silently skip the comparison).
    if args.baseline_binary and "baseline" not in args.engines:
        if "--engines" in sys.argv:
            parser.error("--baseline-binary needs 'baseline' in --engines")
        args.engines.insert(args.engines.index("corpuskit") + 1 if "corpuskit" in args.engines else 0, "baseline")
    if "baseline" in args.engines and not args.baseline_binary:
        parser.error("the baseline engine needs --baseline-binary")
    os.makedirs(args.work, exist_ok=True)
    if args.small and not args.make_only:
        parser.error("--small is for --make-only (instruction counts)")
    directory = make(args.work, small=args.small)
    if args.make_only:
        print(directory)
        return

    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=next(os.path.join(args.tokenizer, f) for f in os.listdir(args.tokenizer) if f.endswith(".model")))
    text = ""
    with open(os.path.join(ROOT, "Corpora/sample.jsonl")) as f:
        for line in f:
            text += json.loads(line)["text"] + "\n"
            pieces = sp.encode(text, out_type=str)
            if len(pieces) + 1 >= args.corpus_tokens:
                break
    # Cut at a piece boundary so that both sides tokenize the same text to the same ids.
    text = "".join(pieces[:args.corpus_tokens - 1]).replace("\u2581", " ")
    ids = [CONFIG["bos_token_id"]] + sp.encode(text)
    corpus = os.path.join(args.work, "corpus.jsonl")
    with open(corpus, "w") as f:
        f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    g = torch.Generator().manual_seed(1)
    prompt = [1] + torch.randint(3, CONFIG["vocab_size"], (args.prompt - 1,), generator=g).tolist()

    llama_bench, gguf = None, None
    if args.llama_cpp:
        llama_bench = os.path.join(args.llama_cpp, "build", "bin", "llama-bench")
        if os.access(llama_bench, os.X_OK):
            gguf = llama_cpp_gguf(args.llama_cpp, directory, args.tokenizer, args.work)
        else:
            print(f"llama.cpp rows skipped: no executable {llama_bench} (Tools/setup/build_llama_cpp.sh builds it)")
            llama_bench = None
    else:
        print("llama.cpp rows skipped: no --llama-cpp DIR given")

    weight_bytes = 2 * matmul_parameters()
    print(f"checkpoint: {directory} ({os.path.getsize(os.path.join(directory, 'model.safetensors')) / 1e9:.2f} GB bf16, "
          f"{matmul_parameters() / 1e9:.3f}B parameters in matrix products); corpus {len(ids)} ids; torch {torch.__version__}")
    print(f"decode reads {weight_bytes / 1e9:.2f} GB of bf16 weights per token; prompt {flops_per_position(args.prompt) / 1e9:.2f} GFLOP "
          f"per position, perplexity/compare {flops_per_position(args.context) / 1e9:.2f}")
    for threads in args.threads:
        gflops, read = measure_limits(threads)
        peak = (args.peak_gflops * threads if args.peak_gflops else gflops) * 1e9
        bandwidth = (args.bandwidth[min(threads, len(args.bandwidth)) - 1] if args.bandwidth else read) * 1e9
        print(f"\n{threads} thread(s): measured now torch.mm {gflops:.1f} GFLOP/s, torch.sum read {read:.1f} GB/s (load {os.getloadavg()[0]:.1f}); "
              f"% columns against {peak / 1e9:.1f} GFLOP/s and {bandwidth / 1e9:.1f} GB/s\n")
        print("| threads | task | engine | rate | % of limit | per CPU s | wall s | CPU s | load | notes |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|---|")
        greedy = {}
        for engine in args.engines:
            model, binary = None, args.baseline_binary if engine == "baseline" else args.binary
            if engine not in ("corpuskit", "baseline"):
                model = load_transformers(directory, torch.float32 if engine == "fp32" else torch.bfloat16, threads)
            name = {"corpuskit": "corpuskit", "baseline": "corpuskit (baseline)"}.get(engine, f"transformers {engine}")
            if "generate" in args.tasks:
                if model is None:
                    tp, td, produced = corpuskit_generate(binary, directory, prompt, args.new, threads, args.work)
                else:
                    tp, td, produced = transformers_generate(model, prompt, args.new)
                p_s, d_s = tp.seconds, td.seconds
                # Against the first engine's ids (corpuskit's unless --engines puts another first).
                first_engine = next(iter(greedy), None)
                greedy[engine] = produced
                same = "" if first_engine is None else (
                    f"same greedy ids as {first_engine}" if produced == greedy[first_engine] else f"greedy ids differ from {first_engine}'s")
                prompt_rate = args.prompt / p_s
                row(threads, f"prompt {args.prompt}", name, prompt_rate, "tok/s", 100 * prompt_rate * flops_per_position(args.prompt) / peak, tp,
                    "CPU s: loading included" if model is None else "")
                decode_rate = (args.new - 1) / d_s
                row(threads, f"decode {args.new - 1}", name, decode_rate, "tok/s", 100 * decode_rate * weight_bytes / bandwidth, td, same)
            for task in ("perplexity", "compare"):
                if task not in args.tasks:
                    continue
                if model is None:
                    report, t = corpuskit_corpus(binary, task, directory, corpus, args.tokenizer, args.context, threads)
                    nll = report["mean_nll"] if task == "perplexity" else None
                    note = f"mean NLL {nll:.9f}" if nll is not None else f"kl_mean {report['kl_mean']:.3g}"
                    positions = len(ids)
                else:
                    nll, kl, positions, t = transformers_corpus(model, ids, args.context, task == "compare")
                    note = f"mean NLL {nll:.9f}" if task == "perplexity" else f"kl_mean {kl:.3g}"
                passes = 2 if task == "compare" else 1
                rate = passes * positions / t.seconds
                row(threads, f"{task} {len(ids)} ids", name, rate, "pos/s", 100 * rate * flops_per_position(args.context) / peak, t, note)
            del model
        if llama_bench and "generate" in args.tasks:
            name = "llama.cpp BF16"
            note = f"llama-bench -r {args.llama_cpp_repetitions}; CPU s: whole run"
            rate, t = llama_cpp_bench(llama_bench, gguf, threads, args.prompt, 0, args.llama_cpp_repetitions)
            row(threads, f"prompt {args.prompt}", name, rate, "tok/s", 100 * rate * flops_per_position(args.prompt) / peak, t, note)
            rate, t = llama_cpp_bench(llama_bench, gguf, threads, 0, args.new - 1, args.llama_cpp_repetitions)
            row(threads, f"decode {args.new - 1}", name, rate, "tok/s", 100 * rate * weight_bytes / bandwidth, t, note)


if __name__ == "__main__":
    main()
