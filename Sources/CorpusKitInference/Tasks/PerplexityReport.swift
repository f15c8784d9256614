import Foundation

/// Printing a ``PerplexityEvaluator/Summary``.
public enum PerplexityReport {
    /// A JSON number: shortest round-trip form; non-finite values as null.
    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

    /// `{"documents": [...], "tokens": n, "nll": total, "perplexity": p, "bits_per_byte": b}`.
    public static func json(_ s: PerplexityEvaluator.Summary) -> String {
        let documents = s.documents.map {
            "{\"line\": \($0.line), \"tokens\": \($0.tokens), \"bytes\": \($0.bytes), \"nll\": \(number($0.nll)), \"perplexity\": \(number($0.perplexity))}"
        }
        return "{\"documents\": [\(documents.joined(separator: ", "))], \"tokens\": \(s.tokens), \"bytes\": \(s.bytes), \"nll\": \(number(s.nll)), \"mean_nll\": \(number(s.meanNLL)), \"perplexity\": \(number(s.perplexity)), \"bits_per_byte\": \(number(s.bitsPerByte)), \"convention\": \"\(s.convention.rawValue)\", \"words\": \(s.words), \"word_perplexity\": \(number(s.wordPerplexity)), \"byte_perplexity\": \(number(s.bytePerplexity))}"
    }

    /// The `model perplexity` report.
    public static func text(_ s: PerplexityEvaluator.Summary) -> String {
        """
        documents:      \(s.documents.count)
        tokens scored:  \(s.tokens)
        mean NLL:       \(String(format: "%.6f", s.meanNLL))
        perplexity:     \(String(format: "%.4f", s.perplexity))
        bits per byte:  \(String(format: "%.6f", s.bitsPerByte)) (\(s.bytes) UTF-8 bytes)
        word perplexity: \(String(format: "%.4f", s.wordPerplexity)) (\(s.words) words); byte perplexity: \(String(format: "%.6f", s.bytePerplexity))
        convention:     \(s.convention.rawValue)
        """
    }
}
