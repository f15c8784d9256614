#!/usr/bin/env python3
"""Regenerates Tests/Fixtures/shards/ with Tools/megatron_reference.py (numpy required).

For every build case it writes {name}.ids.json (the documents, as given to the builder) and the
{name}.bin/.idx the reference builder produces; for every merge case the merged {name}.bin/.idx of
the listed inputs; and manifest.json naming them all. The Swift tests feed the same documents to
CorpusKit and compare bytes, so the expected bytes come only from the Python reference.

Usage: Tools/make_shard_fixtures.py [--out DIR]
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import megatron_reference as ref  # noqa: E402

# A document is a list of ids (one sequence, none when empty) or {"ids": [...], "lengths": [...]}.
BUILDS = {
    "u16_mixed": ("uint16", [
        [],                      # a document with no tokens first: doc_idx [0, 0, ...]
        [1, 2, 3],
        [4],                     # one token
        [],
        [65535, 0, 7, 65499],    # the uint16 extremes
        [42] * 300,
        [9, 8],
    ]),
    "i32_mixed": ("int32", [
        [100000, 2147483647, 0, 5],
        [],
        [1],
        [70000] * 5,
        [-1, -2147483648],      # int32 holds negatives; Megatron would write them too
        [],
    ]),
    "u16_multi_sequence": ("uint16", [
        {"ids": [1, 2, 3, 4, 5], "lengths": [2, 3]},
        {"ids": [], "lengths": []},
        {"ids": [6], "lengths": [1]},
        {"ids": [7, 8, 9], "lengths": [1, 0, 2]},   # a zero-length sequence inside a document
    ]),
    "u16_no_documents": ("uint16", []),
    "i32_only_empty": ("int32", [[], [], []]),
    "u16_part_a": ("uint16", [[1, 2], [3]]),
    "u16_part_b": ("uint16", [[], [4, 5, 6], []]),
    "u16_part_c": ("uint16", [[7]]),
    "i32_part_a": ("int32", [[70000, 1], []]),
    "i32_part_b": ("int32", [[2, 3, 4]]),
}

MERGES = {
    "u16_merged_abc": ["u16_part_a", "u16_part_b", "u16_part_c"],
    "u16_merged_mixed_multi": ["u16_mixed", "u16_multi_sequence", "u16_no_documents"],
    "i32_merged_ab": ["i32_part_a", "i32_part_b", "i32_only_empty"],
}


def build(out, name, dtype, documents):
    with open(os.path.join(out, name + ".ids.json"), "w", encoding="utf-8") as f:
        json.dump(documents, f)
        f.write("\n")
    ref.build_ids(["--ids", os.path.join(out, name + ".ids.json"),
                   "--output-prefix", os.path.join(out, name), "--dtype", dtype])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "shards")
    parser.add_argument("--out", default=os.path.normpath(default_out))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, (dtype, documents) in BUILDS.items():
        build(args.out, name, dtype, documents)
    for name, inputs in MERGES.items():
        ref.merge(["--output-prefix", os.path.join(args.out, name)]
                  + [os.path.join(args.out, i) for i in inputs])
    manifest = {
        "generator": "Tools/make_shard_fixtures.py (Tools/megatron_reference.py builder)",
        "builds": [{"name": n, "dtype": d} for n, (d, _) in BUILDS.items()],
        "merges": [{"name": n, "inputs": i} for n, i in MERGES.items()],
    }
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
