#!/usr/bin/env python3
"""Train the small BPE fixture tokenizers in Tests/Fixtures/tokenizers/ from Corpora/*.txt.

Two sentencepiece BPE models (trained in memory, one thread, no shuffling, every sentence; the
script trains each twice and fails if the bytes differ), chosen for the paths the Llama 2 files
never take:

fixture-bpe/
    fixture-bpe.model     BPE, 1,500 pieces, byte_fallback=false and character_coverage=0.98 (rare
                          characters become <unk>, runs of them one <unk>), identity normalization,
                          add_dummy_prefix, split_digits, user-defined <mask> and ▁の (frozen symbols
                          that never merge); every 23rd normal piece of two or more characters is
                          then marked UNUSED (sentencepiece may still merge into it and splits it back).
    tokenizer.json        transformers' conversion of fixture-bpe.model (AutoTokenizer on a directory
                          holding only tokenizer.model, then save_pretrained): HF BPE without byte
                          fallback, fuse_unk.
fixture-bpe-bytes/
    fixture-bpe-bytes.model  BPE, 1,500 pieces, byte_fallback=true, sentencepiece's default nmt_nfkc
                          normalization with remove_extra_whitespaces, treat_whitespace_as_suffix
                          (the ▁ ends pieces; no tokenizer.json: transformers' converter has no such option).

Usage: .venv/bin/python Tools/make_fixture_bpe.py [--corpora Corpora] [--out Tests/Fixtures/tokenizers]
Then Tools/make_fixture_references.sh refreshes Tests/Fixtures/references/.
"""
from __future__ import annotations

import argparse
import glob
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb

ROOT = Path(__file__).resolve().parent.parent

COMMON = dict(model_type="bpe", vocab_size=1500, num_threads=1, shuffle_input_sentence=False, input_sentence_size=0,
              max_sentence_length=16384, unk_id=0, bos_id=1, eos_id=2, pad_id=-1, minloglevel=2)
FIXTURES = {
    "fixture-bpe": dict(COMMON, byte_fallback=False, character_coverage=0.98, normalization_rule_name="identity",
                        remove_extra_whitespaces=False, split_digits=True, user_defined_symbols=["<mask>", "▁の"]),
    "fixture-bpe-bytes": dict(COMMON, byte_fallback=True, character_coverage=0.995, treat_whitespace_as_suffix=True),
}


def train(name: str, sentences: list[str]) -> bytes:
    """Train in memory, so that no file path ends up in the model's trainer_spec."""
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(sentences), model_writer=out, **FIXTURES[name])
    return out.getvalue()


def mark_unused(model_bytes: bytes, every: int) -> bytes:
    model = pb.ModelProto()
    model.ParseFromString(model_bytes)
    normal = [p for p in model.pieces if p.type == pb.ModelProto.SentencePiece.NORMAL and len(p.piece) >= 2]
    for piece in normal[::every]:
        piece.type = pb.ModelProto.SentencePiece.UNUSED
    return model.SerializeToString()


def convert(model: Path, target: Path) -> None:
    """transformers' conversion: a directory holding only tokenizer.model, loaded and saved."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from transformers import AutoTokenizer

    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "source"
        source.mkdir()
        shutil.copyfile(model, source / "tokenizer.model")
        AutoTokenizer.from_pretrained(str(source)).save_pretrained(str(Path(work) / "out"))
        shutil.copyfile(Path(work) / "out" / "tokenizer.json", target / "tokenizer.json")
        shutil.copyfile(Path(work) / "out" / "tokenizer_config.json", target / "tokenizer_config.json")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default=str(ROOT / "Corpora"))
    parser.add_argument("--out", default=str(ROOT / "Tests/Fixtures/tokenizers"))
    args = parser.parse_args()
    sentences = []
    for path in sorted(glob.glob(os.path.join(args.corpora, "*.txt"))):
        sentences += [line for line in Path(path).read_text(encoding="utf-8").split("\n") if line.strip()]
    for name in FIXTURES:
        model = train(name, sentences)
        if train(name, sentences) != model:
            print(f"make_fixture_bpe: {name}: training is not deterministic", file=sys.stderr)
            return 1
        if name == "fixture-bpe":
            model = mark_unused(model, 23)
        target = Path(args.out) / name
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{name}.model").write_bytes(model)
        if name == "fixture-bpe":
            convert(target / f"{name}.model", target)
        print(f"make_fixture_bpe: {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
