#!/usr/bin/env python3
"""Generates Tests/CorpusKitReadersTests/JSONConformanceCases.swift.

Every expectation comes from CPython itself: each input line (bytes) is decoded as strict UTF-8
and passed to json.loads, then the "text" key is looked up and UTF-8 encoded, exactly the steps
Megatron's tools/preprocess_data.py performs. Re-run after editing CASES:

    python3 Tools/generate_json_conformance_cases.py > Tests/CorpusKitReadersTests/JSONConformanceCases.swift
"""
import json
import platform
import sys

R = "rep"  # ("rep", text, count): `text` repeated `count` times


def rep(text, count):
    return (R, text, count)


CASES = [
    # Valid documents.
    ['{"text": "hello"}'],
    ['{"text":"hello","id":1}'],
    [' \t{"text" : "a" } \t'],
    ['{"text": ""}'],
    ['{"text": "日本語のテキストです。"}'],
    ['{"text": "emoji 😀 and 𝄞"}'],
    ['{"text": "esc \\" \\\\ \\/ \\b \\f \\n \\r \\t end"}'],
    ['{"text": "\\u0041\\u00e9\\u65e5\\ud83d\\ude00"}'],
    ['{"text": "\\uD83D\\uDE00\\uFFFF\\u0000"}'],
    ['{"text": "x\x7fy"}'],
    ['{"text": "\u2028\u2029\ufeff\u00a0"}'],
    ['{"text": "\u0080\u07ff\u0800\ud7ff\ue000\uffff\U00010000\U0010ffff"}'],
    ['{"text": "a", "text": "b"}'],
    ['{"text": 1, "text": "b"}'],
    ['{"text": "a", "text": 1}'],
    ['{"te\\u0078t": "escaped key"}'],
    ['{"text\\u0000": "near miss", "text": "real"}'],
    ['{"meta": {"text": 1}, "text": "top"}'],
    ['{"meta": {"text": "nested"}}'],
    ['{"a": [1, 2.5, -3e10, 1E+2, 0, -0, 0.0e-0, true, false, null, NaN, Infinity, -Infinity, {}, [], {"x": [[]]}], "text": "n"}'],
    ['{"a":-0.0e+00,"text":"x"}'],
    ['{"a":1E400,"b":-1e-400,"text":"x"}'],
    ['{"a":', rep("1", 4300), ',"text":"x"}'],
    ['{"a":-', rep("1", 4300), ',"text":"x"}'],
    ['{"a":', rep("1", 4301), ',"text":"x"}'],
    ['{"a":-', rep("1", 4301), ',"text":"x"}'],
    ['{"a":', rep("1", 4301), '.0,"text":"x"}'],
    ['{"a":', rep("1", 4301), 'e0,"text":"x"}'],
    ['{"a":0.', rep("1", 5000), ',"text":"x"}'],
    ['{"text":"', rep("a", 1000), '"}'],
    ['{"text":"', rep("日本", 1000), '"}'],
    ['{"text":"', rep("a\\n", 500), '"}'],
    ['{"text":"x"}\n'],
    ['{"text":"x"}\r'],
    ['{\r"text":\r"x"\r}'],
    # Not an object, missing key, wrong type.
    ['{}'],
    ['[]'],
    ['"text"'],
    ['1'],
    ['null'],
    ['{"text": null}'],
    ['{"text": true}'],
    ['{"text": ["a", "b"]}'],
    ['{"text": {"a": 1}}'],
    ['{"text": 1.5}'],
    ['{"text": NaN}'],
    ['{"Text": "x"}'],
    # Lone surrogates (accepted by json.loads, not encodable as UTF-8).
    ['{"text": "\\ud800"}'],
    ['{"text": "\\udc80"}'],
    ['{"text": "\\ud800x"}'],
    ['{"text": "\\ud800\\u0041"}'],
    ['{"text": "\\udc00\\ud800"}'],
    ['{"text": "\\ud800\\\\udc00"}'],
    ['{"text": "a\\ud83d\\ude00b\\ud800"}'],
    ['{"text": "ok", "other": "\\ud800"}'],
    ['{"\\ud800": 1, "text": "ok"}'],
    # Malformed JSON.
    [''],
    [' '],
    ['{'],
    ['{"text"'],
    ['{"text":'],
    ['{"text":"a"'],
    ['{"text":"a",}'],
    ['{"text":"a" "b":1}'],
    ['{"text" "a"}'],
    ['{text: "a"}'],
    ["{'text': 'a'}"],
    ['{"text":"a"}}'],
    ['{"text":"a"} x'],
    ['{"text":"a"}{"text":"b"}'],
    ['{"text":"a"},'],
    ['{"text":"abc'],
    ['{"text":"abc\\'],
    ['{"text":"a\tb"}'],
    ['{"text":"a\nb"}'],
    ['{"text":"a\rb"}'],
    ['{"text":"a\x00b"}'],
    ['{"text":"a\x1fb"}'],
    ['{"text":"\\x41"}'],
    ['{"text":"\\U0041"}'],
    ['{"text":"\\\'"}'],
    ['{"text":"\\u004"}'],
    ['{"text":"\\u004G"}'],
    ['{"text":"\\u12'],
    ['{"text":"\\u1234'],
    ['{"text":"\\ud800\\u12"}'],
    ['{"text":"\\ud800\\uZZZZ"}'],
    ['{"text":"\\ud800\\udc00'],
    ['{"a":01,"text":"x"}'],
    ['{"a":00,"text":"x"}'],
    ['{"a":+1,"text":"x"}'],
    ['{"a":.5,"text":"x"}'],
    ['{"a":1.,"text":"x"}'],
    ['{"a":1.e5,"text":"x"}'],
    ['{"a":1e,"text":"x"}'],
    ['{"a":1e+,"text":"x"}'],
    ['{"a":-,"text":"x"}'],
    ['{"a":--1,"text":"x"}'],
    ['{"a":0x10,"text":"x"}'],
    ['{"a":1_000,"text":"x"}'],
    ['{"a":tru,"text":"x"}'],
    ['{"a":True,"text":"x"}'],
    ['{"a":nan,"text":"x"}'],
    ['{"a":-NaN,"text":"x"}'],
    ['{"a":-Inf,"text":"x"}'],
    ['{"a":infinity,"text":"x"}'],
    ['{"a":nulll,"text":"x"}'],
    ['{"a":[1,],"text":"x"}'],
    ['{"a":[,1],"text":"x"}'],
    ['{"a":[1 2],"text":"x"}'],
    ['{"a":[1,2,"text":"x"}'],
    ['{"a":[1,2}'],
    ['{"a":{"b":1]}'],
    ['{"a":1,,"text":"x"}'],
    ['{,"text":"x"}'],
    ['{"a"::1}'],
    ['\ufeff{"text":"x"}'],
    [' \ufeff{"text":"x"}'],
    ['{"text":"x"}\ufeff'],
    ['{"text":"x"}\x0b'],
    ['{"text":"x"}\x0c'],
    ['{"text":"x"}\u00a0'],
    ['{"text":"x"}\u3000'],
    ['{"text":"x"}\x00'],
    # Invalid UTF-8 (bytes): Python fails decoding the file before json.loads runs.
    [b'{"text":"\xff"}'],
    [b'{"text":"\xc3"}'],
    [b'{"text":"\xc3('],
    [b'{"text":"\xc0\xaf"}'],
    [b'{"text":"\xc1\xbf"}'],
    [b'{"text":"\xe0\x80\xaf"}'],
    [b'{"text":"\xe0\x9f\xbf"}'],
    [b'{"text":"\xed\xa0\x80"}'],
    [b'{"text":"\xed\xbf\xbf"}'],
    [b'{"text":"\xf0\x8f\xbf\xbf"}'],
    [b'{"text":"\xf4\x90\x80\x80"}'],
    [b'{"text":"\xf5\x80\x80\x80"}'],
    [b'{"text":"\xf8\x88\x80\x80\x80"}'],
    [b'{"text":"\x80"}'],
    [b'{"text":"\xe3\x81"}'],
    [b'{"text":"\xf0\x9f\x98"}'],
    [b'{"text":"ok"} \xff'],
    [b'{"text":\xff"x"}'],
    [b'\xef\xbb\xbf{"text":"x"} \xff'],
    [b'{"other":"\xe3\x81"}'],
    [b'{"text":"x"\xc3'],
    [b'{"text":"abcdefghijklmnop\xe6\x97\xa5\xe6\x97"}'],
]

