import CorpusKitPlan
import Foundation
import Testing
import CorpusKitTestSupport

@Suite struct DataPathTests {
    @Test func weightedAndUnweightedForms() throws {
        let weighted = try DataPathBlend(dataPath: " 0.3 a/b_text_document\n 7e2 c ")
        #expect(weighted.prefixes == ["a/b_text_document", "c"])
        #expect(weighted.weights == [0.3, 700])
        #expect(try DataPathBlend(dataPath: "a b").weights == nil)
        #expect(try DataPathBlend(dataPath: "a b c").prefixes == ["a", "b", "c"])
        #expect(throws: PlanError.self) { try DataPathBlend(dataPath: "1 a b c") }
        #expect(throws: PlanError.self) { try DataPathBlend(dataPath: "  ") }
    }

    @Test func llmjpBashArrayFile() throws {
        let scratch = try ScratchDirectory("plan-tests")
        defer { withExtendedLifetime(scratch) {} }
        let path = scratch.file("dp.sh")
        let text = """
            # ja
            TRAIN_DATA_PATH=(
              --data-path
              14486363187 ${DATASET_DIR}/ja_wiki_0000_text_document  # comment
              12500000000 /data/en/dolma_0001_text_document
            )
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let blend = try DataPathBlend(contentsOfFile: path)
        #expect(blend.weights == [14486363187, 12500000000])
        #expect(blend.prefixes == ["${DATASET_DIR}/ja_wiki_0000_text_document", "/data/en/dolma_0001_text_document"])
    }

    @Test func splitRoundsHalfToEven() throws {
        let s = try SplitMatrix("1,1")
        #expect(s.range(split: 0, count: 301) == 0 ..< 150)  // round(150.5) == 150
        #expect(s.range(split: 1, count: 301) == 150 ..< 301)
        #expect(s.range(split: 2, count: 301) == nil)
        #expect(try SplitMatrix("969,30,1").range(split: 2, count: 300) == 300 ..< 300)
    }
}
