import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitCheckpoint
import CorpusKitChecks
import CorpusKitCompat

/// Writes a safetensors file: header as the format defines it, zero bytes as data.
func writeSafetensors(_ path: String, tensors: [(name: String, dtype: String, shape: [Int])], itemSize: Int = 2) throws {
    var header: [String: Any] = ["__metadata__": ["format": "pt"]]
    var offset = 0
    for t in tensors {
        let bytes = t.shape.reduce(itemSize, *)
        header[t.name] = ["dtype": t.dtype, "shape": t.shape, "data_offsets": [offset, offset + bytes]]
        offset += bytes
    }
    try writeSafetensors(path, header: header, dataBytes: offset)
}

func writeSafetensors(_ path: String, header: [String: Any], dataBytes: Int) throws {
    let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    var data = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    data.append(Data(count: dataBytes))
    try data.write(to: URL(fileURLWithPath: path))
}

/// Form 2, `compat model`: tiny Llama checkpoints whose safetensors headers the test writes.
final class CheckpointCompatTests: XCTestCase {
    // The fixture vocabulary has 1,500 pieces; eos_id 2 ("</s>"), <EOD> is 3.
    struct Tiny {
        var vocab = 1536, hidden = 8, layers = 2, heads = 2, kv = 1, intermediate = 16
        var tie = false
        var eos = 2
        var generationEOS = 2
        var drop: Set<String> = []
        var embeddingShape: [Int]?

        var config: [String: Any] {
            ["architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": vocab, "hidden_size": hidden,
             "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kv,
             "intermediate_size": intermediate, "tie_word_embeddings": tie, "bos_token_id": 1, "eos_token_id": eos]
        }

        /// transformers' LlamaForCausalLM state dict names (q/k/v/o, gate/up/down, the two norms).
        var tensors: [(String, String, [Int])] {
            let hd = hidden / heads
            var t: [(String, String, [Int])] = [("model.embed_tokens.weight", "BF16", embeddingShape ?? [vocab, hidden]), ("model.norm.weight", "BF16", [hidden])]
            for n in 0..<layers {
                let p = "model.layers.\(n)."
                t += [(p + "self_attn.q_proj.weight", "BF16", [heads * hd, hidden]), (p + "self_attn.k_proj.weight", "BF16", [kv * hd, hidden]),
                      (p + "self_attn.v_proj.weight", "BF16", [kv * hd, hidden]), (p + "self_attn.o_proj.weight", "BF16", [hidden, heads * hd]),
                      (p + "mlp.gate_proj.weight", "BF16", [intermediate, hidden]), (p + "mlp.up_proj.weight", "BF16", [intermediate, hidden]),
                      (p + "mlp.down_proj.weight", "BF16", [hidden, intermediate]),
                      (p + "input_layernorm.weight", "BF16", [hidden]), (p + "post_attention_layernorm.weight", "BF16", [hidden])]
            }
            if !tie { t.append(("lm_head.weight", "BF16", [vocab, hidden])) }
            return t.filter { !drop.contains($0.0) }
        }

