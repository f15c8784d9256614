#!/usr/bin/env python3
"""Train the small fixture tokenizers in Tests/Fixtures/tokenizers/ from Corpora/*.txt.

Two sentencepiece Unigram models are trained (deterministically: one thread, no shuffling, the whole
input) and each is converted to a Hugging Face `tokenizer.json` with the `tokenizers` Python API:

fixture-llmjp/
    fixture-llmjp.model   like the llm-jp models: byte_fallback, normalization `identity`,
                          add_dummy_prefix, remove_extra_whitespaces=false, split_digits,
                          split_by_whitespace=false, whitespace-only pieces allowed; control symbols
                          <s> </s> <EOD> <CLS> <SEP>, user-defined <mask> <RESERVED_000> <RESERVED_001>.
    tokenizer.json        built like llm-jp's converter (the structure of llm-jp-v3.0's tokenizer.json):
                          the unk/control/user-defined pieces renamed `<X|LLM-jp>` and added as special
                          tokens (normalized=false); normalizer Sequence[Replace /(?<!\\n)^/ -> "▁",
                          Replace / / -> "▁"]; no pre-tokenizer; TemplateProcessing appending
                          <EOD|LLM-jp>; decoder Sequence[ByteFallback, Replace ▁ -> " ", Fuse,
                          Replace /(?<!\\n)^ / -> ""].
fixture-nfkc/
    fixture-nfkc.model    sentencepiece defaults: normalization `nmt_nfkc` (the model carries a
                          precompiled_charsmap), remove_extra_whitespaces, add_dummy_prefix,
                          split_by_whitespace; plus byte_fallback and a user-defined <mask>.
    tokenizer.json        converted like transformers' SpmConverter: control and user-defined pieces as
                          added tokens (normalized=false; special only for control pieces); normalizer
                          Sequence[Precompiled, Strip(right), Replace / {2,}/ -> "▁"]; pre-tokenizer
                          Metaspace(prepend_scheme="always"); post-processor "$A </s>". Byte fallback
                          is kept (as SpmConverter subclasses with handle_byte_fallback do), so the
                          decoder is Sequence[ByteFallback, Metaspace].

Usage: .venv/bin/python Tools/make_fixture_tokenizers.py [--corpora Corpora] [--out Tests/Fixtures/tokenizers]
"""

from __future__ import annotations

import argparse
import glob
import io
import os
import sys

import sentencepiece as spm
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spm_model  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

COMMON_OPTIONS = dict(
    model_type="unigram",
    vocab_size=1500,
    byte_fallback=True,
    character_coverage=0.995,  # leaves the rarest characters to byte fallback
    num_threads=1,
    shuffle_input_sentence=False,
    input_sentence_size=0,  # use every sentence
    max_sentence_length=16384,
    unk_id=0,
    bos_id=1,
    eos_id=2,
    pad_id=-1,
    minloglevel=2,
)

FIXTURES = {
    "fixture-llmjp": dict(
        COMMON_OPTIONS,
        normalization_rule_name="identity",
        add_dummy_prefix=True,
        remove_extra_whitespaces=False,
        split_digits=True,
        split_by_whitespace=False,
        allow_whitespace_only_pieces=True,
        control_symbols=["<EOD>", "<CLS>", "<SEP>"],
        user_defined_symbols=["<mask>", "<RESERVED_000>", "<RESERVED_001>"],
    ),
    "fixture-nfkc": dict(
        COMMON_OPTIONS,
        normalization_rule_name="nmt_nfkc",
        user_defined_symbols=["<mask>"],
    ),
}


def train(name: str, sentences: list[str]) -> bytes:
    """Train in memory, so that no file path ends up in the model's trainer_spec."""
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(sentences), model_writer=out, **FIXTURES[name])
    return out.getvalue()


def llmjp_name(piece: str) -> str:
    """`<EOD>` -> `<EOD|LLM-jp>`, as llm-jp's converter renames its special pieces."""
    return f"{piece[:-1]}|LLM-jp{piece[-1]}"


def llmjp_tokenizer_json(info: spm_model.ModelInfo, eod_piece: str = "<EOD>") -> Tokenizer:
    special_ids = info.ids_of_type(spm_model.UNKNOWN, spm_model.CONTROL, spm_model.USER_DEFINED)
    vocab = [(p.piece, p.score) for p in info.pieces]
    for i in special_ids:
        vocab[i] = (llmjp_name(vocab[i][0]), vocab[i][1])
    tok = Tokenizer(models.Unigram(vocab, info.unk_id, byte_fallback=True))
    tok.add_special_tokens([vocab[i][0] for i in special_ids])
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex("(?<!\\n)^"), "▁"),
            normalizers.Replace(Regex(" "), "▁"),
        ]
    )
    eod = llmjp_name(eod_piece)
    tok.post_processor = processors.TemplateProcessing(
        single=["$A", eod],
        pair=["$A", eod, "$B:1", f"{eod}:1"],
        special_tokens=[(eod, tok.token_to_id(eod))],
    )
    tok.decoder = decoders.Sequence(
        [
            decoders.ByteFallback(),
            decoders.Replace(Regex("▁"), " "),
            decoders.Fuse(),
            decoders.Replace(Regex("(?<!\\n)^ "), ""),
        ]
    )
    return tok


def spm_converter_tokenizer_json(info: spm_model.ModelInfo) -> Tokenizer:
    vocab = [(p.piece, p.score) for p in info.pieces]
    tok = Tokenizer(models.Unigram(vocab, info.unk_id, byte_fallback=True))
    added = info.ids_of_type(spm_model.CONTROL, spm_model.USER_DEFINED)
    tok.add_tokens(
        [
            AddedToken(info.pieces[i].piece, normalized=False, special=info.pieces[i].type == spm_model.CONTROL)
            for i in added
        ]
    )
    steps = [normalizers.Strip(left=False, right=True), normalizers.Replace(Regex(" {2,}"), "▁")]
    if info.precompiled_charsmap:
        steps.insert(0, normalizers.Precompiled(info.precompiled_charsmap))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Sequence(
        [decoders.ByteFallback(), decoders.Metaspace(replacement="▁", prepend_scheme="always")]
    )
    tok.post_processor = processors.TemplateProcessing(
        single="$A:0 </s>:0",
        pair="$A:0 </s>:0 $B:1 </s>:1",
        special_tokens=[("</s>", tok.token_to_id("</s>"))],
    )
    return tok


CONVERTERS = {"fixture-llmjp": llmjp_tokenizer_json, "fixture-nfkc": spm_converter_tokenizer_json}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", default=os.path.join(ROOT, "Corpora"), help="directory with *.txt training text")
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "Fixtures", "tokenizers"))
    args = ap.parse_args()

    inputs = sorted(glob.glob(os.path.join(args.corpora, "*.txt")))
    if not inputs:
        sys.exit(f"no *.txt in {args.corpora}")
    sentences = []
    for path in inputs:
        with open(path, encoding="utf-8") as f:
            sentences.extend(line for line in f.read().split("\n") if line)
    for name in FIXTURES:
        model = train(name, sentences)
        if train(name, sentences) != model:
            sys.exit(f"{name}: two training runs gave different models")
        info = spm_model.parse_model(model)
        outdir = os.path.join(args.out, name)
        os.makedirs(outdir, exist_ok=True)
        with open(os.path.join(outdir, name + ".model"), "wb") as f:
            f.write(model)
        CONVERTERS[name](info).save(os.path.join(outdir, "tokenizer.json"), pretty=True)
        print(f"{name}: {len(info.pieces)} pieces, {len(model)} bytes -> {outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
