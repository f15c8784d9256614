import Foundation

/// A request to stop a running ``TokenizePipeline`` early, e.g. from a signal handler or a UI.
///
/// Cancelling wakes every pipeline thread; the run then aborts its writers (removing their
/// temporary files) and throws ``PipelineError/interrupted(signal:)``. Cancelling after the
/// outputs started being published has no effect: publishing is quick and always completed.
///
/// `@unchecked Sendable`: all mutable state is guarded by `lock`.
public final class PipelineCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var signalNumber: Int32?
    private var handlers: [Int: @Sendable () -> Void] = [:]
    private var nextHandle = 0

    /// Creates a cancellation that has not been requested.
    public init() {}

    /// Whether ``cancel(signal:)`` was called.
    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// The signal given to ``cancel(signal:)``, if any.
    public var signal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return signalNumber
    }

    /// Requests cancellation; `signal` is recorded for the error message. Only the first call counts.
    public func cancel(signal: Int32? = nil) {
        lock.lock()
        guard !cancelled else {
            lock.unlock()
            return
        }
        cancelled = true
        signalNumber = signal
        let toRun = Array(handlers.values)
        lock.unlock()
        for handler in toRun { handler() }
    }

    /// Runs `handler` on cancellation (at once when already cancelled). Returns a handle for
    /// ``removeHandler(_:)``.
    func addHandler(_ handler: @escaping @Sendable () -> Void) -> Int {
        lock.lock()
        let handle = nextHandle
        nextHandle += 1
        if cancelled {
            lock.unlock()
            handler()
            return handle
        }
        handlers[handle] = handler
        lock.unlock()
        return handle
    }

    /// Forgets a handler registered with ``addHandler(_:)``.
    func removeHandler(_ handle: Int) {
        lock.lock()
        handlers.removeValue(forKey: handle)
        lock.unlock()
    }
}
