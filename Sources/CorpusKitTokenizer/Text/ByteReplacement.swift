import CTextKernels

/// Copying UTF-8 text with one byte value replaced by a short byte string: sentencepiece's
/// whitespace escaping (`' '` → `▁`) and HF's `Replace` normalizer with a one-byte literal (the
/// llm-jp tokenizer.json files replace `' '` with `▁`).
///
/// With AVX2 and a replacement of 1–3 bytes, `ck_replace_byte` (CTextKernels) does the copy:
/// 32 bytes compared at once, each 8 with a match spread by one table-driven byte shuffle (the
/// normalizer of a v3.1 `.model` job on the benchmark's mixed input: 23.8 → 5.6 M instructions,
/// BENCHMARKS.md "Eleventh session"). Otherwise (and as the definition the tests hold it to)
/// it writes through a raw pointer into room made once, eight bytes at a time: a word without a
/// match is one store; a word with matches is stored piece by piece, one store for the bytes
/// before each match and one for the replacement (a replacement of up to eight bytes is kept as
/// one word), the positions taken from an exact per-byte zero test. Appending run by run cost ~45
/// instructions per byte of English text and ~70 per byte of code (callgrind, 2026-12-06);
/// copying the words that held a match byte by byte, 12 and 18 per byte of the whole normalizer;
/// see BENCHMARKS.md (issue 22, "Outside the model stage") for this version's counts.
enum ByteReplacement {
    /// Appends `input` to `output` with every `byte` replaced by `replacement`.
    static func append(_ input: UnsafeBufferPointer<UInt8>, replacing byte: UInt8,
                       with replacement: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        let count = input.count
        guard count > 0, let bytes = input.baseAddress else { return }
        let first = output.count
        let width = replacement.count
        // Slack for whole-word (8) and vector (32) stores past what they mean.
        let room = count * max(width, 1) + Int(CK_REPLACE_BYTE_SLACK)
        if output.capacity < first + room { output.reserveCapacity(first + room) }
        // An Array cannot grow by uninitialized elements; one memset-backed append is cheap.
        output.append(contentsOf: repeatElement(0, count: room))
        let written = output.withUnsafeMutableBufferPointer { buffer -> Int in
            let out = buffer.baseAddress! + first
            // The vector kernel where it has a path (widths 1–3, AVX2), else words below.
            let vectorWritten = ck_replace_byte(bytes, count, byte, replacement.baseAddress, width, out)
            if vectorWritten >= 0 { return first + vectorWritten }   // SIZE_MAX is -1 here
            let with = replacement.baseAddress
            var o = 0
            var i = 0
            @inline(__always) func copy(_ value: UInt8) {
                if value == byte {
                    var k = 0
                    while k < width { out[o + k] = with![k]; k += 1 }
                    o += width
                } else {
                    out[o] = value
                    o += 1
                }
            }
            if width <= 8 {
                var replacementWord: UInt64 = 0
                for k in 0..<width { replacementWord |= UInt64(with![k]) << (8 * UInt64(k)) }
                let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
                let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
                while i + 8 <= count {
                    var word = UnsafeRawPointer(bytes + i).loadUnaligned(as: UInt64.self)
                    i += 8
                    let x = word ^ pattern
                    // Exactly the bytes equal to `byte` get their high bit (no borrow between bytes).
                    var matches = ~(((x & low7) &+ low7) | x) & 0x8080_8080_8080_8080
                    if matches == 0 {
                        UnsafeMutableRawPointer(out + o).storeBytes(of: word, as: UInt64.self)
                        o += 8
                        continue
                    }
                    var left = 8
                    repeat {
                        let before = matches.trailingZeroBitCount &>> 3
                        UnsafeMutableRawPointer(out + o).storeBytes(of: word, as: UInt64.self)
                        o += before
                        UnsafeMutableRawPointer(out + o).storeBytes(of: replacementWord, as: UInt64.self)
                        o += width
                        // Two shifts: a shift by 64 (a match in the last byte) must give 0.
                        let shift = UInt64(truncatingIfNeeded: before &<< 3)
                        word = (word &>> shift) &>> 8
                        matches = (matches &>> shift) &>> 8
                        left &-= before &+ 1
                    } while matches != 0
                    UnsafeMutableRawPointer(out + o).storeBytes(of: word, as: UInt64.self)
                    o += left
                }
            }
            while i < count { copy(bytes[i]); i += 1 }
            return first + o
        }
        output.removeSubrange(written...)
    }
}
