#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// sentencepiece's `Normalizer::Normalize`: the optional precompiled charsmap, user-defined
/// symbols kept verbatim, whitespace escaping to U+2581, the dummy prefix, and
/// `remove_extra_whitespaces`.
struct SentencePieceNormalizer: Sendable {
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    let escapeWhitespaces: Bool
    let treatWhitespaceAsSuffix: Bool
    let charsmap: PrecompiledCharsmap?
    /// Longest-prefix matcher over the user-defined symbols (nil when there are none).
    let userDefinedSymbols: DoubleArrayTrie?

    init(spec: SentencePieceModelFile.NormalizerSpec, treatWhitespaceAsSuffix: Bool,
         userDefinedSymbols: DoubleArrayTrie?) throws(TokenizerError) {
        addDummyPrefix = spec.addDummyPrefix
        removeExtraWhitespaces = spec.removeExtraWhitespaces
        escapeWhitespaces = spec.escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        charsmap = spec.precompiledCharsmap.isEmpty ? nil : try PrecompiledCharsmap(spec.precompiledCharsmap)
        self.userDefinedSymbols = userDefinedSymbols
    }

    /// How one step of normalization rewrites a prefix of the input.
    private enum Rewrite {
        /// Copy `length` input bytes unchanged.
        case copy(length: Int)
        /// Emit `replacement` for `consumed` input bytes.
        case replace(ArraySlice<UInt8>, consumed: Int)
    }

    /// sentencepiece's `NormalizePrefix`.
    @inline(__always)
    private func rewritePrefix(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Rewrite {
        if let matcher = userDefinedSymbols {
            var longest = 0
            matcher.forEachPrefix(bytes, from: start, to: end) { length, _ in longest = length }
            if longest > 0 { return .copy(length: longest) }
        }
        if let charsmap, let match = charsmap.longestMatch(bytes, from: start, to: end) {
            return .replace(match.replacement, consumed: match.length)
        }
        if let length = UTF8Scalars.validCharacterLength(bytes, at: start, end: end) {
            return .copy(length: length)
        }
        return .replace(UTF8Scalars.replacementCharacter[...], consumed: 1)
    }

    /// Normalizes `input` into `output` (cleared first). Pass `inputIsValidUTF8` when the caller
    /// has validated the text (invalid bytes would otherwise become U+FFFD, as in sentencepiece).
    func normalize(_ input: UnsafeBufferPointer<UInt8>, inputIsValidUTF8: Bool = false, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        guard let bytes = input.baseAddress, input.count > 0 else { return }
        let end = input.count
        var position = 0
        let space: [UInt8] = escapeWhitespaces ? UTF8Scalars.spaceSymbol : [0x20]

        if removeExtraWhitespaces {
            // Skip leading spaces (anything that normalizes to exactly " ").
            while position < end {
                let step = rewritePrefix(bytes, from: position, to: end)
                switch step {
                case .copy(let length) where length == 1 && bytes[position] == 0x20:
                    position += 1
                    continue
                case .replace(let replacement, let consumed) where replacement.count == 1 && replacement.first == 0x20:
                    position += consumed
                    continue
                default:
                    break
                }
                break
            }
            if position == end { return }
        }

        if charsmap == nil && !removeExtraWhitespaces && inputIsValidUTF8 {
            // Fast path (every llm-jp model): with no charsmap, no whitespace removal and valid
            // UTF-8, every step of the general loop copies its bytes (a user-defined symbol or
            // one character) and escapes the spaces in them, so the output is the input with
            // each space escaped, whatever the user-defined symbols are.
            escapeSpaces(bytes + position, count: end - position, space: space, into: &output)
            return
        }
        output.reserveCapacity(end + end / 2 + 3)
        if !treatWhitespaceAsSuffix && addDummyPrefix { output.append(contentsOf: space) }

        var isPreviousSpace = removeExtraWhitespaces
        while position < end {
            switch rewritePrefix(bytes, from: position, to: end) {
            case .copy(let length):
                appendPiece(UnsafeBufferPointer(start: bytes + position, count: length),
                            isPreviousSpace: &isPreviousSpace, space: space, into: &output)
                position += length
            case .replace(let replacement, let consumed):
                appendPiece(replacement, isPreviousSpace: &isPreviousSpace, space: space, into: &output)
                position += consumed
            }
            if !removeExtraWhitespaces { isPreviousSpace = false }
        }

        if removeExtraWhitespaces {
            while output.count >= space.count && output.suffix(space.count).elementsEqual(space) {
                output.removeLast(space.count)
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { output.append(contentsOf: space) }
    }

    /// `output` = the dummy prefix, `bytes` with each space replaced by `space`, and the suffix
    /// (when whitespace is a suffix).
    @inline(__always)
    private func escapeSpaces(_ bytes: UnsafePointer<UInt8>, count: Int, space: [UInt8], into output: inout [UInt8]) {
        if !treatWhitespaceAsSuffix && addDummyPrefix { output.append(contentsOf: space) }
        space.withUnsafeBufferPointer { space in
            ByteReplacement.append(UnsafeBufferPointer(start: bytes, count: count), replacing: 0x20, with: space, to: &output)
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { output.append(contentsOf: space) }
    }

    /// Appends one rewritten piece, escaping spaces; with `remove_extra_whitespaces`, drops its
    /// leading spaces when the previous piece ended with one.
    @inline(__always)
    private func appendPiece<C: Collection>(_ piece: C, isPreviousSpace: inout Bool, space: [UInt8],
                                            into output: inout [UInt8]) where C.Element == UInt8 {
        var index = piece.startIndex
        while isPreviousSpace && index != piece.endIndex && piece[index] == 0x20 { index = piece.index(after: index) }
        guard index != piece.endIndex else { return }
        var last: UInt8 = 0
        while index != piece.endIndex {
            let byte = piece[index]
            if byte == 0x20 { output.append(contentsOf: space) } else { output.append(byte) }
            last = byte
            index = piece.index(after: index)
        }
        isPreviousSpace = last == 0x20
    }
}
