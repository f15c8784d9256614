import Foundation
import XCTest

enum Paths {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func repo(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static let mixtureFixtures = repo("Tests/Fixtures/mixture")
    static let fixtureModel = repo("Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model")
    static let shared: String = ProcessInfo.processInfo.environment["CORPUSKIT_SHARED"]
        ?? root.deletingLastPathComponent().appendingPathComponent("shared").path
}

final class Scratch {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "corpuskit-report-tests-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

func readText(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}
