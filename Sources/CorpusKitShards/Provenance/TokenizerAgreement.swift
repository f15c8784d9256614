import Foundation
import CorpusKitSystem

extension DatasetProvenance {
    /// What decides what a dataset's ids mean, as one value to group datasets by: the fields
    /// ``meaningDifferences(from:labels:)`` compares (the tokenizer file by SHA-256, the wrapper
    /// type, EOD appending, the dtype). The tokenizer's file name is carried for messages only:
    /// two records of the same file under other names are the same meaning.
    public struct IDMeaning: Hashable, Sendable, CustomStringConvertible {
        /// The tokenizer file actually read (for messages; not compared).
        public var tokenizerFile: String
        /// SHA-256 of the tokenizer file.
        public var tokenizerSHA256: String
        /// The Megatron wrapper (`Llama2Tokenizer`, `HuggingFaceTokenizer`, …).
        public var tokenizerType: String
        /// Whether EOD was appended to every document.
        public var appendEOD: Bool
        /// The `.bin` dtype.
        public var dtype: String

        /// A meaning from its parts.
        public init(tokenizerFile: String, tokenizerSHA256: String, tokenizerType: String, appendEOD: Bool, dtype: String) {
            self.tokenizerFile = tokenizerFile
            self.tokenizerSHA256 = tokenizerSHA256
            self.tokenizerType = tokenizerType
            self.appendEOD = appendEOD
            self.dtype = dtype
        }

        public static func == (a: IDMeaning, b: IDMeaning) -> Bool {
            (a.tokenizerSHA256, a.tokenizerType, a.appendEOD, a.dtype) == (b.tokenizerSHA256, b.tokenizerType, b.appendEOD, b.dtype)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(tokenizerSHA256)
            hasher.combine(tokenizerType)
            hasher.combine(appendEOD)
            hasher.combine(dtype)
        }

        /// One line for listings: the file's name, the wrapper, the SHA-256's first 12 digits and
        /// EOD appending (``DatasetProvenance/tokenizerSummary``).
        public var description: String {
            let name = tokenizerFile.split(separator: "/").last.map(String.init) ?? tokenizerFile
            return "\(name) \(tokenizerType) sha256:\(tokenizerSHA256.prefix(12)) append-eod:\(appendEOD ? "on" : "off")"
        }
    }

    /// This record's ``IDMeaning``.
    public var meaning: IDMeaning {
        IDMeaning(tokenizerFile: tokenizer.file, tokenizerSHA256: tokenizer.sha256, tokenizerType: tokenizer.type,
                  appendEOD: options.appendEOD, dtype: options.dtype)
    }

    /// A warning when `datasets` (name and meaning; those without a record left out) were made
    /// with more than one ``IDMeaning``: each meaning with how many datasets have it and the first
    /// of them. `nil` when they agree.
    public static func mixedMeaningsWarning(_ datasets: [(name: String, meaning: IDMeaning)]) -> String? {
        var order: [IDMeaning] = []
        var members: [IDMeaning: [String]] = [:]
        for (name, meaning) in datasets {
            if members[meaning] == nil { order.append(meaning) }
            members[meaning, default: []].append(name)
        }
        guard order.count > 1 else { return nil }
        let groups = order.map { meaning -> String in
            let names = members[meaning]!
            return "\(meaning) (\(names.count) dataset\(names.count == 1 ? "" : "s"), e.g. \(names[0]))"
        }
        return "the datasets were made with \(order.count) different tokenizers or options, so their ids do not mean the same: "
            + groups.joined(separator: "; ")
    }

    /// What the datasets' records say against a training run's tokenizer
    /// (``tokenizerMismatches(prefixes:tokenizerPath:type:)``), one sentence per dataset and finding.
    public struct TokenizerMismatches: Sendable, Equatable {
        /// Datasets made with another tokenizer file than the run's.
        public var files: [String] = []
        /// Datasets made with another Megatron wrapper than the run's. The wrappers of one file differ
        /// in what they add to a document (BOS, EOD), so ids made with one are not what the other
        /// would have made.
        public var wrappers: [String] = []
    }

    /// The datasets at `prefixes` whose records name a tokenizer file other than the one at
    /// `tokenizerPath` (by SHA-256), or another Megatron wrapper than `type` (`Llama2Tokenizer`,
    /// `SentencePieceTokenizer`, …), in one pass over the records; datasets without a record are
    /// passed over. A directory stands for the file in it of the name a record gives (a Hugging Face
    /// tokenizer directory holding `tokenizer.json`); a path that does not exist here (a path on the
    /// training cluster) cannot be compared and gives no file sentences.
    /// - Throws: ``ShardError/invalidProvenance(path:reason:)`` for a record that cannot be read,
    ///   ``ShardError/io(path:operation:errno:)`` when the tokenizer file cannot be read.
    public static func tokenizerMismatches(prefixes: [String], tokenizerPath: String, type: String) throws(ShardError) -> TokenizerMismatches {
        var isDirectory: ObjCBool = false
        let comparable = FileManager.default.fileExists(atPath: tokenizerPath, isDirectory: &isDirectory)
        var digests: [String: String?] = [:]   // file compared → its SHA-256 (nil: not in the directory)
        var out = TokenizerMismatches()
        for prefix in prefixes {
            guard let record = try read(prefix: prefix) else { continue }
            if record.tokenizer.type != type {
                out.wrappers.append("\(prefix): made with the \(record.tokenizer.type) wrapper, the run's tokenizer type is \(type)")
            }
            guard comparable else { continue }
            let file = isDirectory.boolValue
                ? (tokenizerPath as NSString).appendingPathComponent((record.tokenizer.file as NSString).lastPathComponent)
                : tokenizerPath
            if digests[file] == nil {
                if FileManager.default.fileExists(atPath: file) {
                    do { digests[file] = try FileDigest.sha256(path: file) } catch {
                        throw .io(path: error.path, operation: error.operation, errno: error.code)
                    }
                } else {
                    digests[file] = .some(nil)
                }
            }
            let recorded = "\(record.tokenizer.file) (SHA-256 \(record.tokenizer.sha256.prefix(12))…)"
            guard let digest = digests[file]! else {
                out.files.append("\(prefix): made with \(recorded); \(tokenizerPath) holds no \((file as NSString).lastPathComponent)")
                continue
            }
            if digest != record.tokenizer.sha256 {
                out.files.append("\(prefix): made with \(recorded), not with \(file) (SHA-256 \(digest.prefix(12))…)")
            }
        }
        return out
    }
}
