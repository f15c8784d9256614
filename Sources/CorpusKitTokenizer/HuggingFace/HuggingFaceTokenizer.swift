/// The HF tokenizers behaviour: a `tokenizer.json`, encoded and decoded as
/// `tokenizers.Tokenizer` (v0.2x) does — added tokens split out of the raw text, the normalizer,
/// added tokens split out of the normalized text, the pre-tokenizer, the model the file names
/// (``ModelRegistry``) on each piece, the post-processor, and the decoder chain.
struct HuggingFaceTokenizer: TokenizerBehavior {
    let vocabulary: Vocabulary
    let model: any SegmentationModel
    let normalizer: HuggingFaceNormalizer?
    let preTokenizer: HuggingFacePreTokenizer?
    let decoder: HuggingFaceDecoder?
    let postProcessor: HuggingFacePostProcessor?
    /// Splits raw text on added tokens with `normalized: false`.
    let rawSplitter: AddedTokenSplitter?
    /// Splits normalized text on added tokens with `normalized: true`.
    let normalizedSplitter: AddedTokenSplitter?
    /// Contents of special added tokens (decode skips any token with such a string).
    let specialContents: Set<[UInt8]>

    var format: Tokenizer.Format { .huggingFace }
    var postProcessorAffixes: (prefix: [Int32], suffix: [Int32]) { postProcessor?.affixes ?? ([], []) }

    init(contentsOf path: String, trieCache: TrieCache = .default) throws(TokenizerError) {
        let file = try HuggingFaceTokenizerFile(contentsOf: path, trieCache: trieCache)
        model = file.model
        normalizer = file.normalizer
        preTokenizer = file.preTokenizer
        decoder = file.decoder
        postProcessor = file.postProcessor

        var raw: [AddedTokenSplitter.Token] = []
        var normalized: [AddedTokenSplitter.Token] = []
        var specials = Set<[UInt8]>()
        for token in file.addedTokens {
            let bytes = Array(token.content.utf8)
            if token.special { specials.insert(bytes) }
            guard !bytes.isEmpty else { continue }
            if token.normalized {
                let pattern = file.normalizer?.apply(bytes) ?? bytes
                if !pattern.isEmpty { normalized.append(.init(pattern: pattern, added: token)) }
            } else {
                raw.append(.init(pattern: bytes, added: token))
            }
        }
        rawSplitter = AddedTokenSplitter(tokens: raw)
        normalizedSplitter = AddedTokenSplitter(tokens: normalized)
        specialContents = specials
        let plain = Vocabulary(table: file.table, addedTokens: file.addedTokens, specialIDs: .init(unknown: file.unknownID), rule: .huggingFace)
        let configured = try HuggingFaceSpecialTokensFile(nextTo: path)
        vocabulary = plain.with(specialIDs: .init(bos: configured.bos.flatMap(plain.scanID(for:)), eos: configured.eos.flatMap(plain.scanID(for:)),
                                                  pad: configured.pad.flatMap(plain.scanID(for:)), unknown: file.unknownID))
    }

    /// `tokenizer.encode(text, add_special_tokens:).ids`.
    func encode(_ text: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool,
                into output: inout [Int32], workspace: inout EncodingWorkspace) throws(TokenizerError) {
        var sequence: [Int32] = []
        if let rawSplitter {
            for piece in rawSplitter.split(text) {
                switch piece {
                case .token(let id, _): sequence.append(id)
                case .text(let range):
                    guard !range.isEmpty else { continue }
                    try encodeSegment(Array(text[range]), startsText: range.lowerBound == 0, into: &sequence, workspace: &workspace)
                }
            }
        } else if text.count > 0 {
            try encodeSegment(Array(text), startsText: true, into: &sequence, workspace: &workspace)
        }
        if addSpecialTokens, let postProcessor {
            postProcessor.apply(sequence, into: &output)
        } else {
            output.append(contentsOf: sequence)
        }
    }

    /// Normalizes one plain-text segment, splits it on normalized added tokens, pre-tokenizes
    /// and runs the model on each piece.
    private func encodeSegment(_ segment: [UInt8], startsText: Bool, into output: inout [Int32],
                               workspace: inout EncodingWorkspace) throws(TokenizerError) {
        let normalized = normalizer?.apply(segment) ?? segment
        guard !normalized.isEmpty else { return }
        var splits: [(HuggingFacePreTokenizer.Split?, Int32?)] = []
        if let normalizedSplitter {
            let pieces = normalized.withUnsafeBufferPointer { normalizedSplitter.split($0) }
            for piece in pieces {
                switch piece {
                case .token(let id, _): splits.append((nil, id))
                case .text(let range):
                    guard !range.isEmpty else { continue }
                    splits.append((.init(bytes: Array(normalized[range]), startsText: startsText && range.lowerBound == 0), nil))
                }
            }
        } else {
            splits.append((.init(bytes: normalized, startsText: startsText), nil))
        }
        for (split, tokenID) in splits {
            if let tokenID { output.append(tokenID); continue }
            guard let split else { continue }
            let pieces = preTokenizer?.apply([split]) ?? [split]
            for piece in pieces where !piece.bytes.isEmpty {
                try piece.bytes.withUnsafeBufferPointer { (buffer) throws(TokenizerError) in
                    try model.segment(buffer, into: &output, scratch: &workspace.model)
                }
            }
        }
    }

    /// HF tokenizers takes `u32` ids: a negative id or one of 2^32 and above is an
    /// `OverflowError`; ids it cannot map to a token (any id of 2^31 and above is beyond every
    /// vocabulary) are dropped by its decode.
    func tokenIDs(_ values: [Int64]) throws(TokenizerError) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(values.count)
        for value in values {
            guard value >= 0, value <= Int64(UInt32.max) else { throw .notATokenID(value) }
            if let id = Int32(exactly: value) { ids.append(id) }
        }
        return ids
    }

    /// `tokenizer.decode(ids, skip_special_tokens:)`.
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) throws(TokenizerError) -> [UInt8] {
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let bytes = vocabulary.bytes(id) else { continue }   // HF drops ids it cannot map
            let token = Array(bytes)
            if skipSpecialTokens && specialContents.contains(token) { continue }
            tokens.append(token)
        }
        guard let decoder else {
            return Array(tokens.joined(separator: [0x20]))
        }
        return decoder.decodeChain(tokens).flatMap { $0 }
    }

    var summary: TokenizerSummary {
        TokenizerSummary(format: .huggingFace, modelType: model.typeName, vocabularySize: vocabulary.count,
                         byteFallback: model.byteFallback, normalizer: normalizer?.summary ?? "none",
                         preTokenizer: preTokenizer?.summary ?? "none", decoder: decoder?.summary ?? "none",
                         postProcessor: postProcessor?.summary(name: { self.vocabulary.piece($0) ?? "\($0)" }) ?? "none",
                         specialTokens: vocabulary.addedTokens.filter(\.special).map { ($0.content, $0.id) })
    }
}
