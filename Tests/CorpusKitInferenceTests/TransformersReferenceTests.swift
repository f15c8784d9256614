import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitInference
import CorpusKitTokenizer

/// `corpuskit model` against transformers' own outputs for the committed fixtures (all four
/// architectures): last-position logits within 1e-4 of the largest |logit|, greedy ids exactly,
/// sliding-window NLL within 1e-4 relative.
final class TransformersReferenceTests: XCTestCase {
    func testLogitsMatchTransformers() throws {
        for name in Fixtures.names {
            let reference = try Fixtures.reference(name)
            for threads in [1, 2] {
                let model = try CausalLM(directory: Fixtures.path(name), threads: threads)
                XCTAssertEqual(model.spec.vocabularySize, reference.vocabularySize)
                for (prompt, expected) in zip(reference.prompts, reference.logits) {
                    let logits = try model.forward(prompt, cache: model.makeCache())
                    let error = Fixtures.relativeError(logits, expected)
                    XCTAssertLessThan(error, 1e-4, "\(name), \(threads) threads, prompt of \(prompt.count) ids")
                }
            }
        }
    }

    /// Incremental decoding (KV cache) gives the same last-position logits as one full pass.
    func testCachedDecodingMatchesFullPass() throws {
        for name in Fixtures.names {
            let reference = try Fixtures.reference(name)
            let model = try CausalLM(directory: Fixtures.path(name), threads: 2)
            let prompt = reference.prompts[3 % reference.prompts.count]
            let cache = model.makeCache(capacity: 1)
            var logits: [Float] = []
            for id in prompt { logits = try model.forward([id], cache: cache) }
            XCTAssertLessThan(Fixtures.relativeError(logits, reference.logits[3 % reference.prompts.count]), 1e-4, name)
        }
    }

    func testGreedyIdsMatchTransformers() throws {
        for name in Fixtures.names {
            let reference = try Fixtures.reference(name)
            let generator = GreedyGenerator(model: try CausalLM(directory: Fixtures.path(name)))
            for run in reference.greedy {
                XCTAssertEqual(try generator.generate(prompt: run.prompt, maxNewTokens: reference.maxNewTokens, ignoreEOS: true), run.newIDs, name)
            }
        }
    }

    /// Without --ignore-eos decoding stops after the checkpoint's eos (generation_config.json), included.
    func testGenerationStopsAtEOS() throws {
        let reference = try Fixtures.reference("llama-gqa-llama3rope")
        let run = reference.greedy[0]
        let directory = try Fixtures.copy("llama-gqa-llama3rope", into: scratchDirectory("inference-tests"))
        try Fixtures.editJSON(directory + "/generation_config.json") { $0["eos_token_id"] = run.newIDs[3] }
        let stop = run.newIDs.firstIndex(of: run.newIDs[3])!
        let produced = try GreedyGenerator(model: try CausalLM(directory: directory)).generate(prompt: run.prompt, maxNewTokens: reference.maxNewTokens)
        XCTAssertEqual(produced, Array(run.newIDs[...stop]))
    }

    func testPerplexityMatchesTransformers() throws {
        let tokenizer = try Tokenizer.load(path: Fixtures.tokenizer)
        for name in Fixtures.names {
            let reference = try Fixtures.reference(name)
            guard let context = reference.context, let stride = reference.stride else { continue }
            let model = try CausalLM(directory: Fixtures.path(name))
            let evaluator = try PerplexityEvaluator(model: model, tokenizer: tokenizer, options: .init(context: context, stride: stride, addBOS: true))
            for document in reference.documents {
                XCTAssertEqual(try evaluator.ids(for: document.text), document.ids, "\(name): tokenization")
                let (nll, tokens) = try evaluator.score(document.ids)
                XCTAssertEqual(tokens, document.tokens, name)
                XCTAssertEqual(nll, document.nll, accuracy: 1e-4 * abs(document.nll), name)
            }
            let summary = try evaluator.evaluate(corpus: Fixtures.corpus)
            let total = reference.documents.reduce(0.0) { $0 + $1.nll }
            XCTAssertEqual(summary.nll, total, accuracy: 1e-4 * total, name)
            XCTAssertEqual(summary.tokens, reference.documents.reduce(0) { $0 + $1.tokens })
            let bytes = reference.documents.reduce(0) { $0 + $1.text.utf8.count }
            XCTAssertEqual(summary.bitsPerByte, total / log(2) / Double(bytes), accuracy: 1e-4 * summary.bitsPerByte)
        }
    }

