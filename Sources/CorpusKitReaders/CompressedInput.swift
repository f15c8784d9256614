/// A buffered window over the raw (compressed) bytes of a file, shared by the decoders.
///
/// Keeps track of the file offset of every buffered byte so that errors can name the exact
/// compressed offset where decoding stopped.
final class CompressedInput {
    let file: RawFileReader
    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// File offset of `storage[0]`.
    private var storageFileOffset = 0
    /// True once `read` has returned 0.
    private(set) var reachedEndOfFile = false

    init(file: RawFileReader, bufferSize: Int) {
        self.file = file
        self.storage = .allocate(byteCount: max(bufferSize, 64), alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    var path: String { file.path }

    /// The buffered bytes not consumed yet.
    var available: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[start..<end])
    }

    var isEmpty: Bool { start == end }

    /// File offset of the first unconsumed byte.
    var offset: Int { storageFileOffset + start }

    /// Marks `count` buffered bytes as consumed.
    func consume(_ count: Int) {
        start += count
    }

    /// Reads more bytes after the unconsumed ones (moving those to the front first).
    /// Sets ``reachedEndOfFile`` when the file has no more bytes.
    func refill() throws(InputStreamError) {
        if start > 0 {
            let pending = end - start
            if pending > 0, let base = storage.baseAddress {
                base.copyMemory(from: base + start, byteCount: pending)
            }
            storageFileOffset += start
            start = 0
            end = pending
        }
        guard end < storage.count else { return }
        let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
        if count == 0 { reachedEndOfFile = true }
        end += count
    }

    /// Refills until at least `count` bytes are buffered or the file ends.
    func fill(atLeast count: Int) throws(InputStreamError) {
        while end - start < count && !reachedEndOfFile {
            try refill()
        }
    }

    /// Moves up to `destination.count` unconsumed bytes into `destination`.
    /// - Returns: the number of bytes moved.
    func drain(into destination: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(end - start, destination.count)
        guard count > 0, let target = destination.baseAddress, let source = storage.baseAddress else { return 0 }
        target.copyMemory(from: source + start, byteCount: count)
        start += count
        return count
    }
}
