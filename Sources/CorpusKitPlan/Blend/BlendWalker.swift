/// The greedy blending of `helpers.cpp` (`build_blending_indices`) taking exactly the choices of its
/// full scan while evaluating only the few datasets near the top.
///
/// At step `g` the scan takes the first `i` maximising `e_i = w_i·x − c_i` (float64, `x = max(g, 1)`,
/// strictly greater to replace). Errors of datasets not picked only grow, and the maximum stays in a
/// narrow band (for llm-jp-like blends of 300 datasets, 0.42–0.58 while every error spans about one
/// unit). So for a level `λ` that the maximum is expected to stay above, only the datasets whose
/// error can have reached `λ` are kept (the *active* ones, with their weights and counts side by
/// side so the scan over them is a dense loop, equal errors going to the lower dataset index as in
/// the scan); every other dataset waits, filed under the first step at which its error could reach
/// `λ − δ`, `(c_i + λ − δ) ÷ w_i` (a calendar of 4,096 steps; one due later waits in the slot of its
/// step modulo 4,096 and is looked at once per turn), computed
/// conservatively (the quotient shrunk by 2⁻⁴⁰ and one step earlier). `δ` (`2⁻⁴⁶·(size + 2)`) is far
/// above the rounding of a computed error (below `2⁻⁵¹·size` for weights ≤ 1), so a waiting dataset's
/// computed error is below `λ`.
///
/// Each step scans the active datasets with the scan's own expression and order; if their largest
/// error is at least `λ`, every waiting dataset's is smaller and the choice is the full scan's. If
/// not, that step is scanned whole and `λ` lowered. A picked dataset whose new error cannot reach
/// `λ` by the next step waits again. `λ` is reset every few thousand steps to a little
/// below the smallest maximum seen; it only affects how many datasets are evaluated, never the
/// choice. Steps 0 and 1 (both `x = 1`) are scanned whole.
final class BlendWalker {
    let datasets: Int
    let size: Int
    /// Next step to take.
    private(set) var step = 0
    private let w: UnsafeMutablePointer<Double>
    /// Counts of the waiting datasets (an active dataset's count lives in `activeC`).
    private let c: UnsafeMutablePointer<Double>
    /// Active datasets (in no order): index, weight, count (padded by 4 never-winning entries).
    private let activeIndex: UnsafeMutablePointer<Int32>
    private let activeW: UnsafeMutablePointer<Double>
    private let activeC: UnsafeMutablePointer<Double>
    private var activeCount = 0
    /// Waiting datasets: their activation steps, each in the list of slot `step mod slots`.
    private let wake: UnsafeMutablePointer<Int>
    private let slotHead: UnsafeMutablePointer<Int32>
    private let nextInSlot: UnsafeMutablePointer<Int32>
    private static let slots = 4096
    private var level = -Double.infinity
    private let delta: Double
    /// Smallest maximum error since the last reset of `level`, and the step of the next reset.
    private var lowestMaximum = Double.infinity
    private var nextReset = 0
    private let period: Int
    /// Steps scanned whole because the maximum fell below the level (for the tests).
    private(set) var fallbacks = 0

    static let stepLimit = 1 << 40

    /// Whether a walk of `size` steps over `weights` is within the bounds its exactness is shown for
    /// (weights in 0 ... 1, fewer than 2⁴⁰ steps); the full scan walks any other.
    static func handles(weights: [Double], size: Int) -> Bool {
        !weights.isEmpty && weights.count < Int(Int32.max) && size < stepLimit && weights.allSatisfy { $0 >= 0 && $0 <= 1 }
    }
    private static let lowering = 1.0 / 32

    /// A walk of `size` steps (at most `stepLimit`) over `weights` (each in 0 ... 1).
    init(weights: [Double], size: Int) {
        precondition(Self.handles(weights: weights, size: size))
        datasets = weights.count
        self.size = size
        delta = 0x1p-46 * (Double(size) + 2)
        period = Swift.max(1024, 4 * weights.count)
        let d = datasets
        w = .allocate(capacity: d)
        c = .allocate(capacity: d)
        activeIndex = .allocate(capacity: d + 4)
        activeW = .allocate(capacity: d + 4)
        activeC = .allocate(capacity: d + 4)
        wake = .allocate(capacity: d)
        slotHead = .allocate(capacity: Self.slots)
        nextInSlot = .allocate(capacity: d)
        for i in 0..<d { w[i] = weights[i]; c[i] = 0 }
    }

    deinit {
        w.deallocate()
        c.deallocate()
        activeIndex.deallocate()
        activeW.deallocate()
        activeC.deallocate()
        wake.deallocate()
        slotHead.deallocate()
        nextInSlot.deallocate()
    }

    /// Samples taken from each dataset so far.
    var counts: [Int] {
        var all = (0..<datasets).map { Int(c[$0]) }
        for j in 0..<activeCount { all[Int(activeIndex[j])] = Int(activeC[j]) }
        return all
    }

