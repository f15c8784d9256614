#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// CPU seconds used by the calling thread so far.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// CPU time spent by each pipeline stage, summed over its threads.
///
/// `@unchecked Sendable`: all mutable state is guarded by `lock`.
final class StageClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: [String: Double] = [:]

    /// Adds `value` CPU seconds to `stage`.
    func add(_ stage: String, _ value: Double) {
        lock.lock()
        seconds[stage, default: 0] += value
        lock.unlock()
    }

    /// CPU seconds of `stage` so far.
    func total(_ stage: String) -> Double {
        lock.lock()
        defer { lock.unlock() }
        return seconds[stage] ?? 0
    }
}
