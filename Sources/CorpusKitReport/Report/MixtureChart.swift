/// The mixture as a self-contained SVG (no scripts, no external fonts or images): a 100 % bar of
/// the languages' shares with a legend, then one bar per subset, grouped and coloured by
/// language, each labelled with its sampled tokens (humanised) and share.
public enum MixtureChart {
    private static let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    /// The SVG document for `summary`, titled `title`.
    public static func svg(_ summary: MixtureSummary, title: String) -> String {
        let width = 960.0
        let margin = 24.0
        let labelWidth = 260.0
        let valueWidth = 150.0
        let rowHeight = 22.0
        let barAreaWidth = width - 2 * margin - labelWidth - valueWidth
        var colour: [String: String] = [:]
        for (i, row) in summary.languages.enumerated() { colour[row.language] = palette[i % palette.count] }

        var body = ""
        var y = margin
        body += text(margin, y + 16, "\(title) — \(Humanized.tokens(summary.totalSampled)) tokens sampled from \(summary.totalFiles) datasets",
                     size: 18, weight: "bold")
        y += 36
        // Languages: one stacked bar.
        body += text(margin, y + 12, "Share by language", size: 14, weight: "bold")
        y += 20
        var x = margin
        let stackWidth = width - 2 * margin
        for row in summary.languages {
            let w = stackWidth * row.share
            body += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"28\" fill=\"\(colour[row.language]!)\"><title>\(escape(row.language)) \(Humanized.tokens(row.sampled)) (\(pct(row.share)))</title></rect>\n"
            if w > 60 {
                body += text(x + 6, y + 19, "\(row.language) \(pct(row.share))", size: 12, fill: "#ffffff", weight: "bold")
            }
            x += w
        }
        y += 40
        // Legend, four per line.
        for (i, row) in summary.languages.enumerated() {
            let lx = margin + Double(i % 4) * (stackWidth / 4)
            let ly = y + Double(i / 4) * 20
            body += "<rect x=\"\(f(lx))\" y=\"\(f(ly))\" width=\"12\" height=\"12\" fill=\"\(colour[row.language]!)\"/>\n"
            body += text(lx + 18, ly + 11, "\(row.language): \(Humanized.tokens(row.sampled)) (\(pct(row.share)))", size: 12)
        }
        y += Double((summary.languages.count + 3) / 4) * 20 + 16
        // Subsets.
        body += text(margin, y + 12, "Share by subset (sampled tokens, rate)", size: 14, weight: "bold")
        y += 22
        let largest = summary.subsets.map(\.share).max() ?? 1
        for row in summary.subsets {
            let w = largest > 0 ? barAreaWidth * row.share / largest : 0
            body += text(margin + labelWidth - 8, y + 15, row.subset ?? "", size: 12, anchor: "end")
            body += "<rect x=\"\(f(margin + labelWidth))\" y=\"\(f(y + 3))\" width=\"\(f(max(w, 1)))\" height=\"\(f(rowHeight - 6))\" fill=\"\(colour[row.language]!)\"/>\n"
            body += text(margin + labelWidth + w + 6, y + 15, "\(Humanized.tokens(row.sampled)) · \(pct(row.share)) · ×\(rate(row.rate))", size: 12)
            y += rowHeight
        }
        let height = y + margin
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <rect x="0" y="0" width="\(f(width))" height="\(f(height))" fill="#ffffff"/>
            \(body)</svg>

            """
    }

    private static func text(_ x: Double, _ y: Double, _ content: String, size: Int, fill: String = "#222222",
                             weight: String = "normal", anchor: String = "start") -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" font-weight=\"\(weight)\" fill=\"\(fill)\" text-anchor=\"\(anchor)\">\(escape(content))</text>\n"
    }

    private static func f(_ value: Double) -> String { TextFormatting.fixed(value, 1) }
    private static func pct(_ share: Double) -> String { TextFormatting.fixed(share * 100, 1) + "%" }
    private static func rate(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : "\(rounded)"
    }

    /// XML text escaping.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
