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


def single_character_pieces(pieces: list[str]) -> list[str]:
    """One-character pieces of a vocabulary (with ▁ read as a space), without markup pieces."""
    out = set()
    for piece in pieces:
        if not piece or piece.startswith("<") and piece.endswith(">") and len(piece) > 2:
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
