import ArgumentParser
import Foundation
import CorpusKitChecks
import CorpusKitCompat
import CorpusKitInference
import CorpusKitReaders
import CorpusKitSystem
import CorpusKitTokenizer

/// `corpuskit model`: run a Hugging Face checkpoint on the CPU (logits, greedy generation,
/// perplexity) and check its weights. The logic is in CorpusKitInference.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Run and sanity-check a Hugging Face checkpoint on the CPU (Llama, Mixtral, GPT-2, Qwen3-MoE).",
        subcommands: [ModelInfoCommand.self, ModelLogitsCommand.self, ModelGenerateCommand.self, ModelPerplexityCommand.self, ModelCheckCommand.self,
                       ModelDiffCommand.self, ModelCompareCommand.self, ModelLossCommand.self, ModelResizeEmbeddingsCommand.self])
}

/// `MODEL_DIR` and `--threads`, shared by every form.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The checkpoint directory (config.json, model.safetensors or model.safetensors.index.json).")
    var modelDirectory: String

    @OptionGroup var threads: ThreadsOption

    func load() throws -> CausalLM {
        do { return try CausalLM(directory: modelDirectory, threads: threads.count) } catch { throw CLIError("\(error)") }
    }
}

/// Writes lines to `--output` (an ``AtomicFile/Writer``: published when complete) or stdout.
final class LineSink {
    private let file: AtomicFile.Writer?

    init(output: String?) throws {
        do { file = try output.map { (path) throws(SystemError) in try AtomicFile.Writer(path: path) } } catch { throw CLIError(error.description) }
    }

    func write(_ line: String) throws {
        guard let file else { print(line); return }
        do { try file.write(line + "\n") } catch { throw CLIError(error.description) }
    }

    func finish() throws {
        do { try file?.commit() } catch { throw CLIError(error.description) }
    }
}

/// Runs library code, reporting its error as a CLI error.
func inference<T>(_ body: () throws(InferenceError) -> T) throws -> T {
    do { return try body() } catch { throw CLIError(commandLineMessage(error)) }
}

/// The library's message, with the flag names of the settings it is about.
func commandLineMessage(_ error: any Error) -> String {
    guard let error = error as? InferenceError else { return "\(error)" }
    switch error {
    case .contextTooShort: return "--context must be at least 2"
    case .strideOutOfRange(_, let context): return "--stride must be in 1...context (\(context))"
    case .contextBeyondPositions(let context, let limit): return "--context \(context) exceeds the model's n_positions \(limit)"
    case .noBOS: return "--add-bos: neither the checkpoint nor the tokenizer declares a bos id"
    case .corpusNeedsTokenizer: return "--input needs --tokenizer"
    default: return error.description
    }
}

struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Architecture, parameters (total and active), dtype, shapes, memory needed.")
    @Argument(help: "The checkpoint directory.")
    var modelDirectory: String
    @Option(name: .long, help: "Context length for the KV cache estimate.")
    var context = 2048
    @OptionGroup var output: JSONOutputOption

    func run() throws {
        let info = try inference { () throws(InferenceError) in try ModelInfo(directory: modelDirectory, context: context) }
        try output.print(info)
    }
}

struct ModelLogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logits", abstract: "Float32 logits of the last position of each input line (a JSON array of ids).")
    @OptionGroup var model: ModelOptions
    @Option(name: .long, help: "Input: one JSON array of token ids per line.")
    var idsFile: String
    @Option(name: .long, help: "Write to FILE instead of stdout.")
    var output: String?

    func run() throws {
        let inputs = try inference { () throws(InferenceError) in try IDLines.modelInputs(path: idsFile) }
        let lm = try model.load()
        let sink = try LineSink(output: output)
        for ids in inputs {
            let logits = try inference { () throws(InferenceError) in try lm.forward(ids, cache: lm.makeCache(capacity: ids.count)) }
            try sink.write(IDLines.json(logits))
        }
        try sink.finish()
    }
}

