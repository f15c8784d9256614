/// Knobs for ``JSONFieldExtractor`` where exact `json.loads` behaviour is not the whole story.
public struct JSONExtractionOptions: Sendable, Equatable {
    /// Reject a `"\r"` between JSON tokens (default `true`).
    ///
    /// `json.loads` accepts `"\r"` as whitespace, but when Python reads a file in text mode its
    /// universal newlines split the line at a lone `"\r"`, so such a line never reaches
    /// `json.loads` whole. ``LineReader`` only splits at `"\n"`, so rejecting the `"\r"` here keeps
    /// the reader from accepting lines Python would have broken apart. Set to `false` for plain
    /// `json.loads` semantics.
    public var rejectsCarriageReturnOutsideStrings: Bool
    /// The most digits an integer literal may have, like Python's `sys.get_int_max_str_digits()`
    /// (4300 by default since Python 3.11; `json.loads` raises `ValueError` beyond it).
    /// `nil` means no limit. Floats (with a fraction or exponent) are never limited.
    public var maximumIntegerDigits: Int?
    /// The deepest nesting of objects and arrays accepted (the top-level object is depth 1).
    /// `nil` (the default) means no limit; the parser uses no recursion.
    ///
    /// CPython's recursive parser raises `RecursionError` at roughly 1000 levels, depending on
    /// the interpreter's current stack depth; set this to emulate that.
    public var maximumNestingDepth: Int?

    /// Creates options; the defaults match Python reading a text file with `json.loads`.
    public init(
        rejectsCarriageReturnOutsideStrings: Bool = true,
        maximumIntegerDigits: Int? = 4300,
        maximumNestingDepth: Int? = nil
    ) {
        self.rejectsCarriageReturnOutsideStrings = rejectsCarriageReturnOutsideStrings
        self.maximumIntegerDigits = maximumIntegerDigits
        self.maximumNestingDepth = maximumNestingDepth
    }

    /// Exactly `json.loads` on a `str` (no universal-newline emulation).
    public static let jsonLoads = JSONExtractionOptions(rejectsCarriageReturnOutsideStrings: false)
}
