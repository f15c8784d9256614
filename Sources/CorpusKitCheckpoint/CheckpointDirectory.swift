import Foundation

/// What a Hugging Face checkpoint directory says about itself, read without loading weights:
/// `config.json`, `generation_config.json`, `tokenizer_config.json`, `special_tokens_map.json`
/// (each when present) and the safetensors headers.
public struct CheckpointDirectory: Sendable {
    /// The directory.
    public let path: String
    /// `config.json`.
    public let config: ModelConfig
    /// `generation_config.json`, when present.
    public let generationConfig: GenerationConfig?
    /// `tokenizer_config.json`, when present.
    public let tokenizerConfig: TokenizerConfig?
    /// `special_tokens_map.json`, when present.
    public let specialTokensMap: TokenizerConfig?
    /// The safetensors headers (one file or an index's shards).
    public let tensors: CheckpointTensors

    /// Reads `directory`; `config.json` and the weights' headers are required.
    public init(path directory: String) throws(CheckpointError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .unreadable(path: directory, reason: "not a directory")
        }
        func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        path = directory
        config = try ModelConfig(path: file("config.json"))
        generationConfig = FileManager.default.fileExists(atPath: file("generation_config.json"))
            ? try GenerationConfig(path: file("generation_config.json")) : nil
        tokenizerConfig = FileManager.default.fileExists(atPath: file("tokenizer_config.json"))
            ? try TokenizerConfig(path: file("tokenizer_config.json")) : nil
        specialTokensMap = FileManager.default.fileExists(atPath: file("special_tokens_map.json"))
            ? try TokenizerConfig(path: file("special_tokens_map.json")) : nil
        tensors = try CheckpointTensors(directory: directory)
    }
}
