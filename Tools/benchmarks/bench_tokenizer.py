#!/usr/bin/env python3
"""Tokenizer speed: `corpuskit encode` against every reference doing the same whole job (load,
json.loads, encode, json.dumps), on one core, side by side in one run.

References: the Python sentencepiece package (0.2.3, .venv) for `.model` files; HF tokenizers
0.23.3 (.venv) and 1.0.0rc3 (Tools/setup/setup_tokenizers1_venv.sh, default .venv-tokenizers1) for
`tokenizer.json`, the latter both with `encode` per document and with one `encode_batch` call
(RAYON_NUM_THREADS=1), the faster of the two counted. tokenizers 1.0's slim reader refuses legacy
Metaspace files (Llama 2's tokenizer.json): such a row says "refused".

Input: documents of about --chunk-bytes cut from consecutive lines of
  ja:   $CORPUSKIT_SHARED/corpora (neko, JSTS, JNLI, JCommonsenseQA), --ja-bytes of text;
  en:   botchan.txt and the English prose of Python's reference manual (pydoc_data.topics);
  code: the top-level .py files of the running Python's standard library, sorted by name;
  mixed: the three interleaved document by document (the headline input).
Every command runs pinned to CPU 0 (`taskset -c 0`), best of --repeat runs; every reference's id
file is compared byte for byte with corpuskit's. The commands of one row take turns (corpuskit, then
each reference, then corpuskit again, … --repeat rounds), so a row's best times are drawn from the
same stretch of time: on a shared machine whose speed drifts by more than the ratios' margins within
a minute, timing one command's runs back to back and then the other's made a row's ratio depend on
when each was timed. Prints MB/s per language and the ratios.

Usage: .venv/bin/python -m Tools.benchmarks.bench_tokenizer [--corpuskit PATH] [--repeat 3] [--vocab v3.0 --vocab v4.0 ...]
       [--language mixed --language ja ...]
Run through Tools/benchmarks/bench_tokenizer.sh, which builds corpuskit and the venvs first. The BPE rows
(llama2: Llama 2's .model and its tokenizer.json; llama2-ja: the Swallow-style extension) read the
files Tools/references/make_bpe_vocabularies.py derives into references/bpe-vocab (bench_tokenizer.sh makes them).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VOCABS = {
    "v2.1": ("llm-jp-v2.1/code10k_en20k_ja30k.ver2.1.model", "llm-jp-v2.1/tokenizer.json"),
    "v3.0": ("llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model", "llm-jp-v3.0/tokenizer.json"),
    "v3.1": ("llm-jp-v3.1/llm-jp-tokenizer-100k.ver3.1.model", "llm-jp-v3.1/tokenizer.json"),
    "v4.0": ("llm-jp-v4.0/llm-jp-tokenizer_ver4.0_alpha1.0.model", "llm-jp-v4.0/tokenizer.json"),
    # BPE; "derived:" paths are under --derived (Tools/references/make_bpe_vocabularies.py).
    "llama2": ("llama2/tokenizer.model", "derived:llama2/tokenizer.json"),
    "llama2-ja": ("derived:llama2-ja/llama2-ja.model", "derived:llama2-ja/tokenizer.json"),
}
LANGUAGES = ["mixed", "ja", "en", "code"]
JA_CORPORA = ["neko.txt", "jsts-v1.1-train.txt", "jnli-v1.1-train.txt", "jcommonsenseqa-v1.1-train.txt"]


def cut_documents(texts: list[str], chunk_bytes: int, limit: int) -> list[str]:
    """Cuts consecutive lines of each text into documents of about chunk_bytes, up to limit bytes."""
    documents: list[str] = []
    total = 0
    for text in texts:
        current: list[str] = []
        current_size = 0
        for line in text.split("\n"):
            current.append(line)
            current_size += len(line.encode()) + 1
            if current_size >= chunk_bytes:
                documents.append("\n".join(current))
                total += current_size
                current, current_size = [], 0
                if total >= limit:
                    return documents
        if current:
            documents.append("\n".join(current))
            total += current_size
            if total >= limit:
                return documents
    return documents


def english_texts(corpora: Path) -> list[str]:
    import pydoc_data.topics

    topics = pydoc_data.topics.topics
    return [(corpora / "botchan.txt").read_text(encoding="utf-8")] + [topics[key] for key in sorted(topics)]


def code_texts() -> list[str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return [path.read_text(encoding="utf-8", errors="replace") for path in sorted(stdlib.glob("*.py"))]


def build_inputs(shared: Path, work: Path, chunk_bytes: int, ja_bytes: int, en_bytes: int,
                 code_bytes: int) -> dict[str, tuple[Path, int, int]]:
    """Writes one JSONL file per language and the interleaved mix: {language: (path, documents, bytes)}."""
    corpora = shared / "corpora"
    per_language = {
        "ja": cut_documents([(corpora / name).read_text(encoding="utf-8") for name in JA_CORPORA], chunk_bytes, ja_bytes),
        "en": cut_documents(english_texts(corpora), chunk_bytes, en_bytes),
        "code": cut_documents(code_texts(), chunk_bytes, code_bytes),
    }
    mixed: list[str] = []
    for index in range(max(len(documents) for documents in per_language.values())):
        for language in ("ja", "en", "code"):
            if index < len(per_language[language]):
                mixed.append(per_language[language][index])
    per_language["mixed"] = mixed
    inputs = {}
    for language, documents in per_language.items():
        path = work / f"{language}.jsonl"
        with path.open("w", encoding="utf-8") as sink:
            for text in documents:
                sink.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
        inputs[language] = (path, len(documents), sum(len(text.encode()) for text in documents))
    return inputs


def run_once(command: list[str], stdout_path: Path | None = None, env=None) -> tuple[float, str, int]:
    """One run pinned to CPU 0: its wall time, its stderr and its exit status."""
    with (stdout_path.open("wb") if stdout_path else open(os.devnull, "wb")) as sink:
        start = time.perf_counter()
        result = subprocess.run(["taskset", "-c", "0", *command], stdout=sink, stderr=subprocess.PIPE, env=env)
        elapsed = time.perf_counter() - start
    return elapsed, result.stderr.decode(errors="replace"), result.returncode


def best_time(command: list[str], repeat: int, stdout_path: Path | None = None, env=None) -> tuple[float, str, int]:
    """Best wall time of `repeat` runs pinned to CPU 0; returns it, the last stderr and the exit status."""
    return best_times([(command, stdout_path, env)], repeat)[0]


def best_times(commands: list[tuple[list[str], Path | None, dict | None]], repeat: int,
               rounds: list[list[float]] | None = None) -> list[tuple[float, str, int]]:
    """Best wall time of `repeat` runs of each (command, stdout path, environment), the commands taking
    turns round by round; per command its best time, its last stderr and its exit status (a command
    that fails is not run again: inf and its status). `rounds`, when given, receives each round's
    times (inf for a command that failed)."""
    results = [(float("inf"), "", 0) for _ in commands]
    for _ in range(repeat):
        times = []
        for index, (command, stdout_path, env) in enumerate(commands):
            best, _, status = results[index]
            if status != 0:
                times.append(float("inf"))
                continue
            elapsed, stderr, status = run_once(command, stdout_path, env)
            times.append(elapsed if status == 0 else float("inf"))
            results[index] = (min(best, elapsed) if status == 0 else float("inf"), stderr, status)
        if rounds is not None:
            rounds.append(times)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpuskit", default=str(ROOT / ".build-static/release/corpuskit"))
    parser.add_argument("--python", default=str(ROOT / ".venv/bin/python"), help="sentencepiece 0.2.3 + tokenizers 0.23.3")
    parser.add_argument("--tokenizers1-python", default=os.environ.get("TOKENIZERS1_PYTHON", str(ROOT / ".venv-tokenizers1/bin/python")),
                        help="tokenizers 1.0.0rc3 (Tools/setup/setup_tokenizers1_venv.sh); skipped when missing")
    parser.add_argument("--shared", default=os.environ.get("CORPUSKIT_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--derived", default=str(ROOT / "references" / "bpe-vocab"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-bytes", type=int, default=4096)
    parser.add_argument("--ja-bytes", type=int, default=2_000_000)
    parser.add_argument("--en-bytes", type=int, default=1_000_000)
    parser.add_argument("--code-bytes", type=int, default=1_500_000)
    parser.add_argument("--vocab", action="append", choices=sorted(VOCABS), help="default: all")
    parser.add_argument("--language", action="append", choices=LANGUAGES, help="default: all (mixed first)")
    parser.add_argument("--keep", help="also write the inputs to this folder")
    args = parser.parse_args()
    shared = Path(args.shared)
    vocabs = args.vocab or list(VOCABS)
    languages = args.language or LANGUAGES
    if shutil.which("taskset") is None:
        sys.exit("taskset not found (util-linux)")
    tokenizers1 = args.tokenizers1_python if Path(args.tokenizers1_python).exists() else None

    work = Path(tempfile.mkdtemp(prefix="ck-bench-"))
    inputs = build_inputs(shared, work, args.chunk_bytes, args.ja_bytes, args.en_bytes, args.code_bytes)
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
        for path, _, _ in inputs.values():
            shutil.copy(path, Path(args.keep) / path.name)
    empty = work / "empty.jsonl"
    empty.write_text("")
    env = dict(os.environ, RAYON_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; best of {args.repeat}; one core (taskset -c 0); "
          f"load average {os.getloadavg()[0]:.2f}; corpuskit {args.corpuskit}")
    for language in languages:
        _, count, size = inputs[language]
        print(f"# {language}: {count} documents, {size / 1e6:.2f} MB of text")
    if tokenizers1 is None:
        print(f"# tokenizers 1.0.0rc3: {args.tokenizers1_python} not found (Tools/setup/setup_tokenizers1_venv.sh); skipped")
    print("# ref: sentencepiece 0.2.3 (.model) or tokenizers 0.23.3 (tokenizer.json); "
          "t1: tokenizers 1.0.0rc3, the faster of encode (e) and encode_batch (b); MB/s of text")
    print("# x ref, x t1: best time over best time; ~ref, ~t1: the median over the rounds of the same ratio within a round")
    header = (f"{'vocab':9} {'file':15} {'lang':5} {'ref MB/s':>8} {'t1 MB/s':>9} {'ck MB/s':>8} "
              f"{'ck Mtok/s':>9} {'x ref':>6} {'x t1':>6} {'~ref':>6} {'~t1':>6} {'ck load ms':>10}  ids")
    print(header)
    failures = 0
    for vocab in vocabs:
        for kind, relative in zip(("sentencepiece", "tokenizers"), VOCABS[vocab]):
            if relative.startswith("derived:"):
                path = str(Path(args.derived) / relative[len("derived:"):])
            else:
                path = str(shared / "vocab" / relative)
            name = Path(relative).name if kind == "tokenizers" else ".model"
            corpuskit_load, _, _ = best_time([args.corpuskit, "encode", "--tokenizer", path, "--input", str(empty)],
                                            args.repeat)
            for language in languages:
                documents, _, size = inputs[language]
                corpuskit_out = work / "ck.txt"
                # One row's commands, taking turns: corpuskit, the reference, tokenizers 1.0 (encode, batch).
                runs = [([args.corpuskit, "encode", "--tokenizer", path, "--input", str(documents)], corpuskit_out, None)]
                references = [("ref", args.python, [])]
                if kind == "tokenizers" and tokenizers1:
                    references += [("t1 e", tokenizers1, []), ("t1 b", tokenizers1, ["--batch"])]
                for label, python, extra in references:
                    out = work / f"{label.replace(' ', '-')}.txt"
                    runs.append(([python, str(ROOT / "Tools/benchmarks/reference_encode.py"), f"--{kind}", path, *extra,
                                  str(documents), str(out)], out, env))
                rounds: list[list[float]] = []
                timed = best_times(runs, args.repeat, rounds)
                corpuskit_time, log, status = timed[0]
                if status != 0:
                    sys.exit(f"corpuskit failed ({status}) on {path}:\n{log}")
                expected = corpuskit_out.read_bytes()
                verdicts = []
                seconds: dict[str, float] = {}
                refused = False
                for (label, python, _), (_, out, _), (elapsed, log, status) in zip(references, runs[1:], timed[1:]):
                    if status != 0:
                        if label.startswith("t1") and "slim JSON reader" in log:
                            refused = True
                            continue
                        sys.exit(f"reference failed ({status}): {python} {kind} {path}\n{log}")
                    verdicts.append(out.read_bytes() == expected)
                    seconds[label] = elapsed
                reference_time = seconds["ref"]
                # Each reference's time over corpuskit's within a round, the median over the rounds:
                # drift between rounds cancels out of it (a check on the best-of ratio, in which the
                # targets are stated).
                paired_ref = statistics.median(times[1] / times[0] for times in rounds)
                paired_t1 = statistics.median(min(times[2:]) / times[0] for times in rounds) if len(runs) > 2 else float("inf")
                t1_cell, t1_time = "", float("inf")
                if refused:
                    t1_cell = "refused"
                elif "t1 e" in seconds:
                    encode_time, batch_time = seconds["t1 e"], seconds["t1 b"]
                    t1_time = min(encode_time, batch_time)
                    t1_cell = f"{size / 1e6 / t1_time:.2f} {'e' if encode_time <= batch_time else 'b'}"
                identical = all(verdicts)
                failures += not identical
                tokens = sum(line.count(b",") + 1 for line in expected.splitlines() if line != b"[]")
                t1_ratio = f"{t1_time / corpuskit_time:5.1f}x" if t1_time != float("inf") else ""
                print(f"{vocab:9} {name:15} {language:5} {size / 1e6 / reference_time:8.2f} {t1_cell:>9} "
                      f"{size / 1e6 / corpuskit_time:8.2f} {tokens / 1e6 / corpuskit_time:9.2f} "
                      f"{reference_time / corpuskit_time:5.1f}x {t1_ratio:>6} {paired_ref:5.1f}x "
                      f"{f'{paired_t1:5.1f}x' if paired_t1 != float('inf') else '':>6} {corpuskit_load * 1000:10.0f}  "
                      f"{'identical' if identical else 'DIFFER'}", flush=True)
    shutil.rmtree(work)
    if failures:
        sys.exit(f"{failures} id file(s) differ from the reference")


if __name__ == "__main__":
    main()
