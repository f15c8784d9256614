import Foundation

/// Starts named threads and waits for all of them to end.
///
/// Plain threads rather than Dispatch or Swift concurrency tasks: the pipeline stages block on
/// condition variables, which must not tie up the cooperative pool.
final class ThreadGroup: Sendable {
    private let group = DispatchGroup()

    /// Starts a thread running `body` (with an 8 MiB stack, like a main thread).
    func spawn(name: String, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let group = self.group
        let thread = Thread {
            body()
            group.leave()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits until every spawned thread has finished.
    func join() {
        group.wait()
    }
}
