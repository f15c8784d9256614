import Foundation
import CorpusKitSystem

/// Printing a ``ModelComparison/Summary``.
extension ModelComparison.Summary {
    /// `pass` or `fail` against the thresholds.
    public var verdict: String { passes ? "pass" : "fail" }
    /// 0 pass, 1 fail.
    public var exitStatus: Int32 { passes ? 0 : 1 }

    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

    /// The summary as one JSON object (`--json`).
    public func json() -> String {
        let n = Self.number
        let ratio = logPerplexityRatio
        let documents = worstDocuments.map {
            "{\"line\": \($0.line), \"tokens\": \($0.tokens), \"kl_mean\": \(n($0.klMean)), \"nll_a\": \(n($0.nllA)), \"nll_b\": \(n($0.nllB)), \"top1_agreement\": \(n(Double($0.agreeing) / Double($0.tokens)))}"
        }
        let positions = worstPositions.map {
            "{\"line\": \($0.line), \"index\": \($0.index), \"target\": \($0.target), \"kl\": \(n($0.kl)), \"nll_a\": \(n($0.nllA)), \"nll_b\": \(n($0.nllB)), \"top1_a\": \($0.topA), \"top1_b\": \($0.topB)}"
        }
        return "{\"verdict\": \"\(verdict)\", \"thresholds\": {\"max_kl_mean\": \(n(thresholds.maxKLMean)), \"min_top1_agreement\": \(n(thresholds.minTop1Agreement))}, "
            + "\"documents\": \(self.documents.count), \"positions\": \(count), \"vocabulary_compared\": \(vocabularyCompared), "
            + "\"kl_mean\": \(n(klMean)), \"kl_median\": \(n(klMedian)), \"kl_p99\": \(n(klP99)), \"kl_max\": \(n(klMax)), \"top1_agreement\": \(n(top1Agreement)), "
            + "\"mean_nll_a\": \(n(meanNLLA)), \"mean_nll_b\": \(n(meanNLLB)), \"perplexity_a\": \(n(perplexityA)), \"perplexity_b\": \(n(perplexityB)), "
            + "\"ln_ppl_ratio\": \(n(ratio.value)), \"ln_ppl_ratio_se\": \(n(ratio.standardError)), "
            + "\"worst_documents\": [\(documents.joined(separator: ", "))], \"worst_positions\": [\(positions.joined(separator: ", "))]}"
    }

    /// The `model compare` report.
    public func text() -> String {
        let ratio = logPerplexityRatio
        var lines = [
            "verdict:          \(verdict) (kl_mean ≤ \(thresholds.maxKLMean) and top1_agreement ≥ \(thresholds.minTop1Agreement))",
            "documents:        \(documents.count), positions scored: \(count), ids compared: \(vocabularyCompared)",
            String(format: "KL(A‖B) nats:     mean %.6g, median %.6g, p99 %.6g, max %.6g", klMean, klMedian, klP99, klMax),
            String(format: "top-1 agreement:  %.4f%%", 100 * top1Agreement),
            String(format: "perplexity:       A %.4f, B %.4f (mean NLL %.6f, %.6f)", perplexityA, perplexityB, meanNLLA, meanNLLB),
            String(format: "ln(PPL_B/PPL_A):  %.6f ± %.6f", ratio.value, ratio.standardError),
        ]
        if !worstDocuments.isEmpty {
            lines.append("worst documents (mean KL):")
            for d in worstDocuments { lines.append(String(format: "  line %d: %.6g over %d positions, top-1 agree %d", d.line, d.klMean, d.tokens, d.agreeing)) }
        }
        if !worstPositions.isEmpty {
            lines.append("worst positions (KL):")
            for p in worstPositions {
                lines.append(String(format: "  line %d token %d (id %d): %.6g, NLL A %.4f B %.4f, top-1 A %d B %d", p.line, p.index, p.target, p.kl, p.nllA, p.nllB, p.topA, p.topB))
            }
        }
        return lines.joined(separator: "\n")
    }
}
