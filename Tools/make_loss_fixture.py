#!/usr/bin/env python3
"""The fixture of `corpuskit model loss`: megatron-core's samples of a training step and transformers'
loss on them (Tests/Fixtures/inference/loss).

Two stages, each in its own venv (megatron-core and transformers are not installed together):

    /work/venvs/megatron/bin/python  Tools/make_loss_fixture.py samples   # shards + megatron-core's samples
    /work/venvs/inference/bin/python Tools/make_loss_fixture.py loss      # transformers' loss on them

`samples` writes two small uint16 shards with Megatron's builder (Tools/megatron_reference.py; random
documents of ids 3..1499, each ending with eod 2), builds megatron-core 0.16.1's
`BlendedMegatronDatasetBuilder(GPTDataset, …)` train split for the run below, and stores the
`seq_length + 1` ids of `BlendedDataset[g]` (tokens plus the last label) for every sample of the
chosen steps, with its dataset. `loss` runs the llama-tied-linear fixture in transformers (float32
from its bf16 weights, eager attention) on each sample's tokens at positions 0..L−1 and scores every
label, as pretrain_gpt.py does with its defaults: per token −log_softmax in float64 of the float32
logits; the reference loss is the mean over all tokens of the step, also per dataset.
"""
import json
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "inference", "loss")
RUN = dict(weights=[0.7, 0.3], seq_length=32, global_batch_size=4, train_iters=12, seed=1234, split="1,0,0", steps=[0, 5, 11])
DATASETS = [dict(name="web", documents=60, seed=21), dict(name="books", documents=25, seed=22)]


def samples():
    import numpy as np
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import megatron_reference as mr
    from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder
    from megatron.core.datasets.gpt_dataset import GPTDataset, GPTDatasetConfig

    class StubTokenizer:
        vocab_size = None
        eod = 2
        unique_identifiers = {"class": "StubTokenizer"}

    os.makedirs(OUT, exist_ok=True)
    prefixes = []
    for d in DATASETS:
        rng = np.random.RandomState(d["seed"])
        prefix = os.path.join(OUT, f"{d['name']}_text_document")
        builder = mr.MMapIndexedDatasetBuilder(mr.data_file_path(prefix), dtype=np.uint16)
        for _ in range(d["documents"]):
            doc = rng.randint(3, 1500, size=rng.randint(4, 40)).tolist() + [2]
            builder.add_doc(doc, [len(doc)])
        builder.finalize(mr.index_file_path(prefix))
        prefixes.append(prefix)
    n = RUN["train_iters"] * RUN["global_batch_size"]
    with tempfile.TemporaryDirectory() as tmp:
        # megatron-core caches its indices next to the shards: build from temporary copies.
        copies = []
        for prefix in prefixes:
            copy = os.path.join(tmp, os.path.basename(prefix))
            for ext in (".bin", ".idx"):
                with open(prefix + ext, "rb") as f, open(copy + ext, "wb") as g:
                    g.write(f.read())
            copies.append(copy)
        config = GPTDatasetConfig(random_seed=RUN["seed"], sequence_length=RUN["seq_length"], blend=(copies, RUN["weights"]),
                                  split=RUN["split"], path_to_cache=None, tokenizer=StubTokenizer(), reset_position_ids=False,
                                  reset_attention_mask=False, eod_mask_loss=False, create_attention_mask=False)
        train = BlendedMegatronDatasetBuilder(GPTDataset, [n, 0, 0], lambda: True, config).build()[0]
        gbs = RUN["global_batch_size"]
        steps = []
        for t in RUN["steps"]:
            items = []
            for g in range(t * gbs, (t + 1) * gbs):
                item = train[g]
                items.append(dict(sample=g, dataset=int(train.dataset_index[g]),
                                  ids=item["tokens"].tolist() + [int(item["labels"][-1])],
                                  loss_mask=item["loss_mask"].tolist(), position_ids=item["position_ids"].tolist()))
                assert all(m == 1.0 for m in items[-1]["loss_mask"]) and items[-1]["position_ids"] == list(range(RUN["seq_length"]))
                del items[-1]["loss_mask"], items[-1]["position_ids"]
            steps.append(dict(step=t, samples=items))
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(dict(generator="Tools/make_loss_fixture.py", megatron_core="0.16.1", run=RUN,
                       prefixes=[os.path.basename(p) for p in prefixes], steps=steps), f, indent=1)
        f.write("\n")
    print(f"samples of steps {RUN['steps']} written")


def loss():
    import torch
    import transformers
    from transformers import LlamaForCausalLM
    path = os.path.join(OUT, "reference.json")
    with open(path) as f:
        reference = json.load(f)
    model = LlamaForCausalLM.from_pretrained(os.path.join(ROOT, "Tests/Fixtures/inference/llama-tied-linear"),
                                             dtype=torch.float32, attn_implementation="eager").eval()
    for step in reference["steps"]:
        total, tokens, per_dataset = 0.0, 0, {}
        for s in step["samples"]:
            ids = torch.tensor([s["ids"]])
            with torch.no_grad():
                logits = model(ids[:, :-1]).logits[0]
            logp = torch.log_softmax(logits.double(), dim=-1)
            nll = -logp.gather(1, ids[0, 1:, None]).sum().item()
            s["nll"] = nll
            total += nll
            tokens += ids.shape[1] - 1
            d = per_dataset.setdefault(s["dataset"], [0.0, 0])
            d[0] += nll
            d[1] += ids.shape[1] - 1
        step["tokens"] = tokens
        step["loss"] = total / tokens
        step["datasets"] = {str(k): dict(loss=v[0] / v[1], tokens=v[1]) for k, v in sorted(per_dataset.items())}
    reference["transformers"] = transformers.__version__
    reference["torch"] = torch.__version__
    reference["model"] = "llama-tied-linear"
    with open(path, "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print("losses:", [round(s["loss"], 6) for s in reference["steps"]])


if __name__ == "__main__":
    {"samples": samples, "loss": loss}[sys.argv[1]]()
