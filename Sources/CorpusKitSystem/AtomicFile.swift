#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way CorpusKit publishes a file: it is written under a temporary name in the same
/// directory, `{path}.tmp-{pid}` (then `-1`, `-2`, … if that name is taken), and renamed to `path`
/// only once complete, so a failure or a kill never leaves a partial file under the final name.
///
/// The process id in the name lets a later run tell the leftovers of a dead process from the
/// files a live one is still writing (``removeStaleTemporaries(of:)``).
public enum AtomicFile {
    /// The `attempt`-th temporary name for `path` in this process.
    public static func temporaryPath(for path: String, attempt: Int = 0) -> String {
        let base = "\(path).tmp-\(POSIXFile.processID)"
        return attempt == 0 ? base : "\(base)-\(attempt)"
    }

    /// Creates a fresh temporary file for `path` (exclusively, so two writers never share one) and
    /// returns its descriptor and name. Pass them to ``publish(_:as:)`` or remove the file.
    public static func createTemporary(for path: String) throws(SystemError) -> (fd: Int32, path: String) {
        var attempt = 0
        while true {
            let candidate = temporaryPath(for: path, attempt: attempt)
            do {
                return (try POSIXFile.createExclusive(candidate), candidate)
            } catch where error.code == EEXIST && attempt < 1000 {
                attempt += 1
            }
        }
    }

    /// Renames the finished `temporary` to `path`, replacing what was there.
    public static func publish(_ temporary: String, as path: String) throws(SystemError) {
        try POSIXFile.rename(temporary, to: path)
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws(SystemError) {
        let writer = try Writer(path: path)
        try writer.write(bytes)
        try writer.commit()
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws(SystemError) {
        let result: Result<Void, SystemError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(SystemError) in try write(buffer, to: path) }
        }
        try result.get()
    }

    /// Writes `text` (UTF-8) to `path` atomically.
    public static func write(_ text: String, to path: String) throws(SystemError) {
        try write(Array(text.utf8), to: path)
    }

    /// A file written piece by piece under its temporary name and published by ``commit()``;
    /// dropped uncommitted (an error, an early return), it removes its temporary file, so the
    /// final name only ever holds a complete output.
    public final class Writer {
        /// The final name.
        public let path: String
        /// The temporary name being written.
        public let temporaryPath: String
        private var fd: Int32?

        /// Creates the temporary file for `path`.
        public init(path: String) throws(SystemError) {
            self.path = path
            (fd, temporaryPath) = try (AtomicFile.createTemporary(for: path))
        }

        /// Appends `bytes`.
        public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
            guard let fd else { return }
            try POSIXFile.writeAll(fd, bytes, path: temporaryPath)
        }

        /// Appends `bytes`.
        public func write(_ bytes: [UInt8]) throws(SystemError) {
            let result: Result<Void, SystemError> = bytes.withUnsafeBytes { buffer in
                Result { () throws(SystemError) in try write(buffer) }
            }
            try result.get()
        }

        /// Appends `text` as UTF-8.
        public func write(_ text: String) throws(SystemError) { try write(Array(text.utf8)) }

        /// Closes the file and renames it to ``path``. On failure the temporary file is removed.
        public func commit() throws(SystemError) {
            guard let descriptor = fd else { return }
            fd = nil
            do {
                try POSIXFile.close(descriptor, path: temporaryPath)
                try AtomicFile.publish(temporaryPath, as: path)
            } catch {
                POSIXFile.removeQuietly(temporaryPath)
                throw error
            }
        }

        deinit {
            if let fd {
                try? POSIXFile.close(fd, path: temporaryPath)
                POSIXFile.removeQuietly(temporaryPath)
            }
        }
    }

    /// Removes the temporary files of `path` (``temporaryPath(for:attempt:)`` names) that were left
    /// by processes that no longer exist, for example after a SIGKILL; the files of live processes
    /// (this one included) are kept. Returns the removed paths. Failures to list or remove are
    /// ignored: this is cleanup, and the run that calls it writes its own, fresh names.
    ///
    /// `ownedByCaller`: only this caller ever writes `path`, so a temporary file of another
    /// process id is stale whether or not that id is alive here. A Slurm task owns its datasets'
    /// prefixes, and its killed earlier attempt may have run on another node, where its process id
    /// says nothing about this one; only this process's own files are kept.
    ///
    /// `idleFor`: for a folder that processes on other machines may be writing into at the same time
    /// (a shared cache), where a process id that is not alive here may be alive there. A file is then
    /// removed only when it has also not been modified for at least this many seconds (a live writer
    /// keeps its file's modification time recent).
    @discardableResult
    public static func removeStaleTemporaries(of path: String, ownedByCaller: Bool = false, idleFor: Double? = nil) -> [String] {
        removeStaleTemporaries(of: [path], ownedByCaller: ownedByCaller, idleFor: idleFor)
    }

    /// ``removeStaleTemporaries(of:ownedByCaller:idleFor:)`` for several paths, with one listing of
    /// each folder they are in: a run that writes many datasets into one folder (three files each)
    /// would otherwise list it three times per dataset, which grows with the square of the folder.
    @discardableResult
    public static func removeStaleTemporaries(of paths: [String], ownedByCaller: Bool = false, idleFor: Double? = nil) -> [String] {
        var namesByDirectory: [String: Set<String>] = [:]
        for path in paths {
            if let slash = path.lastIndex(of: "/") {
                let directory = slash == path.startIndex ? "/" : String(path[..<slash])
                namesByDirectory[directory, default: []].insert(String(path[path.index(after: slash)...]))
            } else {
                namesByDirectory[".", default: []].insert(path)
            }
        }
        var removed: [String] = []
        for (directory, names) in namesByDirectory {
            // A name that is not valid UTF-8 is left out of the listing: no path given here (a
            // Swift string) has such a temporary.
            guard let listing = try? POSIXFile.directoryNames(directory) else { continue }
            for entryName in listing.names {
                guard let (name, pid) = temporaryNameParts(entryName), names.contains(name) else { continue }
                guard pid != POSIXFile.processID, ownedByCaller || !POSIXFile.processExists(pid) else { continue }
                let full = directory == "/" ? "/" + entryName : directory + "/" + entryName
                if let idleFor, (POSIXFile.secondsSinceModification(path: full) ?? 0) < idleFor { continue }
                if unlink(full) == 0 { removed.append(full) }
            }
        }
        return removed.sorted()
    }

    /// The file name and writer's process id of a ``temporaryPath(for:attempt:)`` name
    /// (`{name}.tmp-{pid}` or `{name}.tmp-{pid}-{attempt}`), nil for any other name. The digits
    /// after the last `.tmp-` decide, so a name that itself contains `.tmp-` is still found.
    static func temporaryNameParts(_ entryName: String) -> (name: String, pid: Int32)? {
        let bytes = Array(entryName.utf8), marker = Array(".tmp-".utf8)
        guard bytes.count > marker.count,
              let at = (0...(bytes.count - marker.count)).reversed().first(where: { bytes[$0..<($0 + marker.count)].elementsEqual(marker) })
        else { return nil }
        let suffix = String(decoding: bytes[(at + marker.count)...], as: UTF8.self)
        let pidText = suffix.prefix(while: { $0 != "-" })
        let rest = suffix.dropFirst(pidText.count)
        guard let pid = Int32(pidText), pid > 0, rest.isEmpty || (rest.first == "-" && Int(rest.dropFirst()) != nil) else {
            return nil
        }
        return (String(decoding: bytes[..<at], as: UTF8.self), pid)
    }

}
