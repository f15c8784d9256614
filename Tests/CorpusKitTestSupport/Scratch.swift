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

    /// Files made by ``createFile(folder:nameBytes:)``, removed by their bytes first: a name that
    /// is not UTF-8 cannot be spelled as a Swift path, so a removal by path would leave it.
    private var rawNamedFiles: [[UInt8]] = []

    deinit {
        for name in rawNamedFiles { _ = name.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { unlink($0.baseAddress!) } } }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Creates an empty file in `folder` (relative, existing) whose name is the raw bytes `nameBytes`,
    /// valid UTF-8 or not (for tests of names a Swift `String` cannot hold).
    public func createFile(folder: String = "", nameBytes: [UInt8]) throws {
        let directory = folder.isEmpty ? path : file(folder)
        let raw = Array((directory + "/").utf8) + nameBytes + [0]
        let fd = raw.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) } }
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        close(fd)
        rawNamedFiles.append(raw)
    }

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
