#!/usr/bin/env python3
"""Where the instructions of a whole `corpuskit encode` job go, per stage, from callgrind.

Instruction counts repeat exactly whatever else runs on the machine, so they are the before/after
measure of a change to the tokenizer's hot paths (times on a shared machine are not). For each
tokenizer file and input it runs `valgrind --tool=callgrind corpuskit encode --tokenizer FILE
--input INPUT` once (after one plain run that fills the trie cache) and prints the inclusive
instruction counts of the stages, and per byte of document text:

  args       command-line parsing (swift-argument-parser)
  load       Tokenizer.load: reading the file, building or mapping the trie
  json       the reader's field extraction (JSONFieldExtractor, UTF-8 validation included)
  normalize  the normalizer (sentencepiece) / normalizers and pre-tokenizer (tokenizer.json)
  model      the model's segment (Unigram: Viterbi forward pass + backtracking; BPE: merges)
  emit       Unigram's backtracking, part of model
  ids out    formatting the JSON arrays of ids (OutputBuffer.appendIDArray)
  other      the rest: process start, reading the file, writing, added-token splitting

valgrind cannot read the debug information of the static binary Tools/setup/build_release.sh links, so
a copy without it (`strip --strip-debug`, symbols kept) is profiled.

Usage: python3 -m Tools.benchmarks.profile_tokenizer [--corpuskit BIN] --tokenizer FILE [--tokenizer FILE ...] INPUT.jsonl [...]
       (documents to profile: e.g. `python -m Tools.benchmarks.bench_tokenizer --keep DIR` writes ja/en/code/mixed .jsonl)
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# stage -> regular expression on the (mangled) function name; inclusive counts.
STAGES = {
    "args": r"ParsableCommandPAAE11parseAsRoot",
    "load": r"^\$s18CorpusKitTokenizer0C0C4load4path9trieCache",
    "json": r"JSONFieldExtractorV7extract4from4into",
    "normalize": r"(SentencePieceNormalizerV9normalize_|HuggingFaceNormalizerO5apply|HuggingFacePreTokenizer\w*split)",
    "model": r"(Unigram|BPE)V7segment_4into7scratch\w*F$",
    "emit": r"UnigramV4emit",
    "ids out": r"OutputBufferC13appendIDArray",
}


def text_bytes(path: Path) -> int:
    with path.open(encoding="utf-8") as source:
        return sum(len(json.loads(line)["text"].encode()) for line in source)


def stages(out: Path) -> dict[str, int]:
    report = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(out)],
                            capture_output=True, text=True, check=True).stdout
    counts = {name: 0 for name in STAGES}
    total = 0
    run = 0
    for line in report.splitlines():
        match = re.match(r"\s*([0-9,]+) \([ 0-9.]+%\)\s+\S*?:(\S+)", line)
        if not match:
            if "PROGRAM TOTALS" in line:
                total = int(line.split()[0].replace(",", ""))
            continue
        count, function = int(match.group(1).replace(",", "")), match.group(2)
        if "EncodeCommandV3run" in function:
            run = max(run, count)
        for name, pattern in STAGES.items():
            # The largest match: a function and its thunk share the count; callees are smaller.
            if re.search(pattern, function):
                counts[name] = max(counts[name], count)
    counts["other"] = total - sum(v for k, v in counts.items() if k != "emit")
    counts["total"] = total
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpuskit", default=str(ROOT / ".build-static/release/corpuskit"))
    parser.add_argument("--tokenizer", action="append", required=True)
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ck-profile-"))
    binary = work / "corpuskit"
    subprocess.run(["strip", "--strip-debug", "-o", str(binary), args.corpuskit], check=True)
    columns = list(STAGES) + ["other", "total"]
    print(f"{'tokenizer':40} {'input':10} " + " ".join(f"{c:>13}" for c in columns))
    for tokenizer in args.tokenizer:
        subprocess.run([str(binary), "encode", "--tokenizer", tokenizer, "--input", os.devnull],
                       stdout=subprocess.DEVNULL, check=True)
        for name in args.inputs:
            path = Path(name)
            out = work / "callgrind.out"
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(binary), "encode",
                            "--tokenizer", tokenizer, "--input", str(path)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            counts = stages(out)
            size = text_bytes(path)
            label = "/".join(Path(tokenizer).parts[-2:])[-40:]
            print(f"{label:40} {path.stem:10} " + " ".join(f"{counts[c] / 1e6:9.1f} M  " for c in columns))
            print(f"{'':40} {'per byte':10} " + " ".join(f"{counts[c] / size:11.1f}  " for c in columns), flush=True)
    subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    main()
