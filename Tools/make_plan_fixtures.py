#!/usr/bin/env python3
"""Reference indices of megatron-core 0.16.1 for `corpuskit plan` / `corpuskit replay`.

Run in the megatron venv (Tools/setup_megatron_venv.sh):

    Tools/setup_megatron_venv.sh
    .venv-megatron/bin/python Tools/make_plan_fixtures.py            # → Tests/Fixtures/plan/*.json

For every configuration below it writes synthetic shards (into a temporary directory, with the
reference writer of Tools/megatron_reference.py), runs megatron-core's own
`BlendedMegatronDatasetBuilder(GPTDataset, [N, 0, 0], lambda: True, GPTDatasetConfig(...)).build()`
on the CPU, and records what it built for the train split: per dataset the normalised weight, the
samples asked (`num_samples`), epochs, whether the final epoch was shuffled separately (read from
megatron-core's own DEBUG log), the dataset length, how many of the first N blended samples it gave,
and its document / sample / shuffle indices (length, FNV-1a hash of the values, first and last
values); the blend's dataset index and dataset sample index the same way; and for the first, a middle
and the last step, every sample's dataset, dataset sample, token-id hash (`BlendedDataset[g]["tokens"]`
plus the last label) and, for the first sample of the step, the ids themselves.

The shards are not committed: the datasets are a deterministic formula (`documents` below), which the
Swift tests re-create with CorpusKit's writer. A dataset is `{"salt", "documents", "min", "max"}`:
document j has `min + h % (max − min + 1)` tokens with
`h = ((salt·1000003 + j·2654435761 + 12345) mod 2³²)`, `h ^= h >> 13`, and token p of document j is
`(salt·131 + j·31 + p·7) mod 50000` (uint16 shards, one sequence per document).

megatron-core on CPU: no GPU, apex or Transformer Engine is needed (it warns and falls back);
torch.distributed stays uninitialised, so everything is built in this process. The tokenizer is a
stub with `vocab_size = None` (no dtype override) and no pad token (pad id −1, never in the data).
`path_to_cache` stays None: with a cache path, BlendedDataset calls torch.distributed.get_rank(),
which fails without a process group; without one it builds in memory, and each GPTDataset caches
its indices next to its (temporary) shard.

Also written: `numpy.json` with numpy float64 sums (pairwise) and `RandomState(seed).shuffle` results,
which the lower-level Swift tests compare against.
"""

import json
import logging
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import megatron_reference as mr  # noqa: E402

from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder  # noqa: E402
from megatron.core.datasets.blended_dataset import BlendedDataset  # noqa: E402
from megatron.core.datasets.gpt_dataset import GPTDataset, GPTDatasetConfig  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "plan")
MASK = (1 << 64) - 1


def fnv(values):
    h = 14695981039346656037
    for v in np.asarray(values, dtype=np.int64).reshape(-1).tolist():
        h = ((h ^ (v & MASK)) * 1099511628211) & MASK
    return h


def summary(values, k=8):
    flat = np.asarray(values, dtype=np.int64).reshape(-1)
    return {"count": int(flat.shape[0]), "fnv": str(fnv(flat)), "head": flat[:k].tolist(), "tail": flat[-k:].tolist()}


def documents(spec):
    salt, n, lo, hi = spec["salt"], spec["documents"], spec["min"], spec["max"]
    docs = []
    for j in range(n):
        h = (salt * 1000003 + j * 2654435761 + 12345) % (1 << 32)
        h ^= h >> 13
        length = lo + h % (hi - lo + 1)
        docs.append([(salt * 131 + j * 31 + p * 7) % 50000 for p in range(length)])
    return docs


def write_shard(spec, prefix):
    builder = mr.MMapIndexedDatasetBuilder(mr.data_file_path(prefix), dtype=np.uint16)
    for doc in documents(spec):
        builder.add_doc(doc, [len(doc)])
    builder.finalize(mr.index_file_path(prefix))


class StubTokenizer:
    vocab_size = None
    eod = 0
    unique_identifiers = {"class": "StubTokenizer"}


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def ds(salt, n, lo, hi):
    return {"salt": salt, "documents": n, "min": lo, "max": hi}


