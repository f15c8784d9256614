@testable import CorpusKitTokenizer
import Foundation
import XCTest

/// DecimalNumberParser must give exactly `strtod`'s double whenever it answers, and answer for
/// the numbers tokenizer.json files are made of.
final class DecimalNumberParserTests: XCTestCase {
    private struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    private func strtodValue(_ text: String) -> Double? {
        text.withCString { pointer in
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(pointer, &end)
            return end == UnsafeMutablePointer(mutating: pointer) + text.utf8.count ? value : nil
        }
    }

    private func fast(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { DecimalNumberParser.parse($0) }
    }

    /// Checks every answer against strtod; returns how many were answered.
    @discardableResult
    private func check(_ texts: [String], file: StaticString = #filePath, line: UInt = #line) -> Int {
        var answered = 0
        var mismatches: [String] = []
        for text in texts {
            guard let value = fast(text) else { continue }
            answered += 1
            guard let expected = strtodValue(text) else {
                mismatches.append("\(text): parsed as \(value), strtod rejects it")
                continue
            }
            if value.bitPattern != expected.bitPattern {
                mismatches.append("\(text): \(value) (0x\(String(value.bitPattern, radix: 16))) vs strtod \(expected) (0x\(String(expected.bitPattern, radix: 16)))")
            }
        }
        XCTAssertEqual(mismatches.count, 0, "first mismatches: \(mismatches.prefix(5))", file: file, line: line)
        return answered
    }

    /// Float32 scores widened to double and printed shortest (what tokenizer.json files hold),
    /// and random doubles printed shortest and with 17 significant digits.
    func testScoresAndRandomDoublesMatchStrtod() {
        var random = Generator(state: 42)
        var texts: [String] = []
        for _ in 0..<100_000 {
            let score = -Float(random.next() % 2_000_000) / Float(1 << 17) - Float(random.next() % 1000) / 997
            texts.append(Double(score).description)
        }
        for _ in 0..<100_000 {
            let magnitude = pow(10, Double(random.below(30)) - 15)
            let value = (Double(random.next() >> 11) / Double(1 << 53)) * magnitude * (random.below(2) == 0 ? 1 : -1)
            texts.append(value.description)
            texts.append(String(format: "%.17g", value))
            texts.append(String(format: "%.*e", random.below(19), value))
        }
        let answered = check(texts)
        #if arch(x86_64)
        XCTAssertGreaterThan(answered, texts.count * 3 / 4, "the fast path should answer most of these")
        #endif
    }

    /// Random digit strings: 1–22 digits, a decimal point anywhere, exponents around the range
    /// the fast path takes.
    func testRandomDigitStringsMatchStrtod() {
        var random = Generator(state: 7)
        var texts: [String] = []
        for _ in 0..<200_000 {
            let digitCount = 1 + random.below(22)
            var digits = String(1 + random.below(9))
            for _ in 1..<digitCount { digits.append(String(random.below(10))) }
            var text = random.below(2) == 0 ? "-" : ""
            let point = random.below(digitCount + 1)
            if point == 0 || point == digitCount {
                text += digits
            } else {
                text += String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            }
            if random.below(2) == 0 { text += "e" + String(random.below(70) - 35) }
            texts.append(text)
        }
        check(texts)
    }

    /// Exact midpoints between two doubles (ties) and their neighbours; 2^53 + 1 and friends.
    func testHalfwayCasesMatchStrtod() {
        var texts: [String] = []
        for k in 0..<2000 {
            let midpoint = UInt64(1 << 53) + 1 + 2 * UInt64(k)          // odd: halfway between two doubles
            texts += ["\(midpoint)", "\(midpoint).0", "\(midpoint - 1)", "\(midpoint + 1)",
                      "\(midpoint)e-5", "\(midpoint)0e-1", "-\(midpoint)"]
        }
        // 2^54 + 2: halfway between 2^54 and 2^54 + 4.
        texts += ["18014398509481986", "18014398509481985", "18014398509481987", "1.8014398509481986e16"]
        check(texts)
    }

    /// Every number in the llm-jp tokenizer.json files (the vocabulary scores among them).
    func testNumbersOfTheLLMJPTokenizerFiles() throws {
        guard ReferenceFiles.sharedIsPresent else {
            throw XCTSkip("\(ReferenceFiles.sharedDirectory.path) not found: the llm-jp tokenizer.json numbers need CORPUSKIT_SHARED")
        }
        for name in ["llm-jp-v2.1", "llm-jp-v3.0", "llm-jp-v3.1", "llm-jp-v4.0"] {
            let data = try Data(contentsOf: ReferenceFiles.sharedTokenizer("\(name).tokenizer.json"))
            // Numbers outside strings: a '-' or digit after ", " / ": " / "[" up to the next ']' ',' '}' or space.
            var texts: [String] = []
            data.withUnsafeBytes { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                var inString = false
                var i = 0
                while i < bytes.count {
                    let c = bytes[i]
                    if inString {
                        if c == UInt8(ascii: "\\") { i += 2; continue }
                        if c == UInt8(ascii: "\"") { inString = false }
                        i += 1
                        continue
                    }
                    if c == UInt8(ascii: "\"") { inString = true; i += 1; continue }
                    if c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) {
                        var end = i
                        while end < bytes.count, [UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: "}"), 0x20, 0x0A].contains(bytes[end]) == false { end += 1 }
                        texts.append(String(decoding: bytes[i..<end], as: UTF8.self))
                        i = end
                        continue
                    }
                    i += 1
                }
            }
            XCTAssertGreaterThan(texts.count, 30_000, name)
            let answered = check(texts)
            #if arch(x86_64)
            XCTAssertGreaterThan(answered, texts.count * 9 / 10, "\(name): the fast path should answer most scores")
            #endif
        }
    }

    func testZerosAndSigns() {
        check(["0", "-0", "0.0", "-0.0", "0e5", "0.000", "1", "-1", "10", "1e0", "1E+2", "1e-2", "123456789012345678",
               "1234567890123456789", "9999999999999999999", "0.1", "0.30000000000000004", "5e-324"])
        XCTAssertEqual(fast("-0")?.sign, strtodValue("-0")!.sign)
    }

    /// Text outside JSON's number grammar is left to the caller (strtod and its checks).
    func testNonJSONTextIsNotAnswered() {
        for text in ["", "-", "01", "-01", "1.", ".5", "+1", "1e", "1e+", "--1", "1.5x", "0x10", "inf", "NaN", "1 ", " 1",
                     "12345678901234567890", "1e99999"] {
            XCTAssertNil(fast(text), text)
        }
    }
}
