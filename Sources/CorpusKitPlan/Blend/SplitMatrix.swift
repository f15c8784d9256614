/// megatron-core's train/valid/test split of each dataset's sequences (`--split 969,30,1`).
///
/// The numbers are normalised with `numpy.sum` into ratios, accumulated into book-ends
/// `[0, r0, r0+r1, r0+r1+r2]` (float64, left to right), and a split whose book-ends coincide is
/// absent. Split `i` of a dataset with `n` sequences is the contiguous range
/// `round(begin·n) ..< round(end·n)`, rounding half to even as Python's `round` does.
public struct SplitMatrix: Sendable, Equatable {
    /// Book-ends `(begin, end)` of train, valid and test; nil where the split is absent.
    public let bookends: [(Double, Double)?]
    /// The split string as given.
    public let text: String

    public static func == (a: SplitMatrix, b: SplitMatrix) -> Bool {
        a.text == b.text && zip(a.bookends, b.bookends).allSatisfy { $0?.0 == $1?.0 && $0?.1 == $1?.1 }
    }

    /// Parses a split string: the numbers (`[.0-9]+` runs) in it, padded with zeros to three.
    public init(_ text: String) throws {
        self.text = text
        var numbers: [Double] = []
        var current = ""
        for ch in text + " " {
            if ch.isASCII && (ch.isNumber || ch == ".") {
                current.append(ch)
            } else if !current.isEmpty {
                guard let value = Double(current) else { throw PlanError.badSplit(text, reason: "\"\(current)\" is not a number") }
                numbers.append(value)
                current = ""
            }
        }
        guard numbers.count <= 3 else { throw PlanError.badSplit(text, reason: "more than three numbers") }
        while numbers.count < 3 { numbers.append(0) }
        let total = NumpyFloat.sum(numbers)
        guard total > 0 else { throw PlanError.badSplit(text, reason: "the numbers add up to zero") }
        let ratios = NumpyFloat.normalize(numbers)
        var ends: [Double] = [0]
        for r in ratios { ends.append(ends[ends.count - 1] + r) }
        bookends = (0..<3).map { i in ends[i + 1] <= ends[i] ? nil : (ends[i], ends[i + 1]) }
    }

    /// The sequence range of split `split` (0 train, 1 valid, 2 test) of a dataset with `count` sequences.
    public func range(split: Int, count: Int) -> Range<Int>? {
        guard let (begin, end) = bookends[split] else { return nil }
        let b = Int((begin * Double(count)).rounded(.toNearestOrEven))
        let e = Int((end * Double(count)).rounded(.toNearestOrEven))
        return b ..< max(b, e)
    }
}
