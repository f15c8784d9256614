import Foundation

/// Collects batches finished by the workers in any order and releases them strictly in sequence
/// order to the single writer.
///
/// `@unchecked Sendable`: all mutable state is guarded by `condition`.
final class ReorderBuffer: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Int: DocumentBatch] = [:]
    private var total: Int?
    private var cancelled = false

    /// Hands over a finished batch.
    func deposit(_ batch: DocumentBatch) {
        condition.lock()
        ready[batch.sequence] = batch
        condition.broadcast()
        condition.unlock()
    }

    /// Records that the reader produced `count` batches (sequence numbers `0 ..< count`).
    func finish(batchCount count: Int) {
        condition.lock()
        total = count
        condition.broadcast()
        condition.unlock()
    }

    /// Batch `sequence`, waiting until a worker has finished it; `nil` when there is no such batch
    /// (the input ended before it) or the run was cancelled.
    func take(_ sequence: Int) -> DocumentBatch? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if cancelled { return nil }
            if let batch = ready.removeValue(forKey: sequence) { return batch }
            if let total, sequence >= total { return nil }
            condition.wait()
        }
    }

    /// Wakes the writer and makes every later ``take(_:)`` return `nil`.
    func cancel() {
        condition.lock()
        cancelled = true
        ready.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