def configurations():
    big = lambda salt: ds(salt, 1200, 3, 40)  # noqa: E731  (enough sequences for a 969,30,1 split)
    configs = []
    configs.append(dict(name="single-unweighted", datasets=[ds(1, 300, 5, 80)], weights=None,
                        seq_length=32, global_batch_size=4, train_iters=50, seed=1234, split="1,0,0"))
    configs.append(dict(name="single-weighted-epochs", datasets=[ds(1, 300, 5, 80)], weights=[1.0],
                        seq_length=32, global_batch_size=8, train_iters=250, seed=1234, split="1,0,0"))
    configs.append(dict(name="single-unweighted-epochs", datasets=[ds(2, 100, 5, 80)], weights=None,
                        seq_length=16, global_batch_size=8, train_iters=300, seed=99, split="1,0,0"))
    configs.append(dict(name="two-equal-969", datasets=[big(3), big(4)], weights=[1.0, 1.0],
                        seq_length=64, global_batch_size=8, train_iters=100, seed=1234, split="969,30,1"))
    configs.append(dict(name="two-unequal-tiny", datasets=[ds(5, 400, 10, 60), ds(6, 3, 2, 5)],
                        weights=[0.999, 0.001], seq_length=32, global_batch_size=16, train_iters=60,
                        seed=1234, split="1,0,0"))
    configs.append(dict(name="seven-token-counts", datasets=[ds(10 + i, 150 + 40 * i, 4, 120) for i in range(7)],
                        weights=[1.5e9, 3.2e8, 7.77e7, 2.0e9, 1.0e6, 4.4e8, 9.1e8], seq_length=128,
                        global_batch_size=16, train_iters=60, seed=42, split="1,0,0"))
    rng = np.random.RandomState(2024)
    w40 = [float(x) for x in (rng.random_sample(40) * 10.0 ** rng.randint(0, 9, size=40))]
    configs.append(dict(name="forty-random", datasets=[ds(100 + i, 20 + 7 * i, 2, 50) for i in range(40)],
                        weights=w40, seq_length=16, global_batch_size=32, train_iters=40, seed=7,
                        split="1,0,0"))
    configs.append(dict(name="repeated-final-epoch-shared", datasets=[ds(60, 20, 5, 30), ds(61, 500, 5, 60)],
                        weights=[0.6, 0.4], seq_length=32, global_batch_size=8, train_iters=113, seed=3,
                        split="1,0,0"))
    configs.append(dict(name="repeated-final-epoch-separate", datasets=[ds(62, 20, 5, 30), ds(63, 500, 5, 60)],
                        weights=[0.5, 0.5], seq_length=32, global_batch_size=8, train_iters=64, seed=5,
                        split="1,0,0"))
    configs.append(dict(name="unweighted-three", datasets=[ds(70, 200, 5, 60), ds(71, 90, 5, 60), ds(72, 300, 5, 60)],
                        weights=None, seq_length=32, global_batch_size=8, train_iters=40, seed=1234,
                        split="1,0,0"))
    configs.append(dict(name="half-even-split", datasets=[ds(80, 301, 5, 60), ds(81, 301, 5, 60)],
                        weights=[2.0, 1.0], seq_length=32, global_batch_size=4, train_iters=50, seed=11,
                        split="1,1"))
    configs.append(dict(name="seed-zero-969", datasets=[big(90), big(91), big(92)], weights=[0.2, 0.5, 0.3],
                        seq_length=48, global_batch_size=12, train_iters=70, seed=0, split="969,30,1"))
    return configs


