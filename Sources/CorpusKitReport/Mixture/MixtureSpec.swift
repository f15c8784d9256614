import Foundation
import Yams

/// A subset's sampling rate in a ``MixtureSpec``.
public enum SamplingRate: Sendable, Equatable {
    /// A YAML integer (`2`): weights are `tokens × n` in integer arithmetic, as Python multiplies
    /// two `int`s.
    case integer(Int)
    /// A YAML float (`0.5`): weights are `ceil(tokens × rate)` in float64.
    case real(Double)
    /// The rate that makes the mixture reach `target_tokens`.
    case fill
}

/// One entry of the spec's `subsets:` mapping.
public struct SubsetSelection: Sendable, Equatable {
    /// The subset name (`ja_wiki`, or a name given by a `names:` rule).
    public let subset: String
    /// Its sampling rate.
    public let rate: SamplingRate
    /// The spec line of the entry (for messages).
    public let line: Int
}

/// A `names:` rule: datasets whose filename matches `match` (fnmatch(3) glob, `*` crossing `/`)
/// get these language and subset names instead of the `<lang>_<subset>_<shard>` convention.
public struct NamingRule: Sendable, Equatable {
    /// The glob pattern, matched against the whole filename (`corpus/tokenized/ja/ja_wiki_0000`).
    public let match: String
    /// The language given (or `nil`: from the convention).
    public let language: String?
    /// The subset given (or `nil`: from the convention).
    public let subset: String?
    /// The spec line of the rule.
    public let line: Int
}

/// The mixture spec, a YAML file:
///
/// ```yaml
/// prefix: /data/experiments/v4-setup        # prepended as PREFIX/filename_text_document
/// target_tokens: 15600000000000             # optional; needed when a subset says fill
/// subsets:                                  # only these subsets are selected
///   code_stack: 1                           # sampling rate (repeat); 2 = twice, 0.5 = half
///   ja_wiki: 2
///   en_fineweb-rest: fill                   # at most one
/// names:                                    # optional: explicit names for the tables
///   - match: "corpus/tokenized/ja/ja_wiki_*"
///     language: Japanese
///     subset: Wikipedia
/// languages:                                # optional: display names of language codes
///   ja: Japanese
/// ```
///
/// Every error names the line of the spec it comes from.
public struct MixtureSpec: Sendable, Equatable {
    /// Prepended to every filename (`PREFIX/filename_text_document`); empty: the filename alone.
    public var prefix: String
    /// The mixture's total for a fill subset.
    public var targetTokens: Int?
    /// The selected subsets, in spec order.
    public var subsets: [SubsetSelection]
    /// Explicit naming rules, first match wins.
    public var names: [NamingRule]
    /// Display names of languages (`ja` → `Japanese`) for the tables and chart.
    public var languageNames: [String: String]
    /// The spec line of `target_tokens` (0 when absent).
    public var targetLine: Int

