import Foundation
import CorpusKitSystem
import CorpusKitTokenizer

/// A Swallow-style vocabulary extension: the base sentencepiece model with the offered pieces it
/// lacks appended, and the Hugging Face files transformers' conversion of the result would write.
///
/// - Base pieces keep their ids, scores, types and the specials; the proto's other fields are
///   kept byte for byte (``SentencePieceModelWriter``).
/// - New pieces follow in the offered order with scores `lowest − 1 − i` (i = 0, 1, …), `lowest`
///   being the base's lowest score above −10⁶. For BPE, merges are ranked by score, so every base
///   merge keeps priority over every new one and text the new pieces cannot match segments as
///   before; a few Llama 2 whitespace runs carry −10⁹ ("never merged"), left aside because float32
///   has no room below them. For Unigram the new pieces are the least likely ones.
/// - `tokenizer.json` and `tokenizer_config.json` are ``TransformersConversion`` of the result.
public struct VocabularyExtension: Sendable {
    public let basePath: String
    public let base: SentencePieceModelFile
    public let addition: AddedPieces
    /// The pieces appended, with their scores.
    public let added: [SentencePieceModelWriter.Piece]
    /// Offered normal pieces already in the base (any type) or offered twice.
    public let alreadyPresent: Int
    /// For a BPE base: added pieces of more than one character that no split into two pieces of
    /// the extended vocabulary produces, so BPE can never emit them.
    public let unreachable: [String]
    private let serializedBase: Data

    /// The files written into the output directory.
    public static let fileNames = ["tokenizer.model", "tokenizer.json", "tokenizer_config.json"]

    public init(base basePath: String, add additionPath: String) throws(VocabError) {
        self.basePath = basePath
        do {
            serializedBase = try Data(contentsOf: URL(fileURLWithPath: basePath))
        } catch {
            throw .tokenizer(.unreadable(path: basePath, reason: error.localizedDescription))
        }
        do { base = try SentencePieceModelFile(serialized: serializedBase) } catch { throw .model(path: basePath, error) }
        guard base.trainerSpec.rawModelType == 1 || base.trainerSpec.rawModelType == 2 else {
            throw .unsupportedBase(path: basePath, modelType: base.trainerSpec.modelType.description)
        }
        addition = try AddedPieces(path: additionPath)
        // Byte keys: Swift's String equality is canonical equivalence, and "ί" (U+1F77) and "ί"
        // (U+03AF) are two Llama 2 pieces.
        var existing = Set<[UInt8]>()
        var lowest = Float.infinity
        var normal = Set<[UInt8]>()
        for index in 0..<base.pieceCount {
            let piece = Array(base.piece(index))
            existing.insert(piece)
            if base.types[index] == .normal { normal.insert(piece) }
            if base.scores[index] > -1e6 { lowest = min(lowest, base.scores[index]) }
        }
        if lowest == .infinity { lowest = 0 }
        var added: [SentencePieceModelWriter.Piece] = []
        var present = 0
        for piece in addition.pieces {
            guard existing.insert(Array(piece.utf8)).inserted else { present += 1; continue }
            // Computed in double and stored as float32, as protobuf's Python `score = …` does.
            added.append(.init(text: piece, score: Float(Double(lowest) - 1 - Double(added.count))))
            normal.insert(Array(piece.utf8))
        }
        guard !added.isEmpty else { throw .nothingToAdd(path: additionPath) }
        self.added = added
        alreadyPresent = present
        if base.trainerSpec.rawModelType == 2 {
            unreachable = added.map(\.text).filter { text in
                let piece = Array(text.utf8)
                let splits = (1..<max(piece.count, 1)).filter { piece[$0] & 0xC0 != 0x80 }
                return !splits.isEmpty && !splits.contains { normal.contains(Array(piece[..<$0])) && normal.contains(Array(piece[$0...])) }
            }
        } else {
            unreachable = []
        }
    }

    /// The extended `ModelProto`, serialized.
    public func extendedModel() throws(VocabError) -> Data {
        do { return try SentencePieceModelWriter.appending(added, to: serializedBase) } catch { throw .tokenizer(error) }
    }

    /// Writes `tokenizer.model`, `tokenizer.json` and `tokenizer_config.json` into `directory`
    /// (created if needed), each under a temporary name first; returns their paths.
    @discardableResult
    public func write(to directory: String) throws(VocabError) -> [String] {
        let model = try extendedModel()
        let file: SentencePieceModelFile
        do {
            file = try SentencePieceModelFile(serialized: model)
        } catch {
            throw .tokenizer(error)
        }
        let conversion = TransformersConversion(file: file)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .tokenizer(.unreadable(path: directory, reason: "cannot create the directory: \(error.localizedDescription)"))
        }
        let paths = Self.fileNames.map { (directory as NSString).appendingPathComponent($0) }
        do {
            try AtomicFile.write([UInt8](model), to: paths[0])
            try AtomicFile.write(conversion.tokenizerJSON(), to: paths[1])
            try AtomicFile.write(conversion.tokenizerConfigJSON(), to: paths[2])
        } catch {
            throw .system(error)
        }
        return paths
    }

    /// A short account: what the base and the addition hold, what is appended where.
    public var summary: String {
        let first = base.pieceCount
        var lines = [
            "base: \(basePath) (\(base.trainerSpec.modelType), \(first) pieces)",
            "add: \(addition.path) (\(addition.pieces.count) normal pieces offered"
                + (addition.notNormal > 0 ? ", \(addition.notNormal) non-normal ignored" : "") + ")",
            "added: \(added.count) pieces, ids \(first)–\(first + added.count - 1), scores \(added.first!.score) … \(added.last!.score)"
                + "; \(alreadyPresent) already in the base",
            "extended vocabulary: \(first + added.count) pieces",
        ]
        if !unreachable.isEmpty {
            lines.append("warning: \(unreachable.count) added pieces can never be produced by BPE merges (no split into two pieces of the vocabulary), e.g. \(unreachable.prefix(5).map(\.debugDescription).joined(separator: ", "))")
        }
        lines.append("first added: " + added.prefix(10).map { $0.text.debugDescription }.joined(separator: " "))
        return lines.joined(separator: "\n")
    }
}
