#!/usr/bin/env python3
"""Tiny random Hugging Face checkpoints with transformers' own outputs, for `corpuskit model` tests.

Usage:
    Tools/setup_inference_venv.sh
    .venv-inference/bin/python Tools/make_inference_fixtures.py [OUT_DIR]   # default Tests/Fixtures/inference

For each fixture a model is built with transformers (`<Arch>ForCausalLM(config)`, eager attention),
every parameter is redrawn from a seeded normal distribution (matrices ~ N(0, 1.2/sqrt(fan_in)), norm
weights ~ 1 + N(0, 0.1), biases ~ N(0, 0.05): large enough that logits are far from uniform, so greedy
ties do not occur), rounded to bfloat16 and saved with `save_pretrained` as bf16 safetensors. The
references are then computed by transformers from exactly those bf16 weights upcast to float32:

  reference.json   prompts (token ids), greedy continuations (`max_new_tokens`, eos ignored; the
                   step-by-step full forward that generate() performs without a cache), and the
                   perplexity corpus scored with the sliding-window definition of the Hugging Face
                   guide "Perplexity of fixed-length models" (windows of `context` tokens moved by
                   `stride`; each token scored once with the preceding context; per-token NLL from
                   float32 log_softmax, summed in float64)
  logits.f32       the float32 logits of the last position of each prompt, little-endian,
                   prompts × vocab_size

A seed is accepted only when every greedy step's top-1 logit beats the runner-up by more than 1e-3 of
the largest |logit| (so an exact comparison of greedy ids is meaningful at float32 rounding noise).
The perplexity corpus is tokenized with sentencepiece and the fixture tokenizer
(Tests/Fixtures/tokenizers/fixture-llmjp), whose ids CorpusKit reproduces exactly.
"""
import json
import math
import os
import shutil
import sys

import numpy as np
import sentencepiece as spm
import torch
import transformers
from transformers import (GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM, MixtralConfig,
                          MixtralForCausalLM, Qwen3MoeConfig, Qwen3MoeForCausalLM)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKENIZER = os.path.join(ROOT, "Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model")
CORPUS_LINES = [
    "The lighthouse stood at the end of a narrow spit of land, white against the grey sea.",
    "Every evening at dusk, Marta climbed the 117 steps to light the lamp. She had done this for nearly twenty years, and she still counted the steps out loud.",
    "朝の六時に目を覚ますと、窓の外はまだ薄暗く、遠くで始発電車の走る音が聞こえた。台所でお湯を沸かし、緑茶を一杯いれてから、今日の予定を手帳に書き出した。",
    "短い文。",
]


def common(vocab):
    return dict(vocab_size=vocab, bos_token_id=1, eos_token_id=2, pad_token_id=None)