def run(config, tmp):
    prefixes = []
    for k, spec in enumerate(config["datasets"]):
        prefix = os.path.join(tmp, f"{config['name']}-{k}")
        write_shard(spec, prefix)
        prefixes.append(prefix)
    n = config["train_iters"] * config["global_batch_size"]
    gpt_config = GPTDatasetConfig(
        random_seed=config["seed"], sequence_length=config["seq_length"],
        blend=(prefixes, config["weights"]), split=config["split"],
        path_to_cache=None, tokenizer=StubTokenizer(),
        reset_position_ids=False, reset_attention_mask=False, eod_mask_loss=False,
        create_attention_mask=False)
    capture = Capture()
    log = logging.getLogger("megatron.core.datasets.gpt_dataset")
    log.setLevel(logging.DEBUG)
    log.addHandler(capture)
    try:
        train = BlendedMegatronDatasetBuilder(GPTDataset, [n, 0, 0], lambda: True, gpt_config).build()[0]
    finally:
        log.removeHandler(capture)

    # Per train GPTDataset build: "... train indices" then "> separate_final_epoch: X".
    separate = []
    in_train = False
    for m in capture.messages:
        if m.startswith("Build and save the GPTDataset"):
            in_train = m.endswith("train indices")
        elif m.startswith("> separate_final_epoch:") and in_train:
            separate.append(m.split(":")[1].strip() == "True")

    if isinstance(train, BlendedDataset):
        members = train.datasets
        dataset_index = np.asarray(train.dataset_index)
        dataset_sample_index = np.asarray(train.dataset_sample_index)
        blend = {"size": int(train.size), "weights": [repr(w) for w in train.weights],
                 "dataset_index": summary(dataset_index), "dataset_sample_index": summary(dataset_sample_index)}
        first = dataset_index[:n]
    else:
        members = [train]
        blend = None
        first = np.zeros(n, dtype=np.int64)
    assert len(separate) == len(members), (separate, len(members))

    datasets = []
    for k, member in enumerate(members):
        doc = np.asarray(member.document_index)
        datasets.append({
            "train_begin": int(member.indices[0]), "train_end": int(member.indices[-1]) + 1,
            "num_samples": member.num_samples,
            "epochs": int(doc.shape[0] // member.indices.shape[0]),
            "separate_final_epoch": separate[k],
            "length": len(member),
            "samples": int(np.count_nonzero(first == k)),
            "document_index": summary(doc),
            "sample_index": summary(np.asarray(member.sample_index)),
            "shuffle_index": summary(np.asarray(member.shuffle_index)),
        })

    steps = []
    gbs = config["global_batch_size"]
    for t in sorted({0, config["train_iters"] // 2, config["train_iters"] - 1}):
        samples = []
        for g in range(t * gbs, (t + 1) * gbs):
            item = train[g]
            ids = item["tokens"].tolist() + [int(item["labels"][-1])]
            if blend is not None:
                d, s = int(dataset_index[g]), int(dataset_sample_index[g])
            else:
                d, s = 0, g
            entry = {"sample": g, "dataset": d, "dataset_sample": s, "ids_fnv": str(fnv(ids))}
            if g == t * gbs:
                entry["ids"] = ids
            samples.append(entry)
        steps.append({"step": t, "samples": samples})

    # Floats as repr strings: JSON number parsers need not round to the nearest double.
    return {"megatron_core": "0.16.1", "config": config, "total_samples": n,
            "weights": None if config["weights"] is None else [repr(float(w)) for w in config["weights"]],
            "normalized_weights": None if config["weights"] is None else
            [repr(w) for w in (np.array(config["weights"], dtype=np.float64) / np.sum(np.array(config["weights"], dtype=np.float64))).tolist()],
            "blend": blend, "datasets": datasets, "steps": steps}


def numpy_cases():
    rng = np.random.RandomState(77)
    sums = []
    for n in [1, 2, 3, 7, 8, 9, 15, 16, 17, 40, 127, 128, 129, 300]:
        values = (rng.random_sample(n) * 10.0 ** rng.randint(-3, 12, size=n)).tolist()
        sums.append({"values": [repr(v) for v in values], "sum": repr(float(np.sum(np.array(values, dtype=np.float64))))})
    shuffles = []
    for seed, n in [(0, 10), (1234, 1), (1234, 2), (1234, 1000), (42, 65537), (4294967295, 300)]:
        a = np.arange(n, dtype=np.int64)
        np.random.RandomState(seed).shuffle(a)
        shuffles.append({"seed": seed, "n": n, "result": summary(a, 16)})
    raw = [int(x) for x in np.random.RandomState(1234).randint(0, 2**32, size=8, dtype=np.uint64)]
    return {"sums": sums, "shuffles": shuffles, "randint_1234": raw}


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for config in configurations():
            result = run(config, tmp)
            with open(os.path.join(OUT, config["name"] + ".json"), "w") as f:
                json.dump(result, f, separators=(",", ":"))
                f.write("\n")
            print(f"{config['name']}: {result['total_samples']} samples", file=sys.stderr)
    with open(os.path.join(OUT, "numpy.json"), "w") as f:
        json.dump(numpy_cases(), f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
