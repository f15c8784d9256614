import Foundation

/// The outcome of one check.
public enum CheckStatus: String, Sendable, Comparable {
    /// Nothing wrong.
    case ok
    /// Usable, but probably not what was meant.
    case warning
    /// Wrong: the inputs do not fit.
    case error

    private var rank: Int { self == .ok ? 0 : self == .warning ? 1 : 2 }
    /// Ordered by severity: ok < warning < error.
    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.rank < b.rank }
}

/// What a check concluded, written as its raw value in reports.
public enum Verdict: String, Sendable, CaseIterable {
    // `compat vocab`, most specific first.
    /// Same pieces at the same ids, same scores, types and behaviour.
    case identical
    /// Same pieces at the same ids; scores, types or behaviour differ.
    case sameIDs = "same-ids"
    /// One vocabulary is the other's first pieces.
    case `extension`
    /// The same pieces at other ids (the ids must be translated).
    case remapped
    /// Cannot be used together (every form).
    case incompatible
    // `compat model`, `compat shards`.
    /// Every check ok.
    case compatible
    /// No error, some warnings.
    case compatibleWithWarnings = "compatible-with-warnings"
    // `model check`.
    /// Every check ok.
    case sane
    /// No error, some warnings.
    case saneWithWarnings = "sane-with-warnings"
    /// At least one error.
    case broken
}

/// One named check with its status and a one-line (or few-line) explanation.
public struct CompatCheck: Sendable, Equatable {
    /// The check's name (stable: the JSON report's key).
    public var name: String
    /// Its outcome.
    public var status: CheckStatus
    /// What it found, for a reader.
    public var detail: String

    /// A check's outcome.
    public init(_ name: String, _ status: CheckStatus, _ detail: String) {
        self.name = name
        self.status = status
        self.detail = detail
    }
}

/// A check's answer (`corpuskit compat`, `corpuskit model check`): a verdict, the checks behind it,
/// and extra facts for the JSON form.
///
/// Exit status (``exitStatus(strict:)``): 0 compatible, 1 incompatible (or, when warnings are
/// strict, a warning); bad input never reaches a report (the checks throw their own errors).
public struct CompatReport: Sendable {
    /// `vocab`, `model` or `shards`.
    public var form: String
    /// The verdict (``Verdict``: each form has its own set).
    public var verdict: Verdict
    /// Whether the verdict means the inputs can be used together.
    public var compatible: Bool
    /// The checks, in the order run.
    public var checks: [CompatCheck]
    /// Extra JSON members (counts, samples), values JSON-serialisable.
    public var facts: [String: any Sendable]

    /// A report from its parts.
    public init(form: String, verdict: Verdict, compatible: Bool, checks: [CompatCheck], facts: [String: any Sendable] = [:]) {
        self.form = form
        self.verdict = verdict
        self.compatible = compatible
        self.checks = checks
        self.facts = facts
    }

    /// The worst check status.
    public var worst: CheckStatus { checks.map(\.status).max() ?? .ok }

    /// 0 when compatible (and, with `strict`, no warning), else 1.
    public func exitStatus(strict: Bool) -> Int32 {
        if !compatible || worst == .error { return 1 }
        if strict && worst == .warning { return 1 }
        return 0
    }

    /// The report as one JSON object: `form`, `verdict`, `compatible`, `checks` and the facts.
    public func json() -> String {
        var object: [String: Any] = facts
        object["form"] = form
        object["verdict"] = verdict.rawValue
        object["compatible"] = compatible
        object["checks"] = checks.map { ["name": $0.name, "status": $0.status.rawValue, "detail": $0.detail] }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The human report: a verdict line, then one line per check.
    public func text() -> String {
        var lines = ["verdict: \(verdict.rawValue)"]
        let width = checks.map(\.name.count).max() ?? 0
        for check in checks {
            let mark = check.status == .ok ? "ok     " : check.status == .warning ? "warning" : "ERROR  "
            let detail = check.detail.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: width + 12))
            lines.append("  \(mark)  \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(detail)")
        }
        return lines.joined(separator: "\n")
    }

    /// `compatible` / `compatible-with-warnings` / `incompatible` from the worst check, and whether
    /// that is compatible (the `model` and `shards` forms).
    public static func verdict(of checks: [CompatCheck]) -> (Verdict, Bool) {
        let worst = checks.map(\.status).max() ?? .ok
        switch worst {
        case .ok: return (.compatible, true)
        case .warning: return (.compatibleWithWarnings, true)
        case .error: return (.incompatible, false)
        }
    }
}
