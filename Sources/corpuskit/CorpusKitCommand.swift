import ArgumentParser
import CorpusKitSystem

@main
struct CorpusKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpuskit",
        abstract: "Exact, fast tokenization and Megatron shards for Japanese-centred LLM corpora.",
        version: CorpusKitVersion.description,
        subcommands: [
            EncodeCommand.self, DecodeCommand.self, InfoCommand.self, TokenizeCommand.self, LaunchCommand.self, ShardCommand.self,
            CountCommand.self, MixtureCommand.self, PlanCommand.self, ReplayCommand.self, CompatCommand.self, ModelCommand.self,
            VocabCommand.self,
        ])

    /// swift-argument-parser's `main`, except that a ``CLIError`` is printed with the parser's own
    /// `Error: ` prefix through ``StandardError`` and exits with its status (the parser would exit 1).
    static func main() {
        LargePageHeap.prepare()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CLIError {
            StandardError.write("Error: \(error.description)\n")
            Self.exit(withError: ExitCode(error.status))
        } catch {
            Self.exit(withError: error)
        }
    }
}
