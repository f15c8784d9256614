import Foundation

/// Collects batches finished by the workers in any order and releases them strictly in sequence
/// order to the single writer.
///
/// The writer is woken once per two batches: ``take(_:)`` of an even sequence number waits for
/// that batch and the next (or the end of the input), so the odd one is already there when asked
/// for. Each wake-up of the writer (and of the reader it returns batches to) preempts a
/// tokenizing worker when every core is busy; see ``TokenizePipeline``'s notes. Holding one
/// finished batch back cannot stall the pipeline: every batch in flight has a sequence number
/// at least the awaited one, so while the next batch is not read yet the pool has free batches
/// for the reader, and once it is read a worker finishes it without needing anything else.
///
/// `@unchecked Sendable`: all mutable state is guarded by `condition`.
final class ReorderBuffer: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Int: DocumentBatch] = [:]
    private var total: Int?
    private var cancelled = false
    /// The sequence number the writer is waiting for, while it waits.
    private var awaited: Int?

    /// Hands over a finished batch.
    func deposit(_ batch: DocumentBatch) {
        condition.lock()
        ready[batch.sequence] = batch
        if let awaited, isTakeable(awaited) { condition.signal() }
        condition.unlock()
    }

    /// Records that the reader produced `count` batches (sequence numbers `0 ..< count`).
    func finish(batchCount count: Int) {
        condition.lock()
        total = count
        condition.broadcast()
        condition.unlock()
    }

    /// Batch `sequence`, waiting until a worker has finished it (and, for an even `sequence`, the
    /// batch after it, unless `sequence` is the last); `nil` when there is no such batch (the
    /// input ended before it) or the run was cancelled.
    func take(_ sequence: Int) -> DocumentBatch? {
        condition.lock()
        defer {
            awaited = nil
            condition.unlock()
        }
        while true {
            if cancelled { return nil }
            if let total, sequence >= total { return nil }
            if isTakeable(sequence), let batch = ready.removeValue(forKey: sequence) { return batch }
            awaited = sequence
            condition.wait()
        }
    }

    /// Whether ``take(_:)`` of `sequence` can return now (called with the lock held).
    private func isTakeable(_ sequence: Int) -> Bool {
        guard ready[sequence] != nil else { return false }
        if sequence % 2 == 1 || ready[sequence + 1] != nil { return true }
        if let total, sequence + 1 >= total { return true }
        return false
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
