#!/usr/bin/env python3
"""Report where sentencepiece and Hugging Face tokenizers disagree in a make_references.py output.

    compare_references.py DIR [--examples 5] [--json REPORT.json]

Tokenizers are paired by name: `X.model` with `X.tokenizer.json`. For each pair it counts documents whose
`ids` differ (by document source: corpus line, multi-line chunk, adversarial), documents whose decoded text
differs although the ids agree (sentencepiece `decoded` vs tokenizers `decoded_skip`), decode sequences
whose text differs (sentencepiece `text` vs tokenizers `text_skip`), and, for every tokenizer, documents
that do not survive encode+decode. Examples are the shortest differing documents, shown with repr() and
the pieces of both encodings. Needs no third-party package.
"""

from __future__ import annotations

import argparse
import json
import os
import re

from Tools.common import spm_model


BYTE_LITERAL = re.compile(r"<0x[0-9A-F]{2}>")


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="ascii") as f:
        return [json.loads(line) for line in f]


def pieces_of(vocab: list[str], ids: list[int]) -> list[str]:
    return [vocab[i] if 0 <= i < len(vocab) else f"#{i}" for i in ids]


def short(s: str, n: int = 160) -> str:
    r = repr(s)
    return r if len(r) <= n else r[:n] + "...'"


def compare_pair(out: str, manifest: dict, base: str, n_examples: int) -> dict:
    sp_name, hf_name = base + ".model", base + ".tokenizer.json"
    paths = {t["name"]: t["path"] for t in manifest["tokenizers"]}
    sp_info = spm_model.read_model(paths[sp_name])
    sp_vocab = [p.piece for p in sp_info.pieces]
    sp_special = set(sp_info.ids_of_type(spm_model.UNKNOWN, spm_model.CONTROL, spm_model.USER_DEFINED))
    with open(paths[hf_name], encoding="utf-8") as f:
        vocab = json.load(f)["model"]["vocab"]
    # Unigram: [[piece, score], ...]; BPE: {piece: id}.
    hf_vocab = [p for p, _ in sorted(vocab.items(), key=lambda item: item[1])] if isinstance(vocab, dict) else [p for p, _ in vocab]
    docs = [d["text"] for d in read_jsonl(os.path.join(out, "documents.jsonl"))]
    sp = read_jsonl(os.path.join(out, sp_name + ".jsonl"))
    hf = read_jsonl(os.path.join(out, hf_name + ".jsonl"))
    counts = manifest["documents"]
    bounds = [(label, counts.get(label, 0)) for label in ("lines", "chunks", "adversarial", "runs", "sweep", "regressions", "long")]
    source = []
    for label, n in bounds:
        source += [label] * n

    ids_diff = [i for i in range(len(docs)) if sp[i]["ids"] != hf[i]["ids"]]
    dec_diff = [i for i in range(len(docs)) if sp[i]["ids"] == hf[i]["ids"] and sp[i]["decoded"] != hf[i]["decoded_skip"]]
    by_source = {label: 0 for label, _ in bounds}
    for i in ids_diff:
        by_source[source[i]] += 1
    # Literal byte-piece names and special/user-defined piece names (of either file) explain most
    # differences; the rest are the interesting ones.
    special_strings = {sp_vocab[i] for i in sp_special} | {hf_vocab[i] for i in sp_special if i < len(hf_vocab)}
    by_cause: dict[str, list[int]] = {"byte_piece_literal": [], "special_piece_literal": [], "other": []}
    for i in ids_diff:
        if BYTE_LITERAL.search(docs[i]):
            by_cause["byte_piece_literal"].append(i)
        elif any(s in docs[i] for s in special_strings):
            by_cause["special_piece_literal"].append(i)
        else:
            by_cause["other"].append(i)

    def examples(idx: list[int]) -> list[dict]:
        chosen = sorted(idx, key=lambda i: (len(docs[i]), i))[:n_examples]
        return [{
            "doc": i,
            "text": short(docs[i]),
            "sp": pieces_of(sp_vocab, sp[i]["ids"])[:40],
            "hf": pieces_of(hf_vocab, hf[i]["ids"])[:40],
            "sp_decoded": short(sp[i]["decoded"]),
            "hf_decoded_skip": short(hf[i]["decoded_skip"]),
        } for i in chosen]

    sp_dec = read_jsonl(os.path.join(out, sp_name + ".decode.jsonl"))
    hf_dec = read_jsonl(os.path.join(out, hf_name + ".decode.jsonl"))
    seq_pairs = [(a, b) for a, b in zip(sp_dec, hf_dec) if a["ids"] == b["ids"]]
    seq_diff = [(a, b) for a, b in seq_pairs if a["text"] != b["text_skip"]]
    plain_diff = [(a, b) for a, b in seq_diff if not sp_special.intersection(a["ids"])]
    plain_diff.sort(key=lambda ab: (len(ab[0]["ids"]), ab[0]["ids"]))
    special_diff = [(a, b) for a, b in seq_diff if sp_special.intersection(a["ids"])]
    special_diff.sort(key=lambda ab: (len(ab[0]["ids"]), ab[0]["ids"]))

    def seq_examples(pairs) -> list[dict]:
        return [{
            "ids": a["ids"],
            "pieces": pieces_of(sp_vocab, a["ids"]),
            "sp_text": short(a["text"]),
            "hf_text_skip": short(b["text_skip"]),
            "hf_text": short(b["text"]),
        } for a, b in pairs[:n_examples]]

    return {
        "pair": base,
        "documents": len(docs),
        "ids_differ": len(ids_diff),
        "ids_differ_by_source": by_source,
        "ids_differ_by_cause": {k: len(v) for k, v in by_cause.items()},
        "ids_differ_examples": {k: examples(v) for k, v in by_cause.items()},
        "decoded_differs_with_same_ids": len(dec_diff),
        "decoded_examples": examples(dec_diff),
        "decode_sequences_compared": len(seq_pairs),
        "decode_text_differs": len(seq_diff),
        "decode_text_differs_without_special_ids": len(plain_diff),
        "decode_examples_without_special_ids": seq_examples(plain_diff),
        "decode_examples_with_special_ids": seq_examples(special_diff),
    }


