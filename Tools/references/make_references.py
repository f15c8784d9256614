#!/usr/bin/env python3
"""Produce reference tokenizations from the real libraries (sentencepiece, Hugging Face tokenizers).

    make_references.py --out DIR --tokenizer NAME=PATH [--tokenizer NAME=PATH ...]
                       [--corpora DIR [DIR ...]] [--adversarial N] [--seed S] [--chunk-bytes 4096]
                       [--decode-sequences 2000] [--runs N] [--sweep] [--regressions FILE] [--long-bytes N]
                       [--segments N] [--skip-if-fresh]

PATH ending in `.model` is loaded with sentencepiece.SentencePieceProcessor, PATH ending in `.json` with
tokenizers.Tokenizer.from_file. One document set is built and every tokenizer encodes all of it.

Outputs (every line is JSON, ASCII only, in document order):
  DIR/documents.jsonl     {"text": ...}
                          1. every distinct line of every *.txt in the corpora dirs, first-seen order
                             (the empty line exactly once);
                          2. consecutive lines of each corpus file joined with "\\n" into chunks of about
                             --chunk-bytes UTF-8 bytes;
                          3. --adversarial N generated strings (random.Random(seed); see Adversarial);
                          4. --runs N repeated-character runs (conformance_texts.Runs: characters from
                             every given vocabulary's one-character pieces and frequent punctuation,
                             1-300 times, alone / at the start / middle / end, alternating patterns,
                             mixed runs of pieces whose concatenations are pieces);
                          5. with --sweep, ten run characters x lengths 1-199, alone and inside text;
                          6. the "text" of every line of the --regressions files (texts the
                             differential fuzzer, Tools/ci/fuzz_conformance.py, once found and shrank);
                          7. with --long-bytes N, each corpus file's first lines up to N UTF-8 bytes as
                             one document: long enough that sentencepiece re-bases its float32 path
                             scores (beyond ±100,000) several times within a document, which the
                             ~4 KB chunks never reach;
                          8. --segments N documents of a few words repeated many times
                             (conformance_texts.Segments: vocabulary pieces, runs of one character,
                             indentation runs before code tokens, alternating patterns, corpus words,
                             characters outside the vocabularies; mostly 2-40 KB, one in six 60-200 KB),
                             so the same segment recurs at very different accumulated path scores.
  DIR/NAME.jsonl          sentencepiece: {"ids": encode(t), "ids_special": encode(t, add_bos, add_eos),
                                          "decoded": decode(ids)}
                          tokenizers:    {"ids": encode(t, add_special_tokens=False).ids,
                                          "ids_special": encode(t, add_special_tokens=True).ids,
                                          "decoded": decode(ids_special, skip_special_tokens=False),
                                          "decoded_skip": decode(ids_special, skip_special_tokens=True)}
  DIR/NAME.decode.jsonl   random id sequences and their decoding:
                          sentencepiece {"ids", "text"}; tokenizers {"ids", "text", "text_skip"}.
                          The first --decode-sequences lines depend only on the vocabulary (size, byte
                          pieces, ▁-pieces, unknown/control/user-defined/added ids), so a .model and the
                          tokenizer.json converted from it get the same sequences; tokenizers files get
                          extra lines with ids outside the vocabulary after those.
  DIR/NAME.scores.f64     tokenizers only: the Unigram scores as HF holds them in memory (read back from
                          Tokenizer.to_str(), which serde_json writes shortest round-trip), one
                          little-endian float64 per vocabulary entry.
  DIR/manifest.json       inputs (path, size, sha256), library versions, counts, timings, fingerprint.

--skip-if-fresh: exit early when DIR/manifest.json has the fingerprint of these inputs (tokenizer and
corpus file hashes, this script and its helper, the options, the library versions) and every output
file it lists is present with its recorded size.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import platform
import random
import re
import struct
import sys
import time

from Tools.common import conformance_texts, spm_model

BATCH = 2048
SAMPLE_CHECK = 300  # documents on which batch encoding is checked against one-at-a-time encoding


def log(msg: str) -> None:
    print(f"[make_references] {msg}", file=sys.stderr, flush=True)


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":"))


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------------
# Tokenizer wrappers


class SPTokenizer:
    kind = "sentencepiece"

    def __init__(self, path: str):
        import sentencepiece as spm

        self.sp = spm.SentencePieceProcessor(model_file=path)
        self.info = spm_model.read_model(path)
        self.threads = os.cpu_count() or 1
        self.size = self.sp.get_piece_size()
        self.pieces = [p.piece for p in self.info.pieces]
        self.special_ids = sorted(
            set(self.info.ids_of_type(spm_model.UNKNOWN, spm_model.CONTROL, spm_model.USER_DEFINED))
        )

    def special_strings(self) -> list[str]:
        return [self.pieces[i] for i in self.special_ids]

    def encode_batch(self, texts: list[str]) -> list[dict]:
        sp = self.sp
        ids = sp.encode(texts, num_threads=self.threads)
        ids_special = sp.encode(texts, add_bos=True, add_eos=True, num_threads=self.threads)
        decoded = sp.decode(ids, num_threads=self.threads)
        return [{"ids": a, "ids_special": b, "decoded": d} for a, b, d in zip(ids, ids_special, decoded)]

    def encode_one(self, text: str) -> dict:
        ids = self.sp.encode(text)
        return {"ids": ids, "ids_special": self.sp.encode(text, add_bos=True, add_eos=True), "decoded": self.sp.decode(ids)}

    def decode_batch(self, seqs: list[list[int]]) -> list[dict]:
        texts = self.sp.decode(seqs, num_threads=self.threads)
        return [{"ids": s, "text": t} for s, t in zip(seqs, texts)]


class HFTokenizer:
    kind = "tokenizers"

    def __init__(self, path: str):
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(path)
        with open(path, encoding="utf-8") as f:
            model = json.load(f)["model"]
        self.size = self.tok.get_vocab_size(with_added_tokens=True)
        self.pieces = [self.tok.id_to_token(i) or "" for i in range(self.size)]
        added = self.tok.get_added_tokens_decoder()
        unk = [model["unk_id"]] if model.get("unk_id") is not None else []
        self.special_ids = sorted(set(added) | set(unk))
        self.added = [added[i].content for i in sorted(added)]

    def special_strings(self) -> list[str]:
        return self.added

    def encode_batch(self, texts: list[str]) -> list[dict]:
        tok = self.tok
        plain = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
        special = [e.ids for e in tok.encode_batch(texts, add_special_tokens=True)]
        decoded = tok.decode_batch(special, skip_special_tokens=False)
        decoded_skip = tok.decode_batch(special, skip_special_tokens=True)
        return [
            {"ids": a, "ids_special": b, "decoded": d, "decoded_skip": s}
            for a, b, d, s in zip(plain, special, decoded, decoded_skip)
        ]

    def encode_one(self, text: str) -> dict:
        tok = self.tok
        special = tok.encode(text, add_special_tokens=True).ids
        return {
            "ids": tok.encode(text, add_special_tokens=False).ids,
            "ids_special": special,
            "decoded": tok.decode(special, skip_special_tokens=False),
            "decoded_skip": tok.decode(special, skip_special_tokens=True),
        }

    def model_scores(self) -> list[float] | None:
        """Unigram scores with the bits HF parsed them to (serde_json is not correctly rounded)."""
        model = json.loads(self.tok.to_str())["model"]
        if model.get("type") != "Unigram":
            return None
        return [float(score) for _, score in model["vocab"]]

    def decode_batch(self, seqs: list[list[int]]) -> list[dict]:
        texts = self.tok.decode_batch(seqs, skip_special_tokens=False)
        skips = self.tok.decode_batch(seqs, skip_special_tokens=True)
        return [{"ids": s, "text": t, "text_skip": k} for s, t, k in zip(seqs, texts, skips)]


def load_tokenizer(path: str):
    if path.endswith(".model"):
        return SPTokenizer(path)
    if path.endswith(".json"):
        return HFTokenizer(path)
    raise SystemExit(f"--tokenizer: {path}: expected a .model or .json file")


# --------------------------------------------------------------------------------------------------
# Documents


def corpus_files(dirs: list[str]) -> list[str]:
    files: list[str] = []
    for d in dirs:
        found = sorted(glob.glob(os.path.join(d, "*.txt")))
        if not found:
            raise SystemExit(f"--corpora: no *.txt in {d}")
        files.extend(found)
    return files


def read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def long_documents(files: list[str], limit: int) -> list[str]:
    """Each corpus file's first lines, joined with "\\n", up to `limit` UTF-8 bytes (none when 0)."""
    if limit <= 0:
        return []
    documents = []
    for path in files:
        kept: list[str] = []
        size = 0
        for line in read_lines(path):
            size += len(line.encode("utf-8")) + 1
            if size > limit:
                break
            kept.append(line)
        documents.append("\n".join(kept))
    return documents


