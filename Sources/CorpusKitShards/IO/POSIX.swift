#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `strerror` text for an errno value.
func systemErrorMessage(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "error \(code)" }
    return String(cString: message)
}

/// Whether this machine stores integers little-endian (Megatron files are little-endian).
let hostIsLittleEndian: Bool = 1.littleEndian == 1

/// Thin wrappers over the system calls the shard code needs, reporting failures as `ShardError.io`.
enum POSIX {
    /// Opens `path` for writing, creating it; fails with EEXIST if it exists.
    static func createExclusive(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw ShardError.io(path: path, operation: "create", errno: errno) }
        return fd
    }

    /// Opens `path` read-only.
    static func openForReading(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ShardError.io(path: path, operation: "open", errno: errno) }
        return fd
    }

    /// The size of an open file.
    static func size(of fd: Int32, path: String) throws -> Int {
        var info = stat()
        if fstat(fd, &info) != 0 { throw ShardError.io(path: path, operation: "stat", errno: errno) }
        return Int(info.st_size)
    }

    /// Writes all `count` bytes at `base`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int, path: String) throws {
        var offset = 0
        while offset < count {
            let written = write(fd, base + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw ShardError.io(path: path, operation: "write", errno: errno)
            }
            offset += written
        }
    }

    /// Closes `fd`; a failure (for example a deferred write error) is reported.
    static func close(_ fd: Int32, path: String) throws {
        #if canImport(Darwin)
        let result = Darwin.close(fd)
        #elseif canImport(Glibc)
        let result = Glibc.close(fd)
        #else
        let result = Musl.close(fd)
        #endif
        if result != 0 && errno != EINTR { throw ShardError.io(path: path, operation: "close", errno: errno) }
    }

    /// Renames `from` to `to`, replacing `to`.
    static func rename(_ from: String, to: String) throws {
        #if canImport(Darwin)
        let result = Darwin.rename(from, to)
        #elseif canImport(Glibc)
        let result = Glibc.rename(from, to)
        #else
        let result = Musl.rename(from, to)
        #endif
        if result != 0 { throw ShardError.io(path: to, operation: "rename from \(from)", errno: errno) }
    }

    /// Removes `path`, ignoring failures (used for cleanup).
    static func removeQuietly(_ path: String) {
        _ = unlink(path)
    }

    /// The process id, used in temporary file names.
    static var processID: Int32 { getpid() }
}
