#!/usr/bin/env python3
"""Build the BPE test vocabularies from ../shared: Llama 2's tokenizer.json, and a Swallow-style
extension of Llama 2 (.model and tokenizer.json).

    make_bpe_vocabularies.py --shared DIR --out DIR [--pieces 4000]

Outputs (derived from shared files, so written at test setup into a gitignored directory, never
committed; Tools/references/make_shared_references.sh writes them to references/bpe-vocab):
  OUT/llama2/tokenizer.json (+ tokenizer_config.json)
        transformers' conversion of shared/vocab/llama2/tokenizer.model: `AutoTokenizer.from_pretrained`
        on a directory holding only that file, then `save_pretrained` (no torch needed).
  OUT/llama2-ja/llama2-ja.model
        Swallow-style vocabulary extension: a Japanese BPE model is trained with the sentencepiece
        trainer on the Japanese corpora (neko, JSTS, JNLI, JCommonsenseQA), and its normal pieces that
        Llama 2 lacks are appended, in the trained order, to a copy of Llama 2's ModelProto with scores
        below every Llama 2 merge score (Llama 2's pieces keep their ids and ranks; the appended ones
        keep their training order, so every new piece is reachable by merges of earlier pieces).
  OUT/llama2-ja/tokenizer.json (+ tokenizer_config.json)
        transformers' conversion of llama2-ja.model, as for Llama 2.
  OUT/stamp.json   fingerprint of the inputs, this script and the library versions: when it matches,
                   nothing is done.

Everything is deterministic (one training thread, input in file order). Files appear under their
final names only when complete. Needs sentencepiece, protobuf and transformers (Tools/setup/setup_venv.sh).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

JAPANESE_CORPORA = ["neko.txt", "jsts-v1.1-train.txt", "jnli-v1.1-train.txt", "jcommonsenseqa-v1.1-train.txt"]


def log(message: str) -> None:
    print(f"make_bpe_vocabularies: {message}", file=sys.stderr)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(llama2: Path, corpora: list[Path], pieces: int) -> dict:
    import sentencepiece
    import transformers
    import tokenizers
    import google.protobuf

    return {
        "llama2": sha256(llama2),
        "corpora": {p.name: sha256(p) for p in corpora},
        "script": sha256(Path(__file__)),
        "pieces": pieces,
        "versions": {"sentencepiece": sentencepiece.__version__, "transformers": transformers.__version__,
                     "tokenizers": tokenizers.__version__, "protobuf": google.protobuf.__version__},
    }


def train_japanese_bpe(corpora: list[Path], vocab_size: int, work: Path) -> Path:
    import sentencepiece as spm

    prefix = work / "ja-bpe"
    spm.SentencePieceTrainer.train(
        input=",".join(str(p) for p in corpora), model_prefix=str(prefix), model_type="bpe",
        vocab_size=vocab_size, character_coverage=0.9995, num_threads=1, shuffle_input_sentence=False,
        minloglevel=2)
    return prefix.with_suffix(".model")


def extend(llama2: Path, japanese: Path, target: Path) -> tuple[int, int]:
    from sentencepiece import sentencepiece_model_pb2 as pb

    model = pb.ModelProto()
    model.ParseFromString(llama2.read_bytes())
    trained = pb.ModelProto()
    trained.ParseFromString(japanese.read_bytes())
    existing = {p.piece for p in model.pieces}
    # Llama 2's merge scores run from 0 down to about -31,700; a few whitespace-run pieces carry
    # -1e9 (never merged) and are left aside, else float32 could not go below them.
    lowest = min(p.score for p in model.pieces if p.score > -1e6)
    added = 0
    for piece in trained.pieces:
        if piece.type != pb.ModelProto.SentencePiece.NORMAL or piece.piece in existing:
            continue
        new = model.pieces.add()
        new.piece = piece.piece
        new.score = lowest - 1.0 - added
        new.type = pb.ModelProto.SentencePiece.NORMAL
        existing.add(piece.piece)
        added += 1
    target.write_bytes(model.SerializeToString())
    return len(model.pieces) - added, added


def convert(model: Path, target_dir: Path, work: Path) -> None:
    """transformers' conversion: a directory holding only tokenizer.model, loaded and saved."""
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    source = work / f"convert-{model.stem}"
    source.mkdir()
    shutil.copyfile(model, source / "tokenizer.model")
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    out = work / f"out-{model.stem}"
    tokenizer.save_pretrained(str(out))
    target_dir.mkdir(parents=True, exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if (out / name).exists():
            shutil.copyfile(out / name, target_dir / name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--pieces", type=int, default=4000, help="vocab_size of the trained Japanese BPE (default 4000)")
    args = parser.parse_args()
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    llama2 = args.shared / "vocab/llama2/tokenizer.model"
    corpora = [args.shared / "corpora" / name for name in JAPANESE_CORPORA]
    for path in [llama2, *corpora]:
        if not path.is_file():
            log(f"{path} not found")
            return 1
    stamp = fingerprint(llama2, corpora, args.pieces)
    stamp_path = args.out / "stamp.json"
    outputs = [args.out / "llama2/tokenizer.json", args.out / "llama2-ja/llama2-ja.model", args.out / "llama2-ja/tokenizer.json"]
    if stamp_path.exists() and all(p.exists() for p in outputs):
        if json.loads(stamp_path.read_text()) == stamp:
            log(f"{args.out} is up to date")
            return 0

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".bpe-vocab-", dir=args.out.parent) as temporary:
        work = Path(temporary)
        staged = work / "staged"
        convert(llama2, staged / "llama2", work)
        japanese = train_japanese_bpe(corpora, args.pieces, work)
        (staged / "llama2-ja").mkdir(parents=True)
        kept, added = extend(llama2, japanese, staged / "llama2-ja/llama2-ja.model")
        convert(staged / "llama2-ja/llama2-ja.model", staged / "llama2-ja", work)
        (staged / "stamp.json").write_text(json.dumps(stamp, indent=2) + "\n")
        # Replace the whole directory at once: never a mix of old and new files.
        if args.out.exists():
            shutil.rmtree(args.out)
        os.replace(staged, args.out)
    log(f"{args.out}: llama2 tokenizer.json; llama2-ja = {kept} Llama 2 pieces + {added} Japanese pieces (.model, tokenizer.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