def corpus_documents(files: list[str], chunk_bytes: int) -> tuple[list[str], list[str], list[str]]:
    """(distinct lines, multi-line chunks, all lines for the adversarial generator)."""
    seen: set[str] = {""}
    distinct: list[str] = [""]
    chunks: list[str] = []
    everything: list[str] = []
    for path in files:
        lines = read_lines(path)
        everything.extend(lines)
        for line in lines:
            if line not in seen:
                seen.add(line)
                distinct.append(line)
        current: list[str] = []
        size = 0
        for line in lines:
            current.append(line)
            size += len(line.encode("utf-8")) + 1
            if size >= chunk_bytes:
                chunks.append("\n".join(current))
                current, size = [], 0
        if current:
            chunks.append("\n".join(current))
    return distinct, chunks, everything


# Code point ranges (inclusive) for random characters, with weights. No surrogates (U+D800-DFFF).
BLOCKS: list[tuple[int, int, int]] = [
    (0x0020, 0x007E, 30),  # ASCII printable
    (0x0000, 0x001F, 3),  # C0 controls, incl. \0 \t \n \v \f \r
    (0x007F, 0x009F, 2),  # DEL, C1 controls
    (0x00A0, 0x00FF, 5),  # Latin-1 (NBSP, soft hyphen, ...)
    (0x0100, 0x024F, 4),  # Latin Extended-A/B
    (0x0300, 0x036F, 4),  # combining diacritics
    (0x0370, 0x03FF, 3),  # Greek
    (0x0400, 0x04FF, 3),  # Cyrillic
    (0x0600, 0x06FF, 2),  # Arabic
    (0x0900, 0x097F, 2),  # Devanagari
    (0x0E00, 0x0E7F, 2),  # Thai
    (0x1100, 0x11FF, 2),  # Hangul jamo
    (0xAC00, 0xD7A3, 4),  # Hangul syllables
    (0x2000, 0x206F, 4),  # general punctuation (spaces, ZWJ, LRM, U+2028/2029)
    (0x20A0, 0x20CF, 1),  # currency
    (0x2100, 0x214F, 2),  # letterlike (℡ ™ ℃ ...)
    (0x2150, 0x218F, 1),  # number forms (Ⅻ ⅓)
    (0x2460, 0x24FF, 2),  # enclosed alphanumerics (①)
    (0x2E80, 0x2FDF, 1),  # CJK radicals, Kangxi radicals
    (0x3000, 0x303F, 4),  # CJK symbols and punctuation (U+3000 ideographic space)
    (0x3040, 0x309F, 10),  # Hiragana
    (0x30A0, 0x30FF, 8),  # Katakana
    (0x3200, 0x33FF, 2),  # enclosed CJK, CJK compatibility (㈱ ㍻)
    (0x4E00, 0x9FFF, 14),  # CJK unified ideographs
    (0xF900, 0xFAFF, 1),  # CJK compatibility ideographs
    (0xFE00, 0xFE0F, 2),  # variation selectors
    (0xFE30, 0xFE4F, 1),  # CJK compatibility forms
    (0xFF01, 0xFF60, 6),  # full-width forms
    (0xFF61, 0xFF9F, 4),  # half-width katakana
    (0xFFF0, 0xFFFF, 2),  # specials: U+FFFD, noncharacters U+FFFE/FFFF
    (0xFDD0, 0xFDEF, 1),  # noncharacters
    (0xE000, 0xF8FF, 2),  # private use
    (0x1D400, 0x1D7FF, 2),  # mathematical alphanumerics
    (0x1F300, 0x1FAFF, 6),  # emoji and pictographs
    (0x1F1E6, 0x1F1FF, 1),  # regional indicators
    (0x1F3FB, 0x1F3FF, 1),  # skin tone modifiers
    (0x20000, 0x2A6DF, 2),  # CJK extension B
    (0xE0000, 0xE007F, 1),  # tags
    (0xE0100, 0xE01EF, 1),  # variation selectors supplement
    (0xF0000, 0xF00FF, 1),  # supplementary private use A
    (0x10FFF0, 0x10FFFF, 1),  # end of the code space (incl. noncharacters)
]

