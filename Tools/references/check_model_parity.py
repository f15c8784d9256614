#!/usr/bin/env python3
"""`corpuskit model diff` and `model compare` against transformers on held-out checkpoints (never in CI).

Usage:
    Tools/setup/setup_inference_venv.sh && Tools/setup/build_release.sh        # once
    .venv-inference/bin/python -m Tools.references.check_model_parity [CORPUSKIT]   # default .build-static/release/corpuskit

A fresh random Llama (GQA, untied, padded vocabulary; not one of the committed fixtures) is saved by
transformers in bf16, and beside it the damaged copies a conversion produces, each made with
torch/transformers: one tensor noised, two query heads swapped, a tensor missing, `rope_theta`
changed, and the same weights saved in float32. `model diff` must name exactly the damaged tensor or
field (and nothing else) and exit 1, and exit 0 for the float32 copy. `model compare` of the base and
a noised + re-roped copy must give `kl_mean`, `kl_max` and `top1_agreement` within 2e-3 (relative)
of transformers' float64 computation on the same sliding windows. Prints one line per check and
exits 1 when any fails.
"""
import json
import os
import subprocess
import sys
import shutil
import tempfile

import sentencepiece as spm
import torch
from safetensors.torch import load_file, save_file
from transformers import LlamaConfig, LlamaForCausalLM

from Tools.fixtures.make_inference_fixtures import CORPUS_LINES, TOKENIZER, compare_float64, randomize

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTEXT, STRIDE = 48, 16
failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def config():
    c = LlamaConfig(hidden_size=96, intermediate_size=192, num_hidden_layers=3, num_attention_heads=8, num_key_value_heads=2,
                    max_position_embeddings=512, rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False,
                    vocab_size=1600, bos_token_id=1, eos_token_id=2)
    c._attn_implementation = "eager"
    return c


def save(model, directory, dtype=torch.bfloat16):
    model.to(dtype).save_pretrained(directory, safe_serialization=True)
    return directory


def variant(base_state, directory, edit=None, config_edit=None, dtype=torch.bfloat16):
    c = config()
    if config_edit:
        config_edit(c)
    model = LlamaForCausalLM(c).eval()
    state = {k: v.clone() for k, v in base_state.items()}
    if edit:
        edit(state)
    model.load_state_dict(state)
    return save(model, directory, dtype)


def diff(corpuskit, a, b):
    run = subprocess.run([corpuskit, "model", "diff", a, b, "--json"], capture_output=True, text=True)
    if run.returncode == 2:
        raise SystemExit(run.stderr)
    report = json.loads(run.stdout)
    return run.returncode, [t["name"] for t in report["tensors"] if t["status"] != "identical"], [c["field"] for c in report["config"]], report


def main():
    corpuskit = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build-static/release/corpuskit")
    torch.set_num_threads(1)
    work = tempfile.mkdtemp(prefix="corpuskit-parity-")
    torch.manual_seed(3)
    base_model = LlamaForCausalLM(config()).eval()
    randomize(base_model, 1234)
    base = save(base_model, os.path.join(work, "base"))
    base_state = {k: v.float() for k, v in LlamaForCausalLM.from_pretrained(base, dtype=torch.float32).state_dict().items()}

    def noise(name, scale=0.01):
        def edit(state):
            g = torch.Generator().manual_seed(5)
            state[name] = state[name] + scale * state[name].abs().mean() * torch.randn(state[name].shape, generator=g)
        return edit

    def swap_heads(state):
        q = state["model.layers.2.self_attn.q_proj.weight"]
        d = 96 // 8
        q3, q5 = q[3 * d:4 * d].clone(), q[5 * d:6 * d].clone()
        q[3 * d:4 * d], q[5 * d:6 * d] = q5, q3

    cases = [
        ("noised tensor", variant(base_state, os.path.join(work, "noised"), noise("model.layers.1.mlp.gate_proj.weight")),
         ["model.layers.1.mlp.gate_proj.weight"], []),
        ("two swapped query heads", variant(base_state, os.path.join(work, "swapped"), swap_heads),
         ["model.layers.2.self_attn.q_proj.weight"], []),
        ("changed rope_theta", variant(base_state, os.path.join(work, "rope"), config_edit=lambda c: setattr(c, "rope_theta", 500000.0)),
         [], ["rope_theta"]),
    ]
    missing = variant(base_state, os.path.join(work, "missing"))
    tensors = load_file(os.path.join(missing, "model.safetensors"))
    del tensors["model.layers.0.mlp.down_proj.weight"]
    save_file(tensors, os.path.join(missing, "model.safetensors"), metadata={"format": "pt"})
    cases.append(("missing tensor", missing, ["model.layers.0.mlp.down_proj.weight"], []))
    for what, directory, culprits, fields in cases:
        status, names, config_fields, report = diff(corpuskit, base, directory)
        check(status == 1 and names == culprits and config_fields == fields,
              f"diff, {what}: exit {status}, tensors {names}, config {config_fields} (expected {culprits}, {fields})")
        if what == "two swapped query heads":
            notes = [n for t in report["tensors"] for n in t.get("notes", [])]
            check(any(n.startswith("heads 3 and 5 swapped") for n in notes), f"diff names the swapped heads: {notes}")
    wide = variant(base_state, os.path.join(work, "float32"), dtype=torch.float32)
    status, names, fields, _ = diff(corpuskit, base, wide)
    check(status == 0 and not names and not fields, f"diff, same values in float32: exit {status}")

    # compare: a noised, re-roped copy, against transformers' float64 computation.
    other = variant(base_state, os.path.join(work, "converted"), noise("model.layers.2.self_attn.o_proj.weight", 0.2),
                    config_edit=lambda c: setattr(c, "rope_theta", 20000.0))
    corpus = os.path.join(ROOT, "Tests/Fixtures/inference/corpus.jsonl")
    run = subprocess.run([corpuskit, "model", "compare", base, other, "--tokenizer", TOKENIZER, "--input", corpus,
                          "--context", str(CONTEXT), "--stride", str(STRIDE), "--threads", "1", "--json"], capture_output=True, text=True)
    if run.returncode == 2:
        raise SystemExit(run.stderr)
    mine = json.loads(run.stdout)
    sp = spm.SentencePieceProcessor(model_file=TOKENIZER)
    documents = [(n + 1, [1] + sp.encode(text)) for n, text in enumerate(CORPUS_LINES)]
    a = LlamaForCausalLM.from_pretrained(base, dtype=torch.float32, attn_implementation="eager")
    b = LlamaForCausalLM.from_pretrained(other, dtype=torch.float32, attn_implementation="eager")
    theirs = compare_float64(a, b, documents, CONTEXT, STRIDE)
    check(mine["positions"] == theirs["positions"], f"compare, positions: {mine['positions']} vs {theirs['positions']}")
    for key in ["kl_mean", "kl_max", "top1_agreement", "kl_median", "kl_p99", "mean_nll_a", "mean_nll_b", "ln_ppl_ratio"]:
        x, y = mine[key], theirs[key]
        rel = abs(x - y) / abs(y) if y else abs(x)
        check(rel <= 2e-3, f"compare, {key}: corpuskit {x:.9g}, transformers float64 {y:.9g} (relative {rel:.2e})")
    shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
