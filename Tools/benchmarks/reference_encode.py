#!/usr/bin/env python3
"""The reference side of Tools/benchmarks/bench_tokenizer.py: the whole `corpuskit encode` job done with the
Python packages — load the tokenizer, json.loads each line, encode, json.dumps the ids.

Usage: reference_encode.py (--sentencepiece MODEL | --tokenizers TOKENIZER_JSON) [--batch] INPUT OUTPUT
Prints the load time in seconds to stderr as `load_seconds=...`. `--batch` (tokenizers only): read
every document first and encode them with one `encode_batch` call (its thread count is the caller's
RAYON_NUM_THREADS; the benchmark pins the process to one core).
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
    parser.add_argument("--batch", action="store_true", help="tokenizers: one encode_batch call")
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

    if args.batch:
        if not args.tokenizers:
            sys.exit("--batch needs --tokenizers")
        with open(args.input, encoding="utf-8") as source:
            texts = [json.loads(line)["text"] for line in source]
        with open(args.output, "w", encoding="utf-8") as sink:
            for encoding in tokenizer.encode_batch(texts, add_special_tokens=False):
                sink.write(json.dumps(encoding.ids))
                sink.write("\n")
        print(f"load_seconds={loaded - start:.4f}", file=sys.stderr)
        return

    with open(args.input, encoding="utf-8") as source, open(args.output, "w", encoding="utf-8") as sink:
        for line in source:
            sink.write(json.dumps(encode(json.loads(line)["text"])))
            sink.write("\n")
    print(f"load_seconds={loaded - start:.4f}", file=sys.stderr)


if __name__ == "__main__":
    main()
