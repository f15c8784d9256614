import Foundation

/// Pulls the text of one key out of a JSONL line. (Temporary: Foundation-based.)
struct JSONTextExtractor {
    let key: String
    private var storage: [UInt8] = []

    init(key: String) { self.key = key }

    mutating func extract(from line: UnsafeRawBufferPointer) throws -> UnsafeBufferPointer<UInt8> {
        let object = try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
        guard let dict = object as? [String: Any], let text = dict[key] as? String else { throw CLIError("missing key") }
        storage = Array(text.utf8)
        return storage.withUnsafeBufferPointer { $0 }
    }
}
