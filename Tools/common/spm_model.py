"""Minimal reader for sentencepiece `.model` files (a serialized `ModelProto`), without protobuf.

Only the fields the CorpusKit tools need are decoded; everything else is skipped by wire type.
Field numbers follow sentencepiece's src/sentencepiece_model.proto.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

# SentencePiece.Type values.
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6


@dataclass
class Piece:
    piece: str
    score: float = 0.0
    type: int = NORMAL


@dataclass
class ModelInfo:
    pieces: list[Piece] = field(default_factory=list)
    model_type: int = 1  # 1 = UNIGRAM
    unk_id: int = 0
    byte_fallback: bool = False
    normalizer_name: str = ""
    precompiled_charsmap: bytes = b""
    add_dummy_prefix: bool = True
    remove_extra_whitespaces: bool = True
    escape_whitespaces: bool = True

    def ids_of_type(self, *types: int) -> list[int]:
        return [i for i, p in enumerate(self.pieces) if p.type in types]


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes):
    """Yield (field_number, wire_type, value) for one message; value is int or bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _varint(buf, pos)
        elif wt == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        elif wt == 2:
            n, pos = _varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        elif wt == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wt}")
        yield num, wt, val


def parse_model(data: bytes) -> ModelInfo:
    info = ModelInfo()
    for num, _, val in _fields(data):
        if num == 1:  # SentencePiece
            p = Piece("")
            for n, _, v in _fields(val):
                if n == 1:
                    p.piece = v.decode("utf-8")
                elif n == 2:
                    p.score = struct.unpack("<f", v)[0]
                elif n == 3:
                    p.type = v
            info.pieces.append(p)
        elif num == 2:  # TrainerSpec
            for n, _, v in _fields(val):
                if n == 3:
                    info.model_type = v
                elif n == 40:
                    info.unk_id = v
                elif n == 35:
                    info.byte_fallback = bool(v)
        elif num == 3:  # NormalizerSpec
            for n, _, v in _fields(val):
                if n == 1:
                    info.normalizer_name = v.decode("utf-8")
                elif n == 2:
                    info.precompiled_charsmap = bytes(v)
                elif n == 3:
                    info.add_dummy_prefix = bool(v)
                elif n == 4:
                    info.remove_extra_whitespaces = bool(v)
                elif n == 5:
                    info.escape_whitespaces = bool(v)
    return info


def read_model(path: str) -> ModelInfo:
    with open(path, "rb") as f:
        return parse_model(f.read())
