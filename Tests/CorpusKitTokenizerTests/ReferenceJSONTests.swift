import Foundation
import XCTest
import CorpusKitTestSupport

/// The test-support reader of the reference lines (``ReferenceJSON``) against `JSONSerialization`,
/// which it replaced for speed: the same values on real reference lines, and refusals of the shapes
/// it does not read.
final class ReferenceJSONTests: XCTestCase {
    /// `JSONSerialization`'s reading of `line`, with arrays of numbers as `[Int64]` like ours.
    private func foundation(_ line: Data) throws -> [String: Any] {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: line) as? [String: Any])
        return object.mapValues { value in
            if let numbers = value as? [NSNumber] { return numbers.map { $0.int64Value } }
            return value
        }
    }

    private func assertSame(_ line: Data, file: StaticString = #filePath, line number: UInt = #line) throws {
        let ours = try ReferenceJSON.object(line)
        let theirs = try foundation(line)
        XCTAssertEqual(Set(ours.keys), Set(theirs.keys), file: file, line: number)
        for (key, value) in theirs {
            switch value {
            case let text as String:
                // Bytes, not String equality (which accepts canonically equivalent text).
                XCTAssertEqual((ours[key] as? String).map { Array($0.utf8) }, Array(text.utf8), key, file: file, line: number)
            case let ids as [Int64]:
                XCTAssertEqual(ours[key] as? [Int64], ids, key, file: file, line: number)
            case is NSNull:
                XCTAssertTrue(ours[key] is NSNull, key, file: file, line: number)
            case let numeric as NSNumber:
                // Foundation on Linux reads true and false as NSNumber too.
                if let flag = ours[key] as? Bool { XCTAssertEqual(flag, numeric.boolValue, key, file: file, line: number) }
                else if let integer = ours[key] as? Int64 { XCTAssertEqual(integer, numeric.int64Value, key, file: file, line: number) }
                else { XCTAssertEqual(ours[key] as? Double, numeric.doubleValue, key, file: file, line: number) }
            default:
                XCTFail("\(key): unexpected value \(value)", file: file, line: number)
            }
        }
    }

    func testEdgeCasesReadAsJSONSerializationReadsThem() throws {
        let lines = [
            #"{}"#,
            #"{"ids":[],"ids_special":[1, 2 ,3],"decoded":"","decoded_skip":null}"#,
            #"{"text":"\ufeffa\r\n\t\"\\\/\b\f \u00e9 \ud83d\ude00 \u30f3 tab\there","n":-12,"x":0.5,"e":1e-3,"t":true,"f":false}"#,
            #"{"ids":[9223372036854775807,-9223372036854775808,4294967295,0]}"#,
            "{\"text\":\"raw UTF-8 \u{3042}\u{1F600}\"}",
        ]
        for line in lines { try assertSame(Data(line.utf8)) }
    }

    func testRefusedShapes() {
        let refused = [
            #"[1,2]"#, #"{"a":{"b":1}}"#, #"{"a":["x"]}"#, #"{"a":[1.5]}"#, #"{"a":1"#, #"{"a":"x}"#,
            #"{"a":"\ud800"}"#, #"{"a":"\udc00x"}"#, #"{"a":"\q"}"#, #"{"a":"\u12"}"#, #"{"a":01}"#,
            #"{"a":[01]}"#, #"{"a":[9223372036854775808]}"#, #"{"a":1} x"#, #"{"a":1,"a":2}"#, "{\"a\":\"\u{1}\"}",
        ]
        for line in refused {
            XCTAssertThrowsError(try ReferenceJSON.object(Data(line.utf8)), line)
        }
        XCTAssertEqual(ReferenceJSON.integers(Data("[1, -2,3]".utf8)), [1, -2, 3])
        XCTAssertEqual(ReferenceJSON.integers(Data("[]".utf8)), [])
        XCTAssertNil(ReferenceJSON.integers(Data("[1,]".utf8)))
        XCTAssertNil(ReferenceJSON.integers(Data("[1] x".utf8)))
        XCTAssertEqual(ReferenceJSON.unescape(Array(#"a\"b\u00e9"#.utf8)), Array("a\"b\u{e9}".utf8))
        XCTAssertNil(ReferenceJSON.unescape(Array(#"a"b"#.utf8)), "an unescaped quote inside the body")
        XCTAssertEqual(ReferenceJSON.unescape([0xFF, 0x41]), [0xFF, 0x41], "bytes other than escapes are copied as they are")
    }

    /// Every line of two committed fixture references (ids, special ids, decoded texts; random
    /// decode sequences with ids beyond Int32) and every 50th line of each shared reference.
    func testReferenceLinesReadAsJSONSerializationReadsThem() throws {
        var files = [ReferenceFiles.fixtureReferences.appendingPathComponent("fixture-llmjp.tokenizer.json.jsonl"),
                     ReferenceFiles.fixtureReferences.appendingPathComponent("fixture-llmjp.tokenizer.json.decode.jsonl"),
                     ReferenceFiles.fixtureReferences.appendingPathComponent("documents.jsonl")]
        if ReferenceFiles.sharedIsPresent, let shared = try? ReferenceFiles.requireSharedReferences("llm-jp-v3.0.model") {
            files += ["documents.jsonl", "llm-jp-v3.0.model.jsonl", "llama2.tokenizer.json.jsonl", "llm-jp-v4.0.tokenizer.json.decode.jsonl"]
                .map { shared.appendingPathComponent($0) }
        }
        var compared = 0
        for url in files {
            let lines = splitLines(try Data(contentsOf: url, options: .mappedIfSafe))
            let step = url.path.hasPrefix(ReferenceFiles.fixtureReferences.path) ? 1 : 50
            for index in Swift.stride(from: 0, to: lines.count, by: step) {
                try assertSame(lines[index])
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 1_000)
    }
}