FIXTURES = [
    # Llama 3 style: GQA, llama3 rope scaling, untied lm_head, vocab padded past the tokenizer's 1,500.
    dict(name="llama-gqa-llama3rope", cls=LlamaForCausalLM, config=LlamaConfig(
        hidden_size=64, intermediate_size=160, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=512, rms_norm_eps=1e-5, rope_theta=500000.0,
        rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                          original_max_position_embeddings=64),
        tie_word_embeddings=False, **common(1536))),
    # Tied embeddings, explicit head_dim (≠ hidden/heads), attention bias, linear rope scaling, MHA.
    dict(name="llama-tied-linear", cls=LlamaForCausalLM, config=LlamaConfig(
        hidden_size=48, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
        head_dim=16, max_position_embeddings=512, rms_norm_eps=1e-6, rope_theta=10000.0,
        rope_scaling=dict(rope_type="linear", factor=2.0), attention_bias=True,
        tie_word_embeddings=True, **common(1536))),
    # A real-size padded vocabulary (llm-jp-3: 99,584 rows) with a tiny hidden size; tied, default rope.
    dict(name="llama-bigvocab", cls=LlamaForCausalLM, config=LlamaConfig(
        hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
        max_position_embeddings=256, rms_norm_eps=1e-5, rope_theta=10000.0,
        tie_word_embeddings=True, **common(99584)), perplexity=False, prompts=2),
    # Mixtral: 8 experts, top-2, GQA; saved in shards with model.safetensors.index.json.
    dict(name="mixtral-8x-top2", cls=MixtralForCausalLM, config=MixtralConfig(
        hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        num_local_experts=8, num_experts_per_tok=2, max_position_embeddings=512, rms_norm_eps=1e-5,
        rope_theta=1000000.0, sliding_window=None, router_jitter_noise=0.0,
        tie_word_embeddings=False, **common(1536)), shard="60KB"),
    # Mixtral with a sliding window (6) shorter than most prompts and perplexity windows.
    dict(name="mixtral-sliding", cls=MixtralForCausalLM, config=MixtralConfig(
        hidden_size=32, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1,
        num_local_experts=4, num_experts_per_tok=2, max_position_embeddings=512, rms_norm_eps=1e-5,
        rope_theta=10000.0, sliding_window=6, router_jitter_noise=0.0,
        tie_word_embeddings=True, **common(1536))),
    # GPT-2: learned positions, LayerNorm, gelu_new, Conv1D weights, tied lm_head.
    dict(name="gpt2", cls=GPT2LMHeadModel, config=GPT2Config(
        n_embd=48, n_layer=2, n_head=4, n_positions=128, n_inner=None, activation_function="gelu_new",
        layer_norm_epsilon=1e-5, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, **common(1536))),
    # Qwen3-MoE: q/k norm, 8 experts top-3 renormalised, layer 0 dense (mlp_only_layers), layers 1-2 MoE.
    dict(name="qwen3moe-normtopk", cls=Qwen3MoeForCausalLM, config=Qwen3MoeConfig(
        hidden_size=32, intermediate_size=64, moe_intermediate_size=24, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, num_experts=8, num_experts_per_tok=3,
        norm_topk_prob=True, decoder_sparse_step=1, mlp_only_layers=[0], max_position_embeddings=512,
        rms_norm_eps=1e-6, rope_theta=1000000.0, use_sliding_window=False, tie_word_embeddings=False,
        **common(1536))),
    # Qwen3-MoE without renormalisation, decoder_sparse_step 2 (layers 1 and 3 MoE), tied, attention
    # bias (q/k/v and o_proj).
    dict(name="qwen3moe-step2", cls=Qwen3MoeForCausalLM, config=Qwen3MoeConfig(
        hidden_size=32, intermediate_size=48, moe_intermediate_size=16, num_hidden_layers=4,
        num_attention_heads=2, num_key_value_heads=1, head_dim=16, num_experts=6, num_experts_per_tok=2,
        norm_topk_prob=False, decoder_sparse_step=2, mlp_only_layers=[], max_position_embeddings=512,
        rms_norm_eps=1e-6, rope_theta=10000.0, use_sliding_window=False, tie_word_embeddings=True,
        attention_bias=True, **common(1536))),
]

CONTEXT, STRIDE, MAX_NEW = 32, 12, 12


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if p.dim() >= 2:
                fan_in = p.shape[0] if ".c_" in name else p.shape[-1]   # GPT-2 Conv1D stores [in, out]
                if "wte" in name or "embed_tokens" in name or "wpe" in name:
                    fan_in = 4
                p.copy_(torch.randn(p.shape, generator=g) * (1.2 / math.sqrt(fan_in)))
            elif "norm" in name or ".ln_" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.05 * torch.randn(p.shape, generator=g))


def logits_of(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].float()


def greedy(model, prompt, n):
    ids, margins = list(prompt), []
    for _ in range(n):
        last = logits_of(model, ids)[-1]
        top = torch.topk(last, 2).values
        margins.append(float((top[0] - top[1]) / last.abs().max()))
        ids.append(int(torch.argmax(last)))
    return ids[len(prompt):], min(margins)


def sliding_nll(model, ids, context, stride):
    """Per-token NLL sum over the HF sliding-window scheme; (sum, tokens scored)."""
    total, scored, prev_end = 0.0, 0, 0
    for begin in range(0, len(ids), stride):
        end = min(begin + context, len(ids))
        trg = end - prev_end
        logp = torch.log_softmax(logits_of(model, ids[begin:end]), dim=-1)
        window = ids[begin:end]
        first = max(1, len(window) - trg)
        for j in range(first, len(window)):
            total += -float(logp[j - 1, window[j]])
            scored += 1
        prev_end = end
        if end == len(ids):
            break
    return total, scored