    /// The newer `rope_parameters` layout (transformers ≥ 5) reads as `rope_theta` + `rope_scaling`.
    func testRopeParametersLayout() throws {
        for name in ["llama-gqa-llama3rope", "llama-tied-linear"] {
            let reference = try Fixtures.reference(name)
            let directory = try Fixtures.copy(name, into: scratchDirectory("inference-tests"))
            try Fixtures.editJSON(directory + "/config.json") { config in
                var parameters = config["rope_scaling"] as! [String: Any]
                parameters["rope_theta"] = config["rope_theta"]
                config["rope_parameters"] = parameters
                config["rope_scaling"] = nil
                config["rope_theta"] = nil
            }
            let model = try CausalLM(directory: directory)
            let logits = try model.forward(reference.prompts[3], cache: model.makeCache())
            XCTAssertLessThan(Fixtures.relativeError(logits, reference.logits[3]), 1e-4, name)
        }
    }

    /// The same weights stored as F32 (read in place by sgemm) and F16 (converted per tile): F32 holds
    /// the bf16 values exactly, so it must match as closely; F16 rounds none of these bf16 values
    /// except below its normal range, so it must match nearly as closely.
    func testFloat32AndFloat16Storage() throws {
        for name in ["llama-gqa-llama3rope", "gpt2", "qwen3moe-normtopk"] {
            let reference = try Fixtures.reference(name)
            for dtype in ["F32", "F16"] {
                let directory = try Fixtures.copy(name, into: scratchDirectory("inference-tests"))
                var editor = try SafetensorsEditor(path: directory + "/model.safetensors")
                for (key, var entry) in editor.tensors {
                    let values: [Float] = entry.data.withUnsafeBytes { raw in
                        (0..<(raw.count / 2)).map { Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16) }
                    }
                    var data = Data()
                    for v in values {
                        if dtype == "F32" {
                            withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) }
                        } else {
                            withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { data.append(contentsOf: $0) }
                        }
                    }
                    entry.dtype = dtype
                    entry.data = data
                    editor.tensors[key] = entry
                }
                try editor.write(to: directory + "/model.safetensors")
                let model = try CausalLM(directory: directory, threads: 2)
                for (prompt, expected) in zip(reference.prompts, reference.logits) {
                    let logits = try model.forward(prompt, cache: model.makeCache())
                    XCTAssertLessThan(Fixtures.relativeError(logits, expected), dtype == "F32" ? 1e-4 : 1e-3, "\(name) \(dtype)")
                }
            }
        }
    }

    /// GPT-2 tensors named as the base `GPT2Model` saves them (no `transformer.` prefix) load as transformers loads them.
    func testGPT2WithoutTransformerPrefix() throws {
        let reference = try Fixtures.reference("gpt2")
        let directory = try Fixtures.copy("gpt2", into: scratchDirectory("inference-tests"))
        var editor = try SafetensorsEditor(path: directory + "/model.safetensors")
        editor.tensors = Dictionary(uniqueKeysWithValues: editor.tensors.map { (String($0.key.dropFirst("transformer.".count)), $0.value) })
        try editor.write(to: directory + "/model.safetensors")
        let model = try CausalLM(directory: directory)
        let logits = try model.forward(reference.prompts[2], cache: model.makeCache())
        XCTAssertLessThan(Fixtures.relativeError(logits, reference.logits[2]), 1e-4)
    }

    /// Config values the forward pass does not implement are refused naming the field.
    func testUnsupportedConfigIsRefused() throws {
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("llama-gqa-llama3rope", { $0["hidden_act"] = "gelu" }, "hidden_act"),
            ("llama-gqa-llama3rope", { $0["rope_scaling"] = ["rope_type": "yarn", "factor": 2.0] }, "rope_type"),
            ("qwen3moe-normtopk", { $0["use_sliding_window"] = true }, "use_sliding_window"),
            ("mixtral-8x-top2", { $0["sliding_window"] = "wide" }, "sliding_window"),
            ("gpt2", { $0["activation_function"] = "relu" }, "activation_function"),
            ("llama-gqa-llama3rope", { $0["architectures"] = ["FalconForCausalLM"] }, "architectures"),
        ]
        for (name, edit, field) in cases {
            let directory = try Fixtures.copy(name, into: scratchDirectory("inference-tests"))
            try Fixtures.editJSON(directory + "/config.json", edit)
            XCTAssertThrowsError(try CausalLM(directory: directory)) { error in
                XCTAssertTrue("\(error)".contains(field), "\(error)")
            }
        }
    }
}
