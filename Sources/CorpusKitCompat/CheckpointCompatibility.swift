import Foundation
import CorpusKitCheckpoint
import CorpusKitChecks
import CorpusKitTokenizer

/// `corpuskit compat model TOKENIZER MODEL_DIR`: does a Hugging Face checkpoint fit a vocabulary?
///
/// Reads the directory's configs and only the safetensors headers (``CheckpointDirectory``).
/// Checks: `vocab_size` ≥ the tokenizer's size (and how it is padded); the embedding and
/// `lm_head` shapes against `vocab_size` × `hidden_size`; `tie_word_embeddings` against the
/// presence of `lm_head.weight`; bos/eos/pad ids of config.json and generation_config.json against
/// the tokenizer's; every special token and chat-template token of the checkpoint's tokenizer
/// files present in the vocabulary; and the tensor set of the architecture (``ExpectedTensors``).
public struct CheckpointCompatibility: Sendable {
    /// The verdict and the checks.
    public let report: CompatReport

    /// Checks the checkpoint in `modelDirectory` against the vocabulary at `tokenizerPath` (a file or a directory holding one).
    /// - Throws: ``CompatError`` when either cannot be read (a mismatch is a check, not an error).
    public init(tokenizerPath: String, modelDirectory: String) throws(CompatError) {
        let vocabulary: VocabularyFile
        do { vocabulary = try VocabularyFile.load(path: tokenizerPath) } catch { throw .tokenizer(path: tokenizerPath, error) }
        let checkpoint: CheckpointDirectory
        do { checkpoint = try CheckpointDirectory(path: modelDirectory) } catch { throw .checkpoint(error) }
        let config = checkpoint.config
        var checks: [CompatCheck] = []
        let size = vocabulary.count
        var byText: [[UInt8]: Int] = [:]
        for id in (0..<size).reversed() { byText[Array(vocabulary.pieceBytes(id))] = id }

        // vocab_size.
        if let v = config.vocabularySize {
            if v < size {
                checks.append(CompatCheck("vocab_size", .error, "config.json vocab_size \(v) is smaller than the tokenizer's \(size) ids: ids \(v)..<\(size) have no embedding row"))
            } else if v == size {
                checks.append(CompatCheck("vocab_size", .ok, "\(v), exactly the tokenizer's size"))
            } else {
                var multiple = 1
                while v % (multiple * 2) == 0 && multiple < 1 << 20 { multiple *= 2 }
                checks.append(CompatCheck("vocab_size", .ok, "\(v): the tokenizer's \(size) padded by \(v - size) (vocab_size is a multiple of \(multiple))"))
            }
        } else {
            checks.append(CompatCheck("vocab_size", .error, "config.json has no vocab_size"))
        }

        // Tensor table.
        let tensors = checkpoint.tensors.byName.reduce(into: [String: TensorInfo]()) {
            $0[ExpectedTensors.normalizedName($1.key, architecture: config.architecture)] = $1.value
        }
        for problem in checkpoint.tensors.indexProblems {
            checks.append(CompatCheck("index", .error, problem))
        }
        let expected: ExpectedTensors?
        do { expected = try ExpectedTensors(config: config) } catch {
            expected = nil
            checks.append(CompatCheck("tensors", .warning, "not checked: \(error)"))
        }
        let hidden = config.hiddenSize
        if let expected, let v = config.vocabularySize, let h = hidden {
            // Embedding and lm_head.
            if let embedding = tensors[expected.embeddingName] {
                checks.append(CompatCheck("embedding", embedding.shape == [v, h] ? .ok : .error,
                    "\(expected.embeddingName) \(embedding.shape) \(embedding.dtype)\(embedding.shape == [v, h] ? "" : ", expected [\(v), \(h)] (vocab_size × hidden_size)")"))
            } else {
                checks.append(CompatCheck("embedding", .error, "\(expected.embeddingName) is missing"))
            }
            let head = tensors[expected.outputName]
            let tied = config.tiesWordEmbeddings
            let tieText = config.tieWordEmbeddings.map { "tie_word_embeddings: \($0)" } ?? "tie_word_embeddings absent (default \(tied))"
            switch (tied, head) {
            case (false, nil):
                checks.append(CompatCheck("lm_head", .error, "lm_head.weight is missing with \(tieText): the output layer would be left uninitialised"))
            case (false, let head?):
                checks.append(CompatCheck("lm_head", head.shape == [v, h] ? .ok : .error,
                    "lm_head.weight \(head.shape) \(head.dtype) (\(tieText))\(head.shape == [v, h] ? "" : ", expected [\(v), \(h)]")"))
            case (true, nil):
                checks.append(CompatCheck("lm_head", .ok, "no lm_head.weight: tied to the embedding (\(tieText))"))
            case (true, let head?):
                checks.append(CompatCheck("lm_head", .warning, "lm_head.weight \(head.shape) is stored but \(tieText): transformers ties it to the embedding and ignores it"))
            }
            // Every other tensor.
            var missing: [String] = [], wrong: [String] = [], unexpected: [String] = [], ignored = 0
            for (tensorName, shape) in expected.shapes.sorted(by: { $0.key < $1.key }) where tensorName != expected.embeddingName && tensorName != expected.outputName {
                guard let tensor = tensors[tensorName] else { missing.append(tensorName); continue }
                if tensor.shape != shape { wrong.append("\(tensorName) \(tensor.shape), expected \(shape)") }
            }
            for tensorName in tensors.keys.sorted() where expected.shapes[tensorName] == nil && tensorName != expected.outputName {
                if ExpectedTensors.isIgnorable(tensorName) { ignored += 1 } else { unexpected.append(tensorName) }
            }
            func list(_ items: [String]) -> String { items.prefix(5).joined(separator: ", ") + (items.count > 5 ? ", … (\(items.count) in all)" : "") }
            if missing.isEmpty && wrong.isEmpty && unexpected.isEmpty {
                checks.append(CompatCheck("tensors", .ok, "all \(expected.shapes.count) tensors of \(config.architecture!) present with the expected shapes\(ignored > 0 ? " (\(ignored) unused buffers ignored)" : "")"))
            } else {
                if !missing.isEmpty { checks.append(CompatCheck("missing tensors", .error, list(missing))) }
                if !wrong.isEmpty { checks.append(CompatCheck("tensor shapes", .error, list(wrong))) }
                if !unexpected.isEmpty { checks.append(CompatCheck("unexpected tensors", .error, "not in \(config.architecture!): " + list(unexpected))) }
            }
        }

        // Special-token ids in the configs against the tokenizer.
        let declared = Self.tokenizerSpecials(vocabulary, byText: byText, checkpoint: checkpoint)
        for (file, fields) in [("config.json", [("bos", config.bosTokenIDs), ("eos", config.eosTokenIDs), ("pad", config.padTokenIDs)]),
                               ("generation_config.json", [("bos", checkpoint.generationConfig?.bosTokenIDs), ("eos", checkpoint.generationConfig?.eosTokenIDs),
                                                           ("pad", checkpoint.generationConfig?.padTokenIDs)])] {
            if file == "generation_config.json" && checkpoint.generationConfig == nil { continue }
            for (name, ids) in fields {
                guard let ids, !ids.isEmpty else { continue }
                let field = "\(file) \(name)_token_id"
                let shown = ids.count == 1 ? "\(ids[0])" : "\(ids)"
                if let outside = ids.first(where: { $0 < 0 || $0 >= max(size, config.vocabularySize ?? 0) }) {
                    checks.append(CompatCheck(field, .error, "\(shown): \(outside) is outside the vocabulary"))
                    continue
                }
                guard let expectedID = declared[name] else {
                    checks.append(CompatCheck(field, .ok, "\(shown) (\(ids.map { $0 < size ? VocabularyViewEscaping.quoted(vocabulary.piece($0)) : "padding" }.joined(separator: ", "))); the tokenizer declares no \(name) token"))
                    continue
                }
                if ids.contains(expectedID.id) {
                    checks.append(CompatCheck(field, .ok, "\(shown), the tokenizer's \(name) \(VocabularyViewEscaping.quoted(vocabulary.piece(expectedID.id))) (\(expectedID.source))"))
                } else {
                    let pieces = ids.map { $0 < size ? "\($0) \(VocabularyViewEscaping.quoted(vocabulary.piece($0)))" : "\($0) (padding)" }.joined(separator: ", ")
                    checks.append(CompatCheck(field, .error,
                        "\(pieces), but the tokenizer's \(name) is \(expectedID.id) \(VocabularyViewEscaping.quoted(vocabulary.piece(expectedID.id))) (\(expectedID.source))\(name == "eos" ? ": generation would not stop at the end of a document" : "")"))
                }
            }
        }

        // Special tokens and chat-template tokens of the checkpoint's tokenizer files.
        for tokenizerConfig in [checkpoint.tokenizerConfig, checkpoint.specialTokensMap].compactMap({ $0 }) {
            let file = (tokenizerConfig.path as NSString).lastPathComponent
            var absent: [String] = [], wrongIDs: [String] = []
            var strings = tokenizerConfig.specialTokens.map { ($0.key, $0.content) } + tokenizerConfig.additionalSpecialTokens.map { ("additional_special_tokens", $0) }
            for template in tokenizerConfig.chatTemplates {
                strings += Self.templateTokens(template).map { ("chat_template", $0) }
            }
            for (key, text) in strings where byText[Array(text.utf8)] == nil {
                absent.append("\(key) \(VocabularyViewEscaping.quoted(text))")
            }
            for (id, text) in tokenizerConfig.addedTokensDecoder {
                if id >= size || Array(vocabulary.pieceBytes(id)) != Array(text.utf8) {
                    wrongIDs.append("\(id) \(VocabularyViewEscaping.quoted(text)) (the vocabulary has \(id < size ? VocabularyViewEscaping.quoted(vocabulary.piece(id)) : "no such id"))")
                }
            }
            if absent.isEmpty && wrongIDs.isEmpty {
                checks.append(CompatCheck(file, .ok, "all \(strings.count) special and chat-template tokens and \(tokenizerConfig.addedTokensDecoder.count) added_tokens_decoder entries are in the vocabulary"))
            } else {
                if !absent.isEmpty {
                    checks.append(CompatCheck(file, .warning, "not in the vocabulary (a tokenizer loading this file would add them as new ids): " + absent.joined(separator: ", ")))
                }
                if !wrongIDs.isEmpty {
                    checks.append(CompatCheck(file + " added_tokens_decoder", .error, wrongIDs.joined(separator: ", ")))
                }
            }
        }
        let (verdict, compatible) = CompatReport.verdict(of: checks)
        report = CompatReport(form: "model", verdict: verdict, compatible: compatible, checks: checks, facts: [
            "tokenizer": tokenizerPath, "model": modelDirectory, "tokenizer_size": size,
            "vocab_size": config.vocabularySize ?? -1, "architecture": config.architecture ?? "",
            "tensor_count": checkpoint.tensors.byName.count,
        ])
    }

