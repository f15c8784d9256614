#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitShards
import CorpusKitTokenizer

/// Per-thread scratch storage for ``DocumentEncoder``: the tokenizer workspace and buffers.
public struct EncoderScratch {
    var workspace = EncodingWorkspace()
    var rewritten: [UInt8] = []
    var specialPositions: [Int] = []

    /// Creates empty scratch storage.
    public init() {}
}

/// Turns one document's text into the token ids `preprocess_data.py` writes for it, following
/// the semantics of one ``MegatronTokenizerType`` (and `--append-eod`).
///
/// Immutable and `Sendable`: share one between threads, with one ``EncoderScratch`` per thread.
public struct DocumentEncoder: Sendable {
    /// The underlying tokenizer.
    public let tokenizer: Tokenizer
    /// The Megatron wrapper being reproduced.
    public let type: MegatronTokenizerType
    /// Whether an EOD id is appended to every non-empty document (`--append-eod`).
    public let appendEOD: Bool
    /// The wrapper's `vocab_size`, which decides the dtype.
    public let vocabularySize: Int
    /// The wrapper's `eod` id, when it has one.
    public let eodID: Int32?
    private let bosID: Int32?
    private let splitter: SpecialTokenSplitter?

    /// `SentencePieceTokenizer`'s special tokens in the order they are matched, with their ids (ids at
    /// or above the model's size were appended after its vocabulary); empty for the other types.
    public var specialTokens: [(text: String, id: Int32)] {
        guard let splitter else { return [] }
        return zip(splitter.tokens, splitter.ids).map { (String(decoding: $0.0, as: UTF8.self), $0.1) }
    }

    /// The ids the wrapper puts before a document's text ids: BOS for `Llama2Tokenizer`, the
    /// post-processor's leading specials for `HuggingFaceTokenizer`, else none.
    public var textPrefix: [Int32] {
        switch type {
        case .llama2: return [bosID!]
        case .huggingFace: return tokenizer.postProcessorAffixes.prefix
        default: return []
        }
    }

    /// The ids the wrapper puts after the text ids, before any appended EOD: the
    /// post-processor's trailing specials for `HuggingFaceTokenizer` (llm-jp: `<EOD|LLM-jp>`), else none.
    public var textSuffix: [Int32] { type == .huggingFace ? tokenizer.postProcessorAffixes.suffix : [] }

    /// The `.bin` element type: `uint16` when ``vocabularySize`` < 65,500, else `int32`.
    public var dtype: TokenDType { TokenDType.optimal(vocabularySize: vocabularySize) }

