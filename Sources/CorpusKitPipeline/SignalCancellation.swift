#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Turns SIGINT/SIGTERM into a ``PipelineCancellation`` while it is alive.
///
/// The first signal cancels the pipeline, which removes its temporary files and returns with
/// ``PipelineError/interrupted(signal:)``. A second signal exits at once with status 128+signal
/// (temporary files may then remain, but never files under the final output names).
/// ``stop()`` restores the default dispositions.
///
/// `@unchecked Sendable`: the signal count is only touched on the private serial queue.
public final class SignalCancellation: @unchecked Sendable {
    private let queue = DispatchQueue(label: "corpuskit.signals")
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]
    private var received = 0

    /// Installs handlers for `signals` that cancel `cancellation`.
    public init(cancellation: PipelineCancellation, signals: [Int32] = [SIGINT, SIGTERM]) {
        self.signals = signals
        for number in signals {
            // Dispatch sources only observe a signal whose default action is disabled.
            _ = signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.received += 1
                if self.received > 1 { _exit(128 + number) }
                cancellation.cancel(signal: number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Removes the handlers and restores the default dispositions.
    public func stop() {
        for source in sources { source.cancel() }
        sources = []
        for number in signals { _ = signal(number, SIG_DFL) }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
