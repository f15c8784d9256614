#!/usr/bin/env python3
"""Index building, megatron-core 0.16.1 against corpuskit plan / replay, on the same shards.

    Tools/setup/setup_megatron_venv.sh && swift build -c release
    .venv-megatron/bin/python -m Tools.benchmarks.bench_plan [--datasets 300] [--samples 10000000] [--seq-length 4096]

Writes synthetic shards to a temporary directory: D datasets of 1,000-5,000 sequences of 50-3,000
tokens (the .idx real, the .bin a sparse file of the right size: neither side reads tokens when
building indices), token-count-like weights. Then times, each as a separate process:
  * megatron-core: BlendedMegatronDatasetBuilder(GPTDataset, [N, 0, 0], ...).build() (numpy + helpers_cpp;
    every dataset's document/sample/shuffle index and the blend, no cache on disk reused);
  * corpuskit plan --json (sample counts and epochs: the blend walk, no per-dataset index);
  * corpuskit replay --step LAST (the blend walk up to N and the indices of the datasets that step uses).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_idx(prefix, sizes):
    import struct
    sizes = np.asarray(sizes, dtype=np.int32)
    pointers = np.concatenate([[0], np.cumsum(sizes.astype(np.int64) * 2)[:-1]]).astype(np.int64)
    doc_idx = np.arange(len(sizes) + 1, dtype=np.int64)
    with open(prefix + ".idx", "wb") as f:
        f.write(b"MMIDIDX\x00\x00" + struct.pack("<Q", 1) + struct.pack("<B", 8))
        f.write(struct.pack("<Q", len(sizes)) + struct.pack("<Q", len(doc_idx)))
        f.write(sizes.tobytes() + pointers.tobytes() + doc_idx.tobytes())
    with open(prefix + ".bin", "wb") as f:
        f.truncate(int(sizes.sum()) * 2)


MEGATRON = r'''
import sys, time
from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder
from megatron.core.datasets.gpt_dataset import GPTDataset, GPTDatasetConfig
class T:
    vocab_size = None; eod = 0; unique_identifiers = {"class": "T"}
words = open(sys.argv[1]).read().split()
weights = [float(w) for w in words[0::2]]; prefixes = words[1::2]
n, L = int(sys.argv[2]), int(sys.argv[3])
config = GPTDatasetConfig(random_seed=1234, sequence_length=L, blend=(prefixes, weights), split="1,0,0",
    tokenizer=T(), reset_position_ids=False, reset_attention_mask=False, eod_mask_loss=False,
    create_attention_mask=False, path_to_cache=None)
t = time.time()
BlendedMegatronDatasetBuilder(GPTDataset, [n, 0, 0], lambda: True, config).build()
print(f"{time.time() - t:.2f}")
'''


def timed(cmd, **kw):
    t = time.time()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)
    return time.time() - t, out.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--datasets", type=int, default=300)
    p.add_argument("--samples", type=int, default=10_000_000)
    p.add_argument("--seq-length", type=int, default=4096)
    p.add_argument("--global-batch-size", type=int, default=1024)
    p.add_argument("--corpuskit", default=os.path.join(ROOT, ".build-static/release/corpuskit"))
    args = p.parse_args()
    rng = np.random.RandomState(0)
    with tempfile.TemporaryDirectory() as tmp:
        words = []
        for k in range(args.datasets):
            prefix = os.path.join(tmp, f"ds{k:03d}")
            write_idx(prefix, rng.randint(50, 3001, size=rng.randint(1000, 5001)))
            words += [repr(float(rng.randint(1, 1000)) * 10.0 ** rng.randint(6, 10)), prefix]
        path_file = os.path.join(tmp, "data_path.txt")
        with open(path_file, "w") as f:
            f.write(" ".join(words) + "\n")
        iters = args.samples // args.global_batch_size
        n = iters * args.global_batch_size
        common = ["--data-path-file", path_file, "--seq-length", str(args.seq_length),
                  "--global-batch-size", str(args.global_batch_size), "--train-iters", str(iters), "--split", "1,0,0"]
        print(f"{args.datasets} datasets, N = {n} samples, seq length {args.seq_length}", file=sys.stderr)
        t_plan, _ = timed([args.corpuskit, "plan", "--json"] + common)
        print(f"corpuskit plan --json:          {t_plan:.2f} s")
        t_replay, _ = timed([args.corpuskit, "replay", "--step", str(iters - 1)] + common)
        print(f"corpuskit replay --step {iters - 1}: {t_replay:.2f} s")
        t_mc, inner = timed([sys.executable, "-c", MEGATRON, path_file, str(n), str(args.seq_length)],
                            cwd=tmp, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        print(f"megatron-core build():          {t_mc:.2f} s (process; build() itself {inner.strip().splitlines()[-1]} s)")


if __name__ == "__main__":
    main()
