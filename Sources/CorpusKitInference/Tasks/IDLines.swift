import Foundation

/// Input and output helpers for the line-oriented `corpuskit model` forms.
public enum IDLines {
    /// Reads a file of JSON arrays of token ids, one per line (blank lines skipped); errors name the line.
    public static func read(path: String) throws(InferenceError) -> [[Int]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InferenceError("cannot read \(path): \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")")
        }
        var result: [[Int]] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            guard let array = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) as? [Any] else {
                throw InferenceError("\(path):\(lineNumber): not a JSON array of token ids")
            }
            var ids: [Int] = []
            for value in array {
                guard let id = JSONValueInt(value), id >= 0 else {
                    throw InferenceError("\(path):\(lineNumber): \(value) is not a non-negative integer token id")
                }
                ids.append(id)
            }
            guard !ids.isEmpty else { throw InferenceError("\(path):\(lineNumber): an empty id list") }
            result.append(ids)
        }
        return result
    }

    /// `[a, b, …]` with each float32 in its shortest round-trip decimal form (NaN/Infinity as Python's json writes them).
    public static func json(_ values: [Float]) -> String {
        var out = "["
        out.reserveCapacity(values.count * 12)
        for (i, v) in values.enumerated() {
            if i > 0 { out += ", " }
            if v.isNaN { out += "NaN" } else if v.isInfinite { out += v < 0 ? "-Infinity" : "Infinity" } else { out += v.description }
        }
        return out + "]"
    }

    public static func json(_ ids: [Int]) -> String { "[" + ids.map(String.init).joined(separator: ", ") + "]" }
}
