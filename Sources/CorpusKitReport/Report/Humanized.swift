/// Token counts as llm-jp's model cards print them: one decimal and the largest unit that
/// keeps the number at or above 1 (`2.6B`, `762.8B`, `2.1T`); below a thousand the plain number.
public enum Humanized {
    private static let units: [(Double, String)] = [(1e15, "P"), (1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")]

    /// `tokens` humanised, e.g. `2_612_345_678` → `2.6B`.
    public static func tokens(_ tokens: Int) -> String {
        let value = Double(tokens)
        for (index, (scale, suffix)) in units.enumerated() where value.magnitude >= scale {
            let scaled = ((value / scale) * 10).rounded() / 10
            // 999.96B rounds to 1000.0B: print it as 1.0T instead.
            if scaled.magnitude >= 1000, index > 0 {
                let (upper, upperSuffix) = units[index - 1]
                return oneDecimal(((value / upper) * 10).rounded() / 10) + upperSuffix
            }
            return oneDecimal(scaled) + suffix
        }
        return "\(tokens)"
    }

    private static func oneDecimal(_ value: Double) -> String {
        TextFormatting.fixed(value, 1)
    }
}
