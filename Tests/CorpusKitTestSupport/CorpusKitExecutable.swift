import Foundation
import XCTest

/// The built `corpuskit` executable, for every test target that runs it.
public enum CorpusKitExecutable {
    /// `$CORPUSKIT_EXECUTABLE` (symbolic links resolved), else the products directory that holds the test bundle (SwiftPM
    /// builds the executable next to it with `--build-tests`). On Linux the `.xctest` bundle is
    /// itself the running executable, so `Bundle.main` and `CommandLine.arguments[0]` point into
    /// that directory; on macOS the bundle is loaded by `xctest`, so `Bundle.allBundles` has it.
    public static let path: String? = {
        if let path = ProcessInfo.processInfo.environment["CORPUSKIT_EXECUTABLE"], !path.isEmpty {
            // Resolved, as the binary sees itself (`/proc/self/exe`; `.build-static/release` is a link).
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            return FileManager.default.isExecutableFile(atPath: resolved) ? resolved : nil
        }
        var directories: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        directories.append(URL(fileURLWithPath: Bundle.main.bundlePath))
        directories.append(URL(fileURLWithPath: Bundle.main.bundlePath).deletingLastPathComponent())
        if let path = Bundle.main.executablePath { directories.append(URL(fileURLWithPath: path).deletingLastPathComponent()) }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        return directories.map { $0.appendingPathComponent("corpuskit").resolvingSymlinksInPath().path }
            .first { path in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
                    && FileManager.default.isExecutableFile(atPath: path)
            }
    }()

    /// ``path``, or a test failure (never a skip: a comparison that did not run must not pass).
    public static func require(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard let path else {
            XCTFail("the corpuskit executable was not found next to the test bundle (\(Bundle.main.bundlePath)); build with --build-tests or set CORPUSKIT_EXECUTABLE",
                    file: file, line: line)
            throw TestFailure("no corpuskit executable")
        }
        return path
    }
}
