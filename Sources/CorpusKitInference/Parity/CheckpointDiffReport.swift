import Foundation
import CorpusKitSystem

/// Printing a ``CheckpointDiff``: differences first, then a count of what matched.
extension CheckpointDiff {
    /// Exit status: 0 identical, 1 different (padding-only differences included).
    public var exitStatus: Int32 { identical ? 0 : 1 }

    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : (x.isNaN ? "null" : (x > 0 ? "\"inf\"" : "\"-inf\"")) }
    static func shape(_ s: [Int]?) -> String { s.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? "-" }

    static func describe(_ v: Values) -> String {
        String(format: "%d of %d values differ, max |a-b| %.4g, rel L2 %.4g, cosine %.8f", v.differing, v.elements, v.maxAbs, v.relativeL2, v.cosine)
    }

    /// The `model diff` report.
    public func text() -> String {
        var lines = ["verdict: \(verdict)  (A = \(pathA), B = \(pathB))"]
        if !config.isEmpty {
            lines.append("config fields that change the computation:")
            for c in config { lines.append("  \(c.field): A \(c.a), B \(c.b)") }
        }
        let differing = tensors.filter { $0.status != .identical }
        if !differing.isEmpty {
            lines.append("tensors that differ (\(differing.count)):")
            for t in differing {
                var line = "  \(t.name): "
                switch t.status {
                case .onlyInA: line += "only in A (\(t.dtypeA.map { "\($0)" } ?? "") \(Self.shape(t.shapeA)))"
                case .onlyInB: line += "only in B (\(t.dtypeB.map { "\($0)" } ?? "") \(Self.shape(t.shapeB)))"
                case .shapeDiffers: line += "shape A \(Self.shape(t.shapeA)), B \(Self.shape(t.shapeB))"
                case .incomparable: line += "dtypes A \(t.dtypeA!), B \(t.dtypeB!) cannot be compared as numbers"
                case .different: line += t.values.map(Self.describe) ?? "bytes differ"
                case .paddingDiffers: line += "real vocabulary rows identical; padding differs"
                case .identical: break
                }
                lines.append(line)
                if let p = t.padding, t.status != .identical {
                    var detail = "    padding rows from \(p.firstRow): A has \(p.rowsA), B has \(p.rowsB)"
                    if p.values.elements > 0 { detail += "; common padding rows: " + Self.describe(p.values) }
                    lines.append(detail)
                }
                for note in t.notes where t.status != .identical { lines.append("    \(note)") }
            }
        }
        let same = tensors.filter { $0.status == .identical }
        let otherDType = same.filter { $0.dtypeA != $0.dtypeB }.count
        lines.append("\(same.count) of \(tensors.count) tensors identical" + (otherDType > 0 ? " (\(otherDType) stored in another dtype, same values)" : ""))
        return lines.joined(separator: "\n")
    }

    /// The diff as one JSON object (`--json`).
    public func json() -> String {
        func values(_ v: Values) -> String {
            "\"elements\": \(v.elements), \"differing\": \(v.differing), \"max_abs\": \(Self.number(v.maxAbs)), \"rel_l2\": \(Self.number(v.relativeL2)), \"cosine\": \(Self.number(v.cosine))"
        }
        let configItems = config.map { "{\"field\": \(TextFormat.jsonString($0.field)), \"a\": \(TextFormat.jsonString($0.a)), \"b\": \(TextFormat.jsonString($0.b))}" }
        let tensorItems = tensors.map { t -> String in
            var fields = ["\"name\": \(TextFormat.jsonString(t.name))", "\"status\": \"\(t.status.rawValue)\""]
            fields.append("\"dtype_a\": " + (t.dtypeA.map { "\"\($0)\"" } ?? "null"))
            fields.append("\"dtype_b\": " + (t.dtypeB.map { "\"\($0)\"" } ?? "null"))
            fields.append("\"shape_a\": " + (t.shapeA == nil ? "null" : Self.shape(t.shapeA)))
            fields.append("\"shape_b\": " + (t.shapeB == nil ? "null" : Self.shape(t.shapeB)))
            if let v = t.values { fields.append(values(v)) }
            if let p = t.padding {
                fields.append("\"padding\": {\"first_row\": \(p.firstRow), \"rows_a\": \(p.rowsA), \"rows_b\": \(p.rowsB), \(values(p.values))}")
            }
            if !t.notes.isEmpty { fields.append("\"notes\": [\(t.notes.map(TextFormat.jsonString).joined(separator: ", "))]") }
            return "{" + fields.joined(separator: ", ") + "}"
        }
        return "{\"verdict\": \"\(verdict)\", \"a\": \(TextFormat.jsonString(pathA)), \"b\": \(TextFormat.jsonString(pathB)), \"config\": [\(configItems.joined(separator: ", "))], \"tensors\": [\(tensorItems.joined(separator: ", "))]}"
    }
}
