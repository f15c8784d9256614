import Foundation
import XCTest
import CorpusKitTestSupport

/// The committed transformers fixtures (Tools/fixtures/make_inference_fixtures.py) and helpers to damage copies.
enum Fixtures {
    static let directory = URL(fileURLWithPath: TestPaths.fixture("inference"))
    static let tokenizer = TestPaths.fixtureLLMJP
    static let corpus = directory.appendingPathComponent("corpus.jsonl").path
    static let names = ["llama-gqa-llama3rope", "llama-tied-linear", "llama-bigvocab", "mixtral-8x-top2", "mixtral-sliding", "gpt2", "qwen3moe-normtopk", "qwen3moe-step2"]

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    struct Reference {
        struct Greedy { let prompt: [Int]; let newIDs: [Int] }
        struct Document { let text: String; let ids: [Int]; let nll: Double; let tokens: Int }
        let vocabularySize: Int
        let prompts: [[Int]]
        let logits: [[Float]]
        let greedy: [Greedy]
        let maxNewTokens: Int
        let context: Int?
        let stride: Int?
        let documents: [Document]
    }

    static func reference(_ name: String) throws -> Reference {
        let dir = directory.appendingPathComponent(name)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("reference.json"))) as! [String: Any]
        let vocab = object["vocab_size"] as! Int
        let prompts = (object["prompts"] as! [[Int]])
        let raw = try Data(contentsOf: dir.appendingPathComponent("logits.f32"))
        XCTAssertEqual(raw.count, prompts.count * vocab * 4)
        let floats: [Float] = raw.withUnsafeBytes { bytes in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        let logits = (0..<prompts.count).map { Array(floats[($0 * vocab)..<(($0 + 1) * vocab)]) }
        let greedy = (object["greedy"] as! [[String: Any]]).map { Reference.Greedy(prompt: $0["prompt"] as! [Int], newIDs: $0["new_ids"] as! [Int]) }
        let perplexity = object["perplexity"] as? [String: Any]
        let documents = (perplexity?["documents"] as? [[String: Any]] ?? []).map {
            Reference.Document(text: $0["text"] as! String, ids: $0["ids"] as! [Int], nll: ($0["nll"] as! NSNumber).doubleValue, tokens: $0["tokens"] as! Int)
        }
        return Reference(vocabularySize: vocab, prompts: prompts, logits: logits, greedy: greedy, maxNewTokens: object["max_new_tokens"] as! Int,
                         context: perplexity?["context"] as? Int, stride: perplexity?["stride"] as? Int, documents: documents)
    }

    /// Largest |a - b| over the largest |b|.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count)
        var diff = 0.0, scale = 0.0
        for i in 0..<a.count {
            diff = max(diff, abs(Double(a[i]) - Double(b[i])))
            scale = max(scale, abs(Double(b[i])))
        }
        return diff / scale
    }

    /// A copy of fixture `name` in `scratch`.
    static func copy(_ name: String, into scratch: ScratchDirectory) throws -> String {
        let target = scratch.file(name)
        try FileManager.default.copyItem(atPath: path(name), toPath: target)
        return target
    }

    /// Edits the top-level object of `file` (a JSON file).
    static func editJSON(_ file: String, _ edit: (inout [String: Any]) -> Void) throws {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as! [String: Any]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: file))
    }
}

/// A minimal safetensors file: read every tensor's bytes, edit, write back.
struct SafetensorsEditor {
    struct Entry { var dtype: String; var shape: [Int]; var data: Data }
    var tensors: [String: Entry]
    var metadata: [String: String]

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
        tensors = [:]
        metadata = header["__metadata__"] as? [String: String] ?? [:]
        for (name, value) in header where name != "__metadata__" {
            let entry = value as! [String: Any]
            let offsets = entry["data_offsets"] as! [Int]
            tensors[name] = Entry(dtype: entry["dtype"] as! String, shape: entry["shape"] as! [Int],
                                  data: data.subdata(in: (8 + n + offsets[0])..<(8 + n + offsets[1])))
        }
    }

    func write(to path: String) throws {
        var header: [String: Any] = ["__metadata__": metadata]
        var body = Data()
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            header[name] = ["dtype": t.dtype, "shape": t.shape, "data_offsets": [body.count, body.count + t.data.count]]
            body.append(t.data)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(body)
        try out.write(to: URL(fileURLWithPath: path))
    }
}

