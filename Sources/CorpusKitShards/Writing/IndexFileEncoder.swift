import CorpusKitSystem
/// Writes the `.idx` bytes exactly as Megatron's `MMapIndexedDataset.Index.writer` does:
/// header, `Int32` sizes, `Int64` pointers (running byte address before each sequence),
/// `Int64` document index (a leading 0, then the sequence count after each document).
enum IndexFileEncoder {
    static func write(
        dtype: TokenDType,
        sizes: UnsafeBufferPointer<Int32>,
        documentEnds: UnsafeBufferPointer<UInt32>,
        to output: BufferedFileOutput
    ) throws {
        try MegatronFormat.magic.withUnsafeBytes { try output.append($0) }
        try output.append(littleEndian: MegatronFormat.version)
        try output.append(littleEndian: dtype.megatronCode)
        try output.append(littleEndian: UInt64(sizes.count))
        try output.append(littleEndian: UInt64(documentEnds.count + 1))

        if hostIsLittleEndian {
            try output.append(UnsafeRawBufferPointer(sizes))
        } else {
            try output.appendConverted(count: sizes.count, as: Int32.self) { sizes[$0] }
        }

        // pointers: address before each sequence; address += size * itemsize (Int64 arithmetic).
        let itemSize = Int64(dtype.itemSize)
        var address: Int64 = 0
        try output.appendConverted(count: sizes.count, as: Int64.self) { index in
            let pointer = address
            address += Int64(sizes[index]) * itemSize
            return pointer
        }

        try output.append(littleEndian: Int64(0))
        try output.appendConverted(count: documentEnds.count, as: Int64.self) { Int64(documentEnds[$0]) }
    }
}
