/// The HF `tokenizers` post-processor CorpusKit implements: `TemplateProcessing`'s `single`
/// template, which puts special tokens around one sequence (llm-jp appends `<EOD|LLM-jp>`).
struct HuggingFacePostProcessor: Sendable {
    /// One element of the template.
    enum Piece: Sendable {
        case sequence
        case special(ids: [Int32])
    }

    let template: [Piece]

    /// Appends `sequence` with the template's special tokens around it.
    func apply(_ sequence: [Int32], into output: inout [Int32]) {
        for piece in template {
            switch piece {
            case .sequence: output.append(contentsOf: sequence)
            case .special(let ids): output.append(contentsOf: ids)
            }
        }
    }

    /// The special ids before and after the sequence (`$A`), in order.
    var affixes: (prefix: [Int32], suffix: [Int32]) {
        var prefix: [Int32] = [], suffix: [Int32] = [], seen = false
        for piece in template {
            switch piece {
            case .sequence: seen = true
            case .special(let ids): if seen { suffix += ids } else { prefix += ids }
            }
        }
        return (prefix, suffix)
    }

    /// `TemplateProcessing: $A <EOD|LLM-jp>`, with token names from `name`.
    func summary(name: (Int32) -> String) -> String {
        "TemplateProcessing: " + template.map { piece -> String in
            switch piece {
            case .sequence: return "$A"
            case .special(let ids): return ids.map(name).joined(separator: " ")
            }
        }.joined(separator: " ")
    }
}
