import Foundation

/// A FIFO that hands values from producer threads to consumer threads.
///
/// ``pop()`` blocks while the queue is empty and open. After ``close()`` consumers drain what is
/// left and then receive `nil`; ``cancel()`` also drops what is left. Every method takes the one
/// lock, so a value pushed by one thread is fully visible to the thread that pops it.
///
/// `@unchecked Sendable`: all mutable state is guarded by `condition`.
final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var closed = false

    /// Appends `value`; returns false (dropping it) when the queue is closed.
    @discardableResult
    func push(_ value: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        items.append(value)
        condition.signal()
        return true
    }

    /// Appends `values` with one wake-up of a waiting consumer; returns false (dropping them)
    /// when the queue is closed.
    @discardableResult
    func push(contentsOf values: [Element]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        items.append(contentsOf: values)
        if !values.isEmpty { condition.signal() }
        return true
    }

    /// The oldest value, waiting for one while the queue is open; `nil` once closed and drained.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed {
            condition.wait()
        }
        guard head < items.count else { return nil }
        let value = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return value
    }

    /// No more values will be pushed; waiting consumers wake up.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Closes the queue and drops the values still in it.
    func cancel() {
        condition.lock()
        closed = true
        items.removeAll()
        head = 0
        condition.broadcast()
        condition.unlock()
    }
}
