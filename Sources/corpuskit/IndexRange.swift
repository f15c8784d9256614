import ArgumentParser

/// The one range syntax of the command line (`shard decode --docs`, `replay --samples`, `model loss
/// --samples`): 0-based and half-open, as Python slices and Megatron's sample indices.
///
/// - `A..B`: A ≤ i < B (`0..10` is ten items);
/// - `A..`: A to the end (where the command knows the end);
/// - `A`: item A alone (where documented).
///
/// Closed forms (`A..=B`, `A...B`) are refused with their half-open spelling. (`shard decode --docs
/// A..B` was inclusive before this syntax was settled; README says so.)
struct IndexRange: CustomStringConvertible {
    let lower: Int
    /// Exclusive; nil: to the end.
    let upper: Int?
    let description: String
    private let option: String

    /// Parses `text` given to `option`. `openEnded`: `A..` is allowed; `single`: `A` is allowed.
    init(_ text: String, option: String, openEnded: Bool, single: Bool) throws {
        description = text
        self.option = option
        var forms = ["A..B (A ≤ i < B)"]
        if openEnded { forms.append("A.. (A to the end)") }
        if single { forms.append("A (one)") }
        let expected = "expected " + forms.joined(separator: ", ") + ", 0-based"
        for closed in ["..=", "..."] where text.contains(closed) {
            let parts = text.components(separatedBy: closed)
            var hint = ""
            if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) { hint = "; write \(a)..\(b + 1) for \(a) ≤ i ≤ \(b)" }
            throw ValidationError("\(option) \(text): ranges are half-open (A..B is A ≤ i < B)\(hint)")
        }
        let parts = text.components(separatedBy: "..")
        switch parts.count {
        case 1 where single:
            guard let a = Int(parts[0]), a >= 0 else { throw ValidationError("\(option) \(text): \(expected)") }
            lower = a
            upper = a + 1
        case 2:
            guard let a = Int(parts[0]), a >= 0 else { throw ValidationError("\(option) \(text): \(expected)") }
            if parts[1].isEmpty && openEnded {
                lower = a
                upper = nil
            } else {
                guard let b = Int(parts[1]), a < b else { throw ValidationError("\(option) \(text): \(expected), A < B") }
                lower = a
                upper = b
            }
        default:
            throw ValidationError("\(option) \(text): \(expected)")
        }
    }

    /// The range within `count` items; a CLIError when it reaches past them.
    func clamped(to count: Int, items: String) throws -> Range<Int> {
        let end = upper ?? count
        guard lower < count || (upper == nil && lower == count), end <= count else {
            throw CLIError("\(option) \(description): there are \(count) \(items) (0..\(count))")
        }
        return lower ..< end
    }

    /// The bounded range (`openEnded` was false).
    var range: Range<Int> { lower ..< upper! }
}
