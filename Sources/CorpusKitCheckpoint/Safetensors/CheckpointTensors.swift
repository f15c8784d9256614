import Foundation

/// All tensors of a checkpoint directory, from `model.safetensors` or from the shards that
/// `model.safetensors.index.json` names (headers only).
public struct CheckpointTensors: Sendable {
    /// The files read, in order.
    public let files: [SafetensorsFile]
    /// Tensors by name.
    public let byName: [String: TensorInfo]
    /// Problems with the index that do not stop reading (a tensor the index puts in one file but
    /// found in another, a tensor in a shard the index does not list).
    public let indexProblems: [String]

    /// Reads `directory/model.safetensors.index.json` when present, else `directory/model.safetensors`.
    public init(directory: String) throws(CheckpointError) {
        let indexPath = (directory as NSString).appendingPathComponent("model.safetensors.index.json")
        let singlePath = (directory as NSString).appendingPathComponent("model.safetensors")
        var problems: [String] = []
        var files: [SafetensorsFile] = []
        var byName: [String: TensorInfo] = [:]
        if FileManager.default.fileExists(atPath: indexPath) {
            let object = try JSONFile.object(at: indexPath)
            guard let weightMap = object["weight_map"] as? [String: Any] else {
                throw .malformedJSON(path: indexPath, reason: "no weight_map object")
            }
            var expectedFile: [String: String] = [:]
            for (tensor, file) in weightMap {
                guard let file = file as? String else { throw .malformedJSON(path: indexPath, reason: "weight_map[\(tensor)] is not a file name") }
                expectedFile[tensor] = file
            }
            for shard in Set(expectedFile.values).sorted() {
                let file = try SafetensorsFile(path: (directory as NSString).appendingPathComponent(shard))
                files.append(file)
                for tensor in file.tensors {
                    if let other = byName[tensor.name] {
                        problems.append("\(tensor.name) is in both \((other.file as NSString).lastPathComponent) and \(shard)")
                    }
                    byName[tensor.name] = tensor
                    if expectedFile[tensor.name] == nil {
                        problems.append("\(tensor.name) is in \(shard) but not in the index's weight_map")
                    } else if expectedFile[tensor.name] != shard {
                        problems.append("the index puts \(tensor.name) in \(expectedFile[tensor.name]!) but it is in \(shard)")
                    }
                }
            }
            for (tensor, shard) in expectedFile.sorted(by: { $0.key < $1.key }) where byName[tensor] == nil {
                problems.append("the index lists \(tensor) in \(shard) but that file has no such tensor")
            }
        } else if FileManager.default.fileExists(atPath: singlePath) {
            let file = try SafetensorsFile(path: singlePath)
            files.append(file)
            for tensor in file.tensors { byName[tensor.name] = tensor }
        } else {
            throw .noWeights(directory: directory)
        }
        self.files = files
        self.byName = byName
        self.indexProblems = problems
    }
}
