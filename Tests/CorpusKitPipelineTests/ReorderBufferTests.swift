import Foundation
import XCTest

@testable import CorpusKitPipeline

/// The reorder buffer hands batches to the writer in sequence order, two at a time: an even
/// batch waits for its successor or for the end of the input, an odd one never waits for more.
final class ReorderBufferTests: XCTestCase {
    private func batch(_ sequence: Int) -> DocumentBatch {
        let batch = DocumentBatch(keyCount: 1)
        batch.sequence = sequence
        return batch
    }

    /// `take(sequence)` on another thread; the result arrives through the returned function, which
    /// waits at most `timeout` seconds (nil then: still waiting).
    private func takeInBackground(_ buffer: ReorderBuffer, _ sequence: Int) -> (Double) -> DocumentBatch?? {
        let done = DispatchSemaphore(value: 0)
        let result = LockedBox<DocumentBatch?>(nil)
        Thread.detachNewThread {
            result.value = buffer.take(sequence)
            done.signal()
        }
        return { timeout in done.wait(timeout: .now() + timeout) == .success ? .some(result.value) : nil }
    }

    func testBatchesComeInOrderAndInPairs() {
        let buffer = ReorderBuffer()
        buffer.deposit(batch(1))
        let first = takeInBackground(buffer, 0)
        XCTAssertNil(first(0.05), "batch 0 is not there yet")
        buffer.deposit(batch(0))
        XCTAssertEqual(first(10)??.sequence, 0)
        XCTAssertEqual(buffer.take(1)?.sequence, 1, "the odd batch was already there")

        buffer.deposit(batch(2))
        let third = takeInBackground(buffer, 2)
        XCTAssertNil(third(0.05), "batch 2 waits for batch 3 or the end of the input")
        buffer.deposit(batch(3))
        XCTAssertEqual(third(10)??.sequence, 2)
        XCTAssertEqual(buffer.take(3)?.sequence, 3)

        buffer.deposit(batch(4))
        let last = takeInBackground(buffer, 4)
        XCTAssertNil(last(0.05))
        buffer.finish(batchCount: 5)
        XCTAssertEqual(last(10)??.sequence, 4, "the last batch comes without a successor")
        XCTAssertNil(buffer.take(5), "no batch after the end")
    }

    func testEndKnownBeforeTheLastBatchArrives() {
        let buffer = ReorderBuffer()
        buffer.finish(batchCount: 1)
        let only = takeInBackground(buffer, 0)
        XCTAssertNil(only(0.05))
        buffer.deposit(batch(0))
        XCTAssertEqual(only(10)??.sequence, 0)
        XCTAssertNil(buffer.take(1))
        XCTAssertNil(ReorderBuffer().finishing(0).take(0), "an empty input has no batch 0")
    }

    func testCancellationWakesTheWriter() {
        let buffer = ReorderBuffer()
        buffer.deposit(batch(0))
        let waiting = takeInBackground(buffer, 0)
        XCTAssertNil(waiting(0.05))
        buffer.cancel()
        let woken = waiting(10)
        XCTAssertNotNil(woken, "the writer was woken")
        XCTAssertNil(woken ?? nil, "with no batch")
    }
}

private extension ReorderBuffer {
    func finishing(_ count: Int) -> ReorderBuffer {
        finish(batchCount: count)
        return self
    }
}

/// A value shared between a test and a thread it starts.
private final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
