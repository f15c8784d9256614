import Foundation
import XCTest

/// A temporary directory removed when the value is released: the one scratch directory of every
/// test target. Keep the value alive while its files are used (``XCTestCase/scratchDirectory(_:)``
/// does that until the test ends).
public final class ScratchDirectory {
    public let path: String

    /// `$TMPDIR/corpuskit-LABEL-PID-RANDOM`.
    public init(_ label: String = "tests") throws {
        path = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("corpuskit-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Every file name in the directory, sorted.
    public func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// Writes `data` to `name` (parent directories created) and returns the full path.
    @discardableResult
    public func write(_ name: String, _ data: Data) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: target))
        return target
    }

    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String { try write(name, Data(bytes)) }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }

    /// Each line followed by `"\n"`.
    @discardableResult
    public func write(_ name: String, lines: [String]) throws -> String { try write(name, lines.map { $0 + "\n" }.joined()) }
}

extension XCTestCase {
    /// A scratch directory that lives until the end of the test.
    public func scratchDirectory(_ label: String = "tests") throws -> ScratchDirectory {
        let scratch = try ScratchDirectory(label)
        addTeardownBlock { withExtendedLifetime(scratch) {} }
        return scratch
    }
}
