"""Text generators shared by make_references.py (the conformance document set) and
fuzz_conformance.py (the differential fuzzer). Only `random.Random` methods are used, so a seed
gives the same texts on every machine and Python version.

Runs of one character are where Unigram segmentations tie: `あ ああ ああ ああ` and
`ああ ああ ああ あ` have the same score up to float rounding, so the order in which a library adds
scores, the precision it holds them in and how it parsed them decide the ids. Corpora of web and
chat text are full of such runs (`ーーーー`, `wwww`, `！！！`, `あああ`), so the conformance set
sweeps them deliberately.
"""

from __future__ import annotations

import random

# Frequent Japanese and ASCII punctuation and run-prone characters of web/chat text.
RUN_CHARACTERS = list("ー=-─…！w草。あ、・～~!?？.,*#_/|〜♪☆★笑ｗぁっッん") + ["\u3000", " ", "\t"]

# The sweep of the conformance issue: these ten characters, lengths 1–199, alone and inside text.
SWEEP_CHARACTERS = list("ー=-─…！w草。あ")
SWEEP_CONTEXT = ("テスト", "です")

# Contexts a run is put into (start, middle, end).
CONTEXTS = ["今日は", "です。", "Hello ", " world", "テスト", "大草原", "www", "1234", "「", "」", "\n"]


def is_markup(piece: str) -> bool:
    """`<unk>`, `<s>`, `<0x41>` and the like: pieces that stand for no text of their own."""
    return piece.startswith("<") and piece.endswith(">") and len(piece) > 2


def piece_texts(vocabularies: list[list[str]]) -> list[str]:
    """The distinct pieces of the vocabularies as text (▁ read as a space), without markup pieces."""
    return sorted({piece.replace("\u2581", " ") for pieces in vocabularies for piece in pieces
                   if piece and not is_markup(piece)})


def single_character_pieces(pieces: list[str]) -> list[str]:
    """One-character pieces of a vocabulary (with ▁ read as a space), without markup pieces."""
    out = set()
    for piece in pieces:
        if not piece or is_markup(piece):
            continue
        text = piece.replace("\u2581", " ")
        if len(text) == 1:
            out.add(text)
    return sorted(out)


def concatenable_pairs(pieces: list[str], rng: random.Random, limit: int = 400) -> list[tuple[str, str]]:
    """Pairs of pieces (a, b) whose concatenation ab is also a piece, sampled deterministically."""
    vocab = {p.replace("\u2581", " ") for p in pieces if p}
    short = {p for p in vocab if 1 <= len(p) <= 3 and not (p.startswith("<") and p.endswith(">"))}
    pairs = []
    for ab in sorted(p for p in vocab if 2 <= len(p) <= 6):
        for cut in range(1, len(ab)):
            a, b = ab[:cut], ab[cut:]
            if a in vocab and b in vocab and (a in short or b in short):
                pairs.append((a, b))
    rng.shuffle(pairs)
    return pairs[:limit]


