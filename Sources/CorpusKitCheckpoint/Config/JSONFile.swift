import Foundation

/// Reading the small JSON files of a checkpoint directory.
///
/// `JSONSerialization`: these files are small and plain; the tokenizer's own parser exists for
/// tokenizer.json (exact float rounding, U+FEFF pieces) and is internal to the tokenizer module.
/// Nothing read here is a vocabulary piece whose exact bytes matter except special-token strings,
/// which never start with U+FEFF.
enum JSONFile {
    /// The top-level object of `path`.
    static func object(at path: String) throws(CheckpointError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw CheckpointError.malformedJSON(path: path, reason: "the top level is not a JSON object")
            }
            return object
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw .malformedJSON(path: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
    }

    /// The object at `path`, or nil when the file does not exist.
    static func optionalObject(at path: String) throws(CheckpointError) -> [String: Any]? {
        FileManager.default.fileExists(atPath: path) ? try object(at: path) : nil
    }
}

/// JSON values (as `JSONSerialization` returns them) read as integers.
enum JSONValue {
    static func int(_ value: Any?) -> Int? {
        guard let value, !(value is NSNull) else { return nil }
        if let int = value as? Int { return int }
        if let double = value as? Double, double == double.rounded(), abs(double) < 9e15 { return Int(double) }
        return nil
    }

    /// An id field that may be an integer or a list of integers (`eos_token_id: [1, 2]`).
    static func ids(_ value: Any?) -> [Int]? {
        guard let value, !(value is NSNull) else { return nil }
        if let list = value as? [Any] { return list.compactMap { int($0) } }
        return int(value).map { [$0] }
    }
}
