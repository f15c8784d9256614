import Testing
import CorpusKitTestSupport
@testable import CorpusKitShards

@Suite struct ReaderTests {
    @Test func everyFixtureReadsBackItsDocuments() throws {
        for build in try Fixtures.manifest().builds {
            let documents = try Fixtures.documents(build.name)
            let reader = try MegatronIndexReader(prefix: Fixtures.prefix(build.name))
            #expect(reader.dtype == Fixtures.dtype(build.dtype))
            #expect(reader.documentCount == documents.count, "\(build.name)")
            #expect(reader.sequenceCount == documents.reduce(0) { $0 + ($1.lengths?.count ?? ($1.ids.isEmpty ? 0 : 1)) })
            #expect(reader.tokenCount == documents.reduce(0) { $0 + $1.ids.count })
            for (d, document) in documents.enumerated() {
                #expect(try reader.documentTokens(d) == document.ids, "\(build.name) document \(d)")
                #expect(try reader.tokenCount(ofDocument: d) == document.ids.count)
            }
            #expect(try reader.documents(0 ..< documents.count) == documents.map(\.ids))
        }
    }

    @Test func sequencesAndIndexFieldsOfAMultiSequenceDataset() throws {
        let reader = try MegatronIndexReader(prefix: Fixtures.prefix("u16_multi_sequence"))
        // [1,2 | 3,4,5], [], [6], [7 | (empty) | 8,9]
        #expect((0 ..< reader.sequenceCount).map { reader.sequenceLength($0) } == [2, 3, 1, 1, 0, 2])
        #expect((0 ..< reader.sequenceCount).map { reader.sequencePointer($0) } == [0, 4, 10, 12, 14, 14])
        #expect((0 ... reader.documentCount).map { reader.documentIndexEntry($0) } == [0, 2, 2, 3, 6])
        #expect(try reader.sequenceTokens(1) == [3, 4, 5])
        #expect(try reader.sequenceTokens(4) == [])
        #expect(try reader.sequenceRange(ofDocument: 3) == 3 ..< 6)
        #expect(try reader.sequenceRange(ofDocument: 1) == 2 ..< 2)
    }

    @Test func pathsWithExtensionsAreAccepted() throws {
        let reader = try MegatronIndexReader(prefix: Fixtures.prefix("u16_part_a") + ".idx")
        #expect(try reader.documentTokens(1) == [3])
    }

    @Test func outOfRangeDocumentsAreErrors() throws {
        let reader = try MegatronIndexReader(prefix: Fixtures.prefix("u16_part_a"))
        #expect(shardError { _ = try reader.documentTokens(2) } == .documentOutOfRange(index: 2, count: 2))
        #expect(shardError { _ = try reader.documentTokens(-1) } == .documentOutOfRange(index: -1, count: 2))
        #expect(shardError { _ = try reader.documents(1 ..< 3) } == .documentOutOfRange(index: 2, count: 2))
        #expect(shardError { _ = try reader.sequenceTokens(9) } == .sequenceOutOfRange(index: 9, count: 2))
    }

    @Test func emptyDatasetsOpen() throws {
        let none = try MegatronIndexReader(prefix: Fixtures.prefix("u16_no_documents"))
        #expect(none.documentCount == 0 && none.sequenceCount == 0 && none.tokenCount == 0)
        let onlyEmpty = try MegatronIndexReader(prefix: Fixtures.prefix("i32_only_empty"))
        #expect(onlyEmpty.documentCount == 3 && onlyEmpty.sequenceCount == 0)
        #expect(try onlyEmpty.documentTokens(2) == [])
    }

    @Test func shardInfoDescribesAndChecks() throws {
        let info = try ShardTools.info(prefix: Fixtures.prefix("u16_mixed"))
        #expect(info.dtype == .uint16)
        #expect(info.documents == 7 && info.sequences == 5 && info.emptyDocuments == 2)
        #expect(info.tokens == 3 + 1 + 4 + 300 + 2 && info.longestDocument == 300)
        #expect(info.dataBytes == info.tokens * 2)
        #expect(info.indexBytes == 34 + 12 * 5 + 8 * 8)
        #expect(info.description.contains("documents:  7 (2 empty)"))
        #expect(info.description.contains("uint16 (Megatron code 8"))
        let tokens = try ShardTools.documentTokens(prefix: Fixtures.prefix("u16_mixed"), documents: 1 ... 2)
        #expect(tokens == [[1, 2, 3], [4]])
    }
}