def roundtrip(out: str, name: str, docs: list[str]) -> dict:
    rows = read_jsonl(os.path.join(out, name + ".jsonl"))
    key = "decoded" if name.endswith(".model") else "decoded_skip"
    bad = [i for i, r in enumerate(rows) if r[key] != docs[i]]
    return {"name": name, "not_roundtripping": len(bad),
            "examples": [{"doc": i, "text": short(docs[i]), "decoded": short(rows[i][key])}
                         for i in sorted(bad, key=lambda i: (len(docs[i]), i))[:3]]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="a make_references.py output directory")
    ap.add_argument("--examples", type=int, default=5)
    ap.add_argument("--json", help="also write the full report here")
    args = ap.parse_args()
    with open(os.path.join(args.dir, "manifest.json"), encoding="ascii") as f:
        manifest = json.load(f)
    names = [t["name"] for t in manifest["tokenizers"]]
    bases = [n[: -len(".model")] for n in names if n.endswith(".model") and n[: -len(".model")] + ".tokenizer.json" in names]
    docs = [d["text"] for d in read_jsonl(os.path.join(args.dir, "documents.jsonl"))]
    report = {"pairs": [compare_pair(args.dir, manifest, b, args.examples) for b in bases],
              "roundtrip": [roundtrip(args.dir, n, docs) for n in names]}
    for p in report["pairs"]:
        print(f"== {p['pair']}: ids differ in {p['ids_differ']}/{p['documents']} documents")
        print(f"   by source {p['ids_differ_by_source']}, by cause {p['ids_differ_by_cause']}")
        for cause, exs in p["ids_differ_examples"].items():
            for e in exs:
                print(f"   [{cause}] doc {e['doc']}: {e['text']}\n      sp {e['sp']}\n      hf {e['hf']}")
        print(f"   decoded text differs although ids agree: {p['decoded_differs_with_same_ids']}")
        for e in p["decoded_examples"]:
            print(f"   doc {e['doc']}: {e['text']}\n      sp {e['sp_decoded']}\n      hf {e['hf_decoded_skip']}")
        print(f"   decode sequences: text (sp) != text_skip (hf) in {p['decode_text_differs']}"
              f"/{p['decode_sequences_compared']}, {p['decode_text_differs_without_special_ids']} without special ids")
        for key in ("decode_examples_without_special_ids", "decode_examples_with_special_ids"):
            for e in p[key]:
                print(f"   {e['pieces']}\n      sp {e['sp_text']}\n      hf skip {e['hf_text_skip']} / noskip {e['hf_text']}")
    for r in report["roundtrip"]:
        print(f"== {r['name']}: {r['not_roundtripping']} documents do not round-trip (decode(encode(t)) != t)")
        for e in r["examples"]:
            print(f"   doc {e['doc']}: {e['text']} -> {e['decoded']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
