import Foundation

/// The `eos_token` a Hugging Face tokenizer directory declares, looked up as
/// `Tools/megatron_reference.py` does for `HuggingFaceTokenizer` (standing in for
/// `AutoTokenizer.eos_token`): `tokenizer_config.json`, then `special_tokens_map.json`, next to
/// `tokenizer.json`; the value may be a string or an object with a `content` string.
enum HuggingFaceEOS {
    /// The EOS token string, or `nil` when neither file declares one.
    static func token(nextTo tokenizerJSON: String) -> String? {
        let directory = (tokenizerJSON as NSString).deletingLastPathComponent
        for name in ["tokenizer_config.json", "special_tokens_map.json"] {
            let path = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { continue }
            var eos = object["eos_token"]
            if let dictionary = eos as? [String: Any] { eos = dictionary["content"] }
            if let string = eos as? String { return string }
        }
        return nil
    }
}
