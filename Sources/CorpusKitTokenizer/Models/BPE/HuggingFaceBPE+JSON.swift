import Foundation

/// Reading a BPE model from its tokenizer.json `model` object (tokenizers' `BPEVisitor`).
extension HuggingFaceBPE {
    /// The model and its vocabulary from `{"type": "BPE", "vocab": {piece: id, …}, "merges": […], …}`;
    /// `merges` as `"a b"` strings (`#version` lines skipped) or `["a", "b"]` pairs. `chunking: false`
    /// merges each word whole (the tests compare the two).
    static func load(json model: [String: Any], chunking: Bool = true) throws(TokenizerError) -> (HuggingFaceBPE, PieceTable) {
        if let dropout = model["dropout"], !(dropout is NSNull) {
            guard let value = (dropout as? Double) ?? (dropout as? Int).map(Double.init), value == 0 else {
                throw .unsupported("BPE dropout \(dropout) (only null or 0: encoding must be deterministic)")
            }
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[key], !(value is NSNull) { throw .unsupported("BPE \(key) \(value)") }
        }
        let table = try readVocabulary(model["vocab"])
        let index = PieceIndex(table: table)
        let entries = try readMerges(model["merges"], index: index)
        var unknownToken: String?
        if let unk = model["unk_token"], !(unk is NSNull) {
            guard let string = unk as? String else { throw .malformedModel("BPE unk_token is not a string") }
            unknownToken = string
        }
        func flag(_ key: String) throws(TokenizerError) -> Bool {
            guard let value = model[key], !(value is NSNull) else { return false }
            guard let bool = value as? Bool else { throw .malformedModel("BPE \(key) is not a boolean") }
            return bool
        }
        let bpe = HuggingFaceBPE(table: table, vocabulary: index, merges: BPEPairTable(entries), mergeList: entries, unknownToken: unknownToken,
                                 byteFallback: try flag("byte_fallback"), fuseUnknown: try flag("fuse_unk"),
                                 ignoreMerges: try flag("ignore_merges"), chunking: chunking)
        return (bpe, table)
    }

    /// `{piece: id}` as a table by id (ids must be 0 ..< count). The one reader of a tokenizer.json
    /// `{piece: id}` vocabulary (``VocabularyFile`` reads WordPiece and WordLevel ones with it too).
    static func readVocabulary(_ value: Any?) throws(TokenizerError) -> PieceTable {
        var compact: JSONDocumentParser.StringIntegerMembers
        if let members = value as? JSONDocumentParser.StringIntegerMembers {
            compact = members
        } else if let object = value as? [String: Any] {
            // Only when the parser did not make it compact (an empty vocab).
            compact = JSONDocumentParser.StringIntegerMembers()
            for (piece, rawID) in object {
                guard let id = rawID as? Int else { throw .malformedModel("BPE vocab: the id of \(piece.debugDescription) is not an integer") }
                compact.blob.append(contentsOf: piece.utf8)
                compact.offsets.append(Int32(compact.blob.count))
                compact.integers.append(id)
            }
        } else {
            throw .malformedModel("the BPE vocab is not an object of piece: integer id")
        }
        // The pieces copied into one blob in id order.
        let count = compact.count
        let member: [Int32]
        switch compact.membersByValue() {
        case .success(let order): member = order
        case .failure(.outOfRange(let i)):
            throw .malformedModel("BPE vocab id \(compact.integers[i]) is outside 0..<\(count) (gaps are not supported)")
        case .failure(.shared(let id, let first, let second)):
            throw .malformedModel("BPE vocab: \(String(decoding: compact.key(first), as: UTF8.self).debugDescription) and \(String(decoding: compact.key(second), as: UTF8.self).debugDescription) share id \(id)")
        }
        var blob: [UInt8] = []
        blob.reserveCapacity(compact.blob.count)
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(count + 1)
        for i in member {
            blob.append(contentsOf: compact.key(Int(i)))
            offsets.append(Int32(blob.count))
        }
        return PieceTable(blob: blob, offsets: offsets, scores: [Double](repeating: 0, count: count),
                          types: [PieceType](repeating: .normal, count: count))
    }

    /// `merges` as the file writes them, in order (each pair's two pieces adjacent in the blob):
    /// `"a b"` strings (tokenizers' `convert_merges_to_hashmap`: `#version` lines skipped, then one
    /// space) or `["a", "b"]` pairs. The one reader of tokenizer.json merges.
    static func readMergePairs(_ value: Any?) throws(TokenizerError) -> JSONDocumentParser.StringPairs {
        if let compact = value as? JSONDocumentParser.StringPairs { return compact }
        guard let list = value as? [Any] else { throw .malformedModel("the BPE merges are not a list") }
        var pairs = JSONDocumentParser.StringPairs()
        func append(_ a: Substring.UTF8View, _ b: Substring.UTF8View) {
            pairs.blob.append(contentsOf: a)
            pairs.offsets.append(Int32(pairs.blob.count))
            pairs.blob.append(contentsOf: b)
            pairs.offsets.append(Int32(pairs.blob.count))
        }
        if list.allSatisfy({ $0 is String }) {
            for item in list {
                let line = item as! String
                if line.hasPrefix("#version") { continue }
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw .malformedModel("BPE merges line \(pairs.count + 1) (\(line.debugDescription)) is not two pieces separated by one space")
                }
                append(parts[0].utf8, parts[1].utf8)
            }
        } else {
            for (i, item) in list.enumerated() {
                guard let pair = item as? [Any], pair.count == 2, let a = pair[0] as? String, let b = pair[1] as? String else {
                    throw .malformedModel("BPE merges[\(i)] is neither \"a b\" nor [\"a\", \"b\"]")
                }
                append(a[...].utf8, b[...].utf8)
            }
        }
        return pairs
    }

    /// `merges` in order: `(left id, right id, rank, merged id)`.
    private static func readMerges(_ value: Any?, index: PieceIndex) throws(TokenizerError)
        -> [(left: Int32, right: Int32, rank: UInt32, merged: Int32)] {
        let pairs = try readMergePairs(value)
        // Each pair's two strings are adjacent in the blob, so the merged piece is the span of both.
        var entries: [(left: Int32, right: Int32, rank: UInt32, merged: Int32)] = []
        entries.reserveCapacity(pairs.count)
        var missing: (rank: Int, piece: String)?
        pairs.blob.withUnsafeBufferPointer { blob in
            guard let base = blob.baseAddress else { return }
            for rank in 0..<pairs.count {
                let a = Int(pairs.offsets[2 * rank]), b = Int(pairs.offsets[2 * rank + 1]), c = Int(pairs.offsets[2 * rank + 2])
                guard let left = index.id(base + a, count: b - a) else { missing = (rank, String(decoding: blob[a..<b], as: UTF8.self)); return }
                guard let right = index.id(base + b, count: c - b) else { missing = (rank, String(decoding: blob[b..<c], as: UTF8.self)); return }
                guard let merged = index.id(base + a, count: c - a) else { missing = (rank, String(decoding: blob[a..<c], as: UTF8.self)); return }
                entries.append((left, right, UInt32(rank), merged))
            }
        }
        if let missing { throw .malformedModel("BPE merges[\(missing.rank)]: \(missing.piece.debugDescription) is not in the vocabulary") }
        return entries
    }
}
