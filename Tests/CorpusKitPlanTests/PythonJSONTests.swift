@testable import CorpusKitPlan
import Foundation
import Testing

/// The pieces of Megatron's cache names: Python float `repr`, `json.dumps(indent=4)` and MD5
/// (expected values printed by CPython 3.11: `repr(x)`, `json.dumps(v, indent=4)`, `hashlib.md5`).
@Suite struct PythonJSONTests {
    @Test func floatReprMatchesPython() {
        let cases: [(Double, String)] = [
            (1.0, "1.0"), (0.969, "0.969"), (0.999, "0.999"), (0.1 + 0.2, "0.30000000000000004"),
            (1e-05, "1e-05"), (0.0001, "0.0001"), (1e16, "1e+16"), (1e15, "1000000000000000.0"),
            (123456789012345678.0, "1.2345678901234568e+17"), (2.5e-7, "2.5e-07"), (-3.0, "-3.0"),
            (0.3333333333333333, "0.3333333333333333"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (0.00012345, "0.00012345"), (12.5, "12.5"), (1234567.0, "1234567.0"),
        ]
        for (x, python) in cases { #expect(PythonJSON.floatRepr(x) == python, "\(x)") }
    }

    @Test func dumpsMatchesPython() {
        let value = PythonJSON.dict([
            ("a", .list([.int(0), .float(1.0)])), ("b", .null), ("c", .list([])), ("d", .string("é\"\\/\n𝄞")),
            ("e", .dict([("f", .bool(false))])),
        ])
        let python = "{\n    \"a\": [\n        0,\n        1.0\n    ],\n    \"b\": null,\n    \"c\": [],\n    \"d\": \"\\u00e9\\\"\\\\/\\n\\ud834\\udd1e\",\n    \"e\": {\n        \"f\": false\n    }\n}"
        #expect(value.dumps() == python)
    }

    @Test func md5MatchesHashlib() {
        #expect(MD5.hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(Array("The quick brown fox jumps over the lazy dog".utf8)) == "9e107d9d372bb6826bd81d3542a419d6")
        #expect(MD5.hex(Array(String(repeating: "a", count: 1000).utf8)) == "cabe45dcc9ae5b66ba86600cca6b8ba8")
    }
}
