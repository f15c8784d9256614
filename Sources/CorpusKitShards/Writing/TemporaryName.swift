#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitSystem

/// The shard writer's temporary outputs, named as every atomic file is (``AtomicFile``:
/// `{path}.tmp-{pid}`, then `-1`, `-2`, … if that exists), so a rename within one directory
/// publishes the file atomically and a later run can remove what a dead process left.
enum TemporaryName {
    /// Creates a fresh temporary output for `finalPath`.
    static func createOutput(for finalPath: String, bufferCapacity: Int) throws -> BufferedFileOutput {
        var attempt = 0
        while true {
            let candidate = AtomicFile.temporaryPath(for: finalPath, attempt: attempt)
            do {
                return try BufferedFileOutput(creatingExclusively: candidate, capacity: bufferCapacity)
            } catch let ShardError.io(_, _, code) where code == EEXIST && attempt < 1000 {
                attempt += 1
            }
        }
    }
}
