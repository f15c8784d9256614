import Foundation

/// The `--data-path` of a Megatron run: dataset prefixes, each with a weight or all without.
///
/// Parsed as megatron-core's `get_blend_from_list` does: an odd number of words is a list of
/// prefixes; an even number whose every other word (from the first) reads as a float is a
/// `weight prefix` list; an even number where none does is a list of prefixes.
public struct DataPathBlend: Sendable, Equatable {
    /// Dataset prefixes (paths without `.bin` / `.idx`), in data-path order.
    public var prefixes: [String]
    /// One weight per prefix as written, or nil when the data path has no weights.
    public var weights: [Double]?

    public init(prefixes: [String], weights: [Double]?) {
        self.prefixes = prefixes
        self.weights = weights
    }

    /// Parses whitespace-separated words (`"w1 p1 w2 p2 …"` or `"p1 p2 …"`).
    public init(dataPath: String) throws {
        try self.init(words: dataPath.split(whereSeparator: { $0.isWhitespace }).map(String.init), source: "--data-path")
    }

    /// Parses the words of a data path; `source` names where they came from in errors.
    public init(words: [String], source: String) throws {
        guard !words.isEmpty else { throw PlanError.badDataPath(source: source, reason: "no datasets") }
        if words.count % 2 == 1 {
            self.init(prefixes: words, weights: nil)
            return
        }
        let candidates = stride(from: 0, to: words.count, by: 2).map { Self.pythonFloat(words[$0]) }
        if candidates.allSatisfy({ $0 == nil }) {
            self.init(prefixes: words, weights: nil)
            return
        }
        var weights: [Double] = []
        var prefixes: [String] = []
        for (k, value) in candidates.enumerated() {
            guard let value else {
                throw PlanError.badDataPath(
                    source: source, reason: "word \(2 * k + 1) (\"\(words[2 * k])\") should be the weight of \"\(words[2 * k + 1])\"")
            }
            weights.append(value)
            prefixes.append(words[2 * k + 1])
        }
        self.init(prefixes: prefixes, weights: weights)
    }

    /// Reads a data-path file: the plain `w1 p1 w2 p2 …` form (any whitespace, `#` comments), or
    /// llm-jp's bash array `TRAIN_DATA_PATH=( --data-path w1 p1 … )` / `TRAIN_DATA_PATH="${…} w p"` lines,
    /// where `--data-path`, assignments and words that are a bare `${VAR}` reference are dropped, and
    /// `${VAR}` / `$VAR` inside a prefix are replaced from the environment where set.
    public init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw PlanError.missingFile(path: path)
        }
        var words: [String] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            for var word in line.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ")" }).map(String.init) {
                // VAR=( … ) / VAR="…" / export VAR=…: keep what follows the assignment.
                if let eq = word.firstIndex(of: "="), word[..<eq].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                   !word[..<eq].isEmpty {
                    word = String(word[word.index(after: eq)...])
                }
                word = word.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                if word.isEmpty || word == "export" || word == "--data-path" || word == "--train-data-path" { continue }
                if Self.isVariableReference(word) { continue }
                words.append(Self.expandVariables(word))
            }
        }
        try self.init(words: words, source: path)
    }

    static func isVariableReference(_ word: String) -> Bool {
        guard word.hasPrefix("$") else { return false }
        let name = word.hasPrefix("${") && word.hasSuffix("}") ? word.dropFirst(2).dropLast() : word.dropFirst()
        return !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    static func expandVariables(_ word: String) -> String {
        guard word.contains("$") else { return word }
        let environment = ProcessInfo.processInfo.environment
        var out = ""
        var rest = Substring(word)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            var after = rest[rest.index(after: dollar)...]
            let braced = after.first == "{"
            if braced { after = after.dropFirst() }
            let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            var end = name.endIndex
            if braced {
                guard end < after.endIndex, after[end] == "}" else { out += rest[dollar...]; return out }
                end = after.index(after: end)
            }
            if !name.isEmpty, let value = environment[String(name)] {
                out += value
            } else {
                out += rest[dollar..<end]
            }
            rest = rest[end...]
        }
        return out + rest
    }

    /// Python's `float(str)` for the forms data paths use (digits, sign, point, exponent, `_`).
    static func pythonFloat(_ word: String) -> Double? {
        let trimmed = word.replacingOccurrences(of: "_", with: "")
        guard !trimmed.isEmpty, trimmed.allSatisfy({ "0123456789+-.eE".contains($0) }) else {
            let lower = trimmed.lowercased()
            switch lower {
            case "inf", "+inf", "infinity", "+infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            case "nan", "+nan", "-nan": return .nan
            default: return nil
            }
        }
        return Double(trimmed)
    }
}
