/// A progress line on standard error, redrawn in place at most ~8 times a second:
/// `[#####.......] TEXT`. Only on a terminal (``onTerminal()`` is nil otherwise), so that logs and
/// pipes get no carriage returns. Commands that count work items (files, documents, bytes) use it
/// rather than drawing their own.
public final class ProgressLine: @unchecked Sendable {
    private var last = -1.0
    private var drawn = false
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let unit: String

    /// `unit` names what ``update(done:total:name:)`` counts (`files`).
    public init(unit: String = "") {
        self.unit = unit
        start = clock.now
    }

    /// A progress line when standard error is a terminal, else nil.
    public static func onTerminal(unit: String = "") -> ProgressLine? {
        StandardError.isTerminal ? ProgressLine(unit: unit) : nil
    }

    /// `[bar] done/total unit  name`.
    public func update(done: Int, total: Int, name: String) {
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        update(fraction: fraction, text: "\(done)/\(total) \(unit)  \(name)", force: done == total)
    }

    /// `[bar] text` for a share of the work done (0...1).
    public func update(fraction: Double, text: String, force: Bool = false) {
        let elapsed = (clock.now - start) / .seconds(1)
        guard elapsed - last >= 0.125 || force else { return }
        last = elapsed
        let width = 24
        let filled = max(0, min(width, Int((fraction * Double(width)).rounded(.down))))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        StandardError.write("\r\u{1b}[K[\(bar)] \(text)")
        drawn = true
    }

    /// Clears the line, if anything was drawn.
    public func finish() {
        if drawn { StandardError.write("\r\u{1b}[K") }
    }
}
