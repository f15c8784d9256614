import Foundation

/// A tokenizer loaded from a sentencepiece `.model` or a Hugging Face `tokenizer.json`, producing
/// exactly the ids of the library that reads that file (sentencepiece or HF tokenizers).
///
/// A `Tokenizer` is immutable and can be shared between threads; each thread that encodes keeps
/// its own ``EncodingWorkspace``.
public final class Tokenizer: Sendable {
    /// Which file format (and therefore which reference behaviour) this tokenizer follows.
    public enum Format: String, Sendable {
        case sentencePiece = "sentencepiece"
        case huggingFace = "tokenizer.json"
    }

    enum Engine: Sendable {
        case sentencePiece(SentencePieceEngine)
        case huggingFace(HuggingFaceEngine)
    }

    let engine: Engine
    /// The file this tokenizer was loaded from.
    public let path: String

    init(engine: Engine, path: String) {
        self.engine = engine
        self.path = path
    }

    /// Loads a tokenizer from a `.model` file, a `tokenizer.json`, or a directory holding either
    /// (`tokenizer.json` is preferred when both are present).
    ///
    /// The vocabulary's trie is taken from the on-disk trie cache when it was built before from
    /// the same pieces (`CORPUSKIT_TRIE_CACHE`: a directory or `off`; default
    /// `~/.cache/corpuskit/tries`); see ``TrieCache``.
    public static func load(path: String) throws(TokenizerError) -> Tokenizer {
        try load(path: path, trieCache: .default)
    }

    /// The trie over the vocabulary (tests compare built and cached ones).
    var vocabularyTrie: DoubleArrayTrie {
        switch engine {
        case .sentencePiece(let sp): return sp.unigram.trie
        case .huggingFace(let hf): return hf.unigram.trie
        }
    }

