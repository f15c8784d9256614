#!/usr/bin/env python3
"""Reference index caches (`--data-cache-path`) for `corpuskit plan --data-cache-path` / `--check-cache`.

For every configuration below it writes the synthetic shards of Tools/make_plan_fixtures.py into a
temporary folder, runs Megatron's own `BlendedMegatronDatasetBuilder(GPTDataset, [N, V, T], …).build()`
with `path_to_cache` set (torch.distributed initialised as a one-process gloo group, since the
cache path makes BlendedDataset ask for the rank), and records every file Megatron wrote: its
name, size and MD5, and for description files the text itself. Prefixes are given relative to the
shard folder (the script runs from there), so the descriptions, and so the file names, do not
depend on where the temporary folder is; the Swift tests write the same shards and name them the
same way.

    # megatron-core 0.16.1 (flavour 0.16), in the venv of Tools/setup_megatron_venv.sh:
    VENV/bin/python Tools/make_cache_fixtures.py
    # the fork's dataset code, from a checkout of llm-jp/Megatron-LM at branch v4 or nii-geniac
    # (its megatron/core/datasets/helpers.cpp is compiled in place with pybind11 if needed):
    VENV/bin/python Tools/make_cache_fixtures.py --checkout /tmp/Megatron-LM-v4 --flavor llm-jp-v4
    VENV/bin/python Tools/make_cache_fixtures.py --checkout /tmp/Megatron-LM-nii --flavor llm-jp-nii-geniac

A checkout is made with `git worktree add` or `git archive BRANCH megatron/core | tar -x -C DIR`;
nothing of it is kept in this repository. Output: Tests/Fixtures/cache/<flavor>/<name>.json.

With `--corpuskit BIN`, it also runs `BIN plan --data-cache-path` into a fresh folder for each
configuration and then points Megatron at that folder: the script fails unless Megatron loads
every index from it without building one (it logs "Build and save" for anything it builds,
"Load the" for what it loads) and the folder then holds exactly the files of its own build.
"""

import argparse
import hashlib
import json
import logging
import os
import subprocess
import sys
import sysconfig
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKENIZER_PATH = "/models/llm-jp-tokenizer/models/ver3.0/llm-jp-tokenizer-100k.ver3.0b1.model"


def ds(salt, n, lo, hi):
    return {"salt": salt, "documents": n, "min": lo, "max": hi}


def configurations(flavor):
    big = lambda salt: ds(salt, 1200, 3, 40)  # noqa: E731
    c = []
    c.append(dict(name="single-unweighted", datasets=[ds(1, 300, 5, 80)], weights=None, seq_length=32,
                  global_batch_size=4, train_iters=50, seed=1234, split="1,0,0", eval_iters=0, eval_interval=1000))
    c.append(dict(name="single-weighted-epochs", datasets=[ds(1, 300, 5, 80)], weights=[1.0], seq_length=32,
                  global_batch_size=8, train_iters=250, seed=1234, split="1000,0,0", eval_iters=0, eval_interval=1000))
    c.append(dict(name="two-969-eval", datasets=[big(3), big(4)], weights=[1.0, 2.0], seq_length=64,
                  global_batch_size=8, train_iters=100, seed=1234, split="969,30,1", eval_iters=3, eval_interval=40))
    c.append(dict(name="four-token-counts", datasets=[ds(10 + i, 150 + 40 * i, 4, 120) for i in range(4)],
                  weights=[1.5e9, 3.2e8, 7.77e7, 2.0e9], seq_length=128, global_batch_size=16, train_iters=60,
                  seed=42, split="1,0,0", eval_iters=0, eval_interval=1000))
    c.append(dict(name="three-split-seed0", datasets=[big(90), big(91), big(92)], weights=[0.2, 0.5, 0.3],
                  seq_length=48, global_batch_size=12, train_iters=70, seed=0, split="98,1,1", eval_iters=2,
                  eval_interval=1000))
    c.append(dict(name="final-epoch-separate", datasets=[ds(62, 20, 5, 30), ds(63, 500, 5, 60)], weights=[0.5, 0.5],
                  seq_length=32, global_batch_size=8, train_iters=64, seed=5, split="1,0,0", eval_iters=0,
                  eval_interval=1000))
    c.append(dict(name="single-unweighted-valid", datasets=[ds(2, 400, 5, 80)], weights=None, seq_length=16,
                  global_batch_size=8, train_iters=300, seed=99, split="90,10,0", eval_iters=5, eval_interval=100))
    if flavor != "llm-jp-nii-geniac":
        c.append(dict(name="unweighted-three", datasets=[ds(70, 200, 5, 60), ds(71, 90, 5, 60), ds(72, 300, 5, 60)],
                      weights=None, seq_length=32, global_batch_size=8, train_iters=40, seed=1234, split="1,0,0",
                      eval_iters=0, eval_interval=1000))
    return c


