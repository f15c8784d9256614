@testable import CorpusKitPlan
import CorpusKitShards
import Foundation
import Testing
import CorpusKitTestSupport

/// Index caches against the files Megatron itself wrote (Tests/Fixtures/cache/<flavor>, made by
/// Tools/fixtures/make_cache_fixtures.py with megatron-core 0.16.1 and the llm-jp fork's v4 and nii-geniac
/// dataset code): the same names, sizes and bytes (MD5), description texts equal; then the check
/// of a folder finds missing, wrong and extra files, and a second write keeps or refuses.
@Suite struct IndexCacheFixtureTests {
    static let directory = URL(fileURLWithPath: TestPaths.fixture("cache"))

    static var cases: [String] {
        var out: [String] = []
        for flavor in MegatronFlavor.allCases {
            let dir = directory.appendingPathComponent(flavor.rawValue)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".json") }
            out += names.sorted().map { flavor.rawValue + "/" + String($0.dropLast(5)) }
        }
        return out
    }

    @Test func fixturesArePresent() {
        for flavor in [MegatronFlavor.core016, .llmJPV4, .llmJPNiiGeniac] {
            #expect(Self.cases.filter { $0.hasPrefix(flavor.rawValue + "/") }.count >= 7,
                    "Tests/Fixtures/cache/\(flavor): run Tools/fixtures/make_cache_fixtures.py")
        }
    }

    struct Loaded {
        let fixture: [String: Any]
        let files: [String: [String: Any]]
        let scratch: ScratchDirectory
        var work: URL { scratch.url }
        let cache: IndexCache
    }

    static func load(_ item: String) throws -> Loaded {
        let data = try Data(contentsOf: directory.appendingPathComponent(item + ".json"))
        let fixture = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let flavor = MegatronFlavor(rawValue: fixture["flavor"] as! String)!
        let config = fixture["config"] as! [String: Any]
        let name = config["name"] as! String
        let scratch = try ScratchDirectory("cache-tests")
        let work = scratch.url
        _ = try PlanFixtures.writeShards(["config": config], name: name, into: work)
        let prefixes = (0..<(config["datasets"] as! [Any]).count).map { "\(name)-\($0)" }
        var configuration = try PlanFixtures.configuration(
            ["config": config, "weights": fixture["weights"] ?? NSNull()], prefixes: prefixes)
        configuration.flavor = flavor
        let tokenizer = fixture["tokenizer"] as! [String: String]
        let cache = try IndexCache.load(
            configuration: configuration, sizes: (fixture["sizes"] as! [Int]),
            tokenizer: CacheTokenizer(kind: .init(rawValue: tokenizer["type"]!)!, path: tokenizer["path"]!),
            workingDirectory: work.path)
        return Loaded(fixture: fixture, files: fixture["files"] as! [String: [String: Any]], scratch: scratch, cache: cache)
    }

    @Test(arguments: cases) func writesMegatronsFiles(item: String) throws {
        let loaded = try Self.load(item)
        let out = loaded.work.appendingPathComponent("cache").path
        #expect(loaded.cache.layout.fileNames == loaded.files.keys.sorted(), "\(item): file names")
        let summary = try loaded.cache.write(into: out)
        #expect(summary.written.sorted() == loaded.files.keys.sorted())
        for (name, expected) in loaded.files {
            let path = out + "/" + name
            guard let bytes = FileManager.default.contents(atPath: path) else {
                Issue.record("\(item): \(name) not written")
                continue
            }
            #expect(bytes.count == expected["size"] as! Int, "\(item): \(name) size")
            #expect(MD5.hex([UInt8](bytes)) == expected["md5"] as! String, "\(item): \(name) bytes")
            if let text = expected["text"] as? String {
                #expect(String(decoding: bytes, as: UTF8.self) == text, "\(item): \(name)")
            } else if let header = expected["header"] as? String {
                let expectedBytes = header.unicodeScalars.map { UInt8($0.value) } // latin-1
                #expect(Array(bytes.prefix(expectedBytes.count)) == expectedBytes, "\(item): \(name) header")
            }
        }
        let check = try loaded.cache.check(directory: out)
        #expect(check.isExact && check.extra.isEmpty && check.matching.count == loaded.files.count, "\(item): check of our own cache")
    }

    /// `plan` and `replay` follow the flavour: the train split's samples asked of each dataset and
    /// the blend's length are those of the cache Megatron wrote (its descriptions, checked above).
    @Test(arguments: cases) func planFollowsTheFlavour(item: String) throws {
        let loaded = try Self.load(item)
        let layout = loaded.cache.layout
        let shapes = try layout.configuration.blend.prefixes.map {
            DatasetShape(prefix: $0, lengths: try DatasetShape.load(prefix: loaded.work.appendingPathComponent($0).path).0.lengths)
        }
        let plan = try TrainingPlan(configuration: layout.configuration, shapes: shapes)
        if let blend = layout.blends.first(where: { $0.split == 0 }) {
            #expect(plan.blendSize == blend.size, "\(item): blend size")
            #expect(plan.blendingWeights == blend.weights, "\(item): blending weights")
            let asked = blend.members.map { layout.datasetSplits[$0].numSamples }
            #expect(plan.datasets.map(\.requestedSamples) == asked, "\(item): samples asked")
            #expect(plan.datasets.map(\.epochPlan) == blend.members.map { layout.datasetSplits[$0].epochPlan }, "\(item): epochs")
        } else {
            #expect(plan.blendingWeights == nil)
            #expect(plan.datasets[0].epochPlan == layout.datasetSplits.first { $0.split == 0 }!.epochPlan)
        }
    }

    @Test func checkFindsMissingWrongAndExtraFiles() throws {
        let loaded = try Self.load("0.16/two-969-eval")
        let out = loaded.work.appendingPathComponent("cache").path
        _ = try loaded.cache.write(into: out)
        let names = loaded.cache.layout.fileNames
        let shuffle = names.first { $0.hasSuffix("-train-shuffle_index.npy") }!
        let blend = names.first { $0.hasSuffix("BlendedDataset-valid-dataset_index.npy") }!
        let description = names.first { $0.hasSuffix("GPTDataset-test-description.txt") }!
        // Wrong: one byte of the shuffle index; missing: a blend index; extra: another run's file.
        let handle = FileHandle(forUpdatingAtPath: out + "/" + shuffle)!
        try handle.seek(toOffset: 200)
        let old = handle.readData(ofLength: 1)[0]
        try handle.seek(toOffset: 200)
        handle.write(Data([old ^ 1]))
        try handle.close()
        try FileManager.default.removeItem(atPath: out + "/" + blend)
        try Data("x".utf8).write(to: URL(fileURLWithPath: out + "/0123-GPTDataset-train-document_index.npy"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: out + "/" + description))

        let check = try loaded.cache.check(directory: out)
        #expect(!check.isExact)
        #expect(check.missing == [blend])
        #expect(check.wrong.map(\.name) == [description, shuffle].sorted())
        #expect(check.wrong.first { $0.name == shuffle }?.offset == 200)
        #expect(check.extra == ["0123-GPTDataset-train-document_index.npy"])
        #expect(check.matching.count == names.count - 3)

        // Writing again: the missing file appears, identical files are kept, a different one is refused.
        do {
            _ = try loaded.cache.write(into: out)
            Issue.record("a different file was overwritten")
        } catch let error as IndexCacheError {
            #expect([description, shuffle].map { IndexCacheError.different(path: out + "/" + $0) }.contains(error))
        }
        let temporaries = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.contains(".tmp-") }
        #expect(temporaries.isEmpty, "temporary files left: \(temporaries)")
        let summary = try loaded.cache.write(into: out, overwrite: true)
        #expect(summary.replaced.sorted() == [description, shuffle].sorted())
        #expect(summary.written == [blend])
        #expect(summary.kept.count == names.count - 3)
        let after = try loaded.cache.check(directory: out)
        #expect(after.isExact && after.wrong.isEmpty && after.missing.isEmpty)
    }
}
