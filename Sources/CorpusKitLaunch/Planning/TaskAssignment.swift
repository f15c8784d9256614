/// Splits files into tasks of about equal work, by compressed size.
///
/// Largest first (LPT): files sorted by size, descending, each given to the task with the least
/// bytes so far. No task then exceeds the optimum by more than a third, and one huge file ends up
/// alone instead of behind many small ones. Ties break by position (file order, lowest task), so
/// the same inputs always give the same assignment.
public enum TaskAssignment {
    /// Per task, the indices into `sizes` it takes, largest first. `tasks` is capped at the number
    /// of files so that no task is empty.
    public static func balance(sizes: [Int], tasks: Int) -> [[Int]] {
        let count = max(1, min(tasks, sizes.count))
        var assignment = [[Int]](repeating: [], count: count)
        var load = [Int](repeating: 0, count: count)
        let order = sizes.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        for index in order {
            var best = 0
            for task in 1..<count where load[task] < load[best] { best = task }
            assignment[best].append(index)
            load[best] += sizes[index]
        }
        return assignment
    }
}