        func write(to directory: String, sharded: Bool = false) throws {
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("config.json")))
            try JSONSerialization.data(withJSONObject: ["bos_token_id": 1, "eos_token_id": generationEOS])
                .write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("generation_config.json")))
            let all = tensors.map { (name: $0.0, dtype: $0.1, shape: $0.2) }
            if sharded {
                let half = all.count / 2
                var map: [String: String] = [:]
                for (i, part) in [Array(all[..<half]), Array(all[half...])].enumerated() {
                    let name = "model-0000\(i + 1)-of-00002.safetensors"
                    try writeSafetensors((directory as NSString).appendingPathComponent(name), tensors: part)
                    for t in part { map[t.name] = name }
                }
                try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": map])
                    .write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("model.safetensors.index.json")))
            } else {
                try writeSafetensors((directory as NSString).appendingPathComponent("model.safetensors"), tensors: all)
            }
        }
    }

    private func run(_ tiny: Tiny, sharded: Bool = false) throws -> CompatReport {
        let directory = try scratchDirectory("compat-tests").path
        try tiny.write(to: directory, sharded: sharded)
        return try CheckpointCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, modelDirectory: directory).report
    }

    private func status(_ report: CompatReport, _ name: String) -> CheckStatus? { report.checks.first { $0.name == name }?.status }

    func testCorrectCheckpointWithPaddedVocabularyPasses() throws {
        for sharded in [false, true] {
            let report = try run(Tiny(), sharded: sharded)
            XCTAssertEqual(report.verdict, .compatible, report.text())
            XCTAssertEqual(report.exitStatus(strict: true), 0)
            XCTAssertTrue(report.checks.first { $0.name == "vocab_size" }!.detail.contains("padded by 36"), report.text())
        }
    }

    func testVocabularySizeSmallerThanTheTokenizer() throws {
        var tiny = Tiny()
        tiny.vocab = 1024
        let report = try run(tiny)
        XCTAssertEqual(status(report, "vocab_size"), .error, report.text())
        XCTAssertEqual(report.exitStatus(strict: false), 1)
    }

    func testWrongEOSInGenerationConfig() throws {
        var tiny = Tiny()
        tiny.generationEOS = 3
        let report = try run(tiny)
        XCTAssertEqual(status(report, "generation_config.json eos_token_id"), .error, report.text())
        XCTAssertEqual(status(report, "config.json eos_token_id"), .ok)
    }

    func testMissingLMHeadWithUntiedEmbeddings() throws {
        var tiny = Tiny()
        tiny.drop = ["lm_head.weight"]
        let report = try run(tiny)
        XCTAssertEqual(status(report, "lm_head"), .error, report.text())
        // Tied, the same tensors are fine.
        tiny.tie = true
        XCTAssertEqual(try run(tiny).verdict, .compatible)
    }

    func testMissingLayerTensor() throws {
        var tiny = Tiny()
        tiny.drop = ["model.layers.1.mlp.down_proj.weight"]
        let report = try run(tiny)
        XCTAssertEqual(status(report, "missing tensors"), .error, report.text())
        XCTAssertTrue(report.checks.first { $0.name == "missing tensors" }!.detail.contains("model.layers.1.mlp.down_proj.weight"))
    }

    func testWrongEmbeddingShape() throws {
        var tiny = Tiny()
        tiny.embeddingShape = [1500, 8]
        let report = try run(tiny)
        XCTAssertEqual(status(report, "embedding"), .error, report.text())
    }

    // MARK: - Safetensors header errors

    private func headerError(_ body: (String) throws -> Void) throws -> String {
        let directory = try scratchDirectory("compat-tests").path
        let path = (directory as NSString).appendingPathComponent("model.safetensors")
        try body(path)
        do {
            _ = try SafetensorsFile(path: path)
            XCTFail("no error")
            return ""
        } catch {
            return error.description
        }
    }

    func testTruncatedFile() throws {
        let message = try headerError { path in
            try writeSafetensors(path, tensors: [("a", "F32", [4, 4])], itemSize: 4)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try data.prefix(data.count - 10).write(to: URL(fileURLWithPath: path))
        }
        XCTAssertTrue(message.contains("run past the end"), message)
        let short = try headerError { try Data([1, 2, 3]).write(to: URL(fileURLWithPath: $0)) }
        XCTAssertTrue(short.contains("truncated"), short)
    }

    func testBadHeader() throws {
        let message = try headerError { path in
            var data = Data()
            withUnsafeBytes(of: UInt64(5).littleEndian) { data.append(contentsOf: $0) }
            data.append(Data("{nope".utf8))
            try data.write(to: URL(fileURLWithPath: path))
        }
        XCTAssertTrue(message.contains("not valid JSON"), message)
        let huge = try headerError { path in
            var data = Data()
            withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { data.append(contentsOf: $0) }
            try data.write(to: URL(fileURLWithPath: path))
        }
        XCTAssertTrue(huge.contains("header length"), huge)
        let dtype = try headerError { try writeSafetensors($0, header: ["a": ["dtype": "Q4", "shape": [1], "data_offsets": [0, 1]]], dataBytes: 1) }
        XCTAssertTrue(dtype.contains("unknown dtype Q4"), dtype)
    }

    func testOffsetsOutOfRangeAndOverlapping() throws {
        let outside = try headerError { try writeSafetensors($0, header: ["a": ["dtype": "F16", "shape": [4], "data_offsets": [8, 16]]], dataBytes: 8) }
        XCTAssertTrue(outside.contains("run past the end"), outside)
        let overlap = try headerError {
            try writeSafetensors($0, header: ["a": ["dtype": "F16", "shape": [4], "data_offsets": [0, 8]],
                                              "b": ["dtype": "F16", "shape": [4], "data_offsets": [4, 12]]], dataBytes: 12)
        }
        XCTAssertTrue(overlap.contains("overlaps"), overlap)
        let size = try headerError { try writeSafetensors($0, header: ["a": ["dtype": "F32", "shape": [4], "data_offsets": [0, 8]]], dataBytes: 8) }
        XCTAssertTrue(size.contains("needs 16"), size)
    }

    func testHeaderFields() throws {
        let directory = try scratchDirectory("compat-tests").path
        let path = (directory as NSString).appendingPathComponent("x.safetensors")
        try writeSafetensors(path, tensors: [("w", "BF16", [3, 2]), ("b", "BF16", [3])])
        let file = try SafetensorsFile(path: path)
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(file.tensors.map(\.name), ["w", "b"])   // data order
        XCTAssertEqual(file.tensors[0].byteRange, file.dataStart..<(file.dataStart + 12))
        XCTAssertEqual(file.tensors[1].dtype, .bf16)
    }

    // MARK: - Tensor tables (names as in transformers' modeling files)

    private func config(_ object: [String: Any]) throws -> ModelConfig {
        let directory = try scratchDirectory("compat-tests").path
        let path = (directory as NSString).appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return try ModelConfig(path: path)
    }

    func testQwen3MoeTable() throws {
        let c = try config(["architectures": ["Qwen3MoeForCausalLM"], "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 2,
                            "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "intermediate_size": 32,
                            "moe_intermediate_size": 12, "num_experts": 4, "decoder_sparse_step": 1, "mlp_only_layers": [1]])
        let shapes = try ExpectedTensors(config: c).shapes
        XCTAssertEqual(shapes["model.layers.0.mlp.experts.3.gate_proj.weight"], [12, 16])
        XCTAssertEqual(shapes["model.layers.0.mlp.gate.weight"], [4, 16])
        XCTAssertEqual(shapes["model.layers.0.self_attn.q_norm.weight"], [8])
        XCTAssertEqual(shapes["model.layers.0.self_attn.q_proj.weight"], [32, 16])
        XCTAssertEqual(shapes["model.layers.1.mlp.down_proj.weight"], [16, 32])   // dense: mlp_only_layers
        XCTAssertNil(shapes["model.layers.1.mlp.gate.weight"])
        XCTAssertEqual(shapes["lm_head.weight"], [100, 16])
    }

    func testMixtralTable() throws {
        let c = try config(["architectures": ["MixtralForCausalLM"], "vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 1,
                            "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24, "num_local_experts": 8])
        let shapes = try ExpectedTensors(config: c).shapes
        XCTAssertEqual(shapes["model.layers.0.block_sparse_moe.gate.weight"], [8, 16])
        XCTAssertEqual(shapes["model.layers.0.block_sparse_moe.experts.7.w1.weight"], [24, 16])
        XCTAssertEqual(shapes["model.layers.0.block_sparse_moe.experts.7.w2.weight"], [16, 24])
        XCTAssertEqual(shapes["model.layers.0.self_attn.k_proj.weight"], [8, 16])
    }

    func testGPT2Table() throws {
        let c = try config(["architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 100, "n_embd": 8, "n_layer": 1,
                            "n_head": 2, "n_positions": 32])
        let table = try ExpectedTensors(config: c)
        XCTAssertEqual(table.shapes["transformer.h.0.attn.c_attn.weight"], [8, 24])   // Conv1D: [in, out]
        XCTAssertEqual(table.shapes["transformer.h.0.mlp.c_fc.weight"], [8, 32])
        XCTAssertEqual(table.shapes["transformer.wpe.weight"], [32, 8])
        XCTAssertNil(table.shapes["lm_head.weight"])   // tied by default
        XCTAssertEqual(ExpectedTensors.normalizedName("h.0.ln_1.weight", architecture: "GPT2LMHeadModel"), "transformer.h.0.ln_1.weight")
    }
}