GENERIC_SPECIALS = [
    "<s>", "</s>", "<unk>", "<pad>", "<mask>", "<MASK>", "<PAD>", "<CLS>", "<SEP>", "<EOD>",
    "<EOD|LLM-jp>", "<s|LLM-jp>", "</s|LLM-jp>", "<unk|LLM-jp>", "<RESERVED_000|LLM-jp>",
    "<|startoftext|>", "<|endoftext|>", "<0x41>", "<0xE3>", "<0x0A>", "<0xZZ>", "<0x>", "<0x4142>",
    "▁", "▁▁▁", "▁a", "a▁", " ⁇ ",
]

WORDS = [
    "the", "token", "東京", "日本語", "テスト", "ﾃｽﾄ", "ＡＢＣ", "café", "naïve", "Ωmega", "привет",
    "안녕하세요", "สวัสดี", "नमस्ते", "مرحبا", "😀", "👍🏽", "🇯🇵", "❤️", "1234", "１２３４", "x=1;", "http://a.b/c?d=e",
]

EMOJI = [
    "😀", "🎉", "🍣", "👍", "👍🏻", "👍🏿", "❤", "❤️", "☺︎", "🇯🇵", "🇺🇸", "🏳️‍🌈",
    "👨‍👩‍👧‍👦", "🧑🏽‍💻", "👩‍❤️‍💋‍👨", "#️⃣", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
]


