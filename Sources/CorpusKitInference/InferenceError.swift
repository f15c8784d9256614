/// Why a checkpoint cannot be run: bad files, an unsupported config, or bad input ids.
public struct InferenceError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
