#!/usr/bin/env python3
"""Write the expectations of the command-line tests (Tests/CorpusKitCLITests) with the real libraries.

    .venv/bin/python Tools/make_cli_fixtures.py [--out Tests/Fixtures/cli]

Everything the CLI tests compare with comes from sentencepiece 0.2.3 / tokenizers 0.23.3 (pinned in
Tools/setup_venv.sh), for the fixture tokenizers in Tests/Fixtures/tokenizers/:

OUT/lines.txt          raw text lines (LF line ends, no CR), input of `encode --input-format lines`;
                       includes empty lines (one in the middle, one at the end).
OUT/expectations.json  per tokenizer (ASCII-only JSON):
                         name, path (relative to the repository), library, vocab_size
                         (sp.get_piece_size() / get_vocab_size(with_added_tokens=True)),
                         sentencepiece: bos_id, eos_id, unk_id, pad_id, normalizer_name (NormalizerSpec.name)
                         tokenizers:    unk_id, normalizer_types / pre_tokenizer_types (type names, Sequence
                                        flattened)
                         lines: for each line of lines.txt {"ids", "pieces", "ids_special", "pieces_special"}
                                (sentencepiece: encode / encode(out_type=str) without and with add_bos+add_eos;
                                tokenizers: encode(add_special_tokens=False/True) .ids / .tokens)
                         pieces: [id, id_to_piece(id), piece_to_id(id_to_piece(id))] for every byte piece,
                                 every unknown/control/user-defined piece (tokenizers: every added token and
                                 unk) and a few normal pieces.
OUT/unsupported/*.json tokenizer.json files that tokenizers loads but CorpusKit must refuse, each written by
                       tokenizers itself (Tokenizer.save) and checked to encode: a BPE model with
                       dropout (not deterministic), a BertNormalizer, a Replace with a regex CorpusKit
                       does not implement, a ByteLevel pre-tokenizer; and OUT/unsupported/char-model.model,
                       a sentencepiece `char` model (trained here, checked to encode). expectations.json
                       "unsupported" maps each file to the name the error message must contain.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spm_model  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKENIZERS = [
    ("fixture-llmjp.model", "Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model"),
    ("fixture-llmjp.tokenizer.json", "Tests/Fixtures/tokenizers/fixture-llmjp/tokenizer.json"),
    ("fixture-nfkc.model", "Tests/Fixtures/tokenizers/fixture-nfkc/fixture-nfkc.model"),
    ("fixture-nfkc.tokenizer.json", "Tests/Fixtures/tokenizers/fixture-nfkc/tokenizer.json"),
]

# Raw lines: no "\n" or "\r" inside (LineReader and Python agree on LF/CRLF only).
LINES = [
    "東京都は日本の首都です。",
    "",
    "Hello, world!",
    "  leading and trailing spaces  ",
    "tab\tseparated\tvalues",
    'quotes " and backslash \\ and slash /',
    "ﾃｽﾄ ＡＢＣ １２３４ ㈱ ㍻ ℡ Ⅻ ①",
    "café naïve e\u0301 Ω \u212b",
    "emoji 😀 👍🏽 🇯🇵 👨\u200d👩\u200d👧\u200d👦 ❤\ufe0f",
    "<s> </s> <unk> <mask> <EOD|LLM-jp> <s|LLM-jp> text",
    "<0x41> <0xE3> ▁▁ ▁a a▁",
    "controls \x01 \x1f \x7f \u2028 \u3000 \u00a0 \ufeff end",
    "     ",
    "数字 0123456789 ０１２３ 3.14 -42 100円",
    "한국어 ไทย हिन्दी العربية русский",
    "𠮷野家 𝐀𝐁𝐂 \U0010fffd",
    "a" * 300 + " " + "あ" * 200,
    "URL http://example.com/a?b=c&d=e#f",
    "",
]


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":"))


def sentencepiece_entry(name: str, path: str) -> dict:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=os.path.join(ROOT, path))
    info = spm_model.read_model(os.path.join(ROOT, path))
    size = sp.get_piece_size()
    lines = []
    for text in LINES:
        lines.append({
            "ids": sp.encode(text),
            "pieces": sp.encode(text, out_type=str),
            "ids_special": sp.encode(text, add_bos=True, add_eos=True),
            "pieces_special": sp.encode(text, add_bos=True, add_eos=True, out_type=str),
        })
    chosen = [i for i in range(size) if sp.is_byte(i) or sp.is_unknown(i) or sp.is_control(i)
              or info.pieces[i].type == spm_model.USER_DEFINED]
    normal = [i for i in range(size) if info.pieces[i].type == spm_model.NORMAL]
    chosen += normal[:5] + normal[-5:]
    pieces = [[i, sp.id_to_piece(i), sp.piece_to_id(sp.id_to_piece(i))] for i in sorted(set(chosen))]
    return {
        "name": name, "path": path, "library": "sentencepiece", "vocab_size": size,
        "bos_id": sp.bos_id(), "eos_id": sp.eos_id(), "unk_id": sp.unk_id(), "pad_id": sp.pad_id(),
        "normalizer_name": info.normalizer_name,
        "lines": lines, "pieces": pieces,
    }


def types_of(component) -> list[str]:
    if component is None:
        return []
    if component["type"] == "Sequence":
        items = component.get("normalizers") or component.get("pretokenizers") or component.get("decoders") or []
        return [t for item in items for t in types_of(item)]
    return [component["type"]]


def tokenizers_entry(name: str, path: str) -> dict:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(ROOT, path))
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        raw = json.load(f)
    size = tok.get_vocab_size(with_added_tokens=True)
    lines = []
    for text in LINES:
        plain = tok.encode(text, add_special_tokens=False)
        special = tok.encode(text, add_special_tokens=True)
        lines.append({"ids": plain.ids, "pieces": plain.tokens, "ids_special": special.ids, "pieces_special": special.tokens})
    added = sorted(tok.get_added_tokens_decoder())
    unk = raw["model"].get("unk_id")
    byte_ids = [i for i in range(size) if (tok.id_to_token(i) or "").startswith("<0x") and len(tok.id_to_token(i)) == 6]
    normal = [i for i in range(size) if i not in set(added) | set(byte_ids) | {unk}]
    chosen = sorted(set(added) | set(byte_ids) | ({unk} if unk is not None else set()) | set(normal[:5]) | set(normal[-5:]))
    pieces = [[i, tok.id_to_token(i), tok.token_to_id(tok.id_to_token(i))] for i in chosen]
    return {
        "name": name, "path": path, "library": "tokenizers", "vocab_size": size, "unk_id": unk,
        "normalizer_types": types_of(raw.get("normalizer")),
        "pre_tokenizer_types": types_of(raw.get("pre_tokenizer")),
        "lines": lines, "pieces": pieces,
    }


def unsupported_files(out: str) -> dict[str, str]:
    """tokenizer.json files tokenizers accepts and CorpusKit refuses; file name -> name the error must contain."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

    directory = os.path.join(out, "unsupported")
    os.makedirs(directory, exist_ok=True)
    vocab = [("<unk>", 0.0), ("a", -1.0), ("b", -1.0), ("c", -1.0), ("d", -1.0), ("ab", -1.5), ("▁", -2.0), (" ", -2.0)]

    def unigram() -> Tokenizer:
        return Tokenizer(models.Unigram(vocab, unk_id=0, byte_fallback=False))

    made: dict[str, tuple[Tokenizer, str]] = {}
    made["bpe-dropout.json"] = (Tokenizer(models.BPE(vocab={"a": 0, "b": 1, "ab": 2}, merges=[("a", "b")], dropout=0.5)), "dropout")
    tok = unigram()
    tok.normalizer = normalizers.BertNormalizer()
    made["bert-normalizer.json"] = (tok, "BertNormalizer")
    tok = unigram()
    tok.normalizer = normalizers.Replace(Regex("(ab|cd)"), "x")
    made["replace-regex.json"] = (tok, "(ab|cd)")
    tok = unigram()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    made["bytelevel-pretokenizer.json"] = (tok, "ByteLevel")

    names = {}
    for file, (tok, must_name) in made.items():
        path = os.path.join(directory, file)
        tok.save(path)
        reloaded = Tokenizer.from_file(path)
        reloaded.encode("ab cd")  # tokenizers itself can use it
        names[file] = must_name

    import io
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(["ab cd", "abc abd", "dcba"]), model_writer=model,
                                   model_type="char", num_threads=1, minloglevel=2)
    path = os.path.join(directory, "char-model.model")
    with open(path, "wb") as f:
        f.write(model.getvalue())
    spm.SentencePieceProcessor(model_file=path).encode("ab cd")  # sentencepiece itself can use it
    names["char-model.model"] = "Char"
    return names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests/Fixtures/cli"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    import sentencepiece
    import tokenizers

    with open(os.path.join(args.out, "lines.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(LINES) + "\n")
    entries = []
    for name, path in TOKENIZERS:
        entries.append(sentencepiece_entry(name, path) if path.endswith(".model") else tokenizers_entry(name, path))
    document = {
        "versions": {"sentencepiece": sentencepiece.__version__, "tokenizers": tokenizers.__version__},
        "lines_file": "lines.txt",
        "line_count": len(LINES),
        "tokenizers": entries,
        "unsupported": unsupported_files(args.out),
    }
    # One tokenizer (and one line of its expectations) per text line, so diffs stay readable.
    with open(os.path.join(args.out, "expectations.json"), "w", encoding="ascii", newline="\n") as f:
        f.write("{\n")
        f.write(f'"versions": {dumps(document["versions"])},\n')
        f.write(f'"lines_file": {dumps(document["lines_file"])},\n"line_count": {document["line_count"]},\n')
        f.write(f'"unsupported": {dumps(document["unsupported"])},\n')
        f.write('"tokenizers": [\n')
        for index, entry in enumerate(entries):
            f.write("{\n")
            keys = list(entry)
            for k, key in enumerate(keys):
                value = entry[key]
                if key in ("lines", "pieces"):
                    body = ",\n".join(dumps(item) for item in value)
                    f.write(f'"{key}": [\n{body}\n]')
                else:
                    f.write(f'"{key}": {dumps(value)}')
                f.write(",\n" if k < len(keys) - 1 else "\n")
            f.write("}" + (",\n" if index < len(entries) - 1 else "\n"))
        f.write("]\n}\n")
    with open(os.path.join(args.out, "expectations.json"), encoding="ascii") as f:
        assert json.load(f) == document
    print(f"[make_cli_fixtures] wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
