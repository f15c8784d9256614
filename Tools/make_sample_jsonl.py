#!/usr/bin/env python3
"""Build Corpora/sample.jsonl (one {"text": ...} per line) from Corpora/sample-ja.txt and sample-en.txt.

Every line of both files lands in some document: consecutive lines are grouped into paragraphs of 1-4
lines joined with "\\n". Extra documents then exercise edge cases: empty texts, leading/trailing
spaces (and a full-width space), a paragraph mixing both languages, a text with "\\r\\n" line ends.
The output is deterministic (random.Random with a fixed seed) and written with ensure_ascii=False.

Usage: python3 Tools/make_sample_jsonl.py [--corpora Corpora] [--out Corpora/sample.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ["sample-ja.txt", "sample-en.txt"]
PADDING = [" ", "  ", "\t", "\u3000", "\n", " \n "]


def read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def build(corpora: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    files = [read_lines(os.path.join(corpora, name)) for name in SOURCES]
    docs: list[str] = []
    for lines in files:
        i = 0
        while i < len(lines):
            n = rng.randint(1, 4)
            docs.append("\n".join(lines[i:i + n]))
            i += n
    extras: list[str] = ["", "", " ", "\n"]
    while len(docs) + len(extras) < 200:
        lines = rng.choice(files)
        start = rng.randrange(len(lines))
        text = "\n".join(lines[start:start + rng.randint(1, 3)])
        kind = rng.randrange(4)
        if kind == 0:
            text = rng.choice(PADDING) + text
        elif kind == 1:
            text = text + rng.choice(PADDING)
        elif kind == 2:
            text = rng.choice(PADDING) + text + rng.choice(PADDING)
        else:
            text = text + "\n" + rng.choice(files[0] if lines is files[1] else files[1])
        extras.append(text)
    extras.append("\r\n".join(files[0][:3]) + "\r\n")
    # Spread the extras through the file instead of appending them in one block.
    for text in extras:
        docs.insert(rng.randrange(len(docs) + 1), text)
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", default=os.path.join(ROOT, "Corpora"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Corpora", "sample.jsonl"))
    ap.add_argument("--seed", type=int, default=20240401)
    args = ap.parse_args()
    docs = build(args.corpora, args.seed)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        for text in docs:
            f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    print(f"{len(docs)} documents -> {args.out}")


if __name__ == "__main__":
    main()