def sizes(config):
    n = config["train_iters"] * config["global_batch_size"]
    evals = (config["train_iters"] // config["eval_interval"] + 1) * config["eval_iters"]
    return [n, evals * config["global_batch_size"], config["eval_iters"] * config["global_batch_size"]]


def import_megatron(checkout):
    if checkout:
        datasets = os.path.join(checkout, "megatron", "core", "datasets")
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        if not any(f.startswith("helpers") and f.endswith(".so") for f in os.listdir(datasets)):
            import pybind11
            subprocess.run(["g++", "-O3", "-Wall", "-shared", "-std=c++11", "-fPIC", f"-I{pybind11.get_include()}",
                            f"-I{sysconfig.get_paths()['include']}", os.path.join(datasets, "helpers.cpp"),
                            "-o", os.path.join(datasets, "helpers" + suffix)], check=True)
        sys.path.insert(0, checkout)
        try:
            import pkg_resources  # noqa: F401
        except ImportError:
            # nii-geniac's tensor_parallel/random.py imports `packaging` through pkg_resources, which
            # new setuptools no longer ship; the module it wants is the `packaging` package itself.
            import types
            import packaging.version
            shim = types.ModuleType("pkg_resources")
            shim.packaging = packaging
            sys.modules["pkg_resources"] = shim
    import megatron.core.datasets.blended_megatron_dataset_builder as builder
    import megatron.core.datasets.gpt_dataset as gpt
    if checkout:
        assert os.path.abspath(gpt.__file__).startswith(os.path.abspath(checkout)), gpt.__file__
    return builder.BlendedMegatronDatasetBuilder, gpt.GPTDataset, gpt.GPTDatasetConfig


class StubTokenizer:
    vocab_size = None
    eod = 0

    def __init__(self):
        from collections import OrderedDict
        self.unique_identifiers = OrderedDict(
            [("class", "_Llama2Tokenizer"), ("tokenizer_path", [TOKENIZER_PATH]), ("vocab_extra_ids", "0")])


def build(classes, flavor, config, prefixes, cache):
    Builder, GPTDataset, GPTDatasetConfig = classes
    if flavor == "llm-jp-nii-geniac":
        blend = list(prefixes) if config["weights"] is None else \
            [w for pair in zip([repr(float(x)) for x in config["weights"]], prefixes) for w in pair]
    else:
        blend = (list(prefixes), config["weights"])
    tokenizer = StubTokenizer()
    if flavor == "llm-jp-nii-geniac":
        tokenizer.vocab_size = 50000  # its GPTDataset compares every token with it (the synthetic ids are below)
    gpt_config = GPTDatasetConfig(
        random_seed=config["seed"], sequence_length=config["seq_length"], blend=blend, split=config["split"],
        path_to_cache=cache, tokenizer=tokenizer, reset_position_ids=False, reset_attention_mask=False,
        eod_mask_loss=False, create_attention_mask=False)
    from make_plan_fixtures import Capture  # after megatron (it imports megatron itself)
    capture = Capture()
    root = logging.getLogger("megatron.core")
    root.setLevel(logging.DEBUG)
    root.addHandler(capture)
    try:
        Builder(GPTDataset, sizes(config), lambda: True, gpt_config).build()
    finally:
        root.removeHandler(capture)
    return capture.messages


def record(cache):
    files = {}
    for name in sorted(os.listdir(cache)):
        with open(os.path.join(cache, name), "rb") as f:
            data = f.read()
        entry = {"size": len(data), "md5": hashlib.md5(data).hexdigest()}
        if name.endswith("description.txt"):
            entry["text"] = data.decode("utf-8")
        else:
            entry["header"] = data[:data.index(b"\n") + 1].decode("latin1")
        files[name] = entry
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", help="a checkout of llm-jp/Megatron-LM (default: the installed megatron-core)")
    parser.add_argument("--flavor", default="0.16", choices=["0.16", "llm-jp-main", "llm-jp-v4", "llm-jp-nii-geniac"])
    parser.add_argument("--corpuskit", help="also check that Megatron loads corpuskit's cache without building")
    parser.add_argument("--only", help="one configuration name")
    args = parser.parse_args()
    if args.flavor != "0.16" and not args.checkout:
        parser.error("--flavor other than 0.16 needs --checkout")

    classes = import_megatron(args.checkout)  # first: the modules below import megatron too
    import megatron_reference as mr
    from make_plan_fixtures import documents
    import numpy as np
    import torch

    out_dir = os.path.join(ROOT, "Tests", "Fixtures", "cache", args.flavor)
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        torch.distributed.init_process_group("gloo", init_method=f"file://{tmp}/pg", rank=0, world_size=1)
        os.chdir(tmp)
        for config in configurations(args.flavor):
            if args.only and config["name"] != args.only:
                continue
            prefixes = []
            for k, spec in enumerate(config["datasets"]):
                prefix = f"{config['name']}-{k}"
                if not os.path.exists(prefix + ".idx"):
                    b = mr.MMapIndexedDatasetBuilder(mr.data_file_path(prefix), dtype=np.uint16)
                    for doc in documents(spec):
                        b.add_doc(doc, [len(doc)])
                    b.finalize(mr.index_file_path(prefix))
                prefixes.append(prefix)
            cache = os.path.join(tmp, "cache-" + config["name"])
            build(classes, args.flavor, config, prefixes, cache)
            result = {"flavor": args.flavor, "config": config, "sizes": sizes(config),
                      "tokenizer": {"type": "Llama2Tokenizer", "path": TOKENIZER_PATH},
                      "weights": None if config["weights"] is None else [repr(float(w)) for w in config["weights"]],
                      "files": record(cache)}
            with open(os.path.join(out_dir, config["name"] + ".json"), "w") as f:
                json.dump(result, f, indent=1, sort_keys=True)
                f.write("\n")
            print(f"{args.flavor} {config['name']}: {len(result['files'])} files", file=sys.stderr)

            if args.corpuskit:
                ours = os.path.join(tmp, "ours-" + config["name"])
                data_path = " ".join(prefixes) if config["weights"] is None else \
                    " ".join(f"{repr(float(w))} {p}" for w, p in zip(config["weights"], prefixes))
                subprocess.run([args.corpuskit, "plan", "--data-path", data_path, "--seq-length", str(config["seq_length"]),
                                "--global-batch-size", str(config["global_batch_size"]),
                                "--train-iters", str(config["train_iters"]), "--seed", str(config["seed"]),
                                "--split", config["split"], "--eval-iters", str(config["eval_iters"]),
                                "--eval-interval", str(config["eval_interval"]), "--megatron", args.flavor,
                                "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", TOKENIZER_PATH,
                                "--data-cache-path", ours], check=True, stdout=subprocess.DEVNULL)
                messages = build(classes, args.flavor, config, prefixes, ours)
                built = [m for m in messages if m.startswith("Build and save")]
                loaded = [m for m in messages if m.startswith("Load the")]
                assert not built and loaded, f"{config['name']}: Megatron built instead of loading: {built}"
                assert record(ours) == result["files"], f"{config['name']}: corpuskit's cache differs"
                print(f"  megatron loaded corpuskit's cache without building ({len(loaded)} loads)", file=sys.stderr)


if __name__ == "__main__":
    main()
