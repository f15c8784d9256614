#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// The write end of the self-pipe the signal handler reports to (-1: none installed). A plain
/// global because a signal handler is a C function that can capture nothing.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The signal handler: only async-signal-safe work, one byte with the signal number into the pipe.
private func reportSignal(_ number: Int32) {
    let fd = signalPipeWriteEnd
    guard fd >= 0 else { return }
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(fd, &byte, 1)
}

/// Turns SIGINT/SIGTERM/SIGPIPE into a ``PipelineCancellation`` while it is alive.
///
/// The first signal cancels the pipeline, which removes its temporary files and returns with
/// ``PipelineError/interrupted(signal:)``. A second SIGINT or SIGTERM exits at once with status 128+signal
/// (temporary files may then remain, but never files under the final output names; the next run
/// to the prefix removes them). ``stop()`` restores the default dispositions.
///
/// SIGPIPE (a reader of our output went away, as in `corpuskit … | head`) is handled like SIGINT,
/// so the run removes its temporary files instead of dying with them on disk. It is why the
/// handlers are real `signal(2)` handlers writing to a self-pipe rather than dispatch signal
/// sources: on Linux a dispatch source never saw SIGPIPE (measured: the run went on to the end),
/// and a SIGPIPE raised by a failed write is directed at the writing thread.
///
/// `@unchecked Sendable`: the signal count is only touched on the private serial queue.
public final class SignalCancellation: @unchecked Sendable {
    private let queue = DispatchQueue(label: "corpuskit.signals")
    private var source: DispatchSourceRead?
    private var pipeEnds: (read: Int32, write: Int32) = (-1, -1)
    private let signals: [Int32]
    private var received = 0

    /// Installs handlers for `signals` that cancel `cancellation`.
    public init(cancellation: PipelineCancellation, signals: [Int32] = [SIGINT, SIGTERM, SIGPIPE]) {
        self.signals = signals
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }  // no descriptors left: keep the default dispositions
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        pipeEnds = (ends[0], ends[1])
        let readEnd = ends[0]
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: queue)
        source.setEventHandler { [weak self] in
            var byte: UInt8 = 0
            guard read(readEnd, &byte, 1) == 1, let self else { return }
            let number = Int32(byte)
            // Every later write to a closed pipe raises SIGPIPE again (the progress display, the
            // message saying the run was interrupted), so repeated SIGPIPEs are not a second
            // request to stop at once; only SIGINT/SIGTERM count for that.
            if number != SIGPIPE {
                self.received += 1
                if self.received > 1 { _exit(128 + number) }
            }
            cancellation.cancel(signal: number)
        }
        source.resume()
        self.source = source
        signalPipeWriteEnd = ends[1]
        for number in signals { _ = signal(number, reportSignal) }
    }

    /// Removes the handlers and restores the default dispositions.
    public func stop() {
        for number in signals { _ = signal(number, SIG_DFL) }
        if signalPipeWriteEnd == pipeEnds.write { signalPipeWriteEnd = -1 }
        source?.cancel()
        source = nil
        if pipeEnds.write >= 0 { close(pipeEnds.write) }
        // The read end is closed by the source's cancellation (it may still be reading).
        let readEnd = pipeEnds.read
        pipeEnds = (-1, -1)
        if readEnd >= 0 { queue.async { close(readEnd) } }
    }

    deinit {
        if source != nil { stop() }
    }
}
