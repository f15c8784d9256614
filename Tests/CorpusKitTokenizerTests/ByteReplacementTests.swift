import CTextKernels
import XCTest
@testable import CorpusKitTokenizer

/// `ByteReplacement.append` (sentencepiece's and HF's space → `▁`) against the plain definition —
/// every byte copied, the replaced one written as the replacement — on random inputs of every
/// length up to a few hundred bytes (so the 32-byte blocks, their 8-byte groups and the tail are
/// all hit), match densities from none to every byte, replacements of 0 to 9 bytes, after
/// existing output; with the AVX2 kernel (`ck_replace_byte`, widths 1–3) and without it (the
/// word-at-a-time path).
final class ByteReplacementTests: XCTestCase {
    override func tearDown() {
        ck_text_kernels_use_vectors(1)
        super.tearDown()
    }

    func testEveryPathEqualsThePlainDefinition() {
        var state: UInt64 = 41
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        var compared = 0
        for vectors in [1, 0] {
            ck_text_kernels_use_vectors(Int32(vectors))
            for round in 0..<3000 {
                let byte = UInt8(next(3) == 0 ? 0x20 : next(256))
                let density = [0, 1, 5, 30, 100][next(5)]   // per cent of bytes that match
                let input = (0..<next(round < 200 ? 300 : 100)).map { _ in next(100) < density ? byte : UInt8(next(256)) }
                let replacement = (0..<[0, 1, 2, 3, 3, 3, 4, 9][next(8)]).map { _ in UInt8(next(256)) }
                let prefix = (0..<next(5)).map { _ in UInt8(next(256)) }
                var expected = prefix
                for value in input { if value == byte { expected += replacement } else { expected.append(value) } }
                var output = prefix
                input.withUnsafeBufferPointer { input in
                    replacement.withUnsafeBufferPointer { replacement in
                        ByteReplacement.append(input, replacing: byte, with: replacement, to: &output)
                    }
                }
                XCTAssertEqual(output, expected, "vectors \(vectors), byte \(byte), replacement \(replacement), input \(input)")
                compared += 1
            }
        }
        XCTAssertEqual(compared, 6000)
    }
}
