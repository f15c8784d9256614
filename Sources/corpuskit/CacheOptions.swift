import ArgumentParser
import CorpusKitPlan

/// `plan`'s options for Megatron's index cache (`--data-cache-path`): what to write or check, and
/// the training arguments that only the cache depends on.
struct CacheOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write Megatron's index cache for this run into DIR (then pass DIR as the training script's --data-cache-path).", valueName: "DIR"))
    var dataCachePath: String?

    @Option(help: ArgumentHelp("Compare the index cache in DIR with what this run needs: missing, wrong and extra files (exit status 1 unless exact).", valueName: "DIR"))
    var checkCache: String?

    @Option(help: "Megatron's --tokenizer-type (\(CacheTokenizer.Kind.allCases.map(\.rawValue).joined(separator: ", "))); part of every cache file name.")
    var tokenizerType: CacheTokenizer.Kind?

    @Option(help: "Megatron's --tokenizer-model, exactly as the training script passes it (the path is part of every cache file name; where the file exists here, it is checked against the datasets' provenance records).")
    var tokenizerModel: String?

    @Option(help: "Megatron's --vocab-extra-ids (SentencePieceTokenizer only).")
    var vocabExtraIds: Int = 0

    @Option(help: "Megatron's --eval-iters (valid and test sample counts; llm-jp passes 0).")
    var evalIters: Int = MegatronSplitSizes.defaultEvalIters

    @Option(help: "Megatron's --eval-interval (as the training script passes it; llm-jp's branches default to 1000, megatron-core 0.16 has no default).")
    var evalInterval: Int?

    @Flag(help: "Replace cache files that exist with other contents (by default they are refused).")
    var overwriteCache = false

    @Flag(help: "Write or check the cache even when the datasets' provenance records name another tokenizer file than --tokenizer-model (compared by SHA-256 when that path exists here).")
    var allowDifferentTokenizers = false

    var wanted: Bool { dataCachePath != nil || checkCache != nil }

    func validate() throws {
        guard wanted else { return }
        if dataCachePath != nil && checkCache != nil { throw ValidationError("give one of --data-cache-path and --check-cache") }
        guard tokenizerType != nil, tokenizerModel != nil else {
            throw ValidationError("the cache needs --tokenizer-type and --tokenizer-model as the training script passes them")
        }
        guard evalIters >= 0, (evalInterval ?? 1) > 0 else { throw ValidationError("--eval-iters must be ≥ 0 and --eval-interval > 0") }
    }

    /// The evaluation interval of the run: the one given, else the Megatron's default.
    func evalInterval(for megatron: MegatronFlavor) throws -> Int {
        if let evalInterval { return evalInterval }
        guard let interval = megatron.defaultEvalInterval else {
            throw ValidationError(
                "megatron-core \(megatron) has no default --eval-interval (its training loop divides --train-iters by it, so a run without one stops before building the cache); give the training script's --eval-interval")
        }
        return interval
    }

    var tokenizer: CacheTokenizer {
        CacheTokenizer(kind: tokenizerType!, path: tokenizerModel!, vocabExtraIDs: vocabExtraIds)
    }
}

extension CacheTokenizer.Kind: ExpressibleByArgument {}
extension MegatronFlavor: ExpressibleByArgument {}
