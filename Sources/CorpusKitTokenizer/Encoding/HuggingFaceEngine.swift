/// A tokenizer loaded from a HF `tokenizer.json` with a Unigram model: reproduces
/// `tokenizers.Tokenizer.encode` / `decode` (v0.2x).
struct HuggingFaceEngine: Sendable {
    let table: PieceTable
    let unigram: HuggingFaceUnigram
    let normalizer: HuggingFaceNormalizer?
    let preTokenizer: HuggingFacePreTokenizer?
    let decoder: HuggingFaceDecoder?
    let template: [HuggingFaceTokenizerFile.TemplatePiece]?
    /// Splits raw text on added tokens with `normalized: false`.
    let rawSplitter: AddedTokenSplitter?
    /// Splits normalized text on added tokens with `normalized: true`.
    let normalizedSplitter: AddedTokenSplitter?
    /// Added tokens by id (they win over the model vocabulary when decoding).
    let addedTokenContent: [Int32: [UInt8]]
    /// Contents of special added tokens (decode skips any token with such a string).
    let specialContents: Set<[UInt8]>
    /// Token bytes to id (keyed by bytes: `String` equality would merge canonically equivalent tokens).
    let addedTokenIDs: [[UInt8]: Int32]
    let vocabularySize: Int
    let summary: (normalizer: String, preTokenizer: String, decoder: String, specialTokens: [(String, Int32)])

    init(contentsOf path: String, trieCache: TrieCache = .default) throws(TokenizerError) {
        let file = try HuggingFaceTokenizerFile(contentsOf: path)
        table = PieceTable(blob: file.vocabulary.blob, offsets: file.vocabulary.offsets, scores: file.vocabulary.scores,
                           types: [PieceType](repeating: .normal, count: file.vocabulary.scores.count))
        unigram = HuggingFaceUnigram(table: table, unknownID: file.unknownID, byteFallback: file.byteFallback, trieCache: trieCache)
        normalizer = file.normalizer
        preTokenizer = file.preTokenizer
        decoder = file.decoder
        template = file.template

        var raw: [AddedTokenSplitter.Token] = []
        var normalized: [AddedTokenSplitter.Token] = []
        var content: [Int32: [UInt8]] = [:]
        var specials = Set<[UInt8]>()
        var addedIDs: [[UInt8]: Int32] = [:]
        for token in file.addedTokens {
            let bytes = Array(token.content.utf8)
            content[token.id] = bytes
            addedIDs[bytes] = token.id
            if token.special { specials.insert(bytes) }
            guard !bytes.isEmpty else { continue }
            if token.normalized {
                let pattern = file.normalizer?.apply(bytes) ?? bytes
                if !pattern.isEmpty {
                    normalized.append(.init(id: token.id, content: pattern, singleWord: token.singleWord,
                                            leftStrip: token.leftStrip, rightStrip: token.rightStrip))
                }
            } else {
                raw.append(.init(id: token.id, content: bytes, singleWord: token.singleWord,
                                 leftStrip: token.leftStrip, rightStrip: token.rightStrip))
            }
        }
        rawSplitter = AddedTokenSplitter(tokens: raw)
        normalizedSplitter = AddedTokenSplitter(tokens: normalized)
        addedTokenContent = content
        specialContents = specials
        addedTokenIDs = addedIDs
        vocabularySize = max(table.count, (content.keys.max().map { Int($0) + 1 }) ?? 0)
        summary = (file.normalizer?.summary ?? "none", file.preTokenizer?.summary ?? "none", file.decoder?.summary ?? "none",
                   file.addedTokens.filter(\.special).map { ($0.content, $0.id) })
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
        if addSpecialTokens, let template {
            for piece in template {
                switch piece {
                case .sequence: output.append(contentsOf: sequence)
                case .special(let ids): output.append(contentsOf: ids)
                }
            }
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
                    try unigram.encode(buffer, into: &output, scratch: &workspace.doubleScratch)
                }
            }
        }
    }

    /// `tokenizer.decode(ids, skip_special_tokens:)`.
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) throws(TokenizerError) -> [UInt8] {
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            let token: [UInt8]
            if let added = addedTokenContent[id] {
                token = added
            } else if id >= 0 && Int(id) < table.count {
                token = Array(table.bytes(Int(id)))
            } else {
                continue   // HF drops ids it cannot map
            }
            if skipSpecialTokens && specialContents.contains(token) { continue }
            tokens.append(token)
        }
        guard let decoder else {
            return Array(tokens.joined(separator: [0x20]))
        }
        return decoder.decodeChain(tokens).flatMap { $0 }
    }

    func token(for id: Int32) -> String? {
        if let added = addedTokenContent[id] { return String(decoding: added, as: UTF8.self) }
        guard id >= 0 && Int(id) < table.count else { return nil }
        return table.piece(Int(id))
    }

    func id(for token: String) -> Int32? {
        addedTokenIDs[Array(token.utf8)] ?? unigram.trie.lookup(token.utf8)   // the trie keeps HF's last-id-wins
    }
}
