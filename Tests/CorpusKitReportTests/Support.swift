import Foundation

func readText(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}
