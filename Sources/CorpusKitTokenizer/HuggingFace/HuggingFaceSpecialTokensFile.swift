import Foundation

/// The special-token strings a Hugging Face tokenizer directory declares beside its
/// `tokenizer.json`: `tokenizer_config.json` first, then `special_tokens_map.json` (as
/// `AutoTokenizer` resolves `bos_token`, `eos_token`, `pad_token`). A value may be a string or an
/// object with a `content` string. Files that are missing or unreadable declare nothing; a
/// present file that is not JSON is an error naming it.
struct HuggingFaceSpecialTokensFile {
    var bos: String?
    var eos: String?
    var pad: String?

    init(nextTo tokenizerJSON: String) throws(TokenizerError) {
        let directory = (tokenizerJSON as NSString).deletingLastPathComponent
        for name in ["special_tokens_map.json", "tokenizer_config.json"] {   // later files win
            let path = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(name)
            guard FileManager.default.isReadableFile(atPath: path) else { continue }
            let object = try HuggingFaceTokenizerFile.readObject(path)
            func token(_ key: String) -> String? {
                var value = object[key]
                if let dictionary = value as? [String: Any] { value = dictionary["content"] }
                return value as? String
            }
            bos = token("bos_token") ?? bos
            eos = token("eos_token") ?? eos
            pad = token("pad_token") ?? pad
        }
    }
}
