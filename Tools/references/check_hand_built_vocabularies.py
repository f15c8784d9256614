#!/usr/bin/env python3
"""Confirm with the real libraries what Tests/CorpusKitTokenizerTests/HandBuiltVocabularyTests.swift
expects: the same tiny vocabularies built as a sentencepiece ModelProto (loaded from its serialized
bytes) and as tokenizer.json models / normalizers of HF tokenizers. Prints each case and exits 1 on
the first disagreement. The Swift test's expectations are worked out by hand; this is the check
that the hand was right.

    .venv/bin/python -m Tools.references.check_hand_built_vocabularies
"""
import argparse
import json
import sys

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb
from tokenizers import Tokenizer
from tokenizers import normalizers as hfn

NORMAL, UNKNOWN, CONTROL, BYTE = 1, 2, 3, 6
BASE = [("<unk>", 0.0, UNKNOWN), ("<s>", 0.0, CONTROL), ("</s>", 0.0, CONTROL)]
UNIGRAM = [("a", -1.0), ("b", -2.0), ("ab", -2.5), ("c", -1.5), ("bc", -2.0), ("abc", -5.0)]
TIE = [("a", -1.0), ("bc", -2.00000001), ("ab", -2.0), ("c", -1.0), ("b", -5.0)]
BYTES = [("<0x%02X>" % i, 0.0) for i in range(256)]
failures = 0


def check(what, actual, expected):
    global failures
    ok = actual == expected
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {actual!r}" + ("" if ok else f" (expected {expected!r})"))


def sentencepiece(pieces, model_type=1, byte_fallback=False, types=None, dummy=False, extra=False, suffix=False):
    m = pb.ModelProto()
    for (text, score), kind in zip(pieces, types or [NORMAL] * len(pieces)):
        p = m.pieces.add()
        p.piece, p.score, p.type = text, score, kind
    m.trainer_spec.model_type = model_type
    m.trainer_spec.byte_fallback = byte_fallback
    m.trainer_spec.treat_whitespace_as_suffix = suffix
    m.normalizer_spec.name = "identity"
    m.normalizer_spec.add_dummy_prefix = dummy
    m.normalizer_spec.remove_extra_whitespaces = extra
    m.normalizer_spec.escape_whitespaces = True
    sp = spm.SentencePieceProcessor()
    sp.LoadFromSerializedProto(m.SerializeToString())
    return sp


def tokenizer(model):
    return Tokenizer.from_str(json.dumps({"version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
                                          "normalizer": None, "pre_tokenizer": None, "post_processor": None,
                                          "decoder": None, "model": model}))


def unigram(pieces, byte_fallback=False):
    return tokenizer({"type": "Unigram", "unk_id": 0, "vocab": [[p, s] for p, s in pieces], "byte_fallback": byte_fallback})


def bpe(merges, fuse=False):
    vocab = {"<unk>": 0, "a": 1, "b": 2, "c": 3, "ab": 4, "bc": 5, "abc": 6}
    return tokenizer({"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": fuse, "byte_fallback": False, "ignore_merges": False,
                      "vocab": vocab, "merges": merges})


