/// The element types of Megatron's cache arrays, with numpy's `descr` for each.
public enum NpyType: String, Sendable, Equatable {
    case int16 = "<i2"
    case int32 = "<i4"
    case int64 = "<i8"
    case uint32 = "<u4"

    public var byteWidth: Int {
        switch self {
        case .int16: return 2
        case .int32, .uint32: return 4
        case .int64: return 8
        }
    }
}

/// The header `numpy.save` writes (format 1.0, C order, little-endian), so that our files equal
/// numpy's byte for byte: magic `\x93NUMPY`, version 1.0, a little-endian `uint16` header length,
/// then `{'descr': '<i4', 'fortran_order': False, 'shape': (n,), }` followed by
/// `21 − len(str(shape[0]))` spaces (numpy leaves room to grow the first axis in place), padded
/// with 1 to 64 spaces and a final newline to a multiple of 64 bytes.
public enum NpyHeader {
    public static func bytes(type: NpyType, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(type.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        if let first = shape.first { dict += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        let headerLength = dict.utf8.count + 1
        let padding = 64 - ((8 + 2 + headerLength) % 64) // numpy pads 64 spaces, not 0, when already aligned
        let total = headerLength + padding
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let stored = total
        out.append(UInt8(stored & 0xff)); out.append(UInt8(stored >> 8))
        out += Array(dict.utf8)
        out += [UInt8](repeating: 0x20, count: total - headerLength)
        out.append(0x0a)
        return out
    }
}
