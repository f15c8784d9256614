import Foundation

/// The outcome of one check.
public enum CheckStatus: String, Sendable, Comparable {
    case ok, warning, error

    private var rank: Int { self == .ok ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.rank < b.rank }
}

/// One named check with its status and a one-line (or few-line) explanation.
public struct CompatCheck: Sendable, Equatable {
    public var name: String
    public var status: CheckStatus
    public var detail: String

    public init(_ name: String, _ status: CheckStatus, _ detail: String) {
        self.name = name
        self.status = status
        self.detail = detail
    }
}

/// A `corpuskit compat` answer: a verdict, the checks behind it, and extra facts for `--json`.
///
/// Exit status (``exitStatus(strict:)``): 0 compatible, 1 incompatible (or a warning with
/// `--strict`); bad input never reaches a report (it throws ``CompatError``, exit 2).
public struct CompatReport: Sendable {
    /// `vocab`, `model` or `shards`.
    public var form: String
    /// Form 1: `identical`, `same-ids`, `extension`, `remapped`, `incompatible`; forms 2 and 3:
    /// `compatible`, `compatible-with-warnings`, `incompatible`.
    public var verdict: String
    /// Whether the verdict means the inputs can be used together.
    public var compatible: Bool
    public var checks: [CompatCheck]
    /// Extra JSON members (counts, samples), values JSON-serialisable.
    public var facts: [String: any Sendable]

    public init(form: String, verdict: String, compatible: Bool, checks: [CompatCheck], facts: [String: any Sendable] = [:]) {
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
        object["verdict"] = verdict
        object["compatible"] = compatible
        object["checks"] = checks.map { ["name": $0.name, "status": $0.status.rawValue, "detail": $0.detail] }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The human report: a verdict line, then one line per check.
    public func text() -> String {
        var lines = ["verdict: \(verdict)"]
        let width = checks.map(\.name.count).max() ?? 0
        for check in checks {
            let mark = check.status == .ok ? "ok     " : check.status == .warning ? "warning" : "ERROR  "
            let detail = check.detail.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: width + 12))
            lines.append("  \(mark)  \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(detail)")
        }
        return lines.joined(separator: "\n")
    }

    /// `compatible` / `compatible-with-warnings` / `incompatible` from the checks (forms 2 and 3).
    static func verdict(of checks: [CompatCheck]) -> (String, Bool) {
        let worst = checks.map(\.status).max() ?? .ok
        switch worst {
        case .ok: return ("compatible", true)
        case .warning: return ("compatible-with-warnings", true)
        case .error: return ("incompatible", false)
        }
    }
}

/// Bad input to a compat check (exit status 2): a file that cannot be read or parsed.
public struct CompatError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
