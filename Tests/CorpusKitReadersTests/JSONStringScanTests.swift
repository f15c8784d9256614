import CTextKernels
import XCTest

@testable import CorpusKitReaders

/// The JSON string scan's AVX2 run (`ck_json_plain_run`, which skips plain ASCII, two-byte escapes
/// and three-byte characters 32 bytes at a time) against the scan without it, whose results
/// `JSONFieldExtractorTests` checks against Python's `json.loads`: on random lines of every
/// fragment the run treats differently — the plain ones, E0/ED-lead, two- and four-byte
/// characters, `\u` escapes — with and without an error placed at a random point (a control
/// character, a bad escape, stray, truncated, overlong or surrogate bytes, no closing quote), the
/// extracted text or the error (its kind, column or byte offset) must be the same both ways.
final class JSONStringScanTests: XCTestCase {
    override func tearDown() {
        ck_text_kernels_use_vectors(1)
        super.tearDown()
    }

    func testTheVectorRunChangesNoResult() {
        let plain: [[UInt8]] = [
            Array("a".utf8), Array("Hello, world ".utf8), Array("    ".utf8), Array("~".utf8),
            Array("\\n".utf8), Array("\\\"".utf8), Array("\\\\".utf8), Array("\\/".utf8), Array("\\t".utf8),
            Array("\\b\\f\\r".utf8), Array("日本語の文章".utf8), Array("。".utf8), Array("ｱ".utf8), Array("\u{FFFD}".utf8),
        ]
        let other: [[UInt8]] = [
            Array("\u{800}".utf8), Array("\u{FFF}".utf8), Array("\u{D000}".utf8), Array("\u{D7FF}".utf8),   // E0, ED leads
            Array("é".utf8), Array("\u{7FF}".utf8), Array("😀".utf8), Array("\u{10FFFF}".utf8),
            Array("\\u00e9".utf8), Array("\\ud83d\\ude00".utf8), Array("\\u3042".utf8),
        ]
        let errors: [[UInt8]] = [
            [0x01], [0x1F], [0x0A], Array("\\x".utf8), Array("\\u12G4".utf8), Array("\\ud800".utf8), [0x80], [0xBF],
            [0xE3, 0x81], [0xE3], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF5, 0x80, 0x80, 0x80],
            [0xFF], [0xE3, 0x41, 0x81], [0xF0, 0x9F, 0x98],
        ]
        var state: UInt64 = 2026
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        var compared = 0, failures = 0, runs = 0
        for round in 0..<4000 {
            var body: [UInt8] = []
            let mostlyPlain = next(3) != 0
            let length = next(300) + 1
            while body.count < length {
                let fragments = mostlyPlain || next(4) != 0 ? plain : other
                body += fragments[next(fragments.count)]
            }
            if round % 2 == 1 { body.insert(contentsOf: errors[next(errors.count)], at: next(body.count + 1)) }
            let unterminated = round % 97 == 0
            let line = Array("{\"text\":\"".utf8) + body + (unterminated ? [] : Array("\"}".utf8))
            ck_text_kernels_use_vectors(1)
            let fast = extract(line)
            ck_text_kernels_use_vectors(0)
            let scalar = extract(line)
            XCTAssertEqual(fast, scalar, "line \(line)")
            compared += 1
            if case .failure = scalar { failures += 1 }
            // How far the run itself goes on this line's string (with vectors), to know it was used.
            ck_text_kernels_use_vectors(1)
            var escapes: Int32 = 0
            let reached = line.withUnsafeBufferPointer { ck_json_plain_run($0.baseAddress!, $0.count, 9, &escapes) }
            if reached >= 9 + 30 { runs += 1 }
        }
        XCTAssertEqual(compared, 4000)
        XCTAssertGreaterThan(failures, 1000)   // the error cases were reached
        XCTAssertGreaterThan(runs, 1000)       // and the vector run skipped whole blocks
    }

    /// Where the run stops, on lines built to stop it at known places.
    func testWhereTheRunStops() throws {
        try XCTSkipUnless(ck_text_kernels_avx2() == 1, "no AVX2 on this CPU: the run returns its start")
        func run(_ bytes: [UInt8], from start: Int = 0) -> (Int, Bool) {
            var escapes: Int32 = 0
            let end = bytes.withUnsafeBufferPointer { ck_json_plain_run($0.baseAddress!, $0.count, start, &escapes) }
            return (end, escapes != 0)
        }
        let ascii = Array(String(repeating: "x", count: 100).utf8)
        XCTAssertTrue(run(ascii) == (96, false))   // fewer than 32 bytes left after 96
        XCTAssertTrue(run(Array(ascii[..<40]) + [0x22] + ascii) == (40, false))
        XCTAssertTrue(run(Array(ascii[..<40]) + [0x1F] + ascii) == (40, false))
        XCTAssertTrue(run(Array(ascii[..<40]) + Array("\\u0041".utf8) + ascii) == (40, false))
        XCTAssertTrue(run(Array(ascii[..<40]) + Array("\\n\\\"".utf8) + [0x22] + ascii) == (44, true))
        let japanese = Array(String(repeating: "日本", count: 30).utf8)   // 180 bytes
        XCTAssertTrue(run(japanese + [0x22] + ascii) == (180, false))
        XCTAssertTrue(run(Array(japanese[..<90]) + Array("é".utf8) + ascii) == (90, false))
        XCTAssertTrue(run(Array(japanese[..<90]) + [0xE0, 0xA0, 0x80] + ascii) == (90, false))
        XCTAssertTrue(run(Array(japanese[..<90]) + [0xE3, 0x81] + ascii) == (90, false))
        XCTAssertTrue(run(Array(ascii[..<7]) + japanese + [0x22] + ascii) == (187, false))
    }
}
