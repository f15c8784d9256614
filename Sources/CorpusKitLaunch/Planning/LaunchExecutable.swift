import Foundation

/// The absolute path of the running corpuskit: what the sbatch scripts call unless told another
/// (`/proc/self/exe` on Linux, so a symbolic link on PATH resolves to the real binary).
public enum LaunchExecutable {
    public static var current: String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
