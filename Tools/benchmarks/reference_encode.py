#!/usr/bin/env python3
"""The reference side of Tools/benchmarks/bench_tokenizer.py: the whole `corpuskit encode` job done with the
Python packages — load the tokenizer, json.loads each line, encode, json.dumps the ids.

Usage: reference_encode.py (--sentencepiece MODEL | --tokenizers TOKENIZER_JSON) INPUT OUTPUT
Prints the load time in seconds to stderr as `load_seconds=...`.
"""
import argparse
import json
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--sentencepiece", metavar="MODEL")
    group.add_argument("--tokenizers", metavar="TOKENIZER_JSON")
    parser.add_argument("input")
    parser.add_argument("output")
    args = parser.parse_args()

    start = time.perf_counter()
    if args.sentencepiece:
        import sentencepiece

        processor = sentencepiece.SentencePieceProcessor(model_file=args.sentencepiece)
        encode = processor.encode
    else:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(args.tokenizers)
        encode = lambda text: tokenizer.encode(text, add_special_tokens=False).ids  # noqa: E731
    loaded = time.perf_counter()

    with open(args.input, encoding="utf-8") as source, open(args.output, "w", encoding="utf-8") as sink:
        for line in source:
            sink.write(json.dumps(encode(json.loads(line)["text"]), separators=(",", ":")))
            sink.write("\n")
    print(f"load_seconds={loaded - start:.4f}", file=sys.stderr)


if __name__ == "__main__":
    main()
