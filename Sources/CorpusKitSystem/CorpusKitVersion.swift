/// Which CorpusKit wrote something: the release number and the git commit it was built from.
///
/// `corpuskit --version` prints ``description``; dataset provenance records and `launch`'s manifest
/// store it. The commit comes from the `BuildCommit` build plugin (`Plugins/BuildCommit`), which
/// runs `git` at build time: 12 hex digits, `-modified` when tracked files differ from that commit,
/// `unknown` when built outside a git checkout.
public enum CorpusKitVersion {
    /// The release number; raised by hand when a release is made.
    public static let release = "0.1.0"
    /// The git commit of the build (see the type's documentation).
    public static let commit: String = buildCommit
    /// `0.1.0 (commit 1a2b3c4d5e6f)`.
    public static var description: String { "\(release) (commit \(commit))" }
}