    /// Loads `modelPath` and wraps it. `HuggingFaceTokenizer` takes a `tokenizer.json` or a
    /// directory holding one; the others take a sentencepiece `.model` (``Tokenizer/load(path:)``
    /// resolves directories).
    public static func load(type: MegatronTokenizerType, modelPath: String, appendEOD: Bool) throws(MegatronTokenizerError) -> DocumentEncoder {
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer.load(path: modelPath)
        } catch {
            throw MegatronTokenizerError(path: modelPath, reason: error.description)
        }
        return try DocumentEncoder(tokenizer: tokenizer, type: type, appendEOD: appendEOD)
    }

    /// Wraps a loaded tokenizer.
    /// - Throws: ``MegatronTokenizerError`` when the file format does not fit the
    ///   type, or a token the type needs (BOS for Llama2, the EOD with `appendEOD`) is missing.
    public init(tokenizer: Tokenizer, type: MegatronTokenizerType, appendEOD: Bool) throws(MegatronTokenizerError) {
        func fail(_ reason: String) -> MegatronTokenizerError { MegatronTokenizerError(path: tokenizer.path, reason: reason) }
        if type.usesSentencePieceModel && tokenizer.format != .sentencePiece {
            throw fail("\(type) needs a sentencepiece .model file (use HuggingFaceTokenizer for tokenizer.json)")
        }
        if type == .huggingFace && tokenizer.format != .huggingFace {
            throw fail("HuggingFaceTokenizer needs a tokenizer.json (or a directory holding one)")
        }
        self.tokenizer = tokenizer
        self.type = type
        self.appendEOD = appendEOD
        var bosID: Int32?
        var eodID: Int32?
        var vocabularySize = tokenizer.vocabularySize
        var splitter: SpecialTokenSplitter?
        switch type {
        case .llama2:
            guard let bos = tokenizer.bosID else {
                throw fail("Llama2Tokenizer needs a BOS control piece (sp.bos_id() is -1 for this model)")
            }
            bosID = bos
            eodID = tokenizer.eosID
        case .gptSentencePiece:
            eodID = tokenizer.eosID
        case .japaneseSentencePiece:
            // sp.piece_to_id returns the unknown id for a missing piece.
            eodID = tokenizer.id(for: "</s>") ?? tokenizer.unknownID
        case .sentencePiece:
            let (tokens, eod, size) = Self.sentencePieceSpecials(tokenizer)
            splitter = SpecialTokenSplitter(tokens: tokens)
            eodID = eod
            vocabularySize = size
        case .huggingFace:
            // AutoTokenizer's eos_token: tokenizer_config.json / special_tokens_map.json beside the file.
            eodID = tokenizer.eosID
        }
        if appendEOD && eodID == nil {
            switch type {
            case .huggingFace:
                throw fail("appending an EOD needs an eos_token in tokenizer_config.json or special_tokens_map.json next to tokenizer.json, present in the vocabulary")
            default:
                throw fail("appending an EOD needs an EOS control piece (sp.eos_id() is -1 for this model)")
            }
        }
        self.bosID = bosID
        self.eodID = eodID
        self.vocabularySize = vocabularySize
        self.splitter = splitter
    }

    /// Megatron `SentencePieceTokenizer`'s special tokens in registration order with their ids,
    /// the `<EOD>` id, and the vocabulary size after appending the specials missing from the model.
    static func sentencePieceSpecials(_ tokenizer: Tokenizer) -> ([(String, Int32)], Int32, Int) {
        var size = tokenizer.vocabularySize
        var tokens: [(String, Int32)] = []
        var known: [String: Int32] = [:]
        func add(_ token: String) {
            if known[token] != nil { return }
            let id: Int32
            if let existing = tokenizer.id(for: token) {
                id = existing
            } else {
                id = Int32(size)
                size += 1
            }
            known[token] = id
            tokens.append((token, id))
        }
        add("<CLS>")
        add("<SEP>")
        add("<EOD>")
        add("<MASK>")
        // id_to_piece(pad_id()) etc.; an id of -1 raises IndexError and the fallback name is used.
        add(tokenizer.padID.flatMap { tokenizer.piece(for: $0) } ?? "<PAD>")
        add(tokenizer.bosID.flatMap { tokenizer.piece(for: $0) } ?? "<BOS>")
        add(tokenizer.eosID.flatMap { tokenizer.piece(for: $0) } ?? "<EOS>")
        return (tokens, known["<EOD>"]!, size)
    }

    /// Appends the token ids of one document (UTF-8 `text`) to `tokens`, EOD included, and returns
    /// how many were appended (0 for a document Megatron stores without sequences).
    ///
    /// Pass `isValidatedUTF8: true` only for text known to be valid UTF-8 (values extracted by
    /// CorpusKitReaders are): the tokenizer then skips its own validation pass.
    /// - Throws: ``TokenizerError`` when the text is not valid UTF-8.
    @discardableResult
    public func encode(
        _ text: UnsafeBufferPointer<UInt8>, isValidatedUTF8: Bool = false, into tokens: inout [Int32],
        scratch: inout EncoderScratch
    ) throws(TokenizerError) -> Int {
        let start = tokens.count
        let valid = isValidatedUTF8
        switch type {
        case .llama2:
            tokens.append(bosID!)
            try tokenizer.encode(utf8: text, isValidatedUTF8: valid, into: &tokens, workspace: &scratch.workspace)
        case .gptSentencePiece:
            try tokenizer.encode(utf8: text, isValidatedUTF8: valid, into: &tokens, workspace: &scratch.workspace)
        case .huggingFace:
            try tokenizer.encode(utf8: text, addSpecialTokens: true, isValidatedUTF8: valid, into: &tokens, workspace: &scratch.workspace)
        case .japaneseSentencePiece:
            try encodeJapanese(text, isValidatedUTF8: valid, into: &tokens, scratch: &scratch)
        case .sentencePiece:
            // Valid UTF-8 stays valid when cut at a special token: a valid UTF-8 needle only matches
            // at character boundaries.
            var positions = scratch.specialPositions
            defer { scratch.specialPositions = positions }
            try splitter!.split(text, positions: &positions, text: { (range: Range<Int>) throws(TokenizerError) in
                try tokenizer.encode(utf8: UnsafeBufferPointer(rebasing: text[range]), isValidatedUTF8: valid,
                                     into: &tokens, workspace: &scratch.workspace)
            }, special: { tokens.append($0) })
        }
        if appendEOD && tokens.count > start {
            tokens.append(eodID!)
        }
        return tokens.count - start
    }

    /// Encodes a string (convenience for tests and tools).
    public func encode(_ text: String) throws(TokenizerError) -> [Int32] {
        var tokens: [Int32] = []
        var scratch = EncoderScratch()
        var text = text
        let result: Result<Void, TokenizerError> = text.withUTF8 { bytes in
            do throws(TokenizerError) {
                try encode(bytes, into: &tokens, scratch: &scratch)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return tokens
    }

    /// `JapaneseSentencePiece`: `"\r\n"` becomes `"\n"` (Python `str.replace`, left to right), then `sp.encode`.
    private func encodeJapanese(
        _ text: UnsafeBufferPointer<UInt8>, isValidatedUTF8: Bool, into tokens: inout [Int32], scratch: inout EncoderScratch
    ) throws(TokenizerError) {
        guard Self.containsCRLF(text) else {
            try tokenizer.encode(utf8: text, isValidatedUTF8: isValidatedUTF8, into: &tokens, workspace: &scratch.workspace)
            return
        }
        var rewritten = scratch.rewritten
        rewritten.removeAll(keepingCapacity: true)
        rewritten.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if text[i] == 0x0D && i + 1 < text.count && text[i + 1] == 0x0A {
                i += 1
                continue
            }
            rewritten.append(text[i])
            i += 1
        }
        defer { scratch.rewritten = rewritten }
        // Dropping the "\r" of "\r\n" keeps valid UTF-8 valid.
        try rewritten.withUnsafeBufferPointer { (bytes) throws(TokenizerError) in
            try tokenizer.encode(utf8: bytes, isValidatedUTF8: isValidatedUTF8, into: &tokens, workspace: &scratch.workspace)
        }
    }

    private static func containsCRLF(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress, text.count >= 2 else { return false }
        var from = 0
        while from < text.count - 1, let found = memchr(base + from, 0x0D, text.count - 1 - from) {
            let index = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            if text[index + 1] == 0x0A { return true }
            from = index + 1
        }
        return false
    }
}
