#!/usr/bin/env python3
"""Tokenizer speed: `corpuskit encode` against the Python sentencepiece and tokenizers packages
doing the same whole job (load, json.loads, encode, json.dumps), on one core, in one run.

Builds ~4 KB documents cut from $CORPUSKIT_SHARED/corpora (Japanese and English), runs both sides
pinned to CPU 0 (`taskset -c 0`), best of --repeat runs each, checks that the id files are
byte-identical, and prints MB/s, tokens/s and the ratio per vocabulary and file format.

Usage: .venv/bin/python -m Tools.benchmarks.bench_tokenizer [--corpuskit PATH] [--repeat 5] [--vocab v2.1 --vocab v3.0 ...]
Run through Tools/benchmarks/bench_tokenizer.sh, which builds corpuskit and the venv first. The BPE rows
(llama2: Llama 2's .model and its tokenizer.json; llama2-ja: the Swallow-style extension) read the
files Tools/references/make_bpe_vocabularies.py derives into references/bpe-vocab (bench_tokenizer.sh makes them).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VOCABS = {
    "v2.1": ("llm-jp-v2.1/code10k_en20k_ja30k.ver2.1.model", "llm-jp-v2.1/tokenizer.json"),
    "v3.0": ("llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model", "llm-jp-v3.0/tokenizer.json"),
    "v3.1": ("llm-jp-v3.1/llm-jp-tokenizer-100k.ver3.1.model", "llm-jp-v3.1/tokenizer.json"),
    "v4.0": ("llm-jp-v4.0/llm-jp-tokenizer_ver4.0_alpha1.0.model", "llm-jp-v4.0/tokenizer.json"),
    # BPE; "derived:" paths are under references/bpe-vocab (Tools/references/make_bpe_vocabularies.py).
    "llama2": ("llama2/tokenizer.model", "derived:llama2/tokenizer.json"),
    "llama2-ja": ("derived:llama2-ja/llama2-ja.model", "derived:llama2-ja/tokenizer.json"),
}
DERIVED = ROOT / "references" / "bpe-vocab"
CORPORA = ["neko.txt", "botchan.txt", "jsts-v1.1-train.txt", "jnli-v1.1-train.txt"]


def build_documents(corpora: Path, target: Path, chunk_bytes: int) -> tuple[int, int]:
    """Cuts consecutive lines of each corpus into documents of about chunk_bytes."""
    count = size = 0
    with target.open("w", encoding="utf-8") as sink:
        for name in CORPORA:
            lines = (corpora / name).read_text(encoding="utf-8").split("\n")
            current: list[str] = []
            current_size = 0
            for line in lines:
                current.append(line)
                current_size += len(line.encode()) + 1
                if current_size >= chunk_bytes:
                    text = "\n".join(current)
                    sink.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
                    count += 1
                    size += len(text.encode())
                    current, current_size = [], 0
    return count, size


def best_time(command: list[str], repeat: int, stdout_path: Path | None = None, env=None) -> tuple[float, str]:
    """Best wall time of `repeat` runs pinned to CPU 0; returns it and the last stderr."""
    best = float("inf")
    stderr = ""
    for _ in range(repeat):
        with (stdout_path.open("wb") if stdout_path else open(os.devnull, "wb")) as sink:
            start = time.perf_counter()
            result = subprocess.run(["taskset", "-c", "0", *command], stdout=sink, stderr=subprocess.PIPE, env=env)
            elapsed = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr.decode()}")
        stderr = result.stderr.decode()
        best = min(best, elapsed)
    return best, stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpuskit", default=str(ROOT / ".build-static/release/corpuskit"))
    parser.add_argument("--python", default=str(ROOT / ".venv/bin/python"))
    parser.add_argument("--shared", default=os.environ.get("CORPUSKIT_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--chunk-bytes", type=int, default=4096)
    parser.add_argument("--vocab", action="append", choices=sorted(VOCABS), help="default: v2.1, v3.0, v4.0, llama2, llama2-ja")
    args = parser.parse_args()
    shared = Path(args.shared)
    vocabs = args.vocab or ["v2.1", "v3.0", "v4.0", "llama2", "llama2-ja"]
    if shutil.which("taskset") is None:
        sys.exit("taskset not found (util-linux)")

    work = Path(tempfile.mkdtemp(prefix="ck-bench-"))
    documents = work / "docs.jsonl"
    count, size = build_documents(shared / "corpora", documents, args.chunk_bytes)
    empty = work / "empty.jsonl"
    empty.write_text("")
    env = dict(os.environ, RAYON_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    print(f"# {count} documents, {size / 1e6:.2f} MB of text; best of {args.repeat}; one core (taskset -c 0)")
    print(f"{'vocab':9} {'file':15} {'ref s':>7} {'ck s':>7} {'ref MB/s':>9} {'ck MB/s':>8} "
          f"{'ck Mtok/s':>10} {'ratio':>6} {'ref load ms':>11} {'ck load ms':>10}  ids")
    failures = 0
    for vocab in vocabs:
        for kind, relative in zip(("sentencepiece", "tokenizers"), VOCABS[vocab]):
            path = str(DERIVED / relative[len("derived:"):]) if relative.startswith("derived:") else str(shared / "vocab" / relative)
            reference_out, corpuskit_out = work / "ref.txt", work / "ck.txt"
            reference_time, log = best_time(
                [args.python, str(ROOT / "Tools/benchmarks/reference_encode.py"), f"--{kind}", path, str(documents), str(reference_out)],
                args.repeat, env=env)
            reference_load = float(re.search(r"load_seconds=([0-9.]+)", log).group(1))
            corpuskit_time, _ = best_time([args.corpuskit, "encode", "--tokenizer", path, "--input", str(documents)],
                                          args.repeat, stdout_path=corpuskit_out)
            corpuskit_load, _ = best_time([args.corpuskit, "encode", "--tokenizer", path, "--input", str(empty)], args.repeat)
            identical = reference_out.read_bytes() == corpuskit_out.read_bytes()
            failures += not identical
            tokens = sum(line.count(",") + 1 for line in corpuskit_out.read_text().splitlines() if line != "[]")
            name = Path(relative).name if kind == "tokenizers" else ".model"
            print(f"{vocab:9} {name:15} {reference_time:7.3f} {corpuskit_time:7.3f} {size / 1e6 / reference_time:9.2f} "
                  f"{size / 1e6 / corpuskit_time:8.2f} {tokens / 1e6 / corpuskit_time:10.2f} "
                  f"{reference_time / corpuskit_time:5.1f}x {reference_load * 1000:11.0f} {corpuskit_load * 1000:10.0f}  "
                  f"{'identical' if identical else 'DIFFER'}")
    shutil.rmtree(work)
    if failures:
        sys.exit(f"{failures} id file(s) differ from the reference")


if __name__ == "__main__":
    main()
