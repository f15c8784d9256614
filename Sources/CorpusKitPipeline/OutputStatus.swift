import Foundation
import CorpusKitShards

/// What `--resume` finds at one output prefix.
public enum OutputStatus: Sendable, Equatable {
    /// Neither `.bin` nor `.idx` exists.
    case missing
    /// The pair exists, passes every consistency check and has the expected dtype.
    case complete(ShardInfo)
    /// Something exists but is not a complete, consistent dataset; `reason` says what.
    case incomplete(reason: String)

    /// Checks `{prefix}.bin`/`{prefix}.idx` by reading them (header, exact sizes, every pointer,
    /// the document index, the `.bin` size) — not from their mere existence.
    public static func check(prefix: String, dtype: TokenDType) -> OutputStatus {
        let manager = FileManager.default
        let hasIndex = manager.fileExists(atPath: MegatronFormat.indexPath(prefix: prefix))
        let hasData = manager.fileExists(atPath: MegatronFormat.dataPath(prefix: prefix))
        if !hasIndex && !hasData { return .missing }
        if !hasIndex { return .incomplete(reason: "\(MegatronFormat.indexPath(prefix: prefix)) is missing") }
        if !hasData { return .incomplete(reason: "\(MegatronFormat.dataPath(prefix: prefix)) is missing") }
        let info: ShardInfo
        do {
            info = try ShardTools.info(prefix: prefix)
        } catch {
            return .incomplete(reason: "\(error)")
        }
        guard info.dtype == dtype else {
            return .incomplete(reason: "\(prefix) has dtype \(info.dtype), this tokenizer needs \(dtype)")
        }
        return .complete(info)
    }
}