# Special bytes at every position of the 8-byte fast path.
for k in range(17):
    CASES.append(['{"text":"', rep("a", k), '\\n', rep("b", k), '"}'])
    CASES.append(['{"text":"', rep("a", k), '\x01', rep("b", k), '"}'])
    CASES.append(['{"text":"', rep("a", k), 'é日😀', rep("b", k), '"}'])
    CASES.append(['{"text":"', rep("a", k)])
    CASES.append([b'{"text":"' + b"a" * k + b"\xe6\x97" + b"b" * k + b'"}'])

PROBLEMS = [
    ("Expecting value", "expectedValue"),
    ("Expecting property name enclosed in double quotes", "expectedPropertyName"),
    ("Illegal trailing comma before end of object", "expectedPropertyName"),
    ("Illegal trailing comma before end of array", "expectedValue"),
    ("Expecting ':' delimiter", "expectedColon"),
    ("Expecting ',' delimiter", "expectedComma"),
    ("Unterminated string starting at", "unterminatedString"),
    ("Invalid control character at", "controlCharacterInString"),
    ("Invalid \\escape", "invalidEscape"),
    ("Invalid \\uXXXX escape", "invalidUnicodeEscape"),
    ("Extra data", "extraData"),
]


def kind(value):
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def to_bytes(part):
    if isinstance(part, tuple):
        text = part[1].encode() if isinstance(part[1], str) else part[1]
        return text * part[2]
    return part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part


