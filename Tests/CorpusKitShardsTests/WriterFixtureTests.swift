import Testing
import CorpusKitTestSupport
@testable import CorpusKitShards

/// The writer reproduces, byte for byte, what the Python reference builder wrote into the fixtures.
@Suite struct WriterFixtureTests {
    @Test(arguments: WriteStyle.allCases)
    func everyBuildFixtureIsReproduced(style: WriteStyle) throws {
        let scratch = try ScratchDirectory()
        for build in try Fixtures.manifest().builds {
            let documents = try Fixtures.documents(build.name)
            if style == .batch && documents.contains(where: { $0.lengths != nil }) { continue }
            let prefix = scratch.file(build.name)
            let summary = try write(documents, dtype: Fixtures.dtype(build.dtype), to: prefix, style: style)
            let expected = Fixtures.prefix(build.name)
            #expect(try Fixtures.bytes(prefix + ".bin") == Fixtures.bytes(expected + ".bin"), "\(build.name).bin")
            #expect(try Fixtures.bytes(prefix + ".idx") == Fixtures.bytes(expected + ".idx"), "\(build.name).idx")
            #expect(summary.documents == documents.count)
            #expect(summary.tokens == documents.reduce(0) { $0 + $1.ids.count })
            #expect(summary.dataBytes == (try Fixtures.bytes(expected + ".bin")).count)
            #expect(summary.indexBytes == (try Fixtures.bytes(expected + ".idx")).count)
        }
        // Only the finished files remain: no temporaries.
        #expect(scratch.contents().allSatisfy { $0.hasSuffix(".bin") || $0.hasSuffix(".idx") })
    }

    @Test func fixtureCasesCoverTheEdgeCases() throws {
        let names = Set(try Fixtures.manifest().builds.map(\.name))
        #expect(names.isSuperset(of: ["u16_mixed", "i32_mixed", "u16_multi_sequence", "u16_no_documents", "i32_only_empty"]))
        let mixed = try Fixtures.documents("u16_mixed")
        #expect(mixed.contains { $0.ids.isEmpty })
        #expect(mixed.contains { $0.ids.count == 1 })
        #expect(mixed.contains { $0.ids.contains(65535) })
    }
}
