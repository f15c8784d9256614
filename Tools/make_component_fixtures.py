#!/usr/bin/env python3
"""Record what HF tokenizers' normalizers, pre-tokenizers and decoders do, one component at a time
(the reference for Tests/CorpusKitTokenizerTests/HuggingFaceComponentTests.swift).

    make_component_fixtures.py --out Tests/Fixtures/references/hf-components.json

Each case is a component's tokenizer.json object and inputs; the component is loaded by the real
library (inside a minimal tokenizer.json, through Tokenizer.from_str) and applied with
normalize_str / pre_tokenize_str / decode. Where the library panics (its Strip decoder slices out of
range on a token made only of `content` characters), the case records the error instead. Output: {"tokenizers": version, "cases": [{"kind",
"json", "input", "output"}, ...]}; pre-tokenizer outputs are the piece strings.
"""
import argparse
import json

import tokenizers
from tokenizers import Tokenizer

TEXTS = ["", " ", "  hello  world  ", "Hello World", "\u3000全角\u3000スペース\u3000", "a\tb\nc\r\nd", "ＡＢＣ１２３ｱｲｳ", "İstanbul ΣΑΣ ǅ",
         "é = e\u0301", "ﬁ ℡ ㍻ ①", "▁already▁metaspace", "日本語のテキスト です。", " lead", "trail ", "x" * 3, "\u200b zero width",
         "<s> special </s>", "😀 🇯🇵 👍🏽"]

NORMALIZERS = [
    {"type": "Strip", "strip_left": True, "strip_right": True},
    {"type": "Strip", "strip_left": True, "strip_right": False},
    {"type": "Strip", "strip_left": False, "strip_right": True},
    {"type": "Lowercase"},
    {"type": "NFC"}, {"type": "NFD"}, {"type": "NFKC"}, {"type": "NFKD"},
    {"type": "Prepend", "prepend": "\u2581"},
    {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
    {"type": "Replace", "pattern": {"Regex": "(?<!\\n)^"}, "content": "\u2581"},
    {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
    {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}, {"type": "Strip", "strip_left": True, "strip_right": True}]},
]

PRE_TOKENIZERS = [
    {"type": "WhitespaceSplit"},
    {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": True},
    {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "never", "split": True},
    {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": False},
    {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}]},
]

TOKEN_LISTS = [
    [], ["\u2581Hello", "\u2581world"], ["<0xE3>", "<0x81>", "<0x82>", "x"], ["<0xE3>", "<0x81>", "y"], ["<0xFF>"], ["<0x41>", "<0x+A>", "<0xZZ>"],
    ["\u2581\u2581a", "\u2581", "b\u2581"], ["  x  ", " y"], ["abc", "def"], ["\u2581", "\u2581", "\u2581"],
]

DECODERS = [
    {"type": "ByteFallback"},
    {"type": "Fuse"},
    {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
    {"type": "Strip", "content": " ", "start": 1, "stop": 0},
    {"type": "Strip", "content": "\u2581", "start": 2, "stop": 1},
    {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "never", "split": True},
    {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                                      {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
]


def tokenizer_with(**components) -> Tokenizer:
    body = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
            "pre_tokenizer": None, "post_processor": None, "decoder": None,
            "model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]], "byte_fallback": False}}
    body.update(components)
    return Tokenizer.from_str(json.dumps(body))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cases = []
    for spec in NORMALIZERS:
        normalizer = tokenizer_with(normalizer=spec).normalizer
        for text in TEXTS:
            cases.append({"kind": "normalizer", "json": spec, "input": text, "output": normalizer.normalize_str(text)})
    for spec in PRE_TOKENIZERS:
        pre = tokenizer_with(pre_tokenizer=spec).pre_tokenizer
        for text in TEXTS:
            cases.append({"kind": "pre_tokenizer", "json": spec, "input": text,
                          "output": [piece for piece, _ in pre.pre_tokenize_str(text)]})
    for spec in DECODERS:
        decoder = tokenizer_with(decoder=spec).decoder
        for tokens in TOKEN_LISTS:
            try:
                cases.append({"kind": "decoder", "json": spec, "input": tokens, "output": decoder.decode(tokens)})
            except BaseException as error:  # noqa: BLE001 - tokenizers panics (Strip on a token of only `content`)
                cases.append({"kind": "decoder", "json": spec, "input": tokens, "error": str(error)})
    with open(args.out, "w", encoding="ascii") as f:
        json.dump({"tokenizers": tokenizers.__version__, "cases": cases}, f, ensure_ascii=True, indent=0)
        f.write("\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
