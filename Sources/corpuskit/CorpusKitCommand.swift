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
        ])
}