class Adversarial:
    """Deterministic generator of awkward documents; only `random.Random` methods are used."""

    def __init__(self, rng: random.Random, specials: list[str], lines: list[str]):
        self.rng = rng
        self.specials = specials
        self.lines = [line for line in lines if line] or ["text"]
        self.weights = []
        total = 0
        for _, _, w in BLOCKS:
            total += w
            self.weights.append(total)

    def char(self) -> str:
        rng = self.rng
        x = rng.randrange(self.weights[-1])
        for (lo, hi, _), cum in zip(BLOCKS, self.weights):
            if x < cum:
                return chr(rng.randint(lo, hi))
        raise AssertionError

    def soup(self, n: int) -> str:
        return "".join(self.char() for _ in range(n))

    def special(self) -> str:
        return self.rng.choice(self.specials)

    def spaces(self) -> str:
        rng = self.rng
        return rng.choice([" " * rng.randint(1, 40), "\n" * rng.randint(1, 5), "\r\n" * rng.randint(1, 3),
                           "\t", " \n ", "\u3000", "\u00a0", "\r", "\x0b", "\x0c", "\u2028", "\u2029", "\ufeff"])

    def digits(self) -> str:
        rng = self.rng
        n = rng.randint(1, 30)
        pool = rng.choice(["0123456789", "０１２３４５６７８９", "0123456789０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩"])
        s = "".join(rng.choice(pool) for _ in range(n))
        return rng.choice([s, s + ".5", "-" + s, s + "," + s, "$" + s, s + "円", s + "%"])

    def fragment(self) -> str:
        """A piece of text of one of many kinds."""
        rng = self.rng
        k = rng.randrange(12)
        if k == 0:
            return self.soup(rng.randint(1, 12))
        if k == 1:
            return self.spaces()
        if k == 2:
            return self.digits()
        if k in (3, 4):
            return self.special()
        if k == 5:
            return rng.choice(EMOJI)
        if k == 6:
            return rng.choice(WORDS)
        if k == 7:
            line = rng.choice(self.lines)
            a = rng.randrange(len(line))
            return line[a:a + rng.randint(1, 40)]
        if k == 8:
            return "▁" * rng.randint(1, 4)
        if k == 9:
            return f"<0x{rng.randrange(256):02X}>"
        if k == 10:
            return self.char()
        return " "

    def document(self) -> str:
        rng = self.rng
        k = rng.randrange(10)
        if k == 0:  # one character (or one special string) alone
            return rng.choice([self.char(), self.special(), rng.choice(EMOJI), self.spaces()])
        if k == 1:  # special strings alone / adjacent / surrounded by spaces
            parts = [self.special() for _ in range(rng.randint(1, 4))]
            sep = rng.choice(["", " ", "  ", "\n", "a", "あ"])
            text = sep.join(parts)
            return rng.choice([text, " " + text, text + " ", " " + text + " ", "x" + text + "y"])
        if k == 2:  # specials inside a corpus line
            line = rng.choice(self.lines)
            for _ in range(rng.randint(1, 3)):
                at = rng.randint(0, len(line))
                line = line[:at] + rng.choice(["", " "]) + self.special() + rng.choice(["", " "]) + line[at:]
            return line
        if k == 3:  # whitespace-heavy
            words = [rng.choice(WORDS) for _ in range(rng.randint(0, 6))]
            out = self.spaces() if rng.random() < 0.5 else ""
            for w in words:
                out += w + self.spaces()
            return out
        if k == 4:  # pure random code points
            return self.soup(rng.randint(1, 80))
        if k == 5:  # a corpus line with characters inserted
            line = rng.choice(self.lines)
            for _ in range(rng.randint(1, 5)):
                at = rng.randint(0, len(line))
                line = line[:at] + rng.choice([self.char(), self.digits(), rng.choice(EMOJI)]) + line[at:]
            return line
        # a mix of fragments
        return "".join(self.fragment() for _ in range(rng.randint(2, 25)))

    def long_document(self, target: int) -> str:
        parts: list[str] = []
        size = 0
        while size < target:
            part = self.fragment() if self.rng.random() < 0.7 else self.rng.choice(self.lines)
            parts.append(part)
            size += len(part.encode("utf-8"))
        return "".join(parts)

    def documents(self, n: int) -> list[str]:
        docs = []
        for i in range(n):
            if i % 100 == 99:
                docs.append(self.long_document(20_000))
            elif i % 10 == 0:
                docs.append(self.char())
            else:
                docs.append(self.document())
        return docs


