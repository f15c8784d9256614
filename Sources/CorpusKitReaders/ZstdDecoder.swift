import CZstd

/// Streaming Zstandard decoder (`ZSTD_decompressStream`).
///
/// The library moves on to the next frame by itself and skips skippable frames, so concatenated
/// frames decode as one stream. A file that ends while a frame is incomplete is reported as
/// truncated. Frames with windows up to 2 GiB (`zstd --long=31`) are accepted.
final class ZstdDecoder {
    private let input: CompressedInput
    private let context: OpaquePointer
    /// True while a frame has started and not been completely decoded and flushed.
    private var frameInProgress = false

    init(input: CompressedInput) throws(InputStreamError) {
        guard let context = ZSTD_createDCtx() else {
            throw InputStreamError(
                path: input.path, compressedOffset: 0,
                kind: .decoderSetup(.zstd, detail: "ZSTD_createDCtx failed"))
        }
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, 31)
        self.input = input
        self.context = context
    }

    deinit {
        ZSTD_freeDCtx(context)
    }

    /// Decompresses into `output`.
    /// - Returns: the number of bytes written, 0 only at the clean end of the data.
    func read(into output: UnsafeMutableRawBufferPointer) throws(InputStreamError) -> Int {
        guard let outputBase = output.baseAddress, !output.isEmpty else { return 0 }
        while true {
            if input.isEmpty && !input.reachedEndOfFile {
                try input.refill()
            }
            let atEnd = input.isEmpty && input.reachedEndOfFile
            // At the end, a call without input may still flush data buffered inside the decoder.
            if atEnd && !frameInProgress { return 0 }

            let available = input.available
            var inBuffer = ZSTD_inBuffer(src: available.baseAddress, size: available.count, pos: 0)
            var outBuffer = ZSTD_outBuffer(dst: outputBase, size: output.count, pos: 0)
            let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
            input.consume(inBuffer.pos)
            if ZSTD_isError(result) != 0 {
                throw error(.corrupt(.zstd, detail: String(cString: ZSTD_getErrorName(result))))
            }
            frameInProgress = result != 0
            if outBuffer.pos > 0 { return outBuffer.pos }
            if atEnd {
                if frameInProgress { throw error(.truncated(.zstd)) }
                return 0
            }
        }
    }

    private func error(_ kind: InputStreamError.Kind) -> InputStreamError {
        InputStreamError(path: input.path, compressedOffset: input.offset, kind: kind)
    }
}