def build(spec, out, sp):
    config = spec["config"]
    config._attn_implementation = "eager"
    vocab = config.vocab_size
    rng = np.random.default_rng(7)
    prompt_count = spec.get("prompts", 5)
    lengths = [1, 5, 17, 40, 3][:prompt_count]
    prompts = [[1] + [int(x) for x in rng.integers(3, min(vocab, 1500), size=n - 1)] for n in lengths]
    for seed in range(1, 200):
        torch.manual_seed(seed)
        model = spec["cls"](config).eval()
        randomize(model, seed)
        model = model.to(torch.bfloat16)
        model32 = spec["cls"](config).eval()
        model32.load_state_dict({k: v.float() for k, v in model.state_dict().items()})
        model32.eval()
        runs, ok = [], True
        for prompt in prompts[:3]:
            ids, margin = greedy(model32, prompt, MAX_NEW)
            if margin < 1e-3:
                ok = False
                break
            runs.append(dict(prompt=prompt, new_ids=ids, min_relative_margin=margin))
        if ok:
            break
    else:
        raise SystemExit(f"{spec['name']}: no seed with clear greedy margins")
    directory = os.path.join(out, spec["name"])
    shutil.rmtree(directory, ignore_errors=True)
    kwargs = dict(safe_serialization=True)
    if "shard" in spec:
        kwargs["max_shard_size"] = spec["shard"]
    model.save_pretrained(directory, **kwargs)
    for junk in os.listdir(directory):
        if junk not in ("config.json", "generation_config.json", "model.safetensors", "model.safetensors.index.json") \
                and not junk.startswith("model-"):
            os.remove(os.path.join(directory, junk))
    last = np.stack([logits_of(model32, p)[-1].numpy() for p in prompts]).astype("<f4")
    last.tofile(os.path.join(directory, "logits.f32"))
    reference = dict(
        generator="Tools/make_inference_fixtures.py", transformers=transformers.__version__, torch=torch.__version__,
        seed=seed, vocab_size=vocab, prompts=prompts, greedy=runs, max_new_tokens=MAX_NEW)
    if spec.get("perplexity", True):
        documents = []
        for text in CORPUS_LINES:
            ids = [1] + sp.encode(text)
            total, scored = sliding_nll(model32, ids, CONTEXT, STRIDE)
            documents.append(dict(text=text, ids=ids, nll=total, tokens=scored))
        reference["perplexity"] = dict(context=CONTEXT, stride=STRIDE, add_bos=True, documents=documents,
                                       tokenizer="Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model")
    with open(os.path.join(directory, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print(f"{spec['name']}: seed {seed}, {sum(os.path.getsize(os.path.join(directory, n)) for n in os.listdir(directory))} bytes")


def float64_windows(model, ids, context, stride, vocab):
    """Float64 log-probabilities (over the first `vocab` ids, renormalised) at every position the
    sliding windows score: a list of (index of the predicted token, log-probability row)."""
    rows, prev_end = [], 0
    for begin in range(0, len(ids), stride):
        end = min(begin + context, len(ids))
        window = ids[begin:end]
        first = max(1, len(window) - (end - prev_end))
        with torch.no_grad():
            logits = model(torch.tensor([window])).logits[0].double()[:, :vocab]
        logp = torch.log_softmax(logits, dim=-1)
        for j in range(first, len(window)):
            rows.append((begin + j, logp[j - 1]))
        prev_end = end
        if end == len(ids):
            break
    return rows


def compare_float64(model_a, model_b, documents, context, stride):
    """What `corpuskit model compare` reports, computed by transformers in float64: per position
    KL(P_A||P_B), top-1 ids, NLLs; and the summaries."""
    vocab = min(model_a.config.vocab_size, model_b.config.vocab_size)
    a64 = model_a.to(torch.float64).eval()
    b64 = model_b.to(torch.float64).eval()
    positions = []
    for line, ids in documents:
        ra = float64_windows(a64, ids, context, stride, vocab)
        rb = float64_windows(b64, ids, context, stride, vocab)
        for (index, la), (_, lb) in zip(ra, rb):
            kl = float(torch.sum(torch.exp(la) * (la - lb)))
            positions.append(dict(line=line, index=index, target=ids[index], kl=kl, nll_a=-float(la[ids[index]]),
                                  nll_b=-float(lb[ids[index]]), top1_a=int(torch.argmax(la)), top1_b=int(torch.argmax(lb))))
    kls = np.array([p["kl"] for p in positions])
    d = np.array([p["nll_b"] - p["nll_a"] for p in positions])
    return dict(vocabulary_compared=vocab, positions=len(positions), kl_mean=float(kls.mean()),
                kl_median=float(np.percentile(kls, 50)), kl_p99=float(np.percentile(kls, 99)), kl_max=float(kls.max()),
                top1_agreement=float(np.mean([p["top1_a"] == p["top1_b"] for p in positions])),
                mean_nll_a=float(np.mean([p["nll_a"] for p in positions])), mean_nll_b=float(np.mean([p["nll_b"] for p in positions])),
                ln_ppl_ratio=float(d.mean()), ln_ppl_ratio_se=float(d.std(ddof=1) / math.sqrt(len(d))), per_position=positions)


def build_parity(out, sp):
    """`parity/`: a converted-looking copy of llama-tied-linear for `model compare` — vocabulary
    trimmed to the tokenizer's 1,500 ids, rope_theta 10000 -> 40000, one MLP tensor noised by 5 %,
    saved untied in float32 — and transformers' float64 comparison of the two on corpus.jsonl."""
    source = os.path.join(out, "llama-tied-linear")
    model_a = LlamaForCausalLM.from_pretrained(source, torch_dtype=torch.float32, attn_implementation="eager").eval()
    config = LlamaConfig.from_pretrained(source)
    config.vocab_size = 1500
    config.rope_theta = 40000.0
    config.tie_word_embeddings = False
    config._attn_implementation = "eager"
    model_b = LlamaForCausalLM(config).eval()
    state = {k: v.clone() for k, v in model_a.state_dict().items()}
    state["model.embed_tokens.weight"] = state["model.embed_tokens.weight"][:1500].clone()
    state["lm_head.weight"] = state["model.embed_tokens.weight"].clone()
    g = torch.Generator().manual_seed(11)
    w = state["model.layers.1.mlp.down_proj.weight"]
    state["model.layers.1.mlp.down_proj.weight"] = w + 0.05 * w.abs().mean() * torch.randn(w.shape, generator=g)
    model_b.load_state_dict(state)
    directory = os.path.join(out, "parity", "llama-tied-linear-converted")
    shutil.rmtree(directory, ignore_errors=True)
    model_b.save_pretrained(directory, safe_serialization=True)
    for junk in os.listdir(directory):
        if junk not in ("config.json", "model.safetensors"):
            os.remove(os.path.join(directory, junk))
    # Reload what was written, so the reference is computed from exactly the saved values.
    model_b = LlamaForCausalLM.from_pretrained(directory, torch_dtype=torch.float32, attn_implementation="eager").eval()
    documents = [(n + 1, [1] + sp.encode(text)) for n, text in enumerate(CORPUS_LINES)]
    reference = dict(generator="Tools/make_inference_fixtures.py", transformers=transformers.__version__, torch=torch.__version__,
                     a="llama-tied-linear", b="parity/llama-tied-linear-converted", context=CONTEXT, stride=STRIDE,
                     compare=compare_float64(model_a, model_b, documents, CONTEXT, STRIDE))
    with open(os.path.join(out, "parity", "compare-reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print(f"parity: kl_mean {reference['compare']['kl_mean']:.6g}, top1 {reference['compare']['top1_agreement']:.4f}")


def rolling_windows(tokens, prefix, length):
    """lm-eval-harness `loglikelihood_rolling` windows (`get_rolling_token_windows` with
    context_len=1, then `make_disjoint_window`), re-implemented: (input ids, scored ids). The scored
    ids are predicted by the last rows of the input. The first window scores every token from a
    prefix token; later ones score disjoint chunks of `length`, the last (short) chunk seeing the
    `length` tokens before its end."""
    if not tokens:
        return []
    first = min(length, len(tokens))
    windows = [([prefix] + tokens[:first - 1], tokens[:first])]
    predicted = first
    while predicted < len(tokens):
        scored = min(len(tokens) - predicted, length)
        end = predicted + scored
        windows.append((tokens[end - length - 1:end - 1], tokens[end - scored:end]))
        predicted += scored
    return windows


def build_rolling(out, sp, name="llama-gqa-llama3rope", length=16):
    """`parity/rolling-reference.json`: lm-eval's rolling log-likelihood of each corpus document
    (prefix = bos 1, no bos in the tokens) with transformers, per-token float32 log_softmax summed in
    float64, and lm-eval's word and byte counts (wikitext's `len(re.split(r"\\s+", doc))`, UTF-8 bytes)."""
    import re
    # lm-eval's own test of get_rolling_token_windows (tests/test_utils.py, v1), after make_disjoint_window:
    # contexts [-100], [9], [19], [23..29] before continuations [0..9], [10..19], [20..29], [30..33].
    gold = [([-100] + list(range(0, 9)), list(range(0, 10))), (list(range(9, 19)), list(range(10, 20))),
            (list(range(19, 29)), list(range(20, 30))), (list(range(23, 33)), list(range(30, 34)))]
    got = rolling_windows(list(range(34)), -100, 10)
    assert got == gold, got
    model = LlamaForCausalLM.from_pretrained(os.path.join(out, name), dtype=torch.float32, attn_implementation="eager").eval()
    documents = []
    for n, text in enumerate(CORPUS_LINES):
        nll, scored = 0.0, 0
        for window, targets in rolling_windows(sp.encode(text), 1, length):
            with torch.no_grad():
                logp = torch.log_softmax(model(torch.tensor([window])).logits[0].float(), dim=-1)
            offset = len(window) - len(targets)
            for k, target in enumerate(targets):
                nll += -float(logp[offset + k, target])
                scored += 1
        documents.append(dict(line=n + 1, tokens=scored, nll=nll, words=len(re.split(r"\s+", text)), bytes=len(text.encode("utf-8"))))
    with open(os.path.join(out, "parity", "rolling-reference.json"), "w") as f:
        json.dump(dict(generator="Tools/make_inference_fixtures.py", model=name, context=length, prefix=1, documents=documents), f, indent=1)
        f.write("\n")
    print("rolling:", [round(d["nll"], 4) for d in documents])


def build_routing(out, sp, names=("mixtral-8x-top2", "qwen3moe-normtopk")):
    """`parity/routing-reference.json`: how often transformers' routers choose each expert (top-k of
    `output_router_logits`, ties to the lower index as torch.topk gives them here) over the corpus
    documents, bos prepended, one window per document — what `model check` histograms."""
    from transformers import AutoModelForCausalLM
    result = {}
    for name in names:
        model = AutoModelForCausalLM.from_pretrained(os.path.join(out, name), dtype=torch.float32, attn_implementation="eager").eval()
        k = model.config.num_experts_per_tok
        counts = {}
        for text in CORPUS_LINES:
            with torch.no_grad():
                router = model(torch.tensor([[1] + sp.encode(text)]), output_router_logits=True).router_logits
            c = model.config
            step, dense = getattr(c, "decoder_sparse_step", 1), getattr(c, "mlp_only_layers", [])
            sparse = [i for i in range(c.num_hidden_layers) if i not in dense and (i + 1) % step == 0]
            assert len(sparse) == len(router), (sparse, len(router))   # one router output per sparse layer
            for layer, logits in zip(sparse, router):
                chosen = torch.topk(torch.softmax(logits.float(), dim=-1), k, dim=-1).indices.reshape(-1).tolist()
                row = counts.setdefault(str(layer), [0] * logits.shape[-1])
                for e in chosen:
                    row[e] += 1
        result[name] = counts
    with open(os.path.join(out, "parity", "routing-reference.json"), "w") as f:
        json.dump(dict(generator="Tools/make_inference_fixtures.py", counts=result), f, indent=1)
        f.write("\n")
    print("routing:", {n: {l: sum(c) for l, c in v.items()} for n, v in result.items()})


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests/Fixtures/inference")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    sp = spm.SentencePieceProcessor(model_file=TOKENIZER)
    with open(os.path.join(out, "corpus.jsonl"), "w") as f:
        for text in CORPUS_LINES:
            f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    only = set(sys.argv[2:])
    for spec in FIXTURES:
        if not only or spec["name"] in only:
            build(spec, out, sp)
    if not only or "parity" in only:
        build_parity(out, sp)
        build_rolling(out, sp)
        build_routing(out, sp)


if __name__ == "__main__":
    main()
