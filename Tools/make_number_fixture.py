#!/usr/bin/env python3
"""Record how HF tokenizers itself parses the numbers of a tokenizer.json (the reference for
Sources/CorpusKitTokenizer/Loading/SerdeJSONNumber.swift).

    make_number_fixture.py --out Tests/Fixtures/references/serde-numbers.jsonl [--count 6000] [--seed 8]

HF tokenizers reads tokenizer.json with serde_json, whose default float parser is not correctly
rounded. Each generated number string is put as a Unigram score into a small tokenizer.json, loaded
with tokenizers.Tokenizer.from_str and written back with to_str(): serde_json writes f64 in the
shortest form that round-trips, and Python's float() of that form is exact, so the bits recorded are
the bits HF held in memory. Strings HF refuses are recorded with their error.

Output lines: {"text": "-14.594400405883789", "bits": "c02d30553fffffff"} or
{"text": "1e400", "error": "number out of range"}.
"""
import argparse
import json
import random
import struct

import tokenizers
from tokenizers import Tokenizer

HEADER = ('{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],"normalizer":null,'
          '"pre_tokenizer":null,"post_processor":null,"decoder":null,"model":{"type":"Unigram",'
          '"unk_id":0,"byte_fallback":false,"vocab":[')


def hf_values(texts):
    body = HEADER + ",".join('["p%d",%s]' % (i, t) for i, t in enumerate(texts)) + "]}}"
    out = json.loads(Tokenizer.from_str(body).to_str())
    return [score for _, score in out["model"]["vocab"]]


def bits(value: float) -> str:
    return struct.pack(">d", value).hex()


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def generate(rng: random.Random, count: int) -> list[str]:
    texts = ["0", "-0", "0.0", "-0.0", "1", "-1", "-1.0", "0.1", "1e0", "1E2", "1e+2", "1e-2", "-1e-5",
             "123456789012345678901234", "-123456789012345678901234", "18446744073709551615",
             "18446744073709551616", "18446744073709551616.5", "-9223372036854775808",
             "-9223372036854775809", "9007199254740993", "1.7976931348623157e308",
             "2.2250738585072014e-308", "4.9e-324", "2e-324", "1e-400", "-1e-400",
             "0.000000000000000000000000000001234567890123456789", "12345678901234567890.5",
             "1e2147483648", "0e99999999999", "1.5e-2147483649", "100000000000000000000000e-20",
             "-14.594400405883789", "-11.135306358337402", "-99.99999999999999999999999",
             "1e400", "-1e309", "1.8e308", "1e308", "01", "1.", ".5", "-", "1e", "+1", "1.e5"]
    while len(texts) < count:
        kind = rng.randrange(7)
        if kind == 0:    # a float32 score widened to double, printed shortest (what converters write)
            texts.append(repr(f32(-rng.uniform(0, 40))))
        elif kind == 1:  # the same with 17 significant digits
            texts.append("%.17g" % f32(-rng.uniform(0, 40)))
        elif kind == 2:  # random doubles, shortest
            texts.append(repr(rng.uniform(-1e3, 1e3)))
        elif kind == 3:  # random doubles with exponents
            texts.append("%.*e" % (rng.randrange(0, 20), rng.uniform(-10, 10) * 10.0 ** rng.randrange(-320, 300)))
        elif kind == 4:  # many digits: past u64 in the integer part or the fraction
            ip = str(rng.randrange(1, 10)) + "".join(rng.choice("0123456789") for _ in range(rng.randrange(0, 25)))
            fp = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 30)))
            texts.append(("-" if rng.random() < 0.5 else "") + ip + "." + fp)
        elif kind == 5:  # small fractions with leading zeros
            texts.append("-0." + "0" * rng.randrange(0, 12) + str(rng.randrange(1, 10 ** rng.randrange(1, 18))))
        else:            # integers of every size
            texts.append(str(rng.randrange(-10 ** rng.randrange(1, 25), 10 ** rng.randrange(1, 25))))
    return texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    texts = generate(random.Random(args.seed), args.count)
    rows = []
    accepted = []
    for text in texts:   # numbers HF refuses would make the whole file fail: try each alone first
        try:
            hf_values([text])
            accepted.append(text)
        except Exception as error:  # noqa: BLE001 - the message is the reference
            rows.append((text, {"text": text, "error": str(error).split(" at line")[0]}))
    values = hf_values(accepted)
    rows += [(t, {"text": t, "bits": bits(v)}) for t, v in zip(accepted, values)]
    order = {t: i for i, t in enumerate(texts)}
    rows.sort(key=lambda r: order[r[0]])
    with open(args.out, "w", encoding="ascii") as f:
        f.write(json.dumps({"tokenizers": tokenizers.__version__, "seed": args.seed}) + "\n")
        for _, row in rows:
            f.write(json.dumps(row) + "\n")
    differ = sum(1 for t, v in zip(accepted, values) if float(t) != v)
    print(f"{len(rows)} numbers, {len(rows) - len(accepted)} refused, {differ} not correctly rounded by HF")


if __name__ == "__main__":
    main()
