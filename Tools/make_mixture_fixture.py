#!/usr/bin/env python3
"""Writes the CI fixture of `corpuskit mixture`: a counts file and a spec of this project's own
(several rates, an integer rate, a rate of 0, a fill), and the expected outputs computed here,
independently of CorpusKit, with the arithmetic of llm-jp's corpus/llm-jp-corpus-v4/stats notebooks:
per shard in counts order weight = ceil(tokens * rate) in float64 (int * int for integer rates),
fill rate = (target - sum of the other selected weights) / tokens of the fill subset; weight 0 dropped.

Usage: Tools/make_mixture_fixture.py  (writes Tests/Fixtures/mixture/ci-*)
"""
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "mixture")
PREFIX = "/data/experiments/ci-mixture"
TARGET = 987_654_321_012

# (filename, tokens): deterministic, awkward numbers (odd, large, one empty, one tiny).
rng = np.random.default_rng(20261201)
rows = []
def add(directory, stem, n, scale):
    for i in range(n):
        rows.append((f"corpus/tokenized/{directory}/{stem}_{i:04d}", int(rng.integers(scale // 3, scale)) | 1))
add("ja", "ja_wiki", 2, 1_300_000_000)
add("ja", "ja_cc", 3, 90_000_000_000)
add("en", "en_wiki", 1, 4_700_000_000)
add("en", "en_web", 4, 210_000_000_000)
add("code", "code_stack", 2, 55_000_000_000)
add("ko", "ko_wiki", 1, 316_000_000)          # selected with rate 0: dropped
add("zh", "zh_wiki", 1, 840_000_000)          # not selected
rows.append(("corpus/tokenized/en/en_tiny_0000", 7))
rows.insert(3, rows.pop())                     # counts order is not sorted order

RATES = {"ja_wiki": 2, "ja_cc": 0.5, "en_wiki": 1.5, "code_stack": 0.3, "en_tiny": 3, "ko_wiki": 0, "en_web": "fill"}

def subset(filename):
    return "_".join(filename.split("/")[-1].split("_")[:2])

def weight(tokens, rate):
    if isinstance(rate, int):
        return tokens * rate
    return int(np.ceil(np.float64(tokens) * np.float64(rate)))

selected = [(f, t) for f, t in rows if subset(f) in RATES]
others = sum(weight(t, RATES[subset(f)]) for f, t in selected if RATES[subset(f)] != "fill")
fill_tokens = sum(t for f, t in selected if RATES[subset(f)] == "fill")
fill = np.float64(TARGET - others) / np.float64(fill_tokens)
assert fill >= 0
weights = [(f, weight(t, fill if RATES[subset(f)] == "fill" else RATES[subset(f)])) for f, t in selected]
weights = [(f, w) for f, w in weights if w > 0]

with open(os.path.join(OUT, "ci-num_tokens.tsv"), "w") as fh:
    fh.write("filename\ttokens\n")
    for f, t in rows:
        fh.write(f"{f}\t{t}\n")
with open(os.path.join(OUT, "ci-spec.yaml"), "w") as fh:
    fh.write("# CI mixture spec (Tools/make_mixture_fixture.py): integer, fractional, zero and fill rates.\n")
    fh.write(f"prefix: {PREFIX}\ntarget_tokens: {TARGET}\nsubsets:\n")
    for name, rate in RATES.items():
        fh.write(f"  {name}: {rate}\n")
with open(os.path.join(OUT, "ci-expected.llm-jp.sh"), "w") as fh:
    fh.write("TRAIN_DATA_PATH=(\n    --data-path\n")
    for f, w in weights:
        fh.write(f"    {w:>16} {PREFIX}/{f}_text_document\n")
    fh.write(")\n")
with open(os.path.join(OUT, "ci-expected.data-path"), "w") as fh:
    fh.write(" ".join(f"{w} {PREFIX}/{f}_text_document" for f, w in weights) + "\n")
with open(os.path.join(OUT, "ci-expected.fill-rate"), "w") as fh:
    fh.write(repr(float(fill)) + "\n")
print(f"fill rate {float(fill)!r}, total {sum(w for _, w in weights)} (target {TARGET})")
