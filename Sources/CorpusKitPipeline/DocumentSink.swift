/// The documents of one batch as a ``DocumentSink`` sees them: consecutive kept documents of one
/// input file, per JSON key.
public struct SinkBatch {
    /// The input file the documents come from.
    public let path: String
    /// Whether this is the first batch of `path`.
    public let startsFile: Bool
    /// Per key (in `--json-keys` order): the token count of each document, EOD included.
    public let lengths: [[Int]]
    /// Per key: UTF-8 bytes of each document's text (empty unless
    /// ``TokenizeConfiguration/measuresText``).
    public let textBytes: [[Int]]
    /// Per key: characters (Unicode scalars, as Python's `len`) of each document's text (empty
    /// unless ``TokenizeConfiguration/measuresText``).
    public let textCharacters: [[Int]]
}

/// Receives every batch's documents in input order, on the thread that called
/// ``TokenizePipeline/run(progress:cancellation:sink:)``, after the bad-line policy was applied:
/// exactly the documents the shards get (or would get, in count-only mode).
public protocol DocumentSink: AnyObject {
    /// Takes one batch; a thrown error stops the run as an output failure.
    func consume(_ batch: SinkBatch) throws
}
