/// The HF `tokenizers` normalizers CorpusKit implements, applied to UTF-8 bytes.
indirect enum HuggingFaceNormalizer: Sendable {
    case sequence([HuggingFaceNormalizer])
    case replace(ReplacePattern, content: [UInt8])
    case prepend([UInt8])
    case strip(left: Bool, right: Bool)
    case lowercase
    case unicode(ICU.Form)
    case precompiled(PrecompiledCharsmap)

    /// A short description for `corpuskit info`.
    var summary: String {
        switch self {
        case .sequence(let list): return list.map(\.summary).joined(separator: " → ")
        case .replace(let pattern, let content):
            return "Replace(\(pattern.source.debugDescription) → \(String(decoding: content, as: UTF8.self).debugDescription))"
        case .prepend(let text): return "Prepend(\(String(decoding: text, as: UTF8.self).debugDescription))"
        case .strip(let left, let right): return "Strip(left: \(left), right: \(right))"
        case .lowercase: return "Lowercase"
        case .unicode(let form): return "\(form)".uppercased()
        case .precompiled: return "Precompiled(charsmap)"
        }
    }

    /// Whether ``apply(_:)`` of this normalizer itself (not of a sequence's members) calls ICU,
    /// which is opened on first use (``ICU/require(for:)``).
    var callsICU: Bool {
        switch self {
        case .lowercase, .unicode, .precompiled: return true
        case .sequence, .replace, .prepend, .strip: return false
        }
    }

    /// Normalizes `input`.
    func apply(_ input: [UInt8]) -> [UInt8] {
        switch self {
        case .sequence(let list):
            return list.reduce(input) { $1.apply($0) }
        case .replace(let pattern, let content):
            return pattern.replace(in: input, with: content)
        case .prepend(let text):
            return input.isEmpty ? input : text + input
        case .strip(let left, let right):
            return Self.strip(input, left: left, right: right)
        case .lowercase:
            return Self.lowercase(input)
        case .unicode(let form):
            return ICU.normalize(input, form: form)
        case .precompiled(let charsmap):
            return Self.precompiled(input, charsmap: charsmap)
        }
    }

    private static func strip(_ input: [UInt8], left: Bool, right: Bool) -> [UInt8] {
        input.withUnsafeBufferPointer { buffer -> [UInt8] in
            guard let base = buffer.baseAddress else { return [] }
            var start = 0, end = buffer.count
            if left {
                while start < end {
                    let (scalar, length) = UTF8Scalars.decode(base, at: start)
                    guard UnicodeWhitespace.contains(scalar) else { break }
                    start += length
                }
            }
            if right {
                while end > start {
                    var lead = end - 1
                    while lead > start && base[lead] & 0xC0 == 0x80 { lead -= 1 }
                    guard UnicodeWhitespace.contains(UTF8Scalars.decode(base, at: lead).scalar) else { break }
                    end = lead
                }
            }
            return Array(buffer[start..<end])
        }
    }

    /// Per-character full lowercase mapping, as Rust's `char::to_lowercase` (U+0130 is the only
    /// unconditional multi-character mapping).
    private static func lowercase(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { buffer -> [UInt8] in
            guard let base = buffer.baseAddress else { return [] }
            var output: [UInt8] = []
            output.reserveCapacity(buffer.count)
            var i = 0
            while i < buffer.count {
                let (scalar, length) = UTF8Scalars.decode(base, at: i)
                if scalar < 0x80 {
                    output.append(scalar >= 0x41 && scalar <= 0x5A ? UInt8(scalar + 32) : UInt8(scalar))
                } else if scalar == 0x130 {
                    output.append(contentsOf: [0x69, 0xCC, 0x87])
                } else {
                    UTF8Scalars.append(ICU.lowercase(scalar), to: &output)
                }
                i += length
            }
            return output
        }
    }

    /// HF's `Precompiled`: grapheme clusters shorter than 6 bytes are replaced whole when a rule
    /// matches a prefix of them (the first, shortest rule); otherwise each character on its own.
    private static func precompiled(_ input: [UInt8], charsmap: PrecompiledCharsmap) -> [UInt8] {
        let boundaries = ICU.graphemeBoundaries(input)
        return input.withUnsafeBufferPointer { buffer -> [UInt8] in
            guard let base = buffer.baseAddress else { return [] }
            var output: [UInt8] = []
            output.reserveCapacity(buffer.count)
            for index in 0..<(boundaries.count - 1) {
                let start = boundaries[index], end = boundaries[index + 1]
                if end - start < 6, let replacement = charsmap.firstMatch(base, from: start, to: end) {
                    output.append(contentsOf: replacement)
                    continue
                }
                var i = start
                while i < end {
                    let length = UTF8Scalars.decode(base, at: i).length
                    if let replacement = charsmap.firstMatch(base, from: i, to: i + length) {
                        output.append(contentsOf: replacement)
                    } else {
                        output.append(contentsOf: buffer[i..<i + length])
                    }
                    i += length
                }
            }
            return output
        }
    }
}
