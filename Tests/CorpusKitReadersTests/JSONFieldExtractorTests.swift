import XCTest

@testable import CorpusKitReaders

/// One line and what Python does with it (see JSONConformanceCases.swift).
struct JSONConformanceCase {
    enum Expected {
        case text([UInt8])
        case invalidUTF8
        case unexpectedBOM
        case malformed(JSONSyntaxProblem)
        case integerTooLong
        case notAnObject(JSONValueKind)
        case missingKey
        case notAString(JSONValueKind)
        case loneSurrogate
    }

    let input: [UInt8]
    let expected: Expected

    init(_ input: [UInt8], _ expected: Expected) {
        self.input = input
        self.expected = expected
    }
}

final class JSONFieldExtractorTests: XCTestCase {
    private func matches(_ result: Result<[[UInt8]], JSONLineError>, _ expected: JSONConformanceCase.Expected) -> Bool {
        switch (result, expected) {
        case let (.success(values), .text(text)): return values == [text]
        case (.failure(.invalidUTF8), .invalidUTF8): return true
        case (.failure(.unexpectedBOM), .unexpectedBOM): return true
        case let (.failure(.malformedJSON(_, problem)), .malformed(expectedProblem)): return problem == expectedProblem
        case (.failure(.integerTooLong), .integerTooLong): return true
        case let (.failure(.notAnObject(kind)), .notAnObject(expectedKind)): return kind == expectedKind
        case (.failure(.missingKey("text")), .missingKey): return true
        case let (.failure(.notAString("text", kind)), .notAString(expectedKind)): return kind == expectedKind
        case (.failure(.loneSurrogate(key: "text", _, _)), .loneSurrogate): return true
        default: return false
        }
    }

    func testConformanceWithPythonJSONLoads() {
        XCTAssertGreaterThan(jsonConformanceCases.count, 200)
        for (index, testCase) in jsonConformanceCases.enumerated() {
            let result = extract(testCase.input)
            XCTAssertTrue(
                matches(result, testCase.expected),
                "case \(index) \(String(decoding: testCase.input.prefix(80), as: UTF8.self).debugDescription): "
                    + "expected \(testCase.expected), got \(result)")
            // The same line with a newline appended (as Python sees it) behaves the same.
            let withNewline = extract(testCase.input + [0x0A])
            if case .malformed(.extraData) = testCase.expected {
                continue  // the error position moves but stays an error
            }
            XCTAssertTrue(matches(withNewline, testCase.expected) || isUnterminatedAtEnd(testCase.expected),
                          "case \(index) with newline: got \(withNewline)")
        }
    }

    /// An input cut off inside a string gets a control-character error once "\n" follows.
    private func isUnterminatedAtEnd(_ expected: JSONConformanceCase.Expected) -> Bool {
        switch expected {
        case .malformed(.unterminatedString), .malformed(.invalidUnicodeEscape): return true
        default: return false
        }
    }

    func testCarriageReturnOutsideStringsIsRejectedByDefault() {
        for line in ["{\"text\":\"x\"}\r", "{\r\"text\":\"x\"}", "{\"text\":\"x\",\r\"a\":1}"] {
            guard case .failure(.malformedJSON(_, .carriageReturnOutsideString)) = extract(utf8(line), options: .init()) else {
                return XCTFail("expected a carriage-return error for \(line.debugDescription)")
            }
            guard case .success = extract(utf8(line), options: .jsonLoads) else {
                return XCTFail("json.loads accepts \(line.debugDescription)")
            }
        }
        guard case .success([utf8("a\u{2028}b")]) = extract(utf8("{\"text\":\"a\u{2028}b\"}"), options: .init()) else {
            return XCTFail("U+2028 is not a line break for Python's file iteration")
        }
    }

