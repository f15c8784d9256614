/// The windows of the Hugging Face guide "Perplexity of fixed-length models", shared by
/// ``PerplexityEvaluator`` and ``ModelComparison`` so both score exactly the same positions.
///
/// Windows of `context` tokens start every `stride` tokens; a window scores the tokens not scored by
/// the previous one (`end - previous_end`), each conditioned on all earlier tokens of its window;
/// the document's first token is never scored; the last window is the one reaching the end.
public struct SlidingWindow: Sendable, Equatable {
    /// The window is `ids[begin..<end]`.
    public var begin: Int
    /// See ``begin``.
    public var end: Int
    /// The first index inside the window whose token is scored (predicted from index − 1);
    /// `end - begin` when the window scores nothing.
    public var firstScored: Int

    /// The windows over `count` ids.
    public static func windows(count: Int, context: Int, stride: Int) -> [SlidingWindow] {
        precondition(context >= 1 && stride >= 1)
        var result: [SlidingWindow] = []
        var begin = 0, previousEnd = 0
        while begin < count {
            let end = min(begin + context, count)
            let targets = end - previousEnd
            result.append(SlidingWindow(begin: begin, end: end, firstScored: max(1, end - begin - targets)))
            previousEnd = end
            if end == count { break }
            begin += stride
        }
        return result
    }
}
