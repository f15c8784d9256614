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

    /// The reference behaviour of the file format, holding the model.
    let behavior: any TokenizerBehavior
    /// The file this tokenizer was loaded from.
    public let path: String

    init(behavior: any TokenizerBehavior, path: String) {
        self.behavior = behavior
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

    /// The file ``load(path:)`` reads for `path`: `path` itself, or for a directory its
    /// `tokenizer.json`, else its only `.model` file (the one directory rule; ``VocabularyFile``
    /// follows it too).
    public static func resolve(path: String) throws(TokenizerError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return path }
        let json = (path as NSString).appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json) { return json }
        let models = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".model") }.sorted()
        guard models.count == 1 else {
            throw .unreadable(path: path, reason: models.isEmpty
                ? "the directory holds neither tokenizer.json nor a .model file"
                : "the directory holds several .model files (\(models.joined(separator: ", "))); name one")
        }
        return (path as NSString).appendingPathComponent(models[0])
    }

    /// The trie the model searches, if it uses one (tests compare built and cached ones).
    var vocabularyTrie: DoubleArrayTrie? { behavior.model.vocabularyTrie }

    /// ``load(path:)`` with an explicit trie cache (tests use temporary ones).
    static func load(path: String, trieCache: TrieCache) throws(TokenizerError) -> Tokenizer {
        let path = try resolve(path: path)
        // The one place the file format decides the behaviour.
        if path.hasSuffix(".json") {
            return Tokenizer(behavior: try HuggingFaceTokenizer(contentsOf: path, trieCache: trieCache), path: path)
        }
        let file = try SentencePieceModelFile(contentsOf: path, cache: JSONValueCache(trieCache))
        return Tokenizer(behavior: try SentencePieceTokenizer(file: file, trieCache: trieCache), path: path)
    }

    /// The file format this tokenizer follows.
    public var format: Format { behavior.format }

    /// The vocabulary, read-only.
    public var vocabulary: Vocabulary { behavior.vocabulary }

    /// Number of ids (for tokenizer.json: the model vocabulary plus added tokens beyond it).
    public var vocabularySize: Int { behavior.vocabulary.count }

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
        try behavior.encode(text, addSpecialTokens: addSpecialTokens, into: &output, workspace: &workspace)
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
        try behavior.decode(ids, skipSpecialTokens: skipSpecialTokens)
    }

    /// The token ids that written integers (for example a JSON array of ids) stand for, as the
    /// reference library takes them: tokenizer.json ids are `u32` (negative or too large ones
    /// are an error, unmappable ones are dropped by decode), sentencepiece refuses any id
    /// outside the vocabulary.
    public func tokenIDs(_ values: [Int64]) throws(TokenizerError) -> [Int32] {
        try behavior.tokenIDs(values)
    }

    /// Decodes ids to a string the way the reference library does.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) throws(TokenizerError) -> String {
        String(decoding: try decodeUTF8(ids, skipSpecialTokens: skipSpecialTokens), as: UTF8.self)
    }

    /// sentencepiece's `bos_id()` (a control piece); for tokenizer.json, the id of the
    /// `bos_token` declared in `tokenizer_config.json` / `special_tokens_map.json` beside it.
    public var bosID: Int32? { behavior.vocabulary.specialIDs.bos }

    /// sentencepiece's `eos_id()`; for tokenizer.json, the declared `eos_token`'s id.
    public var eosID: Int32? { behavior.vocabulary.specialIDs.eos }

    /// sentencepiece's `pad_id()`; for tokenizer.json, the declared `pad_token`'s id.
    public var padID: Int32? { behavior.vocabulary.specialIDs.pad }

    /// sentencepiece's `unk_id()`; for tokenizer.json, the model's `unk_id`.
    public var unknownID: Int32? { behavior.vocabulary.specialIDs.unknown }

    /// The ids `addSpecialTokens` adds around a text through a tokenizer.json post-processor
    /// (empty for sentencepiece models, whose BOS/EOS are ``bosID``/``eosID``, and for files
    /// without a `TemplateProcessing`).
    public var postProcessorSpecialIDs: [Int32] { postProcessorAffixes.prefix + postProcessorAffixes.suffix }

    /// ``postProcessorSpecialIDs`` split at the text: the ids before it and after it (llm-jp's
    /// tokenizer.json: none before, `<EOD|LLM-jp>` after).
    public var postProcessorAffixes: (prefix: [Int32], suffix: [Int32]) { behavior.postProcessorAffixes }

    /// The piece (token string) of `id`, or nil when out of range.
    public func piece(for id: Int32) -> String? { behavior.vocabulary.piece(id) }

    /// The id of a piece (token string) as the reference library resolves it, or nil when it is
    /// not in the vocabulary.
    public func id(for piece: String) -> Int32? { behavior.vocabulary.id(for: piece) }

    /// A description of the loaded tokenizer.
    public var summary: TokenizerSummary { behavior.summary }
}
