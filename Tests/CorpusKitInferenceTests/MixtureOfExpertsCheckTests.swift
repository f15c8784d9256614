import Foundation
import XCTest
import CorpusKitInference
import CorpusKitTokenizer

/// MoE checks: routing counts equal transformers' router choices; copied and zeroed experts are named.
final class MixtureOfExpertsCheckTests: XCTestCase {
    func testRoutingCountsMatchTransformers() throws {
        let url = Fixtures.directory.appendingPathComponent("parity/routing-reference.json")
        let reference = (try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any])["counts"] as! [String: [String: [Int]]]
        let tokenizer = try Tokenizer.load(path: Fixtures.tokenizer)
        let texts = try Fixtures.reference("mixtral-8x-top2").documents.map(\.text)
        XCTAssertEqual(reference.count, 2)
        for (name, layers) in reference {
            let model = try CausalLM(directory: Fixtures.path(name), threads: 1)
            let counts = try MixtureOfExpertsCheck(model: model).route(texts: texts, tokenizer: tokenizer, context: 512)
            for (layer, expected) in layers { XCTAssertEqual(counts.counts[Int(layer)!], expected, "\(name) layer \(layer)") }
            XCTAssertEqual(counts.counts.enumerated().filter { !$0.element.allSatisfy { $0 == 0 } }.map(\.offset), layers.keys.map { Int($0)! }.sorted())
            let check = try MixtureOfExpertsCheck(model: model).routingCheck(texts: texts, tokenizer: tokenizer, context: 512)
            XCTAssertEqual(check?.status, .ok)
        }
    }

    func testCopiedAndZeroedExperts() throws {
        let copy = try Fixtures.copy("qwen3moe-normtopk", into: scratchDirectory("moe-tests"))
        let file = copy + "/model.safetensors"
        var editor = try SafetensorsEditor(path: file)
        for m in ["gate_proj", "up_proj", "down_proj"] {
            editor.tensors["model.layers.2.mlp.experts.5.\(m).weight"]!.data = editor.tensors["model.layers.2.mlp.experts.3.\(m).weight"]!.data
        }
        var router = editor.tensors["model.layers.1.mlp.gate.weight"]!
        let row = router.shape[1] * 2
        router.data.replaceSubrange((6 * row)..<(7 * row), with: Data(count: row))
        editor.tensors["model.layers.1.mlp.gate.weight"] = router
        try editor.write(to: file)
        let checks = MixtureOfExpertsCheck(model: try CausalLM(directory: copy, threads: 1)).weightChecks()
        let copies = checks.first { $0.name == "expert copies" }
        XCTAssertEqual(copies?.status, .error)
        XCTAssertTrue(copies?.detail.contains("layer 2 expert 5 = expert 3") == true, copies?.detail ?? "")
        let zeroed = checks.first { $0.name == "zeroed experts" }
        XCTAssertEqual(zeroed?.detail, "layer 1 expert 6")
        // The untouched fixture passes.
        let clean = MixtureOfExpertsCheck(model: try CausalLM(directory: Fixtures.path("qwen3moe-normtopk"), threads: 1)).weightChecks()
        XCTAssertEqual(clean.map(\.status), [.ok])
    }
}
