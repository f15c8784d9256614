#!/usr/bin/env python3
"""Build a Swallow-style extension of the Llama 2 vocabulary: the Llama 2 ModelProto with Japanese
pieces appended after its 32,000 pieces, every old piece kept at its id.

Swallow (tokyotech-llm) extended Llama 2's sentencepiece BPE model by appending pieces learnt on
Japanese text; continued pre-training then reuses the old embeddings row for row. This script does
the same, deterministically and in seconds: the appended pieces are the most frequent Japanese
character n-grams (1 to 4 characters, kana/kanji only) of a corpus that Llama 2 lacks, each with a
score below Llama 2's lowest merge score, so the old pieces keep their ranks.

The output is derived from a shared file, so it is written at test time (Tools/test.sh writes it
under references/, which is gitignored), never committed.

Usage: .venv/bin/python Tools/make_llama2_extension.py LLAMA2_MODEL CORPUS_TXT OUT_MODEL [--pieces N]
Needs sentencepiece's sentencepiece_model_pb2 and protobuf (both in Tools/setup_venv.sh's venv).
"""
import argparse
import collections
import os
import sys
import tempfile

from sentencepiece import sentencepiece_model_pb2 as spm_pb2


def is_japanese(ch: str) -> bool:
    code = ord(ch)
    return (0x3041 <= code <= 0x30FF) or (0x4E00 <= code <= 0x9FFF) or code == 0x3005


def candidate_pieces(corpus: str, limit: int, existing: set) -> list:
    counts = collections.Counter()
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            run = []
            for ch in line + "\n":
                if is_japanese(ch):
                    run.append(ch)
                    continue
                text = "".join(run)
                run = []
                for n in range(1, 5):
                    for i in range(len(text) - n + 1):
                        counts[text[i:i + n]] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    pieces = []
    for piece, _ in ranked:
        if piece in existing:
            continue
        pieces.append(piece)
        if len(pieces) == limit:
            break
    return pieces


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("llama2_model")
    parser.add_argument("corpus")
    parser.add_argument("out_model")
    parser.add_argument("--pieces", type=int, default=2000, help="pieces to append (default 2000)")
    args = parser.parse_args()

    model = spm_pb2.ModelProto()
    with open(args.llama2_model, "rb") as f:
        model.ParseFromString(f.read())
    existing = {p.piece for p in model.pieces}
    # Llama 2's merge scores run from 0 down to about -31,700; a few whitespace-run pieces Meta added
    # carry -1e9 (never merged) and are left aside, else float32 could not go below them.
    lowest = min(p.score for p in model.pieces if p.score > -1e6)
    added = candidate_pieces(args.corpus, args.pieces, existing)
    if len(added) < args.pieces:
        print(f"make_llama2_extension: only {len(added)} new pieces in {args.corpus}", file=sys.stderr)
        return 1
    for i, text in enumerate(added):
        piece = model.pieces.add()
        piece.piece = text
        piece.score = lowest - 1.0 - i
        piece.type = spm_pb2.ModelProto.SentencePiece.NORMAL

    out_dir = os.path.dirname(os.path.abspath(args.out_model))
    os.makedirs(out_dir, exist_ok=True)
    # Temporary name, then rename: a half-written model never appears under the final name.
    fd, temporary = tempfile.mkstemp(dir=out_dir, prefix=".llama2-extension-")
    with os.fdopen(fd, "wb") as f:
        f.write(model.SerializeToString())
    os.replace(temporary, args.out_model)
    print(f"make_llama2_extension: {len(model.pieces)} pieces ({len(existing)} + {len(added)}) -> {args.out_model}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