    func testDeepNestingNeedsNoRecursion() {
        let depth = 100_000
        let arrays = utf8("{\"a\":") + repeated("[", depth) + repeated("]", depth) + utf8(",\"text\":\"deep\"}")
        XCTAssertTrue(matches(extract(arrays), .text(utf8("deep"))))
        let objects = utf8("{\"a\":") + repeated("{\"b\":", depth) + utf8("1") + repeated("}", depth)
            + utf8(",\"text\":\"deep\"}")
        XCTAssertTrue(matches(extract(objects), .text(utf8("deep"))))
        let unclosed = utf8("{\"text\":\"x\",\"a\":") + repeated("[", depth)
        XCTAssertTrue(matches(extract(unclosed), .malformed(.expectedValue)))
        let mismatched = utf8("{\"text\":\"x\",\"a\":") + repeated("[", depth) + repeated("}", depth)
        XCTAssertTrue(matches(extract(mismatched), .malformed(.expectedValue)))

        var limited = JSONExtractionOptions.jsonLoads
        limited.maximumNestingDepth = 990
        let tooDeep = utf8("{\"a\":") + repeated("[", 990) + repeated("]", 990) + utf8(",\"text\":\"x\"}")
        guard case .failure(.nestingTooDeep(_, 990)) = extract(tooDeep, options: limited) else {
            return XCTFail("expected the nesting limit to apply")
        }
        let deepEnough = utf8("{\"a\":") + repeated("[", 989) + repeated("]", 989) + utf8(",\"text\":\"x\"}")
        XCTAssertTrue(matches(extract(deepEnough, options: limited), .text(utf8("x"))))
    }

    func testSeveralKeysInRequestedOrder() {
        let line = utf8("{\"title\":\"T\\u00edtulo\",\"id\":7,\"text\":\"body\",\"title\":\"Final\"}")
        guard case let .success(values) = extract(line, keys: ["text", "title", "text"]) else {
            return XCTFail("expected success")
        }
        XCTAssertEqual(values, [utf8("body"), utf8("Final"), utf8("body")])
        guard case .failure(.missingKey("summary")) = extract(line, keys: ["text", "summary"]) else {
            return XCTFail("expected a missing key")
        }
        guard case .failure(.notAString(key: "id", kind: .number)) = extract(line, keys: ["id"]) else {
            return XCTFail("expected a non-string error")
        }
        guard case .success([[]]) = extract(utf8("{\"\":\"\"}"), keys: [""]) else {
            return XCTFail("the empty key is a key")
        }
    }

    func testValuesAreReusedAcrossLines() {
        var extractor = JSONFieldExtractor(keys: ["text"])
        let fields = ExtractedFields()
        let long = utf8("{\"text\":\"") + repeated("長い\\n", 2_000_000) + utf8("\"}")
        for line in [utf8("{\"text\":\"a\"}"), long, utf8("{\"text\":\"b\\tc\"}")] {
            XCTAssertNoThrow(try line.withUnsafeBytes { try extractor.extract(from: $0, into: fields) })
        }
        XCTAssertEqual(fields.string(at: 0), "b\tc")
    }

    func testErrorDetails() {
        XCTAssertEqual(extract(utf8("{\"text\" 1}")), .failure(.malformedJSON(column: 9, problem: .expectedColon)))
        XCTAssertEqual(extract(utf8("{\"text\":\"a\\ud800b\"}")), .failure(.loneSurrogate(key: "text", codeUnit: 0xD800, column: 11)))
        XCTAssertEqual(extract([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xE3, 0x81, 0x22, 0x7D]), .failure(.invalidUTF8(byteOffset: 6)))
        XCTAssertEqual(extract(utf8("{\"a\":1} ") + [0xFF]), .failure(.invalidUTF8(byteOffset: 8)))
        XCTAssertEqual(extract(utf8("{\"a\":") + repeated("9", 5000) + utf8("}")), .failure(.integerTooLong(column: 6, digits: 5000)))
        XCTAssertEqual(extract(utf8("[1]")), .failure(.notAnObject(.array)))

        XCTAssertEqual(JSONLineError.malformedJSON(column: 17, problem: .expectedColon).description,
                       "malformed JSON at column 17: expected ':'")
        XCTAssertEqual(JSONLineError.missingKey("text").description, "missing key \"text\"")
        XCTAssertEqual(JSONLineError.notAString(key: "text", kind: .number).description,
                       "value of \"text\" is a number, not a string")
        XCTAssertEqual(JSONLineError.notAString(key: "text", kind: .array).description,
                       "value of \"text\" is an array, not a string")
        XCTAssertEqual(JSONLineError.invalidUTF8(byteOffset: 123).description, "invalid UTF-8 at byte 123")
        XCTAssertEqual(JSONLineError.loneSurrogate(key: "text", codeUnit: 0xDC80, column: 40).description,
                       "lone surrogate \\udc80 at column 40 in \"text\"")
        XCTAssertEqual(JSONLineError.unexpectedBOM.description, "unexpected UTF-8 BOM at the start of the line")
    }