    /// Takes the next `n` steps, storing each step's dataset and dataset sample where given.
    func advance(_ n: Int, datasets ds: UnsafeMutablePointer<Int32>? = nil, samples ss: UnsafeMutablePointer<Int64>? = nil) {
        precondition(n >= 0 && step + n <= size)
        var k = 0
        while k < n && step < 2 { // x = 1 twice: the scan itself
            let best = scanAll(1)
            ds?[k] = Int32(best)
            ss?[k] = Int64(c[best])
            c[best] += 1
            step += 1
            k += 1
            if step == 2 { reset(level: -.infinity) }
        }
        var g = step
        let aw = activeW, ac = activeC, ai = activeIndex
        while k < n {
            if g >= nextReset {
                step = g
                reset(level: lowestMaximum - Self.lowering)
            }
            if slotHead[g & (Self.slots - 1)] >= 0 { wakeUp(g) }
            let x = Double(g)
            // The largest error of the active datasets (four lanes, no branches), then the lowest
            // dataset index with that error.
            let p = (activeCount + 3) & ~3
            var b0 = aw[0] * x - ac[0], b1 = aw[1] * x - ac[1], b2 = aw[2] * x - ac[2], b3 = aw[3] * x - ac[3]
            var j = 4
            while j < p {
                let e0 = aw[j] * x - ac[j], e1 = aw[j + 1] * x - ac[j + 1]
                let e2 = aw[j + 2] * x - ac[j + 2], e3 = aw[j + 3] * x - ac[j + 3]
                b0 = e0 > b0 ? e0 : b0
                b1 = e1 > b1 ? e1 : b1
                b2 = e2 > b2 ? e2 : b2
                b3 = e3 > b3 ? e3 : b3
                j += 4
            }
            b0 = b1 > b0 ? b1 : b0
            b2 = b3 > b2 ? b3 : b2
            b0 = b2 > b0 ? b2 : b0
            var j0 = 0
            var lowest = Int32.max
            j = 0
            while j < p {
                if aw[j] * x - ac[j] == b0 && ai[j] < lowest { lowest = ai[j]; j0 = j }
                j += 1
            }
            if !(b0 >= level) || activeCount == 0 {
                // The maximum fell below the level: this step scanned whole, then a lower level.
                step = g
                fallbacks += 1
                deactivateAll()
                let best = scanAll(x)
                ds?[k] = Int32(best)
                ss?[k] = Int64(c[best])
                c[best] += 1
                lowestMaximum = Swift.min(lowestMaximum, w[best] * x - (c[best] - 1))
                g += 1
                k += 1
                step = g
                reset(level: lowestMaximum - Self.lowering)
                continue
            }
            if b0 < lowestMaximum { lowestMaximum = b0 }
            let best = Int(ai[j0])
            let taken = ac[j0]
            ds?[k] = Int32(best)
            ss?[k] = Int64(taken)
            ac[j0] = taken + 1
            let next = activation(best, count: taken + 1)
            if next > g + 1 {
                c[best] = taken + 1
                removeActive(at: j0)
                file(best, next)
            }
            g += 1
            k += 1
        }
        step = g
    }

    /// The full scan at `x` over the counts in `c` (every dataset waiting).
    private func scanAll(_ x: Double) -> Int {
        var best = 0
        var bestError = w[0] * x - c[0]
        var i = 1
        while i < datasets {
            let e = w[i] * x - c[i]
            if e > bestError { bestError = e; best = i }
            i += 1
        }
        return best
    }

    /// The first step at which dataset `i` with count `count` could have an error of `level − δ`,
    /// or earlier (never later).
    @inline(__always)
    private func activation(_ i: Int, count: Double) -> Int {
        if level == -.infinity { return Int.min / 2 }
        if !(w[i] > 0) { return -count < level ? Int.max / 2 : Int.min / 2 } // its error is −count at every step
        let q = (count + (level - delta)) / w[i] * (1 - 0x1p-40)
        if q >= 0x1p62 { return Int.max / 2 }
        if q <= -0x1p62 { return Int.min / 2 }
        return Int(q.rounded(.down)) - 1
    }

    /// Makes `level` the new level: every dataset's activation step recomputed at the current step.
    private func reset(level newLevel: Double) {
        deactivateAll()
        level = newLevel
        lowestMaximum = .infinity
        nextReset = step + period
        for s in 0..<Self.slots { slotHead[s] = -1 }
        for i in 0..<datasets {
            let next = activation(i, count: c[i])
            if next <= step { appendActive(i) } else { file(i, next) }
        }
        padActive()
    }

    /// Moves every active dataset's count back to `c` and empties the active list.
    private func deactivateAll() {
        for j in 0..<activeCount { c[Int(activeIndex[j])] = activeC[j] }
        activeCount = 0
        padActive()
    }

    /// Appends dataset `i` to the active list, without padding.
    @inline(__always)
    private func appendActive(_ i: Int) {
        activeIndex[activeCount] = Int32(i)
        activeW[activeCount] = w[i]
        activeC[activeCount] = c[i]
        activeCount += 1
    }

    /// Removes the active dataset at `position` (the last one takes its place).
    @inline(__always)
    private func removeActive(at position: Int) {
        activeCount -= 1
        activeIndex[position] = activeIndex[activeCount]
        activeW[position] = activeW[activeCount]
        activeC[position] = activeC[activeCount]
        padActive()
    }

    /// Entries past the active ones that never win: the lanes scan whole groups of four.
    @inline(__always)
    private func padActive() {
        for j in activeCount..<(activeCount + 4) {
            activeIndex[j] = Int32.max
            activeW[j] = 0
            activeC[j] = .infinity
        }
    }

    /// Files waiting dataset `i` under step `next`.
    @inline(__always)
    private func file(_ i: Int, _ next: Int) {
        wake[i] = next
        let slot = next & (Self.slots - 1)
        nextInSlot[i] = slotHead[slot]
        slotHead[slot] = Int32(i)
    }

    /// Activates the datasets of step `g`'s slot that are due; the others stay.
    private func wakeUp(_ g: Int) {
        let slot = g & (Self.slots - 1)
        var i = slotHead[slot]
        slotHead[slot] = -1
        while i >= 0 {
            let following = nextInSlot[Int(i)]
            if wake[Int(i)] <= g {
                appendActive(Int(i))
            } else {
                nextInSlot[Int(i)] = slotHead[slot]
                slotHead[slot] = i
            }
            i = following
        }
        padActive()
    }
}
