import Foundation
import CorpusKitTestSupport
@testable import CorpusKitShards

/// Access to Tests/Fixtures/shards (made by Tools/fixtures/make_shard_fixtures.py).
enum Fixtures {
    static let directory = URL(fileURLWithPath: TestPaths.fixture("shards"))

    struct Manifest: Decodable {
        struct Build: Decodable { let name: String; let dtype: String }
        struct Merge: Decodable { let name: String; let inputs: [String] }
        let builds: [Build]
        let merges: [Merge]
    }

    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
    }

    static func prefix(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func dtype(_ name: String) -> TokenDType { name == "uint16" ? .uint16 : .int32 }

    /// A fixture document: plain ids (one sequence, none if empty) or ids with explicit sequence lengths.
    struct Document {
        let ids: [Int32]
        let lengths: [Int]?
    }

    static func documents(_ name: String) throws -> [Document] {
        let url = directory.appendingPathComponent(name + ".ids.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        guard let list = json as? [Any] else { throw TestFailure("\(url.path): not a list") }
        return try list.map { item in
            if let ids = item as? [NSNumber] {
                return Document(ids: ids.map { Int32(truncating: $0) }, lengths: nil)
            }
            if let object = item as? [String: Any], let ids = object["ids"] as? [NSNumber],
               let lengths = object["lengths"] as? [NSNumber] {
                return Document(ids: ids.map { Int32(truncating: $0) }, lengths: lengths.map { $0.intValue })
            }
            throw TestFailure("\(url.path): unexpected document \(item)")
        }
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// Runs `body` and returns the `ShardError` it throws, or nil.
func shardError(_ body: () throws -> Void) -> ShardError? {
    do {
        try body()
        return nil
    } catch let error as ShardError {
        return error
    } catch {
        return nil
    }
}

/// Writes `documents` with a writer using the given call style.
enum WriteStyle: CaseIterable {
    case perDocument, batch, itemsAndEnds
}

func write(_ documents: [Fixtures.Document], dtype: TokenDType, to prefix: String, style: WriteStyle) throws -> ShardSummary {
    let writer = try MegatronIndexWriter(prefix: prefix, dtype: dtype, bufferCapacity: 64)
    switch style {
    case .perDocument:
        for document in documents {
            if let lengths = document.lengths {
                try writer.addDocument(document.ids, sequenceLengths: lengths)
            } else {
                try writer.addDocument(document.ids)
            }
        }
    case .batch:
        let tokens = documents.flatMap(\.ids)
        let lengths = documents.map(\.ids.count)
        try tokens.withUnsafeBufferPointer { tokens in
            try lengths.withUnsafeBufferPointer { try writer.addDocuments(tokens: tokens, documentLengths: $0) }
        }
    case .itemsAndEnds:
        for document in documents {
            let lengths = document.lengths ?? (document.ids.isEmpty ? [] : [document.ids.count])
            var start = 0
            for length in lengths {
                try writer.addSequence(Array(document.ids[start ..< start + length]))
                start += length
            }
            try writer.endDocument()
        }
    }
    return try writer.finish()
}
