/// One tensor as a safetensors header describes it: no data is read.
///
/// `byteRange` is absolute in its file, so a memory-mapped reader can slice the tensor's bytes
/// straight from a mapping of ``file``.
public struct TensorInfo: Sendable, Equatable {
    /// The tensor's name (`model.embed_tokens.weight`).
    public var name: String
    /// Its dtype.
    public var dtype: SafetensorsDType
    /// Its shape.
    public var shape: [Int]
    /// `data_offsets` as written: relative to the start of the data section.
    public var dataOffsets: Range<Int>
    /// The file that holds it.
    public var file: String
    /// Byte range of the tensor's data in ``file`` (data section start + `data_offsets`).
    public var byteRange: Range<Int>

    /// Number of elements (1 for a scalar, shape `[]`).
    public var elementCount: Int { shape.reduce(1, *) }
}