    /// The tokenizer's bos/eos/pad ids and where each comes from: the tokenizer_config.json /
    /// special_tokens_map.json next to the tokenizer, else the checkpoint directory's, else a
    /// `.model`'s trainer spec.
    static func tokenizerSpecials(_ v: VocabularyFile, byText: [[UInt8]: Int], checkpoint: CheckpointDirectory) -> [String: (id: Int, source: String)] {
        var result: [String: (Int, String)] = [:]
        let directory = (v.path as NSString).deletingLastPathComponent
        var configs: [TokenizerConfig] = []
        for name in ["tokenizer_config.json", "special_tokens_map.json"] {
            let path = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path), let config = try? TokenizerConfig(path: path) { configs.append(config) }
        }
        configs += [checkpoint.tokenizerConfig, checkpoint.specialTokensMap].compactMap { $0 }
        for config in configs {
            for (key, name) in [("bos_token", "bos"), ("eos_token", "eos"), ("pad_token", "pad")] where result[name] == nil {
                if let text = config.specialTokens.first(where: { $0.key == key })?.content, let id = byText[Array(text.utf8)] {
                    result[name] = (id, "\(key) of \((config.path as NSString).lastPathComponent)")
                }
            }
        }
        if result["bos"] == nil, let id = v.bosID { result["bos"] = (Int(id), "bos_id of the .model") }
        if result["eos"] == nil, let id = v.eosID { result["eos"] = (Int(id), "eos_id of the .model") }
        if result["pad"] == nil, let id = v.padID { result["pad"] = (Int(id), "pad_id of the .model") }
        return result
    }

    /// Special-token-like string literals of a Jinja chat template: `<|...|>`, `<...>` and `[INST]`-style.
    static func templateTokens(_ template: String) -> [String] {
        var found: [String] = []
        let patterns = [#"<\|[^|<>\s]{1,64}\|>"#, #"<[A-Za-z/][A-Za-z0-9_|/]{0,63}>"#, #"\[/?[A-Z_]{2,32}\]"#]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            let range = NSRange(template.startIndex..., in: template)
            for match in regex.matches(in: template, range: range) {
                if let r = Range(match.range, in: template) {
                    let token = String(template[r])
                    if !found.contains(token) { found.append(token) }
                }
            }
        }
        return found
    }
}
