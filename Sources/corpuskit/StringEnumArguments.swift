import ArgumentParser

/// The help strings of the options whose values are a string enum (`--input-format jsonl`), read
/// from the raw values directly. swift-argument-parser's defaults go through `"\(value)"` and
/// `String(describing:)`, whose first use in a process asks the Swift runtime about the value's
/// conformances (`TextOutputStreamable`, `CustomStringConvertible`, …), and each such question
/// scans every conformance record of the binary (~6,800 here). Every command builds these strings
/// while it parses, even without `--help`. Reading the raw values took an empty `encode` from 29.6
/// to 28.3 M instructions (callgrind; BENCHMARKS.md, thirteenth session). Same strings, so the same help.
extension ExpressibleByArgument where Self: CaseIterable, Self: RawRepresentable, RawValue == String {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
    public var defaultValueDescription: String { rawValue }
    /// The descriptions that differ from the values: none, as with the defaults.
    public static var allValueDescriptions: [String: String] { [:] }
}
