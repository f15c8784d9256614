/// Layout constants and file naming of Megatron's `MMapIndexedDataset` (`MMIDIDX`) format.
///
/// `.idx` layout, all little-endian, no padding (see FORMAT.md):
///
/// | offset | bytes | field |
/// |---|---|---|
/// | 0 | 9 | magic `MMIDIDX\0\0` |
/// | 9 | 8 | version, `UInt64` = 1 |
/// | 17 | 1 | dtype code (`TokenDType.megatronCode`) |
/// | 18 | 8 | sequence count `n` |
/// | 26 | 8 | document index length `d` (documents + 1) |
/// | 34 | 4·n | sequence sizes, `Int32` tokens |
/// | 34+4n | 8·n | sequence pointers, `Int64` byte offsets into `.bin` |
/// | 34+12n | 8·d | document index, `Int64` sequence indices, starting with 0 |
public enum MegatronFormat {
    /// `_HDR_MAGIC`.
    public static let magic: [UInt8] = Array("MMIDIDX".utf8) + [0, 0]
    /// The only version Megatron writes or reads.
    public static let version: UInt64 = 1
    /// Bytes before the sizes section.
    public static let headerSize = 34

    /// Offsets of the header fields.
    enum Offset {
        static let version = 9
        static let dtype = 17
        static let sequenceCount = 18
        static let documentIndexCount = 26
    }

    /// The exact `.idx` size for `sequences` sequences and a document index of `documentIndexCount` entries,
    /// or `nil` if it overflows `Int`.
    public static func indexFileSize(sequences: Int, documentIndexCount: Int) -> Int? {
        let (a, o1) = sequences.multipliedReportingOverflow(by: 12)
        let (b, o2) = documentIndexCount.multipliedReportingOverflow(by: 8)
        let (c, o3) = a.addingReportingOverflow(b)
        let (size, o4) = c.addingReportingOverflow(headerSize)
        return (o1 || o2 || o3 || o4) ? nil : size
    }

    /// `{prefix}.idx`.
    public static func indexPath(prefix: String) -> String { prefix + ".idx" }

    /// `{prefix}.bin`.
    public static func dataPath(prefix: String) -> String { prefix + ".bin" }

    /// The prefix `preprocess_data.py` writes for one JSON key: `{outputPrefix}_{key}_{level}`,
    /// level `"document"` (`"sentence"` only with `--split-sentences`).
    public static func outputPrefix(_ outputPrefix: String, key: String, level: String = "document") -> String {
        "\(outputPrefix)_\(key)_\(level)"
    }

    /// A prefix from a path that may end in `.idx` or `.bin` (the path itself otherwise).
    public static func prefix(fromPath path: String) -> String {
        if path.hasSuffix(".idx") || path.hasSuffix(".bin") {
            return String(path.dropLast(4))
        }
        return path
    }
}
