#!/usr/bin/env python3
"""Differential fuzzer: corpuskit encode/decode against sentencepiece and HF tokenizers.

    fuzz_conformance.py [--tokenizer PATH ...] [--texts 100000] [--seconds S] [--seed 1]
                        [--decode 20000] [--corpuskit .build-static/release/corpuskit] [--corpora DIR]
                        [--segment-rate 0.001] [--regressions FILE] [--max-failures 5]

For each tokenizer file (default: the eight llm-jp files and Llama 2's .model in $CORPUSKIT_SHARED/vocab,
and the BPE files Tools/references/make_bpe_vocabularies.py derives into references/bpe-vocab) texts are
generated from the seed in batches: random code points from many Unicode blocks, repeated-character
runs and alternating patterns (conformance_texts.Runs), concatenations of pieces sampled from the
vocabulary, the adversarial documents of make_references.py, real lines of the corpora mutated by
insertions, deletions and replacements, and (--segment-rate of them, 3 a batch of 5,000 by default) long
documents of a few words repeated many times (conformance_texts.Segments: the same segment met at very
different accumulated path scores, for a segment cache). Each batch is encoded by the reference library
(sentencepiece for a .model, tokenizers for a .json; with and without special tokens) and by
`corpuskit encode` (one process per batch), and random id sequences (byte pieces forming invalid UTF-8, control and added
tokens, out-of-range ids for tokenizer.json) are decoded by both.

On a mismatch the text is shrunk by delta debugging (ddmin over code points, each round's candidates
checked in one corpuskit run, the one taken confirmed alone) to a smallest text that still differs, and
printed with both piece sequences. A text that differs only after other texts of its batch (state
carried across texts within one process) is reported with the fewest of those texts it needs (ddmin
over texts), all written in order to a corpuskit-fuzz-mismatch-*.jsonl file in the current directory.
With --regressions FILE the shrunk texts are appended to FILE (JSON lines {"tokenizer": NAME, "text": T}); Tests/Fixtures/references/regressions.jsonl is such a file, and
make_references.py adds its texts to the conformance documents so every finding stays fixed.

Stops a tokenizer after --texts texts or --seconds seconds, whichever comes first. Exit status 1 when
any mismatch was found, 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from Tools.common import conformance_texts
from Tools.references import make_references

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BATCH = 5000
# The share of texts that are segment documents (2–200 KB each; --segment-rate): 3 of a
# batch of 5,000, which keeps CI's pass (5,000 texts per file) within a few seconds of its time
# without them.
SEGMENT_RATE = 0.0006
# Characters shrink() may have corpuskit encode for one mismatch.
SHRINK_BUDGET = 200_000_000
SHARED_FILES = [
    "llm-jp-v2.1/code10k_en20k_ja30k.ver2.1.model", "llm-jp-v2.1/tokenizer.json",
    "llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model", "llm-jp-v3.0/tokenizer.json",
    "llm-jp-v3.1/llm-jp-tokenizer-100k.ver3.1.model", "llm-jp-v3.1/tokenizer.json",
    "llm-jp-v4.0/llm-jp-tokenizer_ver4.0_alpha1.0.model", "llm-jp-v4.0/tokenizer.json",
    "llama2/tokenizer.model",
]
# Derived from shared files by Tools/references/make_bpe_vocabularies.py (Tools/references/make_shared_references.sh writes
# them to references/bpe-vocab); included by default when present.
DERIVED_FILES = ["llama2/tokenizer.json", "llama2-ja/llama2-ja.model", "llama2-ja/tokenizer.json"]


def log(msg: str) -> None:
    print(f"[fuzz] {msg}", file=sys.stderr, flush=True)


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":"))


# --------------------------------------------------------------------------------------------------
# Text generation


class Texts:
    """Deterministic texts for one tokenizer file (the seed and the file name fix them)."""

    def __init__(self, seed: int, name: str, tok, lines: list[str], segment_rate: float = SEGMENT_RATE):
        self.rng = random.Random(f"fuzz:{seed}:{name}")
        self.lines = lines or ["text"]
        self.pieces = [p.replace("\u2581", " ") for p in tok.pieces if p]
        specials = tok.special_strings() + make_references.GENERIC_SPECIALS
        self.adversarial = make_references.Adversarial(self.rng, specials, self.lines)
        self.runs = conformance_texts.Runs(self.rng, [tok.pieces])
        self.segments = conformance_texts.Segments(self.rng, self.runs, self.pieces, self.lines, specials)
        self.segment_rate = segment_rate

    def concatenation(self) -> str:
        rng = self.rng
        return "".join(rng.choice(self.pieces) for _ in range(rng.randint(1, 30)))

    def mutated_line(self) -> str:
        rng = self.rng
        chars = list(rng.choice(self.lines))
        for _ in range(rng.randint(1, 6)):
            k = rng.randrange(3)
            at = rng.randint(0, len(chars))
            if k == 0:
                chars[at:at] = list(rng.choice([self.adversarial.char(), rng.choice(self.pieces), self.runs.run()]))
            elif k == 1 and chars:
                del chars[at:at + rng.randint(1, 5)]
            elif chars:
                chars[min(at, len(chars) - 1)] = self.adversarial.char()
        return "".join(chars)

    def text(self) -> str:
        rng = self.rng
        k = rng.randrange(10)
        if k <= 1:
            return self.adversarial.soup(rng.randint(1, 60))
        if k <= 3:
            return self.runs.document()
        if k <= 5:
            return self.concatenation()
        if k == 6:
            return self.adversarial.document()
        return self.mutated_line()

    def batch(self, n: int) -> list[str]:
        """`n` texts: about `segment_rate` of them long segment documents (conformance_texts.Segments), put
        at random places among the others, so that one corpuskit process meets them after and between
        other texts (a per-thread cache of segments spans the whole batch)."""
        rng = self.rng
        expected = n * self.segment_rate
        long = min(n, int(expected) + (rng.random() < expected - int(expected)))
        texts = [self.text() for _ in range(n - long)]
        for _ in range(long):
            texts.insert(rng.randint(0, len(texts)), self.segments.document())
        return texts


def corpus_lines(dirs: list[str]) -> list[str]:
    lines: list[str] = []
    for path in make_references.corpus_files(dirs):
        lines += [line for line in make_references.read_lines(path) if line]
    return lines


# --------------------------------------------------------------------------------------------------
# The two sides


class CorpusKit:
    def __init__(self, binary: str, tokenizer_path: str, workdir: str):
        self.binary = binary
        self.path = tokenizer_path
        self.workdir = workdir

    def _run(self, args: list[str], lines: list[str]) -> list[str]:
        src = os.path.join(self.workdir, "in.jsonl")
        with open(src, "w", encoding="ascii", newline="\n") as f:
            f.write("".join(line + "\n" for line in lines))
        proc = subprocess.run([self.binary, *args, "--tokenizer", self.path, "--input", src],
                              capture_output=True)
        if proc.returncode != 0:
            raise RuntimeError(f"corpuskit {' '.join(args)} failed: {proc.stderr.decode(errors='replace').strip()}")
        out = proc.stdout.decode("utf-8").split("\n")
        if out and out[-1] == "":
            out.pop()
        if len(out) != len(lines):
            raise RuntimeError(f"corpuskit {' '.join(args)}: {len(out)} output lines for {len(lines)} inputs")
        return out

    def encode(self, texts: list[str], special: bool) -> list[list[int]]:
        args = ["encode"] + (["--add-special-tokens"] if special else [])
        return [json.loads(line) for line in self._run(args, [dumps({"text": t}) for t in texts])]

    def decode(self, seqs: list[list[int]]) -> list[str]:
        return [json.loads(line)["text"] for line in self._run(["decode"], [dumps(s) for s in seqs])]


def reference_encode(tok, texts: list[str], special: bool) -> list[list[int]]:
    if tok.kind == "sentencepiece":
        return tok.sp.encode(texts, add_bos=special, add_eos=special, num_threads=tok.threads)
    return [e.ids for e in tok.tok.encode_batch(texts, add_special_tokens=special)]


def reference_decode(tok, seqs: list[list[int]]) -> list[str]:
    if tok.kind == "sentencepiece":
        return tok.sp.decode(seqs, num_threads=tok.threads)
    return tok.tok.decode_batch(seqs, skip_special_tokens=False)


def pieces(tok, ids: list[int]) -> list[str]:
    return [tok.pieces[i] if 0 <= i < len(tok.pieces) else f"#{i}" for i in ids]


# --------------------------------------------------------------------------------------------------
# Shrinking


def differs_many(tok, ck: CorpusKit, texts: list[str], special: bool) -> list[bool]:
    """Which texts differ, all encoded by one corpuskit process (in order)."""
    if not texts:
        return []
    ref = reference_encode(tok, texts, special)
    got = ck.encode(texts, special)
    return [a != b for a, b in zip(ref, got)]


def differs_alone(tok, ck: CorpusKit, text: str, special: bool) -> bool:
    """Whether `text` differs when it is the only text of a corpuskit process."""
    return differs_many(tok, ck, [text], special)[0]


def differs_after(tok, ck: CorpusKit, before: list[str], text: str, special: bool) -> bool:
    """Whether `text` differs when one corpuskit process encodes `before` first (a cache carried over)."""
    ref = reference_encode(tok, [text], special)[0]
    return ck.encode(before + [text], special)[-1] != ref


def shrink(tok, ck: CorpusKit, text: str, special: bool, before: list[str] | None = None) -> str:
    """ddmin over code points: the smallest text found that still differs on its own (or, with
    `before`, after those texts in one process). A round's candidates run in one corpuskit process;
    the one taken is confirmed alone, since a segment cache may carry state from one candidate to
    the next."""
    def differs(candidate: str) -> bool:
        if before is None:
            return differs_alone(tok, ck, candidate, special)
        return differs_after(tok, ck, before, candidate, special)

    chars = list(text)
    n = 2
    spent = 0
    while len(chars) >= 2:
        size = max(1, len(chars) // n)
        chunks = [chars[i:i + size] for i in range(0, len(chars), size)]
        # A round encodes about 2n texts of up to len(chars) characters: a difference that needs a
        # long text before it (a path score built up by it) would make the finest rounds quadratic.
        spent += 2 * len(chunks) * len(chars)
        if spent > SHRINK_BUDGET:
            log(f"shrinking stopped at {len(chars)} characters (budget of {SHRINK_BUDGET:,} characters encoded)")
            return "".join(chars)
        subsets = ["".join(c) for c in chunks]
        complements = ["".join(sum(chunks[:i] + chunks[i + 1:], [])) for i in range(len(chunks))]
        candidates = subsets + complements
        flags = differs_many(tok, ck, candidates, special) if before is None else [True] * len(candidates)
        found = next((i for i, f in enumerate(flags) if f and candidates[i] and differs(candidates[i])), None)
        if found is not None:
            chars = list(candidates[found])
            n = 2 if found < len(subsets) else max(n - 1, 2)
            continue
        if n >= len(chars):
            break
        n = min(len(chars), n * 2)
    # Last pass: drop single code points while the difference stays (one process each: short texts only).
    i = 0
    while i < len(chars) and 1 < len(chars) <= 2000:
        candidate = "".join(chars[:i] + chars[i + 1:])
        if differs(candidate):
            chars = list(candidate)
        else:
            i += 1
    return "".join(chars)


def shrink_before(tok, ck: CorpusKit, before: list[str], text: str, special: bool) -> list[str]:
    """For a text that differs only after others in the same process: ddmin over those texts, a
    smallest list of them (in order) after which it still differs."""
    docs = list(before)
    n = 2
    while len(docs) >= 2:
        size = max(1, len(docs) // n)
        chunks = [docs[i:i + size] for i in range(0, len(docs), size)]
        candidates = chunks + [sum(chunks[:i] + chunks[i + 1:], []) for i in range(len(chunks))]
        found = next((i for i, c in enumerate(candidates) if differs_after(tok, ck, c, text, special)), None)
        if found is not None:
            docs = candidates[found]
            n = 2 if found < len(chunks) else max(n - 1, 2)
            continue
        if n >= len(docs):
            break
        n = min(len(docs), n * 2)
    return docs


def report(tok, ck: CorpusKit, name: str, args, text: str, before: list[str], special: bool) -> None:
    """Prints a mismatch, shrunk: the text alone when it differs alone, else the texts before it in
    the corpuskit process that it needs (written to a JSON lines file to reproduce)."""
    if differs_alone(tok, ck, text, special):
        small = shrink(tok, ck, text, special)
        ref = reference_encode(tok, [small], special)[0]
        got = ck.encode([small], special)[0]
        if len(small) <= 2000:
            print(f"MISMATCH {name} (special tokens: {special}): {small!r}\n  reference: {pieces(tok, ref)}\n"
                  f"  corpuskit: {pieces(tok, got)}", flush=True)
        else:
            fd, path = tempfile.mkstemp(prefix="corpuskit-fuzz-mismatch-", suffix=".jsonl", dir=os.getcwd())
            with os.fdopen(fd, "w", encoding="ascii", newline="\n") as f:
                f.write(dumps({"text": small}) + "\n")
            first = next((i for i, (a, b) in enumerate(zip(ref, got)) if a != b), min(len(ref), len(got)))
            print(f"MISMATCH {name} (special tokens: {special}): a text of {len(small)} characters (in {path}) "
                  f"differs from token {first}: {small[:300]!r}\n"
                  f"  reference: {pieces(tok, ref[max(0, first - 5):first + 15])}\n"
                  f"  corpuskit: {pieces(tok, got[max(0, first - 5):first + 15])}", flush=True)
        if args.regressions:
            with open(args.regressions, "a", encoding="ascii") as f:
                f.write(dumps({"tokenizer": name, "text": small}) + "\n")
        return
    needed = shrink_before(tok, ck, before, text, special)
    text = shrink(tok, ck, text, special, needed)
    ref = reference_encode(tok, [text], special)[0]
    got = ck.encode(needed + [text], special)[-1]
    fd, path = tempfile.mkstemp(prefix="corpuskit-fuzz-mismatch-", suffix=".jsonl", dir=os.getcwd())
    with os.fdopen(fd, "w", encoding="ascii", newline="\n") as f:
        f.write("".join(dumps({"text": t}) + "\n" for t in needed + [text]))
    first = next((i for i, (a, b) in enumerate(zip(ref, got)) if a != b), min(len(ref), len(got)))
    print(f"MISMATCH {name} (special tokens: {special}) only after {len(needed)} other texts in the same corpuskit "
          f"process (a cache carried across texts): all {len(needed) + 1} in order in {path}; the last, shrunk to "
          f"{len(text)} characters, differs from token {first}: {text[:300]!r}\n"
          f"  reference: {pieces(tok, ref[max(0, first - 5):first + 15])}\n"
          f"  corpuskit: {pieces(tok, got[max(0, first - 5):first + 15])}", flush=True)


# --------------------------------------------------------------------------------------------------


def fuzz_one(path: str, args, lines: list[str], workdir: str) -> int:
    name = os.path.relpath(path, args.shared_vocab) if args.shared_vocab and path.startswith(args.shared_vocab) else path
    tok = make_references.load_tokenizer(path)
    ck = CorpusKit(args.corpuskit, path, workdir)
    gen = Texts(args.seed, os.path.basename(os.path.dirname(path)) + "/" + os.path.basename(path), tok, lines,
                args.segment_rate)
    started = time.time()
    done = 0
    failures: list[tuple[str, list[str], bool]] = []
    while done < args.texts and time.time() - started < args.seconds and len(failures) < args.max_failures:
        texts = gen.batch(min(BATCH, args.texts - done))
        for special in (False, True):
            ref = reference_encode(tok, texts, special)
            got = ck.encode(texts, special)
            for i, (text, a, b) in enumerate(zip(texts, ref, got)):
                if a != b and len(failures) < args.max_failures:
                    failures.append((text, texts[:i], special))
        done += len(texts)
    decoded = 0
    decode_failures: list[list[int]] = []
    seqgen = make_references.DecodeSequences(random.Random(f"fuzz-decode:{args.seed}:{name}"), tok)
    while decoded < args.decode and time.time() - started < args.seconds + 60:
        seqs = [seqgen.sequence() for _ in range(min(BATCH, args.decode - decoded))]
        if tok.kind == "tokenizers":
            seqs += [seqgen.out_of_range_sequence() for _ in range(len(seqs) // 20)]
        for seq, a, b in zip(seqs, reference_decode(tok, seqs), ck.decode(seqs)):
            if a != b and len(decode_failures) < args.max_failures:
                decode_failures.append(seq)
        decoded += len(seqs)
    elapsed = time.time() - started
    for text, before, special in failures:
        report(tok, ck, name, args, text, before, special)
    for seq in decode_failures:
        print(f"DECODE MISMATCH {name}: {seq}\n  reference: {reference_decode(tok, [seq])[0]!r}\n"
              f"  corpuskit: {ck.decode([seq])[0]!r}", flush=True)
    bad = len(failures) + len(decode_failures)
    log(f"{name}: {done} texts (x2: plain and special tokens), {decoded} id sequences, {bad} mismatches, "
        f"{elapsed:.0f}s")
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokenizer", action="append", default=[], metavar="PATH",
                    help="a .model or tokenizer.json (repeatable; default: the eight llm-jp files, Llama 2's "
                         ".model and the BPE files in references/bpe-vocab)")
    ap.add_argument("--texts", type=int, default=100_000, help="texts per tokenizer file (default 100000)")
    ap.add_argument("--seconds", type=float, default=float("inf"), help="time budget per tokenizer file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--decode", type=int, default=20_000, help="id sequences decoded per tokenizer file")
    ap.add_argument("--corpuskit", default=os.path.join(ROOT, ".build", "release", "corpuskit"))
    ap.add_argument("--corpora", action="append", default=[], metavar="DIR",
                    help="text corpora to mutate (default: $CORPUSKIT_SHARED/corpora and Corpora/)")
    ap.add_argument("--segment-rate", type=float, default=SEGMENT_RATE, metavar="R",
                    help=f"share of the texts that are long documents of repeated segments (default {SEGMENT_RATE}; "
                         "e.g. 0.5 to attack a segment cache)")
    ap.add_argument("--regressions", metavar="FILE", help="append shrunk failing texts here")
    ap.add_argument("--max-failures", type=int, default=5, help="stop a file after this many mismatches")
    args = ap.parse_args()
    if not 0 <= args.segment_rate <= 1:
        ap.error(f"--segment-rate: {args.segment_rate} is not between 0 and 1")

    shared = os.environ.get("CORPUSKIT_SHARED", os.path.join(ROOT, "..", "shared"))
    args.shared_vocab = os.path.abspath(os.path.join(shared, "vocab")) + os.sep
    derived = os.path.join(ROOT, "references", "bpe-vocab")
    paths = args.tokenizer or ([os.path.join(args.shared_vocab, f) for f in SHARED_FILES]
                               + [os.path.join(derived, f) for f in DERIVED_FILES if os.path.isfile(os.path.join(derived, f))])
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        raise SystemExit(f"fuzz: no such tokenizer file: {', '.join(missing)} (set CORPUSKIT_SHARED or --tokenizer)")
    if not os.access(args.corpuskit, os.X_OK):
        raise SystemExit(f"fuzz: {args.corpuskit} is not an executable (swift build -c release)")
    dirs = args.corpora or [d for d in (os.path.join(shared, "corpora"), os.path.join(ROOT, "Corpora"))
                            if os.path.isdir(d)]
    lines = corpus_lines(dirs)
    log(f"seed {args.seed}, {len(paths)} tokenizer files, {len(lines)} corpus lines, "
        f"{args.texts} texts and {args.decode} id sequences each")
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="corpuskit-fuzz-") as workdir:
        for path in paths:
            if fuzz_one(os.path.abspath(path), args, lines, workdir):
                failed += 1
            else:
                passed += 1
    print(f"fuzz: {passed} of {passed + failed} tokenizer files without a mismatch")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
