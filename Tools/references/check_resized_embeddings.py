#!/usr/bin/env python3
"""Check a checkpoint written by `corpuskit model resize-embeddings` against an independent numpy
computation of the documented rule (and, with --transformers, load it with transformers).

    check_resized_embeddings.py CKPT CKPT2 BASE.model EXTENDED.model        # the rule (.venv: numpy, sentencepiece, protobuf)
    check_resized_embeddings.py CKPT CKPT2 BASE.model EXTENDED.model --transformers   # loading (inference venv)

Checks: every tensor other than the vocabulary tensors (model.embed_tokens.weight,
transformer.wte.weight, lm_head.weight) is byte-identical; their first B rows (B = the base
tokenizer's size) are byte-identical; row `id` for B <= id < T (T = the extended size) equals the
mean of the base rows of the ids sentencepiece gives the piece's text with add_dummy_prefix off
(float64 sum and division, rounded to float32, then to the dtype with round-to-nearest-even); the
rows from T on equal the mean of all base rows; config.json's vocab_size is the new row count.
The safetensors files are parsed here with numpy (no torch), so the check runs in the reference
venv (.venv) and in CI. With --transformers instead (Tools/setup/setup_inference_venv.sh's venv: torch +
transformers, no protobuf), AutoModelForCausalLM.from_pretrained(CKPT2) must load and hold the
values written in CKPT2's files, with as many embedding rows as config.json says.
Prints one line per check; exit status 1 on any mismatch.
"""
from __future__ import annotations

import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np

VOCAB_TENSORS = ("model.embed_tokens.weight", "transformer.wte.weight", "lm_head.weight")


def read_safetensors(directory: Path) -> dict[str, tuple[str, list[int], bytes]]:
    index = directory / "model.safetensors.index.json"
    files = sorted(set(json.loads(index.read_text())["weight_map"].values())) if index.exists() else ["model.safetensors"]
    tensors = {}
    for name in files:
        data = (directory / name).read_bytes()
        (n,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + n])
        for key, entry in header.items():
            if key == "__metadata__":
                continue
            begin, end = entry["data_offsets"]
            tensors[key] = (entry["dtype"], entry["shape"], data[8 + n + begin:8 + n + end])
    return tensors


def to_float32(dtype: str, shape: list[int], raw: bytes) -> np.ndarray:
    if dtype == "BF16":
        return (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32).reshape(shape)
    if dtype == "F16":
        return np.frombuffer(raw, dtype="<f2").astype(np.float32).reshape(shape)
    if dtype == "F32":
        return np.frombuffer(raw, dtype="<f4").reshape(shape)
    raise SystemExit(f"unsupported dtype {dtype}")


def from_float64(dtype: str, values: np.ndarray) -> bytes:
    single = values.astype(np.float32)
    if dtype == "BF16":
        bits = single.view(np.uint32).astype(np.uint64)
        rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
        rounded[np.isnan(single)] = 0x7FC0
        return rounded.astype("<u2").tobytes()
    if dtype == "F16":
        return single.astype("<f2").tobytes()
    return single.astype("<f4").tobytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("resized", type=Path)
    parser.add_argument("base", type=Path)
    parser.add_argument("extended", type=Path)
    parser.add_argument("--transformers", action="store_true", help="instead of the rule, load CKPT2 with transformers (needs torch)")
    args = parser.parse_args()
    failures = 0

    def check(ok: bool, message: str) -> None:
        nonlocal failures
        print(("ok       " if ok else "MISMATCH ") + message)
        failures += not ok

    if args.transformers:
        import torch
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(str(args.resized), dtype="auto")
        state = model.state_dict()
        for name, (dtype, shape, raw) in read_safetensors(args.resized).items():
            if name not in state:
                continue
            tensor = state[name]
            values = torch.from_numpy(to_float32(dtype, shape, raw).copy()).to(tensor.dtype)
            check(torch.equal(tensor, values), f"transformers: {name} {list(tensor.shape)} as written")
        rows = json.loads((args.resized / "config.json").read_text())["vocab_size"]
        check(model.get_input_embeddings().weight.shape[0] == rows, f"transformers: {rows} embedding rows")
        return 1 if failures else 0
    from sentencepiece import SentencePieceProcessor
    from sentencepiece import sentencepiece_model_pb2 as pb

    proto = pb.ModelProto()
    proto.ParseFromString(args.base.read_bytes())
    base_size = len(proto.pieces)
    proto.normalizer_spec.add_dummy_prefix = False
    no_prefix = SentencePieceProcessor(model_proto=proto.SerializeToString())
    extended = SentencePieceProcessor(model_file=str(args.extended))
    total = extended.get_piece_size()
    sources = [no_prefix.encode(extended.id_to_piece(i)) for i in range(base_size, total)]

    old = read_safetensors(args.checkpoint)
    new = read_safetensors(args.resized)
    check(set(old) == set(new), f"same tensor names ({len(new)})")
    rows = None
    for name in sorted(old):
        dtype, shape, raw = old[name]
        new_dtype, new_shape, new_raw = new[name]
        if name not in VOCAB_TENSORS:
            check(new_raw == raw and new_shape == shape and new_dtype == dtype, f"{name}: byte-identical")
            continue
        rows = new_shape[0]
        row_bytes = len(raw) // shape[0]
        check(new_raw[:base_size * row_bytes] == raw[:base_size * row_bytes], f"{name}: rows 0..{base_size - 1} byte-identical")
        matrix = to_float32(dtype, shape, raw).astype(np.float64)
        expected = b"".join(from_float64(dtype, matrix[ids].sum(axis=0) / len(ids)) for ids in sources)
        check(new_raw[base_size * row_bytes:total * row_bytes] == expected,
              f"{name}: rows {base_size}..{total - 1} are the means of their pieces' base rows")
        padding = from_float64(dtype, matrix[:base_size].sum(axis=0) / base_size) * (rows - total)
        check(new_raw[total * row_bytes:] == padding, f"{name}: rows {total}..{rows - 1} are the mean of the base rows")
    config = json.loads((args.resized / "config.json").read_text())
    check(config.get("vocab_size") == rows, f"config.json vocab_size {config.get('vocab_size')} == {rows} rows")

    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