def main(argv):
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    base = [(p, s) for p, s, _ in BASE]
    base_types = [t for _, _, t in BASE]
    sp = sentencepiece(base + UNIGRAM, types=base_types + [NORMAL] * len(UNIGRAM))
    hf = unigram(base + UNIGRAM)
    for text, ids in [("abc", [3, 7]), ("ab", [5]), ("cab", [6, 5]), ("abx", [5, 0]), ("xay", [0, 3, 0]), ("xy", [0])]:
        check(f"sentencepiece Unigram {text!r}", sp.encode(text), ids)
        check(f"tokenizers Unigram {text!r}", hf.encode(text).ids, ids)
    with_bytes = base + UNIGRAM + BYTES
    types = base_types + [NORMAL] * len(UNIGRAM) + [BYTE] * 256
    check("sentencepiece Unigram byte fallback", sentencepiece(with_bytes, byte_fallback=True, types=types).encode("aé"), [3, 9 + 0xC3, 9 + 0xA9])
    check("tokenizers Unigram byte fallback", unigram(with_bytes, byte_fallback=True).encode("aé").ids, [3, 9 + 0xC3, 9 + 0xA9])
    check("sentencepiece Unigram float32 tie", sentencepiece(base + TIE, types=base_types + [NORMAL] * len(TIE)).encode("abc"), [3, 4])
    check("tokenizers Unigram float64", unigram(base + TIE).encode("abc").ids, [5, 6])

    bpe_pieces = [("ab", -1.0), ("bc", -0.5), ("a", -3.0), ("b", -3.0), ("c", -3.0)]
    sp = sentencepiece(base + bpe_pieces, model_type=2, types=base_types + [NORMAL] * 5)
    for text, ids in [("abc", [5, 4]), ("abab", [3, 3]), ("ababc", [3, 5, 4]), ("abx", [3, 0])]:
        check(f"sentencepiece BPE {text!r}", sp.encode(text), ids)
    sp = sentencepiece(base + bpe_pieces + [("abc", -2.0)], model_type=2, types=base_types + [NORMAL] * 6)
    for text, ids in [("abc", [8]), ("cab", [7, 3])]:
        check(f"sentencepiece BPE with abc {text!r}", sp.encode(text), ids)
    # Only ab and bc: a lone a (or c) is unknown, inside a chunk too, and joins a run of <unk>.
    sp = sentencepiece(base + [("ab", -1.0), ("bc", -0.5)], model_type=2, types=base_types + [NORMAL] * 2)
    for text, ids in [("abc", [0, 4]), ("xabc", [0, 4]), ("abcabc", [0, 4, 0, 4]), ("abxabc", [3, 0, 4]),
                      ("abcxabcabc", [0, 4, 0, 4, 0, 4])]:
        check(f"sentencepiece BPE unknown runs {text!r}", sp.encode(text), ids)
    check("tokenizers BPE b c, a b, a bc", bpe(["b c", "a b", "a bc"]).encode("abc").ids, [6])
    check("tokenizers BPE a b, b c, ab c", bpe(["a b", "b c", "ab c"]).encode("abc").ids, [6])
    ab_first = bpe(["a b", "b c"])
    for text, ids in [("abc", [4, 3]), ("abab", [4, 4]), ("abcx", [4, 3, 0]), ("xx", [0, 0])]:
        check(f"tokenizers BPE a b, b c {text!r}", ab_first.encode(text).ids, ids)
    check("tokenizers BPE fuse_unk", bpe(["a b"], fuse=True).encode("axxb").ids, [1, 0, 2])

    ws = base + [("▁", -1.0), ("a", -1.0), ("b", -1.0)]
    ws_types = base_types + [NORMAL] * 3
    for text, dummy, extra, suffix, expected in [(" a  b ", True, True, False, "▁a▁b"), (" a  b ", False, False, False, "▁a▁▁b▁"),
                                                 (" a  b ", True, False, False, "▁▁a▁▁b▁"), (" a  b ", False, True, False, "a▁b"),
                                                 (" a  b ", True, True, True, "a▁b▁"), ("  ", True, True, False, ""),
                                                 ("  ", True, False, False, "▁▁▁")]:
        sp = sentencepiece(ws, types=ws_types, dummy=dummy, extra=extra, suffix=suffix)
        check(f"sentencepiece normalize {text!r} dummy={dummy} extra={extra} suffix={suffix}", sp.normalize(text), expected)
    llama = hfn.Sequence([hfn.Prepend("▁"), hfn.Replace(" ", "▁")])
    for text, expected in [("a b", "▁a▁b"), (" a", "▁▁a"), ("", "")]:
        check(f"tokenizers Prepend+Replace {text!r}", llama.normalize_str(text), expected)
    check("tokenizers Strip left", hfn.Strip(left=True, right=False).normalize_str("  a b  "), "a b  ")
    check("tokenizers Lowercase then Replace", hfn.Sequence([hfn.Lowercase(), hfn.Replace("b", "BB")]).normalize_str("AbC"), "aBBc")
    print(f"{failures} disagreement(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
