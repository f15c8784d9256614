/// numpy's legacy `numpy.random.RandomState(seed)`, the generator megatron-core shuffles its indices with.
///
/// The state is MT19937 seeded by Matsumoto–Nishimura's `init_genrand` (what `RandomState(int)` does
/// for a seed in `0 ... 2³²−1`). `shuffle` is numpy's in-place Fisher–Yates for a 1-D array: for
/// `i` from `n−1` down to `1`, swap `x[i]` with `x[j]`, `j` uniform in `0 ... i`, drawn by masked
/// rejection (`random_interval`): take the smallest all-ones mask covering `i`, draw 32-bit words
/// (64-bit words, high word first, when `i` exceeds 2³²−1), mask, and retry while the value exceeds `i`.
/// Any other way of drawing `j` (modulo, multiply-shift) gives a different permutation.
public struct LegacyRandomState: Sendable {
    private static let n = 624
    private static let m = 397
    private var key = [UInt32](repeating: 0, count: 624)
    private var position = 624

    /// `RandomState(seed)`.
    public init(seed: UInt32) {
        var s = seed
        for i in 0..<Self.n {
            key[i] = s
            s = 1_812_433_253 &* (s ^ (s >> 30)) &+ UInt32(i + 1)
        }
        position = Self.n
    }

    private mutating func generate() {
        key.withUnsafeMutableBufferPointer { Self.generate($0) }
        position = 0
    }

    /// The next 624 words of the state (`mt19937_gen`), in three loops so no index wraps.
    private static func generate(_ k: UnsafeMutableBufferPointer<UInt32>) {
        let upper: UInt32 = 0x8000_0000, lower: UInt32 = 0x7fff_ffff, matrix: UInt32 = 0x9908_b0df
        @inline(__always) func twist(_ i: Int, _ next: Int, _ far: Int) {
            let y = (k[i] & upper) | (k[next] & lower)
            k[i] = k[far] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : matrix)
        }
        for i in 0..<(n - m) { twist(i, i + 1, i + m) }
        for i in (n - m)..<(n - 1) { twist(i, i + 1, i + m - n) }
        twist(n - 1, 0, m - 1)
    }

    /// The next 32-bit output from state `k` at `position`.
    @inline(__always)
    private static func next(_ k: UnsafeMutableBufferPointer<UInt32>, _ position: inout Int) -> UInt32 {
        if position == n {
            generate(k)
            position = 0
        }
        var y = k[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// The next 32-bit output (`mt19937_next32`).
    @inline(__always)
    public mutating func nextUInt32() -> UInt32 {
        var p = position
        let y = key.withUnsafeMutableBufferPointer { Self.next($0, &p) }
        position = p
        return y
    }

    /// The next 64-bit output: two 32-bit outputs, the first one high.
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        return high << 32 | UInt64(nextUInt32())
    }

    /// The smallest all-ones mask covering `max`.
    @inline(__always)
    private static func mask(covering max: UInt64) -> UInt64 {
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        mask |= mask >> 32
        return mask
    }

    /// numpy's `random_interval(max)`: uniform in `0 ... max` by masked rejection.
    @inline(__always)
    public mutating func interval(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        let mask = Self.mask(covering: max)
        if max <= 0xffff_ffff {
            let m32 = UInt32(truncatingIfNeeded: mask), max32 = UInt32(truncatingIfNeeded: max)
            while true {
                let v = nextUInt32() & m32
                if v <= max32 { return UInt64(v) }
            }
        }
        while true {
            let v = nextUInt64() & mask
            if v <= max { return v }
        }
    }

    /// `RandomState.shuffle(x)` for a 1-D array, in place: `interval`'s draws, with its mask
    /// computed once for each run of `i` that shares it and the state held locally.
    public mutating func shuffle<T>(_ x: inout [T]) {
        let count = x.count
        guard count > 1 else { return }
        var p = position
        key.withUnsafeMutableBufferPointer { k in
            x.withUnsafeMutableBufferPointer { buffer in
                var i = count - 1
                while i >= 1 {
                    let mask = Self.mask(covering: UInt64(i))
                    let low = Int(mask >> 1) // every i in low + 1 ... mask has this mask
                    if mask <= 0xffff_ffff {
                        let m32 = UInt32(truncatingIfNeeded: mask)
                        while i > low {
                            let bound = UInt32(truncatingIfNeeded: i)
                            var v = Self.next(k, &p) & m32
                            while v > bound { v = Self.next(k, &p) & m32 }
                            buffer.swapAt(i, Int(v))
                            i -= 1
                        }
                    } else {
                        while i > low {
                            var v: UInt64
                            repeat {
                                let high = UInt64(Self.next(k, &p))
                                v = (high << 32 | UInt64(Self.next(k, &p))) & mask
                            } while v > UInt64(i)
                            buffer.swapAt(i, Int(v))
                            i -= 1
                        }
                    }
                }
            }
        }
        position = p
    }
}
