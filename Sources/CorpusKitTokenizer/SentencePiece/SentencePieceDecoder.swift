/// sentencepiece's `DecodeOptimized` for ids: byte pieces are gathered and turned into UTF-8
/// (each invalid byte becomes U+FFFD), control pieces vanish, `<unk>` becomes the unknown
/// surface, U+2581 becomes a space, and one leading U+2581 of the text is dropped when the
/// model adds a dummy prefix.
struct SentencePieceDecoder: Sendable {
    let table: PieceTable
    let unknownSurface: [UInt8]
    let dropsLeadingSpace: Bool
    let removeExtraWhitespaces: Bool
    let unknownID: Int32

    func decode(_ ids: [Int32]) throws(TokenizerError) -> [UInt8] {
        var output: [UInt8] = []
        var byteQueue: [UInt8] = []
        var isBeginningOfText = true

        func flushBytes() {
            guard !byteQueue.isEmpty else { return }
            byteQueue.withUnsafeBufferPointer { buffer in
                let base = buffer.baseAddress!
                var offset = 0
                while offset < buffer.count {
                    if let length = UTF8Scalars.validCharacterLength(base, at: offset, end: buffer.count) {
                        output.append(contentsOf: buffer[offset..<offset + length])
                        offset += length
                    } else {
                        output.append(contentsOf: UTF8Scalars.replacementCharacter)
                        offset += 1
                    }
                }
            }
            byteQueue.removeAll(keepingCapacity: true)
        }

        for id in ids {
            guard id >= 0 && Int(id) < table.count else { throw .idOutOfRange(id: Int(id), vocabularySize: table.count) }
            let type = table.types[Int(id)]
            var piece = table.bytes(Int(id))
            if type == .byte, let byte = Self.byteValue(piece) {
                byteQueue.append(byte)
                continue
            }
            flushBytes()
            if !output.isEmpty { isBeginningOfText = false }
            if type == .control { continue }
            var hadLeadingSpace = false
            if isBeginningOfText && dropsLeadingSpace && piece.starts(with: UTF8Scalars.spaceSymbol) {
                piece = piece.dropFirst(3)
                hadLeadingSpace = !removeExtraWhitespaces
            }
            if type == .unknown || id == unknownID {
                output.append(contentsOf: unknownSurface)
            } else {
                Self.appendReplacingSpaceSymbol(piece, to: &output)
            }
            if hadLeadingSpace || !output.isEmpty { isBeginningOfText = false }
        }
        flushBytes()
        return output
    }

    /// The byte of a `<0xXX>` piece: sentencepiece's `PieceToByte` accepts exactly the form
    /// `ByteToPiece` writes (two upper-case hex digits).
    static func byteValue<C: Collection>(_ piece: C) -> UInt8? where C.Element == UInt8 {
        guard piece.count == 6 else { return nil }
        let p = Array(piece)
        guard p[0] == 0x3C, p[1] == 0x30, p[2] == 0x78, p[5] == 0x3E,
              let high = upperHexValue(p[3]), let low = upperHexValue(p[4]) else { return nil }
        return high << 4 | low
    }

    private static func upperHexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    static func appendReplacingSpaceSymbol(_ piece: ArraySlice<UInt8>, to output: inout [UInt8]) {
        var i = piece.startIndex
        while i < piece.endIndex {
            if piece[i] == 0xE2 && i + 2 < piece.endIndex && piece[i + 1] == 0x96 && piece[i + 2] == 0x81 {
                output.append(0x20)
                i += 3
            } else {
                output.append(piece[i])
                i += 1
            }
        }
    }
}
