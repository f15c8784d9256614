import CorpusKitReaders

extension IDLines {
    /// The prompts of an id file (``IDLines``' format) for a model: every line a non-empty list of
    /// non-negative ids; errors name the line. (Ids beyond the vocabulary are refused by the model.)
    public static func modelInputs(path: String) throws(InferenceError) -> [[Int]] {
        let lines: [Line]
        do { lines = try read(path: path) } catch { throw .idFile(error) }
        var result: [[Int]] = []
        result.reserveCapacity(lines.count)
        for line in lines {
            guard !line.ids.isEmpty else { throw .idLine(path: path, line: line.number, reason: "an empty id list") }
            if let negative = line.ids.first(where: { $0 < 0 }) {
                throw .idLine(path: path, line: line.number, reason: "\(negative) is not a non-negative integer token id")
            }
            result.append(line.ids.map { Int($0) })
        }
        return result
    }
}
