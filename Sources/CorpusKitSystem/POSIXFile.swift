#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the file system calls CorpusKit needs, reporting failures as
/// ``SystemError`` naming the file. Hand-written over `FileHandle`/swift-system because the
/// writers need `O_EXCL` creation, exact short-write handling and errno-level errors on every
/// platform Swift runs on, in a few lines.
public enum POSIXFile {
    /// Opens `path` for writing, creating it; fails with EEXIST if it exists.
    public static func createExclusive(_ path: String) throws(SystemError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw SystemError(path: path, operation: "create", code: errno) }
        return fd
    }

    /// Opens `path` for appending, creating it when missing (Python's `open(path, 'a')`).
    public static func openForAppending(_ path: String) throws(SystemError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { throw SystemError(path: path, operation: "open for append", code: errno) }
        return fd
    }

    /// Opens `path` read-only.
    public static func openForReading(_ path: String) throws(SystemError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SystemError(path: path, operation: "open", code: errno) }
        return fd
    }

    /// The size of an open file.
    public static func size(of fd: Int32, path: String) throws(SystemError) -> Int {
        var info = stat()
        if fstat(fd, &info) != 0 { throw SystemError(path: path, operation: "stat", code: errno) }
        return Int(info.st_size)
    }

    /// The size of `fd` when it is a regular file; nil for pipes, devices and the like (or when
    /// `fstat` fails), whose size says nothing of how much there is to read.
    public static func regularFileSize(of fd: Int32) -> Int? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// Tells the kernel `fd` will be read from start to end (larger read-ahead); best effort.
    public static func adviseSequential(_ fd: Int32) {
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
    }

    /// Reads up to `buffer.count` bytes at `fd`'s offset (`read`, retrying EINTR).
    /// - Returns: the number of bytes read; 0 only at the end of the file (or for an empty buffer).
    public static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        while true {
            #if canImport(Glibc)
            let count = Glibc.read(fd, base, buffer.count)
            #elseif canImport(Musl)
            let count = Musl.read(fd, base, buffer.count)
            #else
            let count = Darwin.read(fd, base, buffer.count)
            #endif
            if count >= 0 { return count }
            if errno != EINTR { throw SystemError(path: path, operation: "read", code: errno) }
        }
    }

    /// What `stat` says of a file: its size and when it was last modified.
    public struct Status: Sendable, Equatable {
        /// Bytes.
        public var size: Int
        /// The last modification, in seconds since 1970 (with the file system's sub-second part).
        public var modifiedAt: Double
        /// The last access, in seconds since 1970, as the file system keeps it (with Linux's
        /// default `relatime`, updated when a read or a mapping follows the last modification or
        /// the recorded access is a day old).
        public var accessedAt: Double = 0
        /// Whether it is a regular file (after symbolic links).
        public var isRegularFile: Bool = false
        /// Whether it is a directory (after symbolic links).
        public var isDirectory: Bool = false
        /// The device and inode: which file it is, whatever path reached it (a directory walk
        /// recognises a symbolic-link cycle by them).
        public var device: UInt64 = 0
        public var inode: UInt64 = 0
    }

    /// `stat` of the file at `path` (after symbolic links).
    /// - Throws: ``SystemError`` with `stat`'s errno (ENOENT for a missing file).
    public static func examine(_ path: String) throws(SystemError) -> Status {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SystemError(path: path, operation: "stat", code: errno) }
        #if canImport(Darwin)
        let modified = info.st_mtimespec, accessed = info.st_atimespec
        #else
        let modified = info.st_mtim, accessed = info.st_atim
        #endif
        return Status(size: Int(info.st_size), modifiedAt: Double(modified.tv_sec) + Double(modified.tv_nsec) / 1e9,
                      accessedAt: Double(accessed.tv_sec) + Double(accessed.tv_nsec) / 1e9,
                      isRegularFile: (info.st_mode & S_IFMT) == S_IFREG, isDirectory: (info.st_mode & S_IFMT) == S_IFDIR,
                      device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// `stat` of the file at `path`, or nil when it cannot be examined (missing, no permission):
    /// for displays and checks that report "missing" themselves.
    public static func status(path: String) -> Status? { try? examine(path) }

    /// The size of the file at `path`, or nil when it cannot be examined (for progress displays,
    /// where the reader reports the real error).
    public static func size(path: String) -> Int? { status(path: path)?.size }

    /// How many seconds ago the file at `path` was last modified, or nil when it cannot be examined.
    public static func secondsSinceModification(path: String) -> Double? {
        guard let modifiedAt = status(path: path)?.modifiedAt else { return nil }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 - modifiedAt
    }

    /// Reads exactly `count` bytes at `offset` (`pread`, retrying short reads and EINTR).
    /// - Throws: ``SystemError`` on a read error, or when the file ends first (it shrank).
    public static func read(_ fd: Int32, offset: Int, count: Int, path: String) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let result: Result<Void, SystemError> = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(SystemError) in try read(fd, offset: offset, into: buffer, path: path) }
        }
        try result.get()
        return bytes
    }

    /// Fills `buffer` with the bytes at `offset` of `fd`, retrying short reads and EINTR; a file
    /// that ends first is an error (it shrank while being read).
    public static func read(_ fd: Int32, offset: Int, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(SystemError) {
        var done = 0
        while done < buffer.count {
            let got = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw SystemError(path: path, operation: "read", code: errno)
            }
            if got == 0 { throw SystemError(path: path, operation: "read (the file shrank while being read)", code: EIO) }
            done += got
        }
    }

    /// Writes all `count` bytes at `base`, retrying short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int, path: String) throws(SystemError) {
        var offset = 0
        while offset < count {
            let written = write(fd, base + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError(path: path, operation: "write", code: errno)
            }
            offset += written
        }
    }

    /// ``writeAll(_:_:_:path:)`` for a buffer.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(SystemError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        try writeAll(fd, base, bytes.count, path: path)
    }

    /// Closes `fd`; a failure (for example a deferred write error) is reported.
    public static func close(_ fd: Int32, path: String) throws(SystemError) {
        #if canImport(Darwin)
        let result = Darwin.close(fd)
        #elseif canImport(Glibc)
        let result = Glibc.close(fd)
        #else
        let result = Musl.close(fd)
        #endif
        if result != 0 && errno != EINTR { throw SystemError(path: path, operation: "close", code: errno) }
    }

    /// Renames `from` to `to`, replacing `to`.
    public static func rename(_ from: String, to: String) throws(SystemError) {
        #if canImport(Darwin)
        let result = Darwin.rename(from, to)
        #elseif canImport(Glibc)
        let result = Glibc.rename(from, to)
        #else
        let result = Musl.rename(from, to)
        #endif
        if result != 0 { throw SystemError(path: to, operation: "rename from \(from)", code: errno) }
    }

    /// Removes `path`, ignoring failures (used for cleanup).
    public static func removeQuietly(_ path: String) {
        _ = unlink(path)
    }

    /// The names in the directory at `path`, without `.` and `..`, in the order the file system
    /// lists them, and whether some name was left out because it is not valid UTF-8 (a Swift path
    /// cannot name that file; callers decide whether that is an error).
    public static func directoryNames(_ path: String) throws(SystemError) -> (names: [String], invalidNames: Bool) {
        guard let handle = opendir(path) else { throw SystemError(path: path, operation: "open the directory", code: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        var invalidNames = false
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(validatingCString: $0)
                }
            }
            guard let name else { invalidNames = true; continue }
            if name != "." && name != ".." { names.append(name) }
        }
        return (names, invalidNames)
    }

    /// `mkdir -p`; true when the directory exists afterwards.
    public static func makeDirectories(_ path: String) -> Bool {
        if let existing = status(path: path) { return existing.isDirectory }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            guard makeDirectories(String(path[..<slash])) else { return false }
        }
        return mkdir(path, 0o755) == 0 || errno == EEXIST
    }

    /// The process id, used in temporary file names.
    public static var processID: Int32 { getpid() }

    /// Whether a process with this id exists on this machine (`kill(pid, 0)`; EPERM means it
    /// exists but belongs to another user). A process id says nothing about other nodes.
    public static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