    /// Reads and checks the spec at `path`.
    public static func read(path: String) throws(ReportError) -> MixtureSpec {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .spec(path: path, line: 0, reason: "cannot read the file as UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses spec text (named `path` in errors).
    public static func parse(_ text: String, path: String) throws(ReportError) -> MixtureSpec {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw .spec(path: path, line: Self.line(of: error), reason: "invalid YAML: \(error)")
        } catch {
            throw .spec(path: path, line: 0, reason: "invalid YAML: \(error)")
        }
        func fail(_ node: Node?, _ reason: String) -> ReportError {
            .spec(path: path, line: node?.mark?.line ?? 0, reason: reason)
        }
        guard let root, let mapping = root.mapping else {
            throw fail(root, "expected a mapping with prefix, target_tokens and subsets")
        }
        var spec = MixtureSpec(prefix: "", targetTokens: nil, subsets: [], names: [], languageNames: [:], targetLine: 0)
        var sawSubsets = false
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw fail(keyNode, "keys must be strings") }
            switch key {
            case "prefix":
                guard let scalar = value.scalar else { throw fail(value, "prefix must be a string (a directory path)") }
                spec.prefix = value.null != nil ? "" : scalar.string
            case "target_tokens":
                guard let scalar = value.scalar else { throw fail(value, "target_tokens must be a positive integer") }
                let text = scalar.string.replacingOccurrences(of: "_", with: "")
                if let integer = Int(text), integer > 0 {
                    spec.targetTokens = integer
                } else if let real = Double(text), real > 0, real < 9.2e18, real == real.rounded() {
                    spec.targetTokens = Int(real)
                } else {
                    throw fail(value, "target_tokens must be a positive integer, got \"\(scalar.string)\"")
                }
                spec.targetLine = value.mark?.line ?? 0
            case "subsets":
                sawSubsets = true
                guard let subsets = value.mapping else {
                    throw fail(value, "subsets must be a mapping of subset names to rates (a number or fill)")
                }
                var seen = Set<String>()
                for (nameNode, rateNode) in subsets {
                    guard let name = nameNode.string, !name.isEmpty else { throw fail(nameNode, "a subset name must be a string") }
                    guard seen.insert(name).inserted else { throw fail(nameNode, "subset \(name) is listed twice") }
                    let rate = try Self.rate(rateNode, subset: name, fail: fail)
                    if rate == .fill, let earlier = spec.subsets.first(where: { $0.rate == .fill }) {
                        throw fail(rateNode, "a second fill subset (\(name)); \(earlier.subset) on line \(earlier.line) already fills — at most one subset may say fill")
                    }
                    spec.subsets.append(SubsetSelection(subset: name, rate: rate, line: nameNode.mark?.line ?? 0))
                }
                if spec.subsets.isEmpty { throw fail(value, "subsets is empty: select at least one subset") }
            case "names":
                guard let rules = value.sequence else { throw fail(value, "names must be a list of {match, language, subset}") }
                for rule in rules {
                    guard let fields = rule.mapping, let match = fields["match"]?.string, !match.isEmpty else {
                        throw fail(rule, "a names entry needs match: GLOB (and language: and/or subset:)")
                    }
                    for (field, _) in fields where !["match", "language", "subset"].contains(field.string ?? "") {
                        throw fail(field, "unknown key \(field.string ?? "?") in a names entry (match, language, subset)")
                    }
                    spec.names.append(NamingRule(
                        match: match, language: fields["language"]?.string, subset: fields["subset"]?.string,
                        line: rule.mark?.line ?? 0))
                }
            case "languages":
                guard let languages = value.mapping else { throw fail(value, "languages must map language codes to display names") }
                for (code, name) in languages {
                    guard let code = code.string, let name = name.string else { throw fail(name, "languages: code: name, both strings") }
                    spec.languageNames[code] = name
                }
            default:
                throw fail(keyNode, "unknown key \(key) (expected prefix, target_tokens, subsets, names, languages)")
            }
        }
        guard sawSubsets else { throw .spec(path: path, line: 0, reason: "no subsets: mapping (the subsets to select and their rates)") }
        if let fill = spec.subsets.first(where: { $0.rate == .fill }), spec.targetTokens == nil {
            throw .spec(path: path, line: fill.line, reason: "subset \(fill.subset) says fill but the spec has no target_tokens")
        }
        return spec
    }

    private static func rate(_ node: Node, subset: String, fail: (Node?, String) -> ReportError) throws(ReportError) -> SamplingRate {
        guard let scalar = node.scalar else { throw fail(node, "the rate of \(subset) must be a number or fill") }
        let text = scalar.string
        if text == "fill" { return .fill }
        let plain = scalar.style == .plain
        if plain, let integer = Int(text.replacingOccurrences(of: "_", with: "")) {
            guard integer >= 0 else { throw fail(node, "the rate of \(subset) is negative (\(text))") }
            return .integer(integer)
        }
        if plain, let real = Double(text), real.isFinite {
            guard real >= 0 else { throw fail(node, "the rate of \(subset) is negative (\(text))") }
            return .real(real)
        }
        throw fail(node, "the rate of \(subset) is not a number: \"\(text)\" (a number such as 1, 2 or 0.5, or fill)")
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return mark.line
        default:
            return 0
        }
    }
}
