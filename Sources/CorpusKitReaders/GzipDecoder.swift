import CZlib

/// Streaming gzip decoder (zlib `inflate`), accepting any number of concatenated members.
///
/// `windowBits` 15+32 makes zlib detect a gzip or zlib header per member. After `Z_STREAM_END`
/// the decoder resets and continues while input remains, so multi-member files (e.g. produced by
/// `pigz` or `cat a.gz b.gz`) decode completely. Bytes after the last member that do not form a
/// valid member are reported as corruption; a file ending inside a member is reported as truncated.
final class GzipDecoder {
    private let input: CompressedInput
    /// zlib keeps a pointer back to the `z_stream`, so it must live at a stable address.
    private let stream: UnsafeMutablePointer<z_stream>
    /// True between the end of one member and the start of the next (and before the first).
    private var betweenMembers = true
    /// True before any member has started, so that `inflateReset` is skipped for the first one.
    private var isFirstMember = true

    init(input: CompressedInput) throws(InputStreamError) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw InputStreamError(
                path: input.path, compressedOffset: 0,
                kind: .decoderSetup(.gzip, detail: "inflateInit2 returned \(status)"))
        }
        self.input = input
        self.stream = stream
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Decompresses into `output`.
    /// - Returns: the number of bytes written, 0 only at the clean end of the data.
    func read(into output: UnsafeMutableRawBufferPointer) throws(InputStreamError) -> Int {
        guard let outputBase = output.baseAddress, !output.isEmpty else { return 0 }
        let outputLimit = min(output.count, Int(UInt32.max))
        while true {
            if input.isEmpty && !input.reachedEndOfFile {
                try input.refill()
            }
            // At the end, a call without input may still flush output held inside zlib.
            let atEnd = input.isEmpty && input.reachedEndOfFile
            if atEnd && betweenMembers { return 0 }
            if betweenMembers {
                if !isFirstMember { inflateReset(stream) }
                isFirstMember = false
                betweenMembers = false
            }

            let available = input.available
            let inputCount = min(available.count, Int(UInt32.max))
            stream.pointee.next_in = available.baseAddress.map {
                UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
            }
            stream.pointee.avail_in = UInt32(inputCount)
            stream.pointee.next_out = outputBase.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(outputLimit)

            let status = inflate(stream, Z_NO_FLUSH)
            input.consume(inputCount - Int(stream.pointee.avail_in))
            let produced = outputLimit - Int(stream.pointee.avail_out)

            switch status {
            case Z_OK, Z_BUF_ERROR:
                // Z_BUF_ERROR: no progress was possible; more input is needed (fetched above).
                break
            case Z_STREAM_END:
                betweenMembers = true
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "inflate returned \(status)"
                throw error(.corrupt(.gzip, detail: detail))
            }
            if produced > 0 { return produced }
            if atEnd && !betweenMembers { throw error(.truncated(.gzip)) }
        }
    }

    private func error(_ kind: InputStreamError.Kind) -> InputStreamError {
        InputStreamError(path: input.path, compressedOffset: input.offset, kind: kind)
    }
}
