#!/usr/bin/env python3
"""Peak RSS of `corpuskit model perplexity` on a ~1.1 GB bf16 checkpoint.

Usage (after Tools/setup/setup_inference_venv.sh and `swift build -c release`):
    .venv-inference/bin/python -m Tools.benchmarks.bench_inference_rss [--tokenizer DIR] [--binary .build-static/release/corpuskit]

The checkpoint is a random Llama shaped like a small llm-jp-3 (hidden 1536, 10 layers, 12 heads / 4 kv
heads, intermediate 4096, vocab 99,584 untied: ~558M parameters, ~1.12 GB as bf16), saved under --work.
The corpus is the first --documents documents of Corpora/sample.jsonl, concatenated into one text so
that full 2048-token windows occur. Peak RSS is the child's ru_maxrss (it counts the mapped weight
pages it touched).
"""
import argparse
import json
import os
import resource
import subprocess
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build-static/release/corpuskit"))
    parser.add_argument("--tokenizer", default=os.path.join(os.path.realpath(os.environ.get("CORPUSKIT_SHARED", os.path.join(ROOT, "../shared"))), "vocab/llm-jp-v3.0"))
    parser.add_argument("--work", default="/tmp/corpuskit-bench-rss")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    directory = os.path.join(args.work, "llama-558m-bf16")
    if not os.path.exists(os.path.join(directory, "model.safetensors")):
        torch.manual_seed(0)
        config = LlamaConfig(hidden_size=1536, intermediate_size=4096, num_hidden_layers=10, num_attention_heads=12,
                             num_key_value_heads=4, vocab_size=99584, max_position_embeddings=4096, tie_word_embeddings=False,
                             bos_token_id=1, eos_token_id=2)
        LlamaForCausalLM(config).to(torch.bfloat16).save_pretrained(directory, safe_serialization=True)
    size = os.path.getsize(os.path.join(directory, "model.safetensors"))
    texts = []
    with open(os.path.join(ROOT, "Corpora/sample.jsonl")) as f:
        for line in f:
            texts.append(json.loads(line)["text"])
            if len(texts) == args.documents:
                break
    corpus = os.path.join(args.work, "corpus.jsonl")
    with open(corpus, "w") as f:
        f.write(json.dumps({"text": "\n".join(texts)}, ensure_ascii=False) + "\n")
    command = [args.binary, "model", "perplexity", directory, "--tokenizer", args.tokenizer, "--input", corpus,
               "--context", "2048", "--stride", "1024", "--json", "--threads", str(args.threads)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    summary = json.loads(result.stdout)
    print(f"checkpoint: {size / 1e9:.3f} GB bf16 ({directory})")
    print(f"command: {' '.join(command)}")
    print(f"tokens scored: {summary['tokens']}, {seconds:.1f} s")
    print(f"peak RSS: {peak / 2**30:.3f} GiB ({peak / 1e9:.3f} GB)")


if __name__ == "__main__":
    main()
