import Foundation
import PackagePlugin

/// Records the git commit being built in `CorpusKitSystem` (``CorpusKitVersion/commit``), so that
/// `corpuskit --version`, every dataset's provenance record and `launch`'s manifest say which build
/// wrote them — in a fresh clone, the debug/test build and `Tools/build_release.sh`'s static binary
/// alike.
///
/// A prebuild command (it runs before every build, which a commit or an edit needs; a build command
/// would only rerun when declared input files change, and HEAD lives in different files in a clone
/// and a worktree). It rewrites the generated file only when its text changes, so an unchanged commit
/// rebuilds nothing. Without git or outside a repository the commit is `unknown`.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = context.pluginWorkDirectoryURL.appending(path: "generated")
        let output = directory.appending(path: "BuildCommit.swift")
        let script = #"""
            set -u
            package="$1"; directory="$2"; output="$3"
            commit=$(git -C "$package" rev-parse --short=12 HEAD 2>/dev/null) || commit=""
            if [ -z "$commit" ]; then
                commit=unknown
            elif ! git -C "$package" diff --quiet HEAD -- 2>/dev/null; then
                commit="$commit-modified"
            fi
            text="let buildCommit = \"$commit\""
            mkdir -p "$directory"
            if [ "$(cat "$output" 2>/dev/null)" != "$text" ]; then printf '%s\n' "$text" > "$output"; fi
            """#
        return [
            .prebuildCommand(
                displayName: "Recording the git commit of CorpusKit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, directory.path, output.path],
                outputFilesDirectory: directory),
        ]
    }
}
