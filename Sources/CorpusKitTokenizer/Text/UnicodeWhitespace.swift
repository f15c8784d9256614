/// Unicode `White_Space`, which Rust's `char::is_whitespace` (and so HF tokenizers) uses.
enum UnicodeWhitespace {
    static func contains(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
