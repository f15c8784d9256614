/// Copying UTF-8 text with one byte value replaced by a short byte string: sentencepiece's
/// whitespace escaping (`' '` → `▁`) and HF's `Replace` normalizer with a one-byte literal (the
/// llm-jp tokenizer.json files replace `' '` with `▁`).
///
/// Writes through a raw pointer into room made once, eight bytes at a time while they hold no
/// match (a SWAR zero-byte test): appending run by run cost ~45 instructions per byte of English
/// text and ~70 per byte of code (callgrind, 2026-12-06); this is a few.
enum ByteReplacement {
    /// Appends `input` to `output` with every `byte` replaced by `replacement`.
    static func append(_ input: UnsafeBufferPointer<UInt8>, replacing byte: UInt8,
                       with replacement: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        let count = input.count
        guard count > 0, let bytes = input.baseAddress else { return }
        let first = output.count
        let width = replacement.count
        let room = count * max(width, 1)
        if output.capacity < first + room { output.reserveCapacity(first + room) }
        // An Array cannot grow by uninitialized elements; one memset-backed append is cheap.
        output.append(contentsOf: repeatElement(0, count: room))
        let written = output.withUnsafeMutableBufferPointer { buffer -> Int in
            let out = buffer.baseAddress! + first
            let with = replacement.baseAddress
            var o = 0
            var i = 0
            let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
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
            // Whole words while they hold no match; a word with one, byte by byte (going back to
            // words right after the first match cost 2 % more instructions on English text).
            while i + 8 <= count {
                let word = UnsafeRawPointer(bytes + i).loadUnaligned(as: UInt64.self)
                let x = word ^ pattern
                if (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 == 0 {
                    UnsafeMutableRawPointer(out + o).storeBytes(of: word, as: UInt64.self)
                    o += 8
                    i += 8
                    continue
                }
                let stop = i + 8
                while i < stop { copy(bytes[i]); i += 1 }
            }
            while i < count { copy(bytes[i]); i += 1 }
            return first + o
        }
        output.removeSubrange(written...)
    }
}