struct ModelGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Greedy decoding from --ids-file lines or a --prompt text.")
    @OptionGroup var model: ModelOptions
    @Option(name: .long, help: "Input: one JSON array of prompt ids per line; prints the new ids per line.")
    var idsFile: String?
    @Option(name: .long, help: "A prompt text (needs --tokenizer); prints the continuation's text.")
    var prompt: String?
    @Option(name: .long, help: "The tokenizer for --prompt: a .model, a tokenizer.json, or a directory.")
    var tokenizer: String?
    @Option(name: .long, help: "Tokens to generate at most.")
    var maxNewTokens: Int
    @Flag(name: .long, help: "With --prompt: print the new ids (a JSON array) instead of the text.")
    var ids = false
    @Flag(name: .long, help: "Do not stop at the checkpoint's eos.")
    var ignoreEos = false
    @Flag(name: .long, help: "With --prompt: do not prepend the checkpoint's bos id.")
    var noAddBos = false
    @Flag(name: .long, help: "Print prompt and decode speeds (tokens/s) to stderr.")
    var timing = false

    private func report(_ run: GreedyGenerator.Run, promptTokens: Int) {
        guard timing else { return }
        let decoded = max(run.ids.count - 1, 0)
        let line = String(format: "timing: prompt %d tokens in %.4f s (%.1f tokens/s); decode %d tokens in %.4f s (%.2f tokens/s)\n",
                          promptTokens, run.promptSeconds, Double(promptTokens) / run.promptSeconds,
                          decoded, run.decodeSeconds, decoded > 0 ? Double(decoded) / run.decodeSeconds : 0)
        StandardError.write(line)
    }

    func validate() throws {
        guard (idsFile == nil) != (prompt == nil) else { throw ValidationError("give exactly one of --ids-file and --prompt") }
        if prompt != nil && tokenizer == nil { throw ValidationError("--prompt needs --tokenizer") }
        guard maxNewTokens >= 0 else { throw ValidationError("--max-new-tokens must be ≥ 0") }
    }

    func run() throws {
        if let idsFile {
            let inputs = try inference { () throws(InferenceError) in try IDLines.modelInputs(path: idsFile) }
            let lm = try model.load()
            let generator = GreedyGenerator(model: lm)
            for prompt in inputs {
                let run = try inference { () throws(InferenceError) in try generator.run(prompt: prompt, maxNewTokens: maxNewTokens, ignoreEOS: ignoreEos) }
                print(IDLines.json(run.ids))
                report(run, promptTokens: prompt.count)
            }
            return
        }
        let tok = try loadTokenizer(tokenizer!)
        let lm = try model.load()
        let promptIDs: [Int]
        do { promptIDs = try TextPrompt.ids(prompt!, model: lm, tokenizer: tok, addBOS: !noAddBos) } catch { throw CLIError("cannot encode --prompt: \(error)") }
        let run = try inference { () throws(InferenceError) in try GreedyGenerator(model: lm).run(prompt: promptIDs, maxNewTokens: maxNewTokens, ignoreEOS: ignoreEos) }
        report(run, promptTokens: promptIDs.count)
        let produced = run.ids
        if ids {
            print(IDLines.json(produced))
        } else {
            do { print(try TextPrompt.text(produced, tokenizer: tok)) } catch { throw CLIError("cannot decode: \(error)") }
        }
    }
}

struct ModelPerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "perplexity", abstract: "Perplexity, bits per byte and word/byte perplexity of a JSONL corpus (Hugging Face's sliding windows, or lm-eval-harness's rolling windows).")
    @OptionGroup var model: ModelOptions
    @OptionGroup var corpus: CorpusWindowOptions
    @Option(name: .long, help: "hf-stride (Hugging Face's sliding windows) or lm-eval-rolling (lm-eval-harness loglikelihood_rolling: disjoint windows of --context, first token scored after a bos/eos prefix; --stride and --add-bos unused).")
    var convention: PerplexityConvention = .hfStride
    @OptionGroup var output: JSONOutputOption

    func run() throws {
        let tok = try loadTokenizer(corpus.tokenizer)
        let lm = try model.load()
        let evaluator = try inference { () throws(InferenceError) in
            try PerplexityEvaluator(model: lm, tokenizer: tok, options: .init(context: corpus.context, stride: corpus.stride, addBOS: corpus.addBos,
                                                                              textKey: corpus.corpus.key, convention: convention))
        }
        let input = try corpus.corpus.requiredFile()
        let size = POSIXFile.size(path: input) ?? 0
        let progress = ProgressLine.onTerminal()
        let summary = try inference { () throws(InferenceError) in
            try evaluator.evaluate(corpus: input) { documents, offset in
                let fraction = size > 0 ? min(1, Double(offset) / Double(size)) : 0
                progress?.update(fraction: fraction, text: "\(Int(fraction * 100))% \(documents) documents")
            }
        }
        progress?.finish()
        try output.print(json: PerplexityReport.json(summary), text: PerplexityReport.text(summary))
    }
}

struct ModelCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Weight health, compat checks, and with --input a perplexity and a greedy continuation; a verdict (exit 0 sane, 1 not, 2 bad input).")
    @OptionGroup var model: ModelOptions
    @Option(name: .long, help: "The tokenizer (enables the corpuskit compat model checks and padding-row statistics); default: the one in MODEL_DIR, if any.")
    var tokenizer: String?
    @OptionGroup(title: "A JSONL corpus (one file): adds a perplexity and a greedy continuation check (needs --tokenizer)") var corpus: CorpusOptions
    @Option(name: .long, help: "Documents of --input to score.")
    var corpusDocuments = 50
    @Flag(name: .long, help: "Print the report as one JSON object.")
    var json = false
    @Flag(name: .long, help: "Treat warnings as failures (exit 1).")
    var strict = false
    @OptionGroup var longContext: LongContextFlags

    func validate() throws {
        if longContext.enabled && corpus.paths.isEmpty { throw ValidationError("--long-context needs --input (long documents)") }
        if !corpus.paths.isEmpty && tokenizer == nil { throw ValidationError("--input needs --tokenizer") }
        try corpus.requireOneKey()
    }

    func run() throws {
        let input: String?
        do { input = try corpus.singleFile() } catch let error as CLIError { throw CLIError.badInput(error.description) }
        let report: ModelHealthReport
        do {
            var check = ModelHealthCheck(directory: model.modelDirectory, tokenizerPath: tokenizer, corpus: input,
                                         corpusDocuments: corpusDocuments, threads: model.threads.count,
                                         tokenizerChecks: { try CheckpointCompatibility(tokenizerPath: $0, modelDirectory: $1).report.checks })
            if longContext.enabled { check.longContext = longContext.options }
            check.textKey = corpus.key
            report = try check.run()
        } catch {
            throw CLIError.badInput(commandLineMessage(error))
        }
        print(json ? report.compat.json() : report.compat.text())
        let status = report.compat.exitStatus(strict: strict)
        if status != 0 { throw ExitCode(status) }
    }
}
