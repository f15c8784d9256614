#!/usr/bin/env python3
"""Index cache build, megatron-core 0.16.1 against `corpuskit plan --data-cache-path`, same shards, same bytes.

    Tools/setup_megatron_venv.sh && Tools/build_release.sh
    VENV/bin/python -m Tools.benchmarks.bench_cache [--datasets 300] [--samples 100000000] [--seq-length 4096]

Writes synthetic shards (Tools/bench_plan.py's: D datasets of 1,000-5,000 sequences of 50-3,000
tokens, the .bin sparse, token-count-like weights) into a temporary folder, then runs, each as a
whole process timed from start to exit, one run each:
  * megatron-core: BlendedMegatronDatasetBuilder(GPTDataset, [N, 0, 0], ...).build() with
    path_to_cache = a fresh folder (torch.distributed as a one-process gloo group, as a training
    job's rank 0 has it): every dataset's document/sample/shuffle index and the blend, saved;
  * corpuskit plan --data-cache-path into another fresh folder.
Then compares the two folders: the same file names, every file byte-identical (else it fails).
Prints wall and CPU (user + system) times, peak RSS (/usr/bin/time) and the ratios.
"""
import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time

from Tools.benchmarks.bench_plan import write_blend

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKENIZER = "/models/tokenizer.model"

MEGATRON = r'''
import os, sys, torch
from collections import OrderedDict
from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder
from megatron.core.datasets.gpt_dataset import GPTDataset, GPTDatasetConfig
class T:
    vocab_size = None; eod = 0
    unique_identifiers = OrderedDict([("class", "_Llama2Tokenizer"), ("tokenizer_path", [sys.argv[5]]), ("vocab_extra_ids", "0")])
words = open(sys.argv[1]).read().split()
weights = [float(w) for w in words[0::2]]; prefixes = words[1::2]
n, L, cache = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
torch.distributed.init_process_group("gloo", init_method="file://" + cache + ".pg", rank=0, world_size=1)
config = GPTDatasetConfig(random_seed=1234, sequence_length=L, blend=(prefixes, weights), split="1,0,0",
    tokenizer=T(), reset_position_ids=False, reset_attention_mask=False, eod_mask_loss=False,
    create_attention_mask=False, path_to_cache=cache)
BlendedMegatronDatasetBuilder(GPTDataset, [n, 0, 0], lambda: True, config).build()
'''


def timed(cmd, **kw):
    t = time.time()
    out = subprocess.run(["/usr/bin/time", "-f", "%U %S %M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True, **kw)
    elapsed = time.time() - t
    if out.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{out.stderr[-3000:]}")
    user, system, rss = out.stderr.strip().splitlines()[-1].split()
    return elapsed, float(user) + float(system), int(rss) / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--datasets", type=int, default=300)
    p.add_argument("--samples", type=int, default=100_000_000)
    p.add_argument("--seq-length", type=int, default=4096)
    p.add_argument("--global-batch-size", type=int, default=1024)
    p.add_argument("--corpuskit", default=os.path.join(ROOT, ".build-static/release/corpuskit"))
    p.add_argument("--tmp", default=None, help="where the shards and both caches go (several GB)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        path_file = write_blend(tmp, args.datasets)
        iters = args.samples // args.global_batch_size
        n = iters * args.global_batch_size
        print(f"{args.datasets} datasets, N = {n:,} samples, seq length {args.seq_length}", flush=True)
        ours, theirs = os.path.join(tmp, "corpuskit-cache"), os.path.join(tmp, "megatron-cache")
        t_ck, cpu_ck, rss_ck = timed([args.corpuskit, "plan", "--data-path-file", path_file, "--seq-length", str(args.seq_length),
                              "--global-batch-size", str(args.global_batch_size), "--train-iters", str(iters),
                              "--split", "1,0,0", "--eval-iters", "0", "--eval-interval", "1000", "--tokenizer-type", "Llama2Tokenizer",
                              "--tokenizer-model", TOKENIZER, "--data-cache-path", ours])
        print(f"corpuskit plan --data-cache-path: {t_ck:8.2f} s wall {cpu_ck:8.2f} s CPU  peak RSS {rss_ck:8.0f} MB", flush=True)
        t_mc, cpu_mc, rss_mc = timed([sys.executable, "-c", MEGATRON, path_file, str(n), str(args.seq_length), theirs, TOKENIZER],
                             env={**os.environ, "PYTHONWARNINGS": "ignore"})
        print(f"megatron-core build(), cached:    {t_mc:8.2f} s wall {cpu_mc:8.2f} s CPU  peak RSS {rss_mc:8.0f} MB", flush=True)
        a, b = sorted(os.listdir(ours)), sorted(os.listdir(theirs))
        if a != b:
            sys.exit(f"different file names: {sorted(set(a) ^ set(b))[:10]}")
        different = [f for f in a if not filecmp.cmp(os.path.join(ours, f), os.path.join(theirs, f), shallow=False)]
        if different:
            sys.exit(f"{len(different)} files differ, e.g. {different[:5]}")
        size = sum(os.path.getsize(os.path.join(ours, f)) for f in a)
        print(f"same {len(a)} files, byte-identical ({size / 1e9:.2f} GB); corpuskit {t_mc / t_ck:.1f}x faster "
              f"(wall), {cpu_mc / cpu_ck:.1f}x less CPU")


if __name__ == "__main__":
    main()
