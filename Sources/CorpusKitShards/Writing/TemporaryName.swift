#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitSystem

/// Temporary names next to the final file: `{path}.tmp-{pid}` (then `-1`, `-2`, … if that exists),
/// so a rename within one directory publishes the file atomically.
enum TemporaryName {
    /// Creates a fresh temporary output for `finalPath`.
    static func createOutput(for finalPath: String, bufferCapacity: Int) throws -> BufferedFileOutput {
        let base = "\(finalPath).tmp-\(POSIXFile.processID)"
        var attempt = 0
        while true {
            let candidate = attempt == 0 ? base : "\(base)-\(attempt)"
            do {
                return try BufferedFileOutput(creatingExclusively: candidate, capacity: bufferCapacity)
            } catch let ShardError.io(_, _, code) where code == EEXIST && attempt < 1000 {
                attempt += 1
            }
        }
    }
}
