import Foundation
import CorpusKitTokenizer

/// The pieces offered for an extension, in their order: the normal pieces of a sentencepiece
/// `.model` (e.g. one trained by `spm_train` on the new language), or the lines of a piece list
/// (`piece` or `piece<TAB>score`, as the trainer's `.vocab` file; scores are read and checked but
/// not used: the extension gives its own).
public struct AddedPieces: Sendable {
    public let path: String
    /// Candidate pieces in file order.
    public let pieces: [String]
    /// Pieces of a `.model` that are not normal (control, unknown, byte, …), never added.
    public let notNormal: Int

    public init(path: String) throws(VocabError) {
        self.path = path
        if path.hasSuffix(".model") {
            let file: SentencePieceModelFile
            do { file = try SentencePieceModelFile(contentsOf: path) } catch { throw .model(path: path, error) }
            var pieces: [String] = []
            var notNormal = 0
            for index in 0..<file.pieceCount {
                if file.types[index] == .normal {
                    pieces.append(String(decoding: file.piece(index), as: UTF8.self))
                } else {
                    notNormal += 1
                }
            }
            self.pieces = pieces
            self.notNormal = notNormal
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .tokenizer(.unreadable(path: path, reason: "no such file or not readable"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .badPieceLine(path: path, line: 1, reason: "the piece list is not UTF-8")
        }
        var pieces: [String] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        for (index, line) in lines.enumerated() {
            let number = index + 1
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count <= 2 else { throw .badPieceLine(path: path, line: number, reason: "more than two tab-separated columns") }
            let piece = String(columns[0])
            guard !piece.isEmpty else { throw .badPieceLine(path: path, line: number, reason: "empty piece") }
            if piece.unicodeScalars.contains(where: { $0 == " " || $0 == "\r" || $0 == "\0" }) {
                throw .badPieceLine(path: path, line: number, reason: "piece \(piece.debugDescription) contains a space, carriage return or NUL (write U+2581 ▁ for a space)")
            }
            if columns.count == 2, Double(columns[1]) == nil {
                throw .badPieceLine(path: path, line: number, reason: "score \(String(columns[1]).debugDescription) is not a number")
            }
            pieces.append(piece)
        }
        guard !pieces.isEmpty else { throw .badPieceLine(path: path, line: 1, reason: "the piece list is empty") }
        self.pieces = pieces
        self.notNormal = 0
    }
}
