/// The element type of a Megatron `.bin` file, with the numeric code Megatron stores in the `.idx` header.
///
/// Megatron's `preprocess_data.py` only ever writes two of its eight codes:
/// `uint16` when the tokenizer's vocabulary size is below 65,500 and `int32` otherwise
/// (`best_fitting_dtype` / `DType.optimal_dtype`).
public enum TokenDType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// NumPy `uint16`, Megatron code 8. Holds token ids 0...65535.
    case uint16 = 8
    /// NumPy `int32`, Megatron code 4. Holds any `Int32`.
    case int32 = 4

    /// The code written at byte 17 of the `.idx` file.
    public var megatronCode: UInt8 { rawValue }

    /// Bytes per token in the `.bin` file.
    public var itemSize: Int {
        switch self {
        case .uint16: return 2
        case .int32: return 4
        }
    }

    /// The NumPy name (`"uint16"`, `"int32"`).
    public var description: String {
        switch self {
        case .uint16: return "uint16"
        case .int32: return "int32"
        }
    }

    /// The dtype for a Megatron code, or `nil` for codes CorpusKit does not read or write.
    public init?(megatronCode: UInt8) {
        self.init(rawValue: megatronCode)
    }

    /// The dtype `preprocess_data.py` picks for a vocabulary: `uint16` when `vocabularySize < 65500`, else `int32`.
    ///
    /// `vocabularySize` is the tokenizer wrapper's `vocab_size` (for Megatron's `SentencePieceTokenizer` that
    /// includes the special tokens it appends), not the padded model vocabulary.
    public static func optimal(vocabularySize: Int) -> TokenDType {
        vocabularySize < 65500 ? .uint16 : .int32
    }

    /// Whether `token` can be stored without changing its value.
    @inlinable
    public func canRepresent(_ token: Int32) -> Bool {
        switch self {
        case .uint16: return UInt32(bitPattern: token) <= 0xFFFF
        case .int32: return true
        }
    }

    /// The NumPy name of any Megatron dtype code, for messages about files CorpusKit cannot handle.
    public static func megatronName(ofCode code: UInt8) -> String? {
        switch code {
        case 1: return "uint8"
        case 2: return "int8"
        case 3: return "int16"
        case 4: return "int32"
        case 5: return "int64"
        case 6: return "float64"
        case 7: return "float32"
        case 8: return "uint16"
        default: return nil
        }
    }
}