# --------------------------------------------------------------------------------------------------
# Decode sequences

BYTE_RE = re.compile(r"^<0x([0-9A-F]{2})>$")

INVALID_UTF8 = [
    [0xE3], [0xE3, 0x81], [0xF0, 0x9F], [0xF0, 0x9F, 0x98],  # truncated multibyte sequences
    [0x80], [0xBF], [0x80, 0x80, 0x80],  # lone continuation bytes
    [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xF0, 0x80, 0x80, 0x80],  # overlong forms
    [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  # UTF-8-encoded surrogates
    [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],  # beyond U+10FFFF
    [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xFF, 0xFE],
    [0xE3, 0x41], [0xC3, 0xE3, 0x81, 0x82],  # a lead byte interrupted
]


class DecodeSequences:
    """Random id sequences over a vocabulary, biased towards the interesting ids."""

    def __init__(self, rng: random.Random, tok):
        self.rng = rng
        self.size = tok.size
        self.byte_ids: dict[int, int] = {}
        self.space_ids: list[int] = []
        for i, piece in enumerate(tok.pieces):
            m = BYTE_RE.match(piece)
            if m and tok.kind == "sentencepiece" and not tok.sp.is_byte(i):
                continue
            if m and int(m.group(1), 16) not in self.byte_ids:
                self.byte_ids[int(m.group(1), 16)] = i
            elif piece.startswith("▁"):
                self.space_ids.append(i)
        self.special_ids = tok.special_ids

    def byte_run(self) -> list[int]:
        rng = self.rng
        if not self.byte_ids:
            return []
        if rng.random() < 0.5:
            data = rng.choice(INVALID_UTF8)
        else:
            cp = rng.choice([rng.randint(0x80, 0x7FF), rng.randint(0x800, 0xD7FF), rng.randint(0xE000, 0xFFFF),
                             rng.randint(0x10000, 0x10FFFF), rng.randint(0, 0x7F)])
            data = list(chr(cp).encode("utf-8"))
        return [self.byte_ids[b] for b in data if b in self.byte_ids]

    def sequence(self) -> list[int]:
        rng = self.rng
        n = rng.randint(0, 60)
        out: list[int] = []
        while len(out) < n:
            k = rng.randrange(10)
            if k < 3:
                out.extend(self.byte_run())
            elif k < 5 and self.special_ids:
                out.append(rng.choice(self.special_ids))
            elif k < 7 and self.space_ids:
                out.append(rng.choice(self.space_ids))
            else:
                out.append(rng.randrange(self.size))
        return out[:n] if rng.random() < 0.5 else out

    def out_of_range_sequence(self) -> list[int]:
        rng = self.rng
        seq = [rng.randrange(self.size) for _ in range(rng.randint(0, 10))]
        for _ in range(rng.randint(1, 3)):
            bad = rng.choice([self.size, self.size + 1, self.size + rng.randrange(1000), 2**31 - 1, 2**32 - 1])
            seq.insert(rng.randint(0, len(seq)), bad)
        return seq


# --------------------------------------------------------------------------------------------------


def fingerprint(args, tok_specs, corpus, versions) -> tuple[str, dict]:
    parts = {
        "scripts": {os.path.basename(path): sha256_file(path)
                    for path in (__file__, spm_model.__file__, conformance_texts.__file__)},
        "tokenizers": [[name, sha256_file(path)] for name, path in tok_specs],
        "corpora": [[os.path.basename(p), sha256_file(p)] for p in corpus],
        "regressions": [sha256_file(p) for p in args.regressions],
        "options": {"adversarial": args.adversarial, "seed": args.seed, "chunk_bytes": args.chunk_bytes,
                    "decode_sequences": args.decode_sequences, "runs": args.runs, "sweep": args.sweep,
                    "long_bytes": args.long_bytes, "segments": args.segments},
        "versions": versions,
    }
    return hashlib.sha256(dumps(parts).encode()).hexdigest(), parts


def is_fresh(out: str, fp: str) -> bool:
    try:
        with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return False
    if manifest.get("fingerprint") != fp:
        return False
    for name, size in manifest.get("outputs", {}).items():
        path = os.path.join(out, name)
        if not os.path.isfile(path) or os.path.getsize(path) != size:
            return False
    return True


def parse_specs(values: list[str]) -> list[tuple[str, str]]:
    specs = []
    for v in values:
        name, sep, path = v.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"--tokenizer: expected NAME=PATH, got {v!r}")
        if not os.path.isfile(path):
            raise SystemExit(f"--tokenizer: {path}: no such file")
        specs.append((name, path))
    if len({n for n, _ in specs}) != len(specs):
        raise SystemExit("--tokenizer: names must be distinct")
    return specs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--tokenizer", action="append", required=True, metavar="NAME=PATH",
                    help="a .model (sentencepiece) or .json (tokenizers) file; repeatable")
    ap.add_argument("--corpora", action="extend", nargs="+", default=[], metavar="DIR",
                    help="directories of *.txt files (one sentence a line); repeatable")
    ap.add_argument("--adversarial", type=int, default=2000, metavar="N", help="generated documents (default 2000)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--chunk-bytes", type=int, default=4096, help="target size of multi-line documents")
    ap.add_argument("--decode-sequences", type=int, default=2000, metavar="N", help="random id sequences to decode")
    ap.add_argument("--runs", type=int, default=0, metavar="N", help="repeated-character run documents")
    ap.add_argument("--sweep", action="store_true", help="add the ten-character run sweep (lengths 1-199)")
    ap.add_argument("--long-bytes", type=int, default=0, metavar="N",
                    help="add each corpus file's first N UTF-8 bytes (whole lines) as one document (default 0: none)")
    ap.add_argument("--segments", type=int, default=0, metavar="N",
                    help="documents of repeated segments, 2-200 KB each (default 0: none)")
    ap.add_argument("--regressions", action="append", default=[], metavar="FILE",
                    help="JSON lines with a \"text\" each, added as documents (repeatable)")
    ap.add_argument("--skip-if-fresh", action="store_true", help="do nothing when the outputs match the inputs")
    args = ap.parse_args()

    started = time.time()
    tok_specs = parse_specs(args.tokenizer)
    corpus = corpus_files(args.corpora)

    import sentencepiece
    import tokenizers

    versions = {"sentencepiece": sentencepiece.__version__, "tokenizers": tokenizers.__version__,
                "python": platform.python_version()}
    fp, fp_parts = fingerprint(args, tok_specs, corpus, versions)
    if args.skip_if_fresh and is_fresh(args.out, fp):
        log(f"{args.out} is up to date")
        return
    os.makedirs(args.out, exist_ok=True)

    t = time.time()
    toks = {name: load_tokenizer(path) for name, path in tok_specs}
    log(f"loaded {len(toks)} tokenizers in {time.time() - t:.1f}s")

    specials = set(GENERIC_SPECIALS)
    for tok in toks.values():
        specials.update(tok.special_strings())
    specials = sorted(specials)

    distinct, chunks, all_lines = corpus_documents(corpus, args.chunk_bytes)
    adversarial = Adversarial(random.Random(args.seed), specials, all_lines).documents(args.adversarial)
    runs = conformance_texts.Runs(random.Random(f"runs:{args.seed}"),
                                  [tok.pieces for tok in toks.values()]).documents(args.runs)
    sweep = conformance_texts.sweep_documents() if args.sweep else []
    regressions = [json.loads(line)["text"] for path in args.regressions
                   for line in open(path, encoding="utf-8") if line.strip()]
    long = long_documents(corpus, args.long_bytes)
    segments = []
    if args.segments > 0:
        vocabularies = [tok.pieces for tok in toks.values()]
        rng = random.Random(f"segments:{args.seed}")
        segments = conformance_texts.Segments(rng, conformance_texts.Runs(rng, vocabularies),
                                              conformance_texts.piece_texts(vocabularies), all_lines,
                                              specials).documents(args.segments)
    docs = distinct + chunks + adversarial + runs + sweep + regressions + long + segments
    outputs: dict[str, int] = {}
    path = os.path.join(args.out, "documents.jsonl")
    with open(path, "w", encoding="ascii", newline="\n") as f:
        for text in docs:
            f.write(dumps({"text": text}) + "\n")
    outputs["documents.jsonl"] = os.path.getsize(path)
    log(f"{len(docs)} documents ({len(distinct)} lines, {len(chunks)} chunks, {len(adversarial)} adversarial, "
        f"{len(runs)} runs, {len(sweep)} sweep, {len(regressions)} regressions, {len(long)} long, "
        f"{len(segments)} segment documents), "
        f"{sum(len(d.encode('utf-8')) for d in docs) / 1e6:.1f} MB UTF-8")

    per_tokenizer = {}
    for name, tok_path in tok_specs:
        tok = toks[name]
        t = time.time()
        sample = list(range(0, len(docs), max(1, len(docs) // SAMPLE_CHECK)))
        batch = tok.encode_batch([docs[i] for i in sample])
        for i, got in zip(sample, batch):
            if got != tok.encode_one(docs[i]):
                raise SystemExit(f"{name}: batch encoding differs from single encoding on document {i}")
        tokens = 0
        path = os.path.join(args.out, f"{name}.jsonl")
        with open(path, "w", encoding="ascii", newline="\n") as f:
            for start in range(0, len(docs), BATCH):
                for obj in tok.encode_batch(docs[start:start + BATCH]):
                    tokens += len(obj["ids"])
                    f.write(dumps(obj) + "\n")
        outputs[f"{name}.jsonl"] = os.path.getsize(path)
        enc_seconds = time.time() - t

        t = time.time()
        gen = DecodeSequences(random.Random(f"decode:{args.seed}:{tok.size}"), tok)
        seqs = [gen.sequence() for _ in range(args.decode_sequences)]
        if tok.kind == "tokenizers":
            seqs += [gen.out_of_range_sequence() for _ in range(max(1, args.decode_sequences // 20))]
        path = os.path.join(args.out, f"{name}.decode.jsonl")
        with open(path, "w", encoding="ascii", newline="\n") as f:
            for obj in tok.decode_batch(seqs):
                f.write(dumps(obj) + "\n")
        outputs[f"{name}.decode.jsonl"] = os.path.getsize(path)
        if tok.kind == "tokenizers":
            scores = tok.model_scores()
            if scores is not None:
                path = os.path.join(args.out, f"{name}.scores.f64")
                with open(path, "wb") as f:
                    f.write(struct.pack(f"<{len(scores)}d", *scores))
                outputs[f"{name}.scores.f64"] = os.path.getsize(path)
        dec_seconds = time.time() - t

        per_tokenizer[name] = {
            "path": tok_path,
            "library": tok.kind,
            "size_bytes": os.path.getsize(tok_path),
            "sha256": dict(fp_parts["tokenizers"])[name],
            "vocab_size": tok.size,
            "tokens": tokens,
            "decode_sequences": len(seqs),
            "encode_seconds": round(enc_seconds, 2),
            "decode_seconds": round(dec_seconds, 2),
        }
        log(f"{name}: {tokens} tokens, {outputs[name + '.jsonl'] / 1e6:.1f} MB, "
            f"encode {enc_seconds:.1f}s, decode {dec_seconds:.1f}s")

    manifest = {
        "fingerprint": fp,
        "versions": versions,
        "options": fp_parts["options"],
        "corpora": [{"path": p, "size_bytes": os.path.getsize(p), "sha256": h}
                    for p, (_, h) in zip(corpus, fp_parts["corpora"])],
        "documents": {"total": len(docs), "lines": len(distinct), "chunks": len(chunks),
                      "adversarial": len(adversarial), "runs": len(runs), "sweep": len(sweep),
                      "regressions": len(regressions), "long": len(long), "segments": len(segments)},
        "tokenizers": [{"name": n, **per_tokenizer[n]} for n, _ in tok_specs],
        "outputs": outputs,
        "seconds": round(time.time() - started, 2),
    }
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="ascii", newline="\n") as f:
        f.write(json.dumps(manifest, ensure_ascii=True, indent=2) + "\n")
    log(f"done in {manifest['seconds']}s, outputs {sum(outputs.values()) / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