    /// `\uXXXX` with every ASCII byte in each digit position (the digits are read as one word, see
    /// `JSONStringDecoding.hexValue`): accepted exactly when all four are hex digits of either case,
    /// decoded to that code point (a surrogate alone is an error), otherwise Python's "Invalid
    /// \uXXXX escape" at the backslash. The oracle is the standard library's radix-16 parse.
    func testUnicodeEscapeDigits() {
        let hexDigits = Set("0123456789abcdefABCDEF".utf8)
        for position in 0..<4 {
            for byte in UInt8(0)...UInt8(0x7F) {
                var digits: [UInt8] = position % 2 == 0 ? utf8("0A9f") : utf8("7b0E")
                digits[position] = byte
                let line = utf8("{\"text\":\"\\u") + digits + utf8("\"}")
                let result = extract(line)
                guard digits.allSatisfy(hexDigits.contains) else {
                    XCTAssertEqual(result, .failure(.malformedJSON(column: 10, problem: .invalidUnicodeEscape)), "\(digits)")
                    continue
                }
                let value = UInt32(String(decoding: digits, as: UTF8.self), radix: 16)!
                if (0xD800...0xDFFF).contains(value) {
                    XCTAssertEqual(result, .failure(.loneSurrogate(key: "text", codeUnit: UInt16(value), column: 10)), "\(digits)")
                } else {
                    XCTAssertEqual(result, .success([Array(String(Unicode.Scalar(value)!).utf8)]), "\(digits)")
                }
            }
        }
    }

    func testBlankLines() {
        for line in ["", " ", "\t \r", "\r"] {
            XCTAssertTrue(utf8(line).withUnsafeBytes { JSONFieldExtractor.isBlank($0) }, line.debugDescription)
        }
        for line in ["{}", " x", "\u{A0}", "\u{B}"] {
            XCTAssertFalse(utf8(line).withUnsafeBytes { JSONFieldExtractor.isBlank($0) }, line.debugDescription)
        }
    }

    func testUTF8Validation() {
        let valid = utf8("plain ascii and 日本語 and 😀 and \u{10FFFF}")
        XCTAssertNil(valid.withUnsafeBytes { UTF8Validation.firstInvalidByte(in: $0) })
        let invalid: [UInt8] = Array(repeating: 0x61, count: 13) + [0xED, 0xA0, 0x80]
        XCTAssertEqual(invalid.withUnsafeBytes { UTF8Validation.firstInvalidByte(in: $0) }, 13)
        // Inside a run of three-byte characters (checked several at a time) the offset is still
        // the bad sequence's start, as Python's UnicodeDecodeError.start: 3 × the characters before.
        for before in 0..<5 {
            for bad: [UInt8] in [[0xED, 0xA0, 0x80], [0xE0, 0x9F, 0x80], [0xE3, 0x81, 0xC2]] {
                let bytes = utf8(String(repeating: "日", count: before)) + bad + utf8("本本本本")
                XCTAssertEqual(bytes.withUnsafeBytes { UTF8Validation.firstInvalidByte(in: $0) }, 3 * before, "\(bytes)")
            }
        }
    }
}
