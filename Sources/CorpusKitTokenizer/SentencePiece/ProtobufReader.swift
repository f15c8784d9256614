/// A minimal reader for the protobuf wire format, enough to decode sentencepiece's `ModelProto`.
///
/// Hand-written rather than using swift-protobuf: the schema needs a handful of fields, and
/// generated code plus the protoc plugin would cost minutes of build time for no gain in speed.
struct ProtobufReader {
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    struct Field {
        var number: UInt32
        var wireType: WireType
    }

    private let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    private let end: Int

    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.position = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    mutating func readField() throws(TokenizerError) -> Field {
        let key = try readVarint()
        guard let wireType = WireType(rawValue: UInt8(key & 7)), key >> 3 != 0, key >> 3 <= UInt64(UInt32.max) else {
            throw malformed("invalid field key \(key)")
        }
        return Field(number: UInt32(key >> 3), wireType: wireType)
    }

    mutating func readVarint() throws(TokenizerError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw malformed("truncated varint") }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw malformed("varint overflow") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw malformed("varint too long") }
        }
    }

    mutating func readFixed32() throws(TokenizerError) -> UInt32 {
        guard end - position >= 4 else { throw malformed("truncated fixed32") }
        let value = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return UInt32(littleEndian: value)
    }

    mutating func readFloat() throws(TokenizerError) -> Float {
        Float(bitPattern: try readFixed32())
    }

    /// Reads a length-delimited field and returns its byte range.
    mutating func readLengthDelimited() throws(TokenizerError) -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - position) else { throw malformed("length-delimited field runs past the end") }
        let start = position
        position += Int(length)
        return start..<position
    }

    mutating func readBytes() throws(TokenizerError) -> [UInt8] {
        let range = try readLengthDelimited()
        return Array(bytes[range])
    }

    mutating func readString() throws(TokenizerError) -> String {
        String(decoding: bytes[try readLengthDelimited()], as: UTF8.self)
    }

    /// Moves to `offset` (a field boundary the caller knows, e.g. the end of a cached run of fields).
    mutating func move(to offset: Int) throws(TokenizerError) {
        guard offset >= position, offset <= end else { throw malformed("cannot move to byte offset \(offset)") }
        position = offset
    }

    mutating func skip(_ field: Field) throws(TokenizerError) {
        switch field.wireType {
        case .varint: _ = try readVarint()
        case .fixed64:
            guard end - position >= 8 else { throw malformed("truncated fixed64") }
            position += 8
        case .lengthDelimited: _ = try readLengthDelimited()
        case .fixed32: _ = try readFixed32()
        case .startGroup, .endGroup: throw malformed("protobuf groups are not supported")
        }
    }

    private func malformed(_ reason: String) -> TokenizerError {
        .malformedModel("protobuf: \(reason) at byte offset \(position)")
    }
}
