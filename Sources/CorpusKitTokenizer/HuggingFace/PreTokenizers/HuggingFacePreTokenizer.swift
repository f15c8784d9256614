/// The HF `tokenizers` pre-tokenizers used by Unigram and Llama-style BPE tokenizer files.
indirect enum HuggingFacePreTokenizer: Sendable {
    enum PrependScheme: String, Sendable { case always, first, never }
    /// `Split`'s `SplitDelimiterBehavior` (the two CorpusKit implements).
    enum SplitBehavior: String, Sendable { case isolated = "Isolated", removed = "Removed" }

    case metaspace(replacement: [UInt8], prependScheme: PrependScheme, split: Bool)
    /// `Split` on literal alternatives (transformers' converters isolate user-defined pieces with
    /// `Regex("a|b|…")`), matched leftmost-first as Oniguruma does: at each position the first
    /// alternative that matches wins; `invert: false`.
    case split(alternatives: [[UInt8]], behavior: SplitBehavior, source: String)
    case whitespaceSplit
    case sequence([HuggingFacePreTokenizer])

    /// One piece of text on its way to the model; `startsText` is true when it begins at offset 0
    /// of the original input (Metaspace's `first` scheme needs it).
    struct Split {
        var bytes: [UInt8]
        var startsText: Bool
    }

    var summary: String {
        switch self {
        case .metaspace(let replacement, let scheme, let split):
            return "Metaspace(\(String(decoding: replacement, as: UTF8.self).debugDescription), prepend: \(scheme.rawValue), split: \(split))"
        case .whitespaceSplit: return "WhitespaceSplit"
        case .split(_, let behavior, let source): return "Split(\(source.debugDescription), \(behavior.rawValue))"
        case .sequence(let list): return list.map(\.summary).joined(separator: " → ")
        }
    }

    /// Splits `splits` further; empty results are dropped as HF does.
    func apply(_ splits: [Split]) -> [Split] {
        switch self {
        case .sequence(let list):
            return list.reduce(splits) { $1.apply($0) }
        case .whitespaceSplit:
            return splits.flatMap(Self.whitespaceSplit)
        case .metaspace(let replacement, let scheme, let split):
            return splits.flatMap { Self.metaspace($0, replacement: replacement, scheme: scheme, split: split) }
        case .split(let alternatives, let behavior, _):
            return splits.flatMap { Self.split($0, alternatives: alternatives, behavior: behavior) }
        }
    }

    private static func split(_ split: Split, alternatives: [[UInt8]], behavior: SplitBehavior) -> [Split] {
        let text = split.bytes
        var result: [Split] = []
        func piece(_ range: Range<Int>) {
            if !range.isEmpty { result.append(Split(bytes: Array(text[range]), startsText: split.startsText && range.lowerBound == 0)) }
        }
        var start = 0
        var i = 0
        while i < text.count {
            guard let match = alternatives.first(where: { text[i...].starts(with: $0) }) else {
                i += 1
                continue
            }
            piece(start..<i)
            if behavior == .isolated { piece(i..<i + match.count) }
            i += match.count
            start = i
        }
        piece(start..<text.count)
        return result
    }

    private static func whitespaceSplit(_ split: Split) -> [Split] {
        split.bytes.withUnsafeBufferPointer { buffer -> [Split] in
            guard let base = buffer.baseAddress else { return [] }
            var result: [Split] = []
            var wordStart: Int?
            var i = 0
            while i <= buffer.count {
                var isSpace = true
                var length = 1
                if i < buffer.count {
                    let decoded = UTF8Scalars.decode(base, at: i)
                    length = decoded.length
                    isSpace = UnicodeWhitespace.contains(decoded.scalar)
                }
                if isSpace {
                    if let start = wordStart {
                        result.append(Split(bytes: Array(buffer[start..<i]), startsText: split.startsText && start == 0))
                        wordStart = nil
                    }
                } else if wordStart == nil {
                    wordStart = i
                }
                i += length
            }
            return result
        }
    }

    private static func metaspace(_ split: Split, replacement: [UInt8], scheme: PrependScheme, split doSplit: Bool) -> [Split] {
        guard !split.bytes.isEmpty else { return [] }   // HF prepends nothing to an empty split
        var text = ReplacePattern.spaceLiteral.replace(in: split.bytes, with: replacement)
        let startsWithReplacement = text.starts(with: replacement)
        switch scheme {
        case .always where !startsWithReplacement: text = replacement + text
        case .first where !startsWithReplacement && split.startsText: text = replacement + text
        default: break
        }
        guard doSplit else { return text.isEmpty ? [] : [Split(bytes: text, startsText: split.startsText)] }
        // Split before every replacement character (MergedWithNext), dropping empty pieces.
        var result: [Split] = []
        var start = 0
        var i = 0
        let n = text.count, m = replacement.count
        while i < n {
            if i > start && i + m <= n && text[i..<i + m].elementsEqual(replacement) {
                result.append(Split(bytes: Array(text[start..<i]), startsText: split.startsText && start == 0))
                start = i
            }
            i += 1
        }
        if start < n { result.append(Split(bytes: Array(text[start..<n]), startsText: split.startsText && start == 0)) }
        return result
    }
}

extension ReplacePattern {
    /// A literal single space.
    static let spaceLiteral = try! ReplacePattern(string: " ")
}