    /// ``load(path:)`` with an explicit trie cache (tests use temporary ones).
    static func load(path: String, trieCache: TrieCache) throws(TokenizerError) -> Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue {
            let json = (path as NSString).appendingPathComponent("tokenizer.json")
            if FileManager.default.fileExists(atPath: json) { return try load(path: json, trieCache: trieCache) }
            let models = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                .filter { $0.hasSuffix(".model") }.sorted()
            guard let model = models.first else {
                throw .unreadable(path: path, reason: "the directory holds neither tokenizer.json nor a .model file")
            }
            guard models.count == 1 else {
                throw .unreadable(path: path, reason: "the directory holds several .model files (\(models.joined(separator: ", "))); name one")
            }
            return try load(path: (path as NSString).appendingPathComponent(model), trieCache: trieCache)
        }
        if path.hasSuffix(".json") {
            return Tokenizer(engine: .huggingFace(try HuggingFaceEngine(contentsOf: path, trieCache: trieCache)), path: path)
        }
        let file = try SentencePieceModelFile(contentsOf: path)
        return Tokenizer(engine: .sentencePiece(try SentencePieceEngine(file: file, trieCache: trieCache)), path: path)
    }

    /// The file format this tokenizer follows.
    public var format: Format {
        switch engine {
        case .sentencePiece: return .sentencePiece
        case .huggingFace: return .huggingFace
        }
    }

    /// Number of ids (for tokenizer.json: the model vocabulary plus added tokens beyond it).
    public var vocabularySize: Int {
        switch engine {
        case .sentencePiece(let sp): return sp.table.count
        case .huggingFace(let hf): return hf.vocabularySize
        }
    }

    /// Encodes UTF-8 text, appending ids to `output`.
    ///
    /// With `addSpecialTokens`, a sentencepiece model adds BOS and EOS (as
    /// `sp.encode(text, add_bos=True, add_eos=True)`); a tokenizer.json applies its post-processor
    /// (as `tokenizer.encode(text, add_special_tokens=True)`).
    ///
    /// Pass `isValidatedUTF8: true` only for text already validated (CorpusKitReaders' JSON
    /// extraction does): it skips a second validation pass.
    /// - Throws: ``TokenizerError/invalidUTF8(offset:)`` when `text` is not valid UTF-8.
    public func encode(utf8 text: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool = false, isValidatedUTF8: Bool = false,
                       into output: inout [Int32], workspace: inout EncodingWorkspace) throws(TokenizerError) {
        if !isValidatedUTF8, let offset = UTF8Scalars.firstInvalidOffset(text) { throw .invalidUTF8(offset: offset) }
        switch engine {
        case .sentencePiece(let sp):
            try sp.encode(text, addBOS: addSpecialTokens, addEOS: addSpecialTokens, into: &output, workspace: &workspace)
        case .huggingFace(let hf):
            try hf.encode(text, addSpecialTokens: addSpecialTokens, into: &output, workspace: &workspace)
        }
    }

    /// Encodes a string into ids.
    public func encode(_ text: String, addSpecialTokens: Bool = false) throws(TokenizerError) -> [Int32] {
        var workspace = EncodingWorkspace()
        var output: [Int32] = []
        var text = text
        let result: Result<Void, TokenizerError> = text.withUTF8 { buffer in
            do throws(TokenizerError) {
                try encode(utf8: buffer, addSpecialTokens: addSpecialTokens, into: &output, workspace: &workspace)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return output
    }

    /// Decodes ids to UTF-8 bytes the way the reference library does.
    ///
    /// `skipSpecialTokens` drops HF special added tokens; sentencepiece always hides control
    /// pieces and has no other notion of special tokens, so it changes nothing there.
    public func decodeUTF8(_ ids: [Int32], skipSpecialTokens: Bool = false) throws(TokenizerError) -> [UInt8] {
        switch engine {
        case .sentencePiece(let sp): return try sp.decoder.decode(ids)
        case .huggingFace(let hf): return try hf.decode(ids, skipSpecialTokens: skipSpecialTokens)
        }
    }

    /// Decodes ids to a string the way the reference library does.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) throws(TokenizerError) -> String {
        String(decoding: try decodeUTF8(ids, skipSpecialTokens: skipSpecialTokens), as: UTF8.self)
    }

    /// sentencepiece's `bos_id()`: the id of the trainer spec's BOS piece when it is a control
    /// piece (nil for tokenizer.json files, which have no such notion).
    public var bosID: Int32? {
        if case .sentencePiece(let sp) = engine { return sp.bosID }
        return nil
    }

    /// sentencepiece's `eos_id()` (nil for tokenizer.json files).
    public var eosID: Int32? {
        if case .sentencePiece(let sp) = engine { return sp.eosID }
        return nil
    }

    /// sentencepiece's `pad_id()` (nil for tokenizer.json files).
    public var padID: Int32? {
        if case .sentencePiece(let sp) = engine { return sp.padID }
        return nil
    }

    /// sentencepiece's `unk_id()`; for tokenizer.json, the model's `unk_id`.
    public var unknownID: Int32? {
        switch engine {
        case .sentencePiece(let sp): return sp.unknownID
        case .huggingFace(let hf): return hf.unigram.unknownID
        }
    }

    /// The ids a tokenizer.json post-processor adds around a single sequence (empty for
    /// sentencepiece models and files without a `TemplateProcessing`).
    public var postProcessorSpecialIDs: [Int32] {
        guard case .huggingFace(let hf) = engine, let template = hf.template else { return [] }
        return template.flatMap { piece -> [Int32] in
            if case .special(let ids) = piece { return ids }
            return []
        }
    }

    /// The piece (token string) of `id`, or nil when out of range.
    public func piece(for id: Int32) -> String? {
        switch engine {
        case .sentencePiece(let sp):
            return id >= 0 && Int(id) < sp.table.count ? sp.table.piece(Int(id)) : nil
        case .huggingFace(let hf):
            return hf.token(for: id)
        }
    }

    /// The id of a piece (token string), or nil when it is not in the vocabulary.
    public func id(for piece: String) -> Int32? {
        switch engine {
        case .sentencePiece(let sp): return sp.id(for: piece.utf8)
        case .huggingFace(let hf): return hf.id(for: piece)
        }
    }
}
