import Testing
import CorpusKitTestSupport
@testable import CorpusKitShards

@Suite struct MergeTests {
    @Test func everyMergeFixtureIsReproduced() throws {
        let scratch = try ScratchDirectory()
        for merge in try Fixtures.manifest().merges {
            let prefix = scratch.file(merge.name)
            let summary = try MegatronMerge.merge(prefixes: merge.inputs.map(Fixtures.prefix), into: prefix)
            let expected = Fixtures.prefix(merge.name)
            #expect(try Fixtures.bytes(prefix + ".bin") == Fixtures.bytes(expected + ".bin"), "\(merge.name).bin")
            #expect(try Fixtures.bytes(prefix + ".idx") == Fixtures.bytes(expected + ".idx"), "\(merge.name).idx")
            let parts = try merge.inputs.map { try MegatronIndexReader(prefix: Fixtures.prefix($0)) }
            #expect(summary.documents == parts.reduce(0) { $0 + $1.documentCount })
            #expect(summary.tokens == parts.reduce(0) { $0 + $1.tokenCount })
        }
    }

    @Test func mergedDocumentsAreTheInputsInOrder() throws {
        let scratch = try ScratchDirectory()
        let inputs = ["u16_part_a", "u16_part_b", "u16_part_c"]
        try MegatronMerge.merge(prefixes: inputs.map(Fixtures.prefix), into: scratch.file("m"))
        let merged = try MegatronIndexReader(prefix: scratch.file("m"))
        let expected = try inputs.flatMap { try Fixtures.documents($0).map(\.ids) }
        #expect(try merged.documents(0 ..< merged.documentCount) == expected)
    }

    @Test func differentDtypesAreRefused() throws {
        let scratch = try ScratchDirectory()
        let error = shardError {
            try MegatronMerge.merge(prefixes: [Fixtures.prefix("u16_part_a"), Fixtures.prefix("i32_part_a")], into: scratch.file("m"))
        }
        #expect(error == .dtypeMismatch(path: Fixtures.prefix("i32_part_a") + ".idx", expected: .uint16, found: .int32))
        #expect(scratch.contents().isEmpty)
        #expect(shardError { try MegatronMerge.merge(prefixes: [], into: scratch.file("m")) } != nil)
    }

    @Test func directoryDiscoveryFollowsMergeDatasetsPy() throws {
        let scratch = try ScratchDirectory()
        let parts = try ScratchDirectory()
        // Copied under names whose code-point order differs from their numeric order.
        for (source, name) in [("u16_part_c", "b"), ("u16_part_a", "B"), ("u16_part_b", "a.x")] {
            try Fixtures.write(Fixtures.bytes(Fixtures.prefix(source) + ".bin"), to: parts.file(name + ".bin"))
            try Fixtures.write(Fixtures.bytes(Fixtures.prefix(source) + ".idx"), to: parts.file(name + ".idx"))
        }
        #expect(try MegatronMerge.datasetPrefixes(inDirectory: parts.path) == ["B", "a.x", "b"].map(parts.file))
        try MegatronMerge.mergeDirectory(parts.path, into: scratch.file("m"))
        let merged = try MegatronIndexReader(prefix: scratch.file("m"))
        #expect(try merged.documents(0 ..< merged.documentCount) == [[1, 2], [3], [], [4, 5, 6], [], [7]])

        try Fixtures.write([1], to: parts.file("lonely.bin"))
        let error = shardError { _ = try MegatronMerge.datasetPrefixes(inDirectory: parts.path) }
        #expect(error?.description.contains("lonely: .idx file not provided") == true)
    }

    @Test func splitExtensionMatchesPython() {
        #expect(MegatronMerge.splitExtension("a.b.idx") == ("a.b", ".idx"))
        #expect(MegatronMerge.splitExtension(".idx") == (".idx", ""))
        #expect(MegatronMerge.splitExtension("..x.bin") == ("..x", ".bin"))
        #expect(MegatronMerge.splitExtension("noext") == ("noext", ""))
    }
}
