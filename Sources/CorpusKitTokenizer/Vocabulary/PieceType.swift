/// The kind of a vocabulary entry, numbered as in sentencepiece's `ModelProto.SentencePiece.Type`.
public enum PieceType: UInt8, Sendable, CustomStringConvertible {
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6

    /// Whether sentencepiece keeps the piece in its reserved map (`reserved_id_map_`: control,
    /// unknown and byte pieces), which lookups try first and where a name may repeat a normal piece's.
    public var isSentencePieceReserved: Bool { self == .control || self == .unknown || self == .byte }

    public var description: String {
        switch self {
        case .normal: return "normal"
        case .unknown: return "unknown"
        case .control: return "control"
        case .userDefined: return "user-defined"
        case .unused: return "unused"
        case .byte: return "byte"
        }
    }
}
