#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The patterns of HF `Replace` normalizers and decoders that CorpusKit implements.
///
/// HF compiles them with Oniguruma; CorpusKit recognises the shapes found in real Unigram
/// tokenizer files and refuses any other regex by name instead of guessing:
/// - a literal string (`{"String": ...}`, or a regex with no metacharacters),
/// - `(?<!\n)^` or `\A` followed by an optional literal (llm-jp: matches only at the start of the
///   text; transformers' Llama conversion: `\A▁`),
/// - a single character repeated: `X+`, `X{n,}` (transformers' SpmConverter: ` {2,}`).
struct ReplacePattern: Sendable, Equatable {
    enum Shape: Sendable, Equatable {
        case literal([UInt8])
        case atTextStart([UInt8])
        case repeated(character: [UInt8], minimum: Int)
    }

    let shape: Shape
    let source: String

    init(string: String) throws(TokenizerError) {
        guard !string.isEmpty else { throw .unsupported("Replace with an empty String pattern") }
        shape = .literal(Array(string.utf8))
        source = string
    }

    init(regex: String) throws(TokenizerError) {
        source = regex
        for anchor in ["(?<!\\n)^", "\\A"] {
            if regex.hasPrefix(anchor), let rest = Self.literal(fromRegex: String(regex.dropFirst(anchor.count))) {
                shape = .atTextStart(rest)
                return
            }
        }
        if let literal = Self.literal(fromRegex: regex), !literal.isEmpty {
            shape = .literal(literal)
            return
        }
        if let repeated = Self.repeatedCharacter(regex) {
            shape = .repeated(character: repeated.0, minimum: repeated.1)
            return
        }
        throw .unsupported("Replace regex pattern \(regex.debugDescription) (supported: literals, (?<!\\n)^ and \\A prefixes, X+ and X{n,})")
    }

    /// The text a regex matches when it is a plain literal (escaped metacharacters allowed).
    static func literal(fromRegex regex: String) -> [UInt8]? {
        var output: [UInt8] = []
        var escaped = false
        for scalar in regex.unicodeScalars {
            if escaped {
                guard "\\.^$|?*+()[]{}/- &~#".unicodeScalars.contains(scalar) else {
                    switch scalar {
                    case "n": output.append(0x0A)
                    case "t": output.append(0x09)
                    case "r": output.append(0x0D)
                    default: return nil
                    }
                    escaped = false
                    continue
                }
                UTF8Scalars.append(scalar.value, to: &output)
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if ".^$|?*+()[]{}".unicodeScalars.contains(scalar) {
                return nil
            } else {
                UTF8Scalars.append(scalar.value, to: &output)
            }
        }
        return escaped ? nil : output
    }

    /// `X+` or `X{n,}` with a single (possibly escaped) character X.
    private static func repeatedCharacter(_ regex: String) -> ([UInt8], Int)? {
        let scalars = Array(regex.unicodeScalars)
        var characterEnd = 1
        if scalars.first == "\\" { characterEnd = 2 }
        guard scalars.count > characterEnd,
              let character = literal(fromRegex: String(String.UnicodeScalarView(scalars[..<characterEnd]))),
              !character.isEmpty else { return nil }
        let quantifier = String(String.UnicodeScalarView(scalars[characterEnd...]))
        if quantifier == "+" { return (character, 1) }
        if quantifier.hasPrefix("{"), quantifier.hasSuffix(",}"),
           let minimum = Int(quantifier.dropFirst().dropLast(2)), minimum >= 1 {
            return (character, minimum)
        }
        return nil
    }

    /// Replaces every match in `input` with `content`, left to right, as Oniguruma's `find_iter`
    /// does (an empty input has no match).
    func replace(in input: [UInt8], with content: [UInt8]) -> [UInt8] {
        guard !input.isEmpty else { return input }
        switch shape {
        case .atTextStart(let literal):
            guard input.starts(with: literal) else { return input }
            return content + input[literal.count...]
        case .literal(let literal) where literal.count == 1:
            var output: [UInt8] = []
            input.withUnsafeBufferPointer { input in
                content.withUnsafeBufferPointer { content in
                    ByteReplacement.append(input, replacing: literal[0], with: content, to: &output)
                }
            }
            return output
        case .literal(let literal):
            // memchr for the literal's first byte, bulk copies between matches.
            return input.withUnsafeBufferPointer { buffer -> [UInt8] in
                let base = buffer.baseAddress!
                let n = buffer.count, m = literal.count
                var output: [UInt8] = []
                output.reserveCapacity(n + n / 2)
                var copied = 0
                var i = 0
                while i < n, let found = memchr(base + i, Int32(literal[0]), n - i) {
                    let at = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
                    if at + m <= n && (m == 1 || memcmp(base + at, literal, m) == 0) {
                        output.append(contentsOf: UnsafeBufferPointer(start: base + copied, count: at - copied))
                        output.append(contentsOf: content)
                        i = at + m
                        copied = i
                    } else {
                        i = at + 1
                    }
                }
                output.append(contentsOf: UnsafeBufferPointer(start: base + copied, count: n - copied))
                return output
            }
        case .repeated(let character, let minimum):
            var output: [UInt8] = []
            output.reserveCapacity(input.count)
            var i = 0
            let n = input.count, m = character.count
            while i < n {
                var run = 0
                var j = i
                while j + m <= n && input[j..<j + m].elementsEqual(character) { run += 1; j += m }
                if run >= minimum {
                    output.append(contentsOf: content)
                    i = j
                } else if run > 0 {
                    output.append(contentsOf: input[i..<j])
                    i = j
                } else {
                    output.append(input[i])
                    i += 1
                }
            }
            return output
        }
    }
}