def expectation(line):
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return ".invalidUTF8"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg.startswith("Unexpected UTF-8 BOM"):
            return ".unexpectedBOM"
        for prefix, problem in PROBLEMS:
            if error.msg.startswith(prefix):
                return ".malformed(.%s)" % problem
        raise
    except ValueError as error:
        if "integer string conversion" in str(error):
            return ".integerTooLong"
        raise
    if not isinstance(document, dict):
        return ".notAnObject(.%s)" % kind(document)
    if "text" not in document:
        return ".missingKey"
    value = document["text"]
    if not isinstance(value, str):
        return ".notAString(.%s)" % kind(value)
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:
        return ".loneSurrogate"
    return ".text(%s)" % swift_parts([encoded])


def swift_string_literal(text):
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or code in (0x2028, 0x2029, 0xFEFF, 0xA0, 0x3000):
            out.append("\\u{%X}" % code)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def swift_parts(parts):
    pieces = []
    for part in parts:
        if isinstance(part, tuple):
            pieces.append("repeated(%s, %d)" % (swift_string_literal(part[1]), part[2]))
            continue
        data = to_bytes(part)
        try:
            pieces.append("utf8(%s)" % swift_string_literal(data.decode("utf-8")))
        except UnicodeDecodeError:
            pieces.append("[" + ", ".join("0x%02X" % b for b in data) + "]")
    return " + ".join(pieces) if pieces else "[]"


def main():
    print("// Generated by Tools/generate_json_conformance_cases.py with Python %s; do not edit." % platform.python_version())
    print("// Each expectation is what CPython's strict UTF-8 decoding + json.loads + data[\"text\"] +")
    print("// .encode(\"utf-8\") does with the input, i.e. it comes from Python, not from CorpusKit.")
    print()
    print("let jsonConformanceCases: [JSONConformanceCase] = [")
    for parts in CASES:
        line = b"".join(to_bytes(p) for p in parts)
        print("    JSONConformanceCase(%s, %s)," % (swift_parts(parts), expectation(line)))
    print("]")


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    main()
