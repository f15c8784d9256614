#!/usr/bin/env python3
"""`corpuskit model diff` against a torch/safetensors per-tensor comparison, in one run.

Usage (after Tools/setup/setup_inference_venv.sh and Tools/setup/build_release.sh):
    .venv-inference/bin/python -m Tools.benchmarks.bench_model_diff [--binary .build-static/release/corpuskit] [--work DIR]

Two random bf16 Llama checkpoints shaped like a small llm-jp-3 (hidden 1536, 10 layers, 12 / 4 heads,
intermediate 4096, vocab 99,584 untied: ~558M parameters, 1.12 GB each; written tensor by tensor, no
model is built) differ in one noised tensor. The reference does what a comparison script such as
llm-jp's `compare_hf_ckpt.py` does: open both with `safetensors.safe_open` (memory-mapped), and per
tensor upcast to float32 and compute max |a-b|, relative L2 and cosine in torch. Each side runs
`--repeat` times after one warm-up (page cache warm: the files fit in memory, so this measures
compute, not the disk); printed: seconds (best), GB/s over both files, and the ratio.
"""
import argparse
import json
import os
import subprocess
import time

import torch
from safetensors import safe_open
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=1536, intermediate_size=4096,
              num_hidden_layers=10, num_attention_heads=12, num_key_value_heads=4, vocab_size=99584,
              max_position_embeddings=4096, rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False,
              bos_token_id=1, eos_token_id=2, hidden_act="silu", torch_dtype="bfloat16")


def shapes(config=CONFIG):
    """The tensor shapes of an untied Llama `config` (also used by bench_inference_llmjp)."""
    h, i, v = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    kv = config["num_key_value_heads"] * h // config["num_attention_heads"]
    out = {"model.embed_tokens.weight": (v, h), "lm_head.weight": (v, h), "model.norm.weight": (h,)}
    for n in range(config["num_hidden_layers"]):
        p = f"model.layers.{n}."
        out.update({p + "self_attn.q_proj.weight": (h, h), p + "self_attn.k_proj.weight": (kv, h), p + "self_attn.v_proj.weight": (kv, h),
                    p + "self_attn.o_proj.weight": (h, h), p + "mlp.gate_proj.weight": (i, h), p + "mlp.up_proj.weight": (i, h),
                    p + "mlp.down_proj.weight": (h, i), p + "input_layernorm.weight": (h,), p + "post_attention_layernorm.weight": (h,)})
    return out


def make(work):
    a, b = os.path.join(work, "a"), os.path.join(work, "b")
    if os.path.exists(os.path.join(b, "model.safetensors")):
        return a, b
    g = torch.Generator().manual_seed(0)
    tensors = {name: (torch.randn(shape, generator=g) * 0.02).to(torch.bfloat16) for name, shape in shapes().items()}
    for directory in (a, b):
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "config.json"), "w") as f:
            json.dump(CONFIG, f)
    save_file(tensors, os.path.join(a, "model.safetensors"), metadata={"format": "pt"})
    w = tensors["model.layers.5.mlp.up_proj.weight"]
    tensors["model.layers.5.mlp.up_proj.weight"] = (w.float() + 1e-3 * torch.randn(w.shape, generator=g)).to(torch.bfloat16)
    save_file(tensors, os.path.join(b, "model.safetensors"), metadata={"format": "pt"})
    return a, b


def reference(a, b):
    differing = []
    with safe_open(os.path.join(a, "model.safetensors"), "pt") as fa, safe_open(os.path.join(b, "model.safetensors"), "pt") as fb:
        for name in sorted(set(fa.keys()) | set(fb.keys())):
            x, y = fa.get_tensor(name).float(), fb.get_tensor(name).float()
            d = x - y
            max_abs = d.abs().max().item()
            if max_abs > 0:
                rel = (d.double().norm() / x.double().norm()).item()
                cos = torch.nn.functional.cosine_similarity(x.double().flatten(), y.double().flatten(), dim=0).item()
                differing.append((name, max_abs, rel, cos))
    return differing


def best(run, repeat):
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build-static/release/corpuskit"))
    parser.add_argument("--work", default="/tmp/corpuskit-bench-diff")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads for the reference")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    a, b = make(args.work)
    size = os.path.getsize(os.path.join(a, "model.safetensors")) + os.path.getsize(os.path.join(b, "model.safetensors"))

    def ours():
        run = subprocess.run([args.binary, "model", "diff", a, b, "--json"], capture_output=True, text=True)
        assert run.returncode == 1, run.stderr
        return [t["name"] for t in json.loads(run.stdout)["tensors"] if t["status"] != "identical"]

    t_ours, names = best(ours, args.repeat)
    t_ref, differing = best(lambda: reference(a, b), args.repeat)
    assert names == [d[0] for d in differing] == ["model.layers.5.mlp.up_proj.weight"], (names, differing)
    print(f"two checkpoints of {size / 2 / 1e9:.2f} GB (bf16, one tensor differs; page cache warm)")
    print(f"corpuskit model diff:              {t_ours:7.3f} s  {size / t_ours / 1e9:6.2f} GB/s")
    print(f"torch/safetensors ({args.threads} thread{'s' if args.threads > 1 else ''}):      {t_ref:7.3f} s  {size / t_ref / 1e9:6.2f} GB/s")
    print(f"ratio (reference / corpuskit):     {t_ref / t_ours:.2f}x")


if __name__ == "__main__":
    main()
