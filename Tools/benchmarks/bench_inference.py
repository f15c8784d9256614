#!/usr/bin/env python3
"""`corpuskit model` against transformers on the CPU: the same random Llama, float32, same threads.

Usage (after Tools/setup/setup_inference_venv.sh and `swift build -c release`):
    .venv-inference/bin/python -m Tools.benchmarks.bench_inference [--threads 1 2] [--prompt 256] [--new 64]
                                                      [--binary .build-static/release/corpuskit] [--work /tmp/ck-bench]

The model (hidden 768, 12 layers, 12 heads / 4 kv heads, intermediate 2048, vocab 32,000, untied:
~125M parameters) is built with a fixed seed and saved as float32 safetensors under --work.
Prompt processing = one forward pass over the prompt (transformers: `model(ids, use_cache=True)`;
corpuskit: the prompt pass of `model generate --timing`); decode = the following one-token greedy
steps with the KV cache (transformers: a loop over `model(next, past_key_values=...)`, as
generate() does). Each figure is the best of --repeat runs. Both must produce the same greedy ids.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM


def build(work):
    directory = os.path.join(work, "llama-125m-f32")
    if os.path.exists(os.path.join(directory, "model.safetensors")):
        return directory
    torch.manual_seed(0)
    config = LlamaConfig(hidden_size=768, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=12,
                         num_key_value_heads=4, vocab_size=32000, max_position_embeddings=2048, tie_word_embeddings=False,
                         bos_token_id=1, eos_token_id=2, initializer_range=0.05)
    model = LlamaForCausalLM(config).eval()
    model.save_pretrained(directory, safe_serialization=True)
    return directory


def transformers_run(directory, prompt, new, threads, repeat):
    torch.set_num_threads(threads)
    model = LlamaForCausalLM.from_pretrained(directory, torch_dtype=torch.float32, attn_implementation="sdpa").eval()
    best_prompt, best_decode, ids = float("inf"), float("inf"), None
    with torch.inference_mode():
        for _ in range(repeat):
            start = time.perf_counter()
            out = model(torch.tensor([prompt]), use_cache=True)
            t_prompt = time.perf_counter() - start
            past = out.past_key_values
            token = int(out.logits[0, -1].argmax())
            produced = [token]
            start = time.perf_counter()
            for _ in range(new - 1):
                out = model(torch.tensor([[token]]), past_key_values=past, use_cache=True)
                past = out.past_key_values
                token = int(out.logits[0, -1].argmax())
                produced.append(token)
            t_decode = time.perf_counter() - start
            best_prompt, best_decode, ids = min(best_prompt, t_prompt), min(best_decode, t_decode), produced
    return best_prompt, best_decode, ids


def corpuskit_run(binary, directory, prompt, new, threads, repeat, work):
    path = os.path.join(work, "prompt.jsonl")
    with open(path, "w") as f:
        f.write(json.dumps(prompt) + "\n")
    best_prompt, best_decode, ids = float("inf"), float("inf"), None
    for _ in range(repeat):
        result = subprocess.run([binary, "model", "generate", directory, "--ids-file", path, "--max-new-tokens", str(new),
                                 "--ignore-eos", "--timing", "--threads", str(threads)], capture_output=True, text=True, check=True)
        m = re.search(r"prompt \d+ tokens in ([\d.]+) s.*decode \d+ tokens in ([\d.]+) s", result.stderr)
        best_prompt, best_decode = min(best_prompt, float(m.group(1))), min(best_decode, float(m.group(2)))
        ids = json.loads(result.stdout.splitlines()[0])
    return best_prompt, best_decode, ids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--prompt", type=int, default=256)
    parser.add_argument("--new", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--binary", default=".build-static/release/corpuskit")
    parser.add_argument("--work", default="/tmp/corpuskit-bench-inference")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    directory = build(args.work)
    g = torch.Generator().manual_seed(1)
    prompt = [1] + torch.randint(3, 32000, (args.prompt - 1,), generator=g).tolist()
    params = sum(p.numel() for p in LlamaForCausalLM(LlamaConfig.from_pretrained(directory)).parameters())
    print(f"model: random Llama, {params / 1e6:.1f}M parameters, float32; prompt {args.prompt} tokens, decode {args.new - 1} tokens")
    print("| threads | engine | prompt tokens/s | decode tokens/s |")
    print("|---|---|---|---|")
    for threads in args.threads:
        tp, td, tids = transformers_run(directory, prompt, args.new, threads, args.repeat)
        cp, cd, cids = corpuskit_run(args.binary, directory, prompt, args.new, threads, args.repeat, args.work)
        same = "same greedy ids" if tids == cids else f"DIFFERENT greedy ids: {tids[:8]} vs {cids[:8]}"
        print(f"| {threads} | transformers {torch.__version__} | {args.prompt / tp:.1f} | {(args.new - 1) / td:.2f} |")
        print(f"| {threads} | corpuskit | {args.prompt / cp:.1f} | {(args.new - 1) / cd:.2f} |  ({same})")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