class Runs:
    """Repeated-character runs: single characters drawn from the vocabularies' one-character pieces
    and from RUN_CHARACTERS, repeated 1–300 times, alone or at the start, middle or end of text;
    alternating patterns (`ああいああい…`); and mixed runs of pieces whose concatenations are pieces."""

    def __init__(self, rng: random.Random, vocabularies: list[list[str]]):
        self.rng = rng
        chars: set[str] = set()
        pairs: list[tuple[str, str]] = []
        for pieces in vocabularies:
            chars.update(single_character_pieces(pieces))
            pairs += concatenable_pairs(pieces, rng)
        self.vocabulary_characters = sorted(chars)
        self.pairs = sorted(set(pairs))

    def character(self) -> str:
        rng = self.rng
        if self.vocabulary_characters and rng.random() < 0.5:
            return rng.choice(self.vocabulary_characters)
        return rng.choice(RUN_CHARACTERS)

    def length(self) -> int:
        rng = self.rng
        return rng.choice([rng.randint(1, 12), rng.randint(1, 40), rng.randint(1, 300)])

    def placed(self, run: str) -> str:
        rng = self.rng
        k = rng.randrange(4)
        if k == 0:
            return run
        if k == 1:
            return run + rng.choice(CONTEXTS)
        if k == 2:
            return rng.choice(CONTEXTS) + run + rng.choice(CONTEXTS)
        return rng.choice(CONTEXTS) + run

    def run(self) -> str:
        rng = self.rng
        k = rng.randrange(4)
        if k <= 1:   # one character repeated
            return self.character() * self.length()
        if k == 2:   # an alternating pattern: "ああい" repeated
            unit = "".join(self.character() for _ in range(rng.randint(2, 3)))
            if rng.random() < 0.5:
                unit = unit[0] * rng.randint(1, 3) + unit[1:]
            return unit * max(1, self.length() // len(unit))
        if self.pairs:   # pieces a, b with ab a piece, in random order
            a, b = rng.choice(self.pairs)
            return "".join(rng.choice((a, b)) for _ in range(self.length()))
        return self.character() * self.length()

    def document(self) -> str:
        return self.placed(self.run())

    def documents(self, n: int) -> list[str]:
        return [self.document() for _ in range(n)]


def sweep_documents() -> list[str]:
    """The conformance issue's sweep: ten characters × lengths 1–199, alone and inside text."""
    before, after = SWEEP_CONTEXT
    docs = []
    for ch in SWEEP_CHARACTERS:
        for n in range(1, 200):
            docs.append(ch * n)
            docs.append(before + ch * n + after)
    return docs


# Near-tie characters of the segment documents besides the vocabularies' own: kana, kanji, Latin
# letters, digits and punctuation that web text and code repeat.
TIE_CHARACTERS = list("あいうかのんーっッアン草漢日本wxaeilosz019!.-=*#~_/。、！？…")

# Tokens that follow an indentation run in code.
CODE_TOKENS = ["return", "if", "else:", "}", "{", "};", "def f(x):", "x = 1", "//", "#", "<div>", "</div>",
               "import os", "for i in range(10):", "self.x", "print(x)", "end", "*", "-", "|", "pass", "0", "i++;"]

# Ranges a character outside a vocabulary is drawn from (unknown pieces, byte fallback).
RARE_RANGES = [(0x20000, 0x2A6DF), (0xE000, 0xF8FF), (0xAC00, 0xD7A3), (0x1F300, 0x1FAFF), (0x0900, 0x097F),
               (0x13A0, 0x13FF), (0x2C80, 0x2CFF), (0x10330, 0x1034A)]

# Separators between the words of a segment document, with weights.
SEPARATORS = [(" ", 40), ("  ", 6), ("   ", 3), ("", 8), ("\n", 6), ("\t", 2), (" \n", 1), ("\n\n", 1),
              ("、", 2), ("。", 2), (", ", 2), (". ", 2), ("!", 1), ("\u3000", 1)]


class Segments:
    """Long documents made of a few segments repeated many times, for a segment cache.

    An encoder that cuts the normalized text at word boundaries (before a `▁` that follows no `▁`)
    and reuses a cached segmentation of each word meets the same word at very different
    accumulated path scores; a near-tie inside the word (a run of one character, a run of `▁`,
    an alternating pattern) can then be decided differently by rounding: sentencepiece adds float32
    scores and re-bases them to 0 beyond ±100,000, HF adds float64. Each document draws a small pool
    of 20–60 words (vocabulary pieces, one-character runs of many lengths, indentation runs before a
    code token, alternating two-character patterns, corpus words and Japanese phrases, words with
    characters outside the vocabulary, special-token strings when given) and repeats them, a few far more often than the rest, with
    single, doubled and tripled spaces, newlines, tabs and punctuation between them, or glued
    together like Japanese sentences with an occasional space. Most documents are 2–40 KB; one in
    six is 60–200 KB, so sentencepiece's float32 path score passes ±100,000 within it (a piece
    scores about −5 to −15), often several times.
    """

    def __init__(self, rng: random.Random, runs: Runs, pieces: list[str], lines: list[str], specials: list[str] = ()):
        """`pieces`: vocabulary pieces as text (▁ read as a space; piece_texts); `lines`: corpus lines;
        `specials`: special-token strings, a rare word of their own (a tokenizer.json splits the text at
        its added tokens and starts each part from a path score of 0)."""
        self.rng = rng
        self.runs = runs
        self.pieces = pieces
        self.specials = list(specials)
        # Characters whose runs are pieces too (`ww`, `www`, `ーー`): their runs tie up to rounding.
        self.run_characters = sorted({p[0] for p in pieces if len(p) >= 2 and p[0] != " " and p == p[0] * len(p)})
        self.known = set(runs.vocabulary_characters)
        self.lines = [line for line in lines if line] or ["text"]
        self.separators = [s for s, _ in SEPARATORS]
        self.separator_weights = [w for _, w in SEPARATORS]

    def tie_character(self) -> str:
        rng = self.rng
        x = rng.random()
        if x < 0.6 and self.run_characters:
            return rng.choice(self.run_characters)
        return rng.choice(TIE_CHARACTERS) if x < 0.8 else self.runs.character()

    def rare_character(self) -> str:
        """A character no one-character piece covers (after a few tries; rarely one that is)."""
        rng = self.rng
        for _ in range(8):
            lo, hi = rng.choice(RARE_RANGES)
            ch = chr(rng.randint(lo, hi))
            if ch not in self.known:
                return ch
        return ch

    def run_length(self) -> int:
        rng = self.rng
        return rng.choice([rng.randint(1, 8), rng.randint(1, 8), rng.randint(1, 40), rng.randint(1, 120)])

    def corpus_word(self) -> str:
        """A whitespace-separated word of a corpus line, or a 2–30 character slice of one (a Japanese phrase)."""
        rng = self.rng
        line = rng.choice(self.lines)
        words = line.split()
        if len(words) > 1 and rng.random() < 0.6:
            return rng.choice(words)
        start = rng.randrange(len(line))
        return line[start:start + rng.randint(2, 30)]

    def tie_word(self) -> str:
        """A word whose segmentation may be a near-tie: a run of one character, an alternating
        two-character pattern, a run of spaces before a run, a mixed run of pieces."""
        rng = self.rng
        k = rng.randrange(6)
        if k <= 2:   # a run of one character
            return self.tie_character() * self.run_length()
        if k == 3:   # an alternating two-character pattern: abab…, aab aab…
            a, b = self.tie_character(), self.tie_character()
            unit = rng.choice([a + b, a * 2 + b, a + b * 2])
            return unit * max(1, self.run_length() // len(unit))
        if k == 4:   # a run of spaces before a run: "   ああああ"
            return " " * rng.randint(1, 40) + self.tie_character() * self.run_length()
        return self.runs.run()[:rng.randint(1, 120)]   # mixed runs of pieces whose concatenations are pieces

    def word(self) -> str:
        rng = self.rng
        if self.specials and rng.random() < 0.05:
            return rng.choice(self.specials)
        k = rng.randrange(8)
        if k <= 1 and self.pieces:   # one to three vocabulary pieces (▁ read as a space)
            return "".join(rng.choice(self.pieces) for _ in range(rng.randint(1, 3)))
        if k == 2:   # an indentation run and a code token
            indent = rng.choice([" ", " ", " ", "\t", "\u3000"]) * rng.randint(1, 40)
            return rng.choice(["\n", "\n", ""]) + indent + rng.choice(CODE_TOKENS)
        if k <= 4:   # a corpus word or Japanese phrase
            return self.corpus_word()
        if k == 5:   # characters outside the vocabulary, alone or inside a word
            rare = "".join(self.rare_character() for _ in range(rng.randint(1, 3)))
            return rng.choice([rare, self.tie_character() + rare, rare + self.corpus_word(), rare * rng.randint(2, 6)])
        return self.tie_word()

    def separator(self, japanese: bool) -> str:
        rng = self.rng
        if japanese and rng.random() < 0.85:
            return rng.choice(["", "", "", "。", "、", "\n"])
        return rng.choices(self.separators, self.separator_weights)[0]

    def size(self) -> int:
        rng = self.rng
        return rng.randint(60_000, 200_000) if rng.random() < 1 / 6 else rng.randint(2_000, 40_000)

    def document(self, size: int | None = None, japanese: bool | None = None, ties: list[str] | None = None) -> str:
        """One document of about `size` UTF-8 bytes, glued like Japanese text or not (default: both
        drawn as the class describes); `ties`: near-tie words to use instead of drawn ones."""
        rng = self.rng
        target = size if size is not None else self.size()
        # Near-tie words first: with weights 1/rank they recur far more often than the rest.
        if ties is None:
            ties = [self.tie_word() for _ in range(rng.randint(4, 12))]
        pool = ties + [self.word() for _ in range(rng.randint(16, 48))]
        weights = [1 / (i + 1) for i in range(len(pool))]
        japanese = rng.random() < 0.25 if japanese is None else japanese
        parts: list[str] = [" " * rng.randint(1, 4)] if rng.random() < 0.2 else []
        total = 0
        while total < target:
            part = rng.choices(pool, weights)[0] + self.separator(japanese)
            parts.append(part)
            total += len(part.encode("utf-8"))
        if rng.random() < 0.2:
            parts.append(rng.choice([" ", "  ", "\n", " \n"]))
        return "".join(parts)

    def documents(self, n: int) -> list[str]:
        return [self.document() for _ in range(n)]
