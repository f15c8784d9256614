/// The container format of an input file.
///
/// Detection looks at the first bytes of the file (the magic number) and only falls back to the
/// file name when the bytes are not conclusive, so a misnamed file is still read correctly.
public enum CompressionFormat: String, Sendable, CaseIterable {
    /// Uncompressed bytes.
    case plain
    /// One or more concatenated gzip (or zlib) members.
    case gzip
    /// One or more concatenated Zstandard frames, skippable frames included.
    case zstd

    /// The number of leading bytes ``detect(leadingBytes:)`` needs to decide.
    public static let magicLength = 4

    /// The format announced by the magic number at the start of `leadingBytes`, or `nil` when the
    /// bytes match no compressed format (or are too short to tell).
    ///
    /// - gzip: `1f 8b`
    /// - zstd frame: `28 b5 2f fd`
    /// - zstd skippable frame: `5? 2a 4d 18` (little-endian `0x184D2A50` … `0x184D2A5F`)
    public static func detect(leadingBytes: UnsafeRawBufferPointer) -> CompressionFormat? {
        let bytes = leadingBytes
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B { return .gzip }
        guard bytes.count >= 4 else { return nil }
        if bytes[0] == 0x28, bytes[1] == 0xB5, bytes[2] == 0x2F, bytes[3] == 0xFD { return .zstd }
        if bytes[0] & 0xF0 == 0x50, bytes[1] == 0x2A, bytes[2] == 0x4D, bytes[3] == 0x18 { return .zstd }
        return nil
    }

    /// The format implied by the file name: `.gz` means gzip, `.zst` and `.zstd` mean zstd,
    /// anything else is plain.
    public static func fromFileName(_ path: String) -> CompressionFormat {
        if path.hasSuffix(".gz") { return .gzip }
        if path.hasSuffix(".zst") || path.hasSuffix(".zstd") { return .zstd }
        return .plain
    }

    /// The format of a file: its magic number if it has a known one, else its file name.
    public static func resolve(leadingBytes: UnsafeRawBufferPointer, path: String) -> CompressionFormat {
        detect(leadingBytes: leadingBytes) ?? fromFileName(path)
    }
}
