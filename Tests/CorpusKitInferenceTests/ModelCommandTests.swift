import Foundation
import XCTest
import CorpusKitTestSupport

/// The `corpuskit model` forms as scripts call them: output formats, exit statuses, the health
/// check's verdicts on damaged copies of the fixtures, and errors on damaged safetensors.
final class ModelCommandTests: XCTestCase {
    private func ids(_ lists: [[Int]]) throws -> String {
        let path = try scratchDirectory("inference-tests").file("ids.jsonl")
        try lists.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: "\n").appending("\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testLogitsAndGenerateForms() throws {
        for name in Fixtures.names {
            let reference = try Fixtures.reference(name)
            let input = try ids(reference.prompts)
            let output = try scratchDirectory("inference-tests").file("logits.jsonl")
            let result = try CorpusKitCLI.run(["model", "logits", Fixtures.path(name), "--ids-file", input, "--output", output])
            XCTAssertEqual(result.status, 0, result.stderr)
            let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.count, reference.prompts.count)
            for (line, expected) in zip(lines, reference.logits) {
                let values = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [NSNumber]
                let floats = values.map { Float($0.doubleValue) }
                XCTAssertLessThan(Fixtures.relativeError(floats, expected), 1e-4, name)
            }
            let prompts = try ids(reference.greedy.map(\.prompt))
            let generated = try CorpusKitCLI.run(["model", "generate", Fixtures.path(name), "--ids-file", prompts, "--max-new-tokens", "\(reference.maxNewTokens)", "--ignore-eos"])
            XCTAssertEqual(generated.status, 0, generated.stderr)
            let expected = reference.greedy.map { "[" + $0.newIDs.map(String.init).joined(separator: ", ") + "]" }.joined(separator: "\n") + "\n"
            XCTAssertEqual(generated.output, expected, name)
        }
    }

    /// `--prompt TEXT --tokenizer T` decodes [bos] + the tokenizer's ids of TEXT, as `--ids-file` would.
    func testGenerateFromPromptText() throws {
        let name = "llama-tied-linear"
        let text = "The lighthouse stood at the end"
        let input = try scratchDirectory("inference-tests").file("text.txt")
        try (text + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let encoded = try CorpusKitCLI.run(["encode", "--tokenizer", Fixtures.tokenizer, "--input", input, "--input-format", "lines"])
        XCTAssertEqual(encoded.status, 0, encoded.stderr)
        let promptIDs = [1] + (try JSONSerialization.jsonObject(with: Data(encoded.output.utf8)) as! [Int])
        let viaIDs = try CorpusKitCLI.run(["model", "generate", Fixtures.path(name), "--ids-file", try ids([promptIDs]), "--max-new-tokens", "6", "--ignore-eos"])
        let viaText = try CorpusKitCLI.run(["model", "generate", Fixtures.path(name), "--prompt", text, "--tokenizer", Fixtures.tokenizer,
                                   "--max-new-tokens", "6", "--ignore-eos", "--ids"])
        XCTAssertEqual(viaText.status, 0, viaText.stderr)
        XCTAssertEqual(viaText.output, viaIDs.output)
        let asText = try CorpusKitCLI.run(["model", "generate", Fixtures.path(name), "--prompt", text, "--tokenizer", Fixtures.tokenizer, "--max-new-tokens", "6", "--ignore-eos"])
        XCTAssertEqual(asText.status, 0, asText.stderr)
        let missing = try CorpusKitCLI.run(["model", "generate", Fixtures.path(name), "--prompt", text, "--max-new-tokens", "6"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("--tokenizer"), missing.stderr)
    }

    func testPerplexityJSON() throws {
        let name = "qwen3moe-normtopk"
        let reference = try Fixtures.reference(name)
        let result = try CorpusKitCLI.run(["model", "perplexity", Fixtures.path(name), "--tokenizer", Fixtures.tokenizer, "--input", Fixtures.corpus,
                                  "--context", "\(reference.context!)", "--stride", "\(reference.stride!)", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [String: Any]
        let total = reference.documents.reduce(0.0) { $0 + $1.nll }
        XCTAssertEqual((object["nll"] as! NSNumber).doubleValue, total, accuracy: 1e-4 * total)
        XCTAssertEqual(object["tokens"] as? Int, reference.documents.reduce(0) { $0 + $1.tokens })
        XCTAssertEqual((object["documents"] as! [Any]).count, reference.documents.count)
        XCTAssertNotNil(object["perplexity"] as? NSNumber)
        XCTAssertNotNil(object["bits_per_byte"] as? NSNumber)
    }

    func testInfo() throws {
        let result = try CorpusKitCLI.run(["model", "info", Fixtures.path("mixtral-8x-top2"), "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [String: Any]
        XCTAssertEqual(object["architecture"] as? String, "MixtralForCausalLM")
        let total = object["parameters"] as! Int, active = object["active_parameters"] as! Int
        // 2 layers × (8 - 2) idle experts × 3 matrices of 48 × 32.
        XCTAssertEqual(total - active, 2 * 6 * 3 * 48 * 32)
        XCTAssertEqual((object["dtypes"] as! [String: Int]).keys.sorted(), ["BF16"])
    }

    // MARK: model check

    private func check(_ directory: String, tokenizer: Bool = true, extra: [String] = []) throws -> (status: Int32, report: [String: Any], stderr: String) {
        var arguments = ["model", "check", directory, "--json"] + extra
        if tokenizer { arguments += ["--tokenizer", Fixtures.tokenizer] }
        let result = try CorpusKitCLI.run(arguments)
        XCTAssertFalse(result.crashed)
        let report = (try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]) ?? [:]
        return (result.status, report, result.stderr)
    }

    private func errors(_ report: [String: Any]) -> [String] {
        (report["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "error" }.map { "\($0["name"]!): \($0["detail"]!)" }
    }

    func testCheckPassesCleanFixtures() throws {
        for name in Fixtures.names where name != "llama-bigvocab" {
            let (status, report, stderr) = try check(Fixtures.path(name))
            XCTAssertEqual(status, 0, "\(name): \(errors(report)) \(stderr)")
            XCTAssertNotEqual(report["verdict"] as? String, "broken", name)
        }
        let (status, report, _) = try check(Fixtures.path("llama-bigvocab"), tokenizer: false)
        XCTAssertEqual(status, 0, "\(errors(report))")
    }

    func testCheckWithCorpusReportsPerplexityAndContinuation() throws {
        let (status, report, stderr) = try check(Fixtures.path("llama-gqa-llama3rope"), extra: ["--corpus", Fixtures.corpus])
        XCTAssertEqual(status, 0, stderr)
        let names = (report["checks"] as! [[String: Any]]).map { $0["name"] as! String }
        XCTAssertTrue(names.contains("perplexity") && names.contains("continuation"), "\(names)")
    }

    /// The check's continuation is `model generate --prompt`'s, bos rule included: on a copy of a
    /// fixture whose config declares no bos, both start from the tokenizer's.
    func testCheckContinuationIsGenerateOfItsPrompt() throws {
        let directory = try Fixtures.copy("llama-gqa-llama3rope", into: scratchDirectory("inference-tests"))
        for name in ["config.json", "generation_config.json"] {
            let path = directory + "/" + name
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
            json.removeValue(forKey: "bos_token_id")
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        }
        let (status, report, stderr) = try check(directory, extra: ["--corpus", Fixtures.corpus])
        XCTAssertEqual(status, 0, stderr)
        let detail = (report["checks"] as! [[String: Any]]).first { $0["name"] as? String == "continuation" }!["detail"] as! String
        let generated = try CorpusKitCLI.run(["model", "generate", directory, "--prompt", "The capital of Japan is Tokyo. 日本の首都は",
                                              "--tokenizer", Fixtures.tokenizer, "--max-new-tokens", "24", "--ignore-eos", "--ids"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let generatedIDs = try JSONSerialization.jsonObject(with: Data(generated.output.utf8)) as! [Int]
        XCTAssertTrue(detail.contains("\(generatedIDs)"), "\(detail) vs \(generatedIDs)")
    }

    private func damaged(_ name: String, _ damage: (String, inout SafetensorsEditor) throws -> Void) throws -> String {
        let directory = try Fixtures.copy(name, into: scratchDirectory("inference-tests"))
        let file = directory + "/model.safetensors"
        var editor = try SafetensorsEditor(path: file)
        try damage(directory, &editor)
        try editor.write(to: file)
        return directory
    }

    private func assertFlagged(_ directory: String, _ needle: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (status, report, stderr) = try check(directory)
        XCTAssertEqual(status, 1, "\(report) \(stderr)", file: file, line: line)
        XCTAssertEqual(report["verdict"] as? String, "broken", file: file, line: line)
        XCTAssertTrue(errors(report).contains { $0.contains(needle) }, "\(needle) not in \(errors(report))", file: file, line: line)
    }

    func testCheckFlagsNaNTensor() throws {
        let target = "model.layers.1.mlp.up_proj.weight"
        try assertFlagged(try damaged("llama-gqa-llama3rope") { _, e in
            var t = e.tensors[target]!
            t.data = Data(repeating: 0, count: t.data.count).enumerated().reduce(into: Data()) { d, item in d.append(item.offset % 2 == 0 ? 0xC0 : 0x7F) }
            e.tensors[target] = t
        }, target)
    }

    func testCheckFlagsZeroedTensor() throws {
        let target = "model.layers.0.self_attn.o_proj.weight"
        try assertFlagged(try damaged("llama-gqa-llama3rope") { _, e in e.tensors[target]!.data = Data(count: e.tensors[target]!.data.count) }, target)
    }

    func testCheckFlagsCopiedLMHead() throws {
        try assertFlagged(try damaged("llama-gqa-llama3rope") { _, e in
            e.tensors["lm_head.weight"]!.data = e.tensors["model.embed_tokens.weight"]!.data
        }, "lm_head.weight")
    }

    func testCheckFlagsMissingLayerTensor() throws {
        let target = "model.layers.1.self_attn.k_proj.weight"
        try assertFlagged(try damaged("qwen3moe-normtopk") { _, e in e.tensors[target] = nil }, target)
        // GPT-2 saved from the base model (names without `transformer.`), one tensor dropped.
        let directory = try damaged("gpt2") { _, e in
            e.tensors = Dictionary(uniqueKeysWithValues: e.tensors.map { (String($0.key.dropFirst("transformer.".count)), $0.value) })
            e.tensors["h.1.mlp.c_fc.weight"] = nil
        }
        let (status, report, _) = try check(directory, tokenizer: false)
        XCTAssertEqual(status, 1)
        XCTAssertTrue(errors(report).contains { $0.contains("transformer.h.1.mlp.c_fc.weight") }, "\(errors(report))")
    }

    func testCheckFlagsWrongEOS() throws {
        let directory = try Fixtures.copy("llama-tied-linear", into: scratchDirectory("inference-tests"))
        for file in ["config.json", "generation_config.json"] {
            try Fixtures.editJSON(directory + "/" + file) { $0["eos_token_id"] = 5 }
        }
        try assertFlagged(directory, "eos_token_id")
    }

    // MARK: damaged safetensors

    private func assertCleanError(_ directory: String, _ needle: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let ids = try self.ids([[1, 2, 3]])
        for arguments in [["model", "logits", directory, "--ids-file", ids], ["model", "check", directory], ["model", "info", directory]] {
            let result = try CorpusKitCLI.run(arguments)
            XCTAssertFalse(result.crashed, file: file, line: line)
            XCTAssertNotEqual(result.status, 0, file: file, line: line)
            XCTAssertTrue(result.stderr.contains("model.safetensors") && result.stderr.contains(needle), result.stderr, file: file, line: line)
            XCTAssertEqual(result.output.filter { !$0.isWhitespace }, "", file: file, line: line)
        }
    }

    func testTruncatedSafetensors() throws {
        let directory = try Fixtures.copy("llama-tied-linear", into: scratchDirectory("inference-tests"))
        let path = directory + "/model.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 1000).write(to: URL(fileURLWithPath: path))
        try assertCleanError(directory, "truncated")
    }

    func testBadHeaderSafetensors() throws {
        let directory = try Fixtures.copy("llama-tied-linear", into: scratchDirectory("inference-tests"))
        let path = directory + "/model.safetensors"
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[9] = UInt8(ascii: "#")
        try data.write(to: URL(fileURLWithPath: path))
        try assertCleanError(directory, "header")
    }

    func testOverlappingOffsetsSafetensors() throws {
        let directory = try Fixtures.copy("llama-tied-linear", into: scratchDirectory("inference-tests"))
        let path = directory + "/model.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
        // Move the second tensor (in offset order) back by two bytes so it overlaps the first.
        let ordered = header.filter { $0.key != "__metadata__" }.map { ($0.key, ($0.value as! [String: Any])["data_offsets"] as! [Int]) }.sorted { $0.1[0] < $1.1[0] }
        var entry = header[ordered[1].0] as! [String: Any]
        entry["data_offsets"] = [ordered[1].1[0] - 2, ordered[1].1[1] - 2]
        header[ordered[1].0] = entry
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count < n { json.append(UInt8(ascii: " ")) }
        var out = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(data.subdata(in: (8 + n)..<data.count))
        try out.write(to: URL(fileURLWithPath: path))
        try assertCleanError(directory, "overlaps")
    }

    func testShardIndexProblems() throws {
        let directory = try Fixtures.copy("mixtral-8x-top2", into: scratchDirectory("inference-tests"))
        try FileManager.default.removeItem(atPath: directory + "/model-00003-of-00005.safetensors")
        let ids = try self.ids([[1, 2]])
        let result = try CorpusKitCLI.run(["model", "logits", directory, "--ids-file", ids])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertFalse(result.crashed)
        XCTAssertTrue(result.stderr.contains("model-00003-of-00005.safetensors"), result.stderr)
    }

    func testBadIDsFile() throws {
        let path = try scratchDirectory("inference-tests").file("bad.jsonl")
        try "[1, 2]\n[3, \"x\"]\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CorpusKitCLI.run(["model", "logits", Fixtures.path("gpt2"), "--ids-file", path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains(":2:"), result.stderr)
        let outside = try ids([[1, 99999]])
        let second = try CorpusKitCLI.run(["model", "logits", Fixtures.path("gpt2"), "--ids-file", outside])
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("99999"), second.stderr)
    }
}
