/// Why a plan or replay cannot be made; each case names the dataset, file or flag at fault.
public enum PlanError: Error, CustomStringConvertible, Equatable {
    case badDataPath(source: String, reason: String)
    case badSplit(String, reason: String)
    case missingFile(path: String)
    case missingPrefix(prefix: String, missing: String)
    case badWeight(prefix: String, weight: Double)
    case emptySplit(prefix: String, split: String, sequences: Int, splitText: String)
    case noTokens(prefix: String, split: String)
    case blendTooShort(available: Int, requested: Int)
    case oversampled(prefix: String, requested: Int, available: Int)
    case badArgument(String)
    case sampleOutOfRange(sample: Int, total: Int)

    public var description: String {
        switch self {
        case let .badDataPath(source, reason): return "\(source): \(reason)"
        case let .badSplit(text, reason): return "--split \"\(text)\": \(reason)"
        case let .missingFile(path): return "\(path): cannot be read"
        case let .missingPrefix(prefix, missing):
            return "dataset \(prefix): \(missing) does not exist (a data-path prefix names PREFIX.bin and PREFIX.idx)"
        case let .badWeight(prefix, weight):
            return "dataset \(prefix): weight \(weight) is not a positive number (megatron-core asserts every weight > 0)"
        case let .emptySplit(prefix, split, sequences, splitText):
            return "dataset \(prefix): its \(split) split of --split \(splitText) holds no sequences (of \(sequences)); "
                + "megatron-core would loop forever building it. Use a split such as 1,0,0 or a larger dataset"
        case let .noTokens(prefix, split):
            return "dataset \(prefix): its \(split) split has no tokens; megatron-core would loop forever building it"
        case let .blendTooShort(available, requested):
            return "the unweighted blend has \(available) samples (one epoch of each dataset), fewer than the \(requested) requested"
        case let .oversampled(prefix, requested, available):
            return "dataset \(prefix): the blend asks \(requested) samples of it but megatron-core built \(available) "
                + "(it raises IndexError; raise mid_level_dataset_surplus)"
        case let .badArgument(text): return text
        case let .sampleOutOfRange(sample, total): return "sample \(sample) is beyond the \(total) samples of the run"
        }
    }
}
