/// The HF `tokenizers` decoders used by Unigram tokenizer files; each maps a list of token
/// strings to a new list (`decode_chain`), and the final list is concatenated.
indirect enum HuggingFaceDecoder: Sendable {
    case sequence([HuggingFaceDecoder])
    case byteFallback
    case replace(ReplacePattern, content: [UInt8])
    case fuse
    case strip(content: [UInt8], start: Int, stop: Int)
    case metaspace(replacement: [UInt8], prependScheme: HuggingFacePreTokenizer.PrependScheme)

    var summary: String {
        switch self {
        case .sequence(let list): return list.map(\.summary).joined(separator: " → ")
        case .byteFallback: return "ByteFallback"
        case .fuse: return "Fuse"
        case .replace(let pattern, let content):
            return "Replace(\(pattern.source.debugDescription) → \(String(decoding: content, as: UTF8.self).debugDescription))"
        case .strip(let content, let start, let stop):
            return "Strip(\(String(decoding: content, as: UTF8.self).debugDescription), \(start), \(stop))"
        case .metaspace(let replacement, let scheme):
            return "Metaspace(\(String(decoding: replacement, as: UTF8.self).debugDescription), prepend: \(scheme.rawValue))"
        }
    }

    func decodeChain(_ tokens: [[UInt8]]) -> [[UInt8]] {
        switch self {
        case .sequence(let list):
            return list.reduce(tokens) { $1.decodeChain($0) }
        case .fuse:
            return [tokens.flatMap { $0 }]
        case .replace(let pattern, let content):
            return tokens.map { pattern.replace(in: $0, with: content) }
        case .byteFallback:
            return Self.byteFallback(tokens)
        case .strip(let content, let start, let stop):
            return tokens.map { Self.strip($0, content: content, start: start, stop: stop) }
        case .metaspace(let replacement, let scheme):
            return tokens.enumerated().map { index, token in
                let pattern = try! ReplacePattern(string: String(decoding: replacement, as: UTF8.self))
                return pattern.replace(in: token, with: index == 0 && scheme != .never ? [] : [0x20])
            }
        }
    }

    /// Runs of `<0xXX>` tokens become their bytes when those form valid UTF-8, otherwise one
    /// U+FFFD per byte. Rust's `u8::from_str_radix` also accepts a leading `+` ("<0x+A>").
    private static func byteFallback(_ tokens: [[UInt8]]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if pending.withUnsafeBufferPointer({ UTF8Scalars.firstInvalidOffset($0) }) == nil {
                result.append(pending)
            } else {
                for _ in pending { result.append(UTF8Scalars.replacementCharacter) }
            }
            pending.removeAll()
        }
        for token in tokens {
            if let byte = byteValue(token) {
                pending.append(byte)
            } else {
                flush()
                result.append(token)
            }
        }
        flush()
        return result
    }

    private static func byteValue(_ token: [UInt8]) -> UInt8? {
        guard token.count == 6, token[0] == 0x3C, token[1] == 0x30, token[2] == 0x78, token[5] == 0x3E else { return nil }
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        if token[3] == 0x2B { return hex(token[4]) }
        guard let high = hex(token[3]), let low = hex(token[4]) else { return nil }
        return high << 4 | low
    }

    /// Removes up to `start` leading and `stop` trailing `content` characters.
    private static func strip(_ token: [UInt8], content: [UInt8], start: Int, stop: Int) -> [UInt8] {
        var lower = 0, upper = token.count
        var removed = 0
        while removed < start && token[lower...].starts(with: content) { lower += content.count; removed += 1 }
        removed = 0
        while removed < stop && upper - lower >= content.count && token[(upper - content.count)..<upper].elementsEqual(content) {
            upper -= content.count
            removed += 1
        }
        return Array(token[lower..<max(lower, upper)])
    }
}
