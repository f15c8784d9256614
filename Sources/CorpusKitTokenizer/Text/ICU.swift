import CICUShim

/// Unicode services from the system ICU, reached through the `CICUShim` C API, which opens the
/// library on first use: a tokenizer whose normalizers need it calls ``require(for:)`` when it is
/// read, so a machine without ICU gets that error instead of a failed call later.
enum ICU {
    enum Form { case nfc, nfd, nfkc, nfkd }

    /// Opens ICU if it is not open yet; throws, naming `feature`, when it cannot be.
    static func require(for feature: String) throws(TokenizerError) {
        if let reason = ck_icu_load() {
            throw .unsupported("\(feature) needs the ICU library, which could not be loaded (\(String(cString: reason)))")
        }
    }

    /// Normalizes UTF-8 text to `form` (after ``require(for:)``).
    static func normalize(_ input: [UInt8], form: Form) -> [UInt8] {
        if input.isEmpty { return [] }
        let cForm: ck_norm_form
        switch form {
        case .nfc: cForm = CK_NORM_NFC
        case .nfd: cForm = CK_NORM_NFD
        case .nfkc: cForm = CK_NORM_NFKC
        case .nfkd: cForm = CK_NORM_NFKD
        }
        var capacity = input.count * 3 + 16
        while true {
            var output = [UInt8](repeating: 0, count: capacity)
            let written = input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { target in
                    ck_icu_normalize(cForm, source.baseAddress, Int64(source.count), target.baseAddress, Int64(capacity))
                }
            }
            if written >= 0 {
                output.removeSubrange(Int(written)...)
                return output
            }
            // Input is validated UTF-8 before it gets here, so an ICU failure is a bug.
            precondition(written != Int64.min, "ICU normalization failed")
            capacity = Int(-written)
        }
    }

    /// Byte offsets (after ``require(for:)``) of extended grapheme cluster boundaries, starting with 0 and ending with the count.
    static func graphemeBoundaries(_ input: [UInt8]) -> [Int] {
        if input.isEmpty { return [0] }
        var capacity = input.count + 2
        while true {
            var offsets = [Int64](repeating: 0, count: capacity)
            let count = input.withUnsafeBufferPointer { source in
                offsets.withUnsafeMutableBufferPointer { target in
                    ck_icu_grapheme_boundaries(source.baseAddress, Int64(source.count), target.baseAddress, Int64(capacity))
                }
            }
            precondition(count != Int64.min, "ICU grapheme segmentation failed")
            if count >= 0 { return offsets.prefix(Int(count)).map { Int($0) } }
            capacity = Int(-count)
        }
    }

    /// Simple lowercase mapping of one scalar (after ``require(for:)``).
    static func lowercase(_ scalar: UInt32) -> UInt32 {
        UInt32(bitPattern: ck_icu_tolower(Int32(bitPattern: scalar)))
    }
}
