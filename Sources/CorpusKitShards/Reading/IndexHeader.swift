import CorpusKitSystem

/// The fixed 34-byte `.idx` header, checked field by field against what Megatron writes.
struct IndexHeader {
    let dtype: TokenDType
    let sequenceCount: Int
    let documentIndexCount: Int

    /// Byte offsets of the three sections.
    var sizesOffset: Int { MegatronFormat.headerSize }
    var pointersOffset: Int { sizesOffset + 4 * sequenceCount }
    var documentIndexOffset: Int { pointersOffset + 8 * sequenceCount }

    init(file: MappedFile) throws {
        let path = file.path
        func fail(_ offset: Int, _ reason: String) -> ShardError {
            .invalidIndex(path: path, offset: offset, reason: reason)
        }
        let magic = MegatronFormat.magic
        let magicBytes = Array(file.bytes.prefix(magic.count))
        guard magicBytes == magic else {
            if magicBytes.count < magic.count, magicBytes == Array(magic.prefix(magicBytes.count)) {
                throw fail(file.count, "file ends inside the 9-byte magic (\(file.count) bytes)")
            }
            let shown = magicBytes.map { byte in
                (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + hex(byte)
            }.joined()
            throw fail(0, "magic is \"\(shown)\", expected \"MMIDIDX\\x00\\x00\" (not an MMapIndexedDataset index)")
        }
        guard file.count >= MegatronFormat.headerSize else {
            throw fail(file.count, "file ends inside the \(MegatronFormat.headerSize)-byte header (\(file.count) bytes)")
        }
        let version = file.load(UInt64.self, at: MegatronFormat.Offset.version)
        guard version == MegatronFormat.version else {
            throw fail(MegatronFormat.Offset.version, "version is \(version), expected 1")
        }
        let code = file.load(UInt8.self, at: MegatronFormat.Offset.dtype)
        guard let dtype = TokenDType(megatronCode: code) else {
            if let name = TokenDType.megatronName(ofCode: code) {
                throw fail(MegatronFormat.Offset.dtype,
                           "dtype code \(code) (\(name)) is valid Megatron but not a token dtype CorpusKit reads (uint16, int32)")
            }
            throw fail(MegatronFormat.Offset.dtype, "unknown dtype code \(code)")
        }
        let sequences = file.load(UInt64.self, at: MegatronFormat.Offset.sequenceCount)
        let documents = file.load(UInt64.self, at: MegatronFormat.Offset.documentIndexCount)
        guard sequences <= UInt64(Int.max), documents <= UInt64(Int.max),
              let expected = MegatronFormat.indexFileSize(sequences: Int(sequences), documentIndexCount: Int(documents))
        else {
            throw fail(MegatronFormat.Offset.sequenceCount,
                       "sequence count \(sequences) / document index length \(documents) are impossibly large")
        }
        guard documents >= 1 else {
            throw fail(MegatronFormat.Offset.documentIndexCount, "document index length is 0; Megatron always writes at least [0]")
        }
        if file.count < expected {
            throw fail(file.count,
                       "file is truncated: \(file.count) bytes, but \(sequences) sequences and a document index of "
                           + "\(documents) entries need \(expected) bytes")
        }
        if file.count > expected {
            let extra = file.count - expected
            let hint = extra == Int(sequences) ? " (one byte per sequence: a multimodal index with sequence modes, unsupported)" : ""
            throw fail(expected, "\(extra) unexpected bytes after the document index\(hint)")
        }
        self.dtype = dtype
        self.sequenceCount = Int(sequences)
        self.documentIndexCount = Int(documents)
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
}
