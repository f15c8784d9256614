import Foundation
import CorpusKitSystem

/// ``VocabularyFile/settings``: what decides how text becomes ids, as comparable text.
extension VocabularyFile {
    /// A `.model`'s normalizer spec and encode-time trainer spec fields.
    static func settings(of file: SentencePieceModelFile, modelType: String) -> [(name: String, value: String)] {
        let spec = file.trainerSpec
        func normalizer(_ n: SentencePieceModelFile.NormalizerSpec) -> String {
            "name=\(n.name) precompiled_charsmap=\(n.precompiledCharsmap.isEmpty ? "none" : "\(n.precompiledCharsmap.count) bytes, fnv1a \(fnv1a(n.precompiledCharsmap))") "
                + "add_dummy_prefix=\(n.addDummyPrefix) remove_extra_whitespaces=\(n.removeExtraWhitespaces) "
                + "escape_whitespaces=\(n.escapeWhitespaces) normalization_rule_tsv=\(n.normalizationRuleTSV.isEmpty ? "none" : "fnv1a \(fnv1a(Array(n.normalizationRuleTSV.utf8)))")"
        }
        return [
            ("model_type", modelType),
            ("normalizer_spec", normalizer(file.normalizerSpec)),
            ("denormalizer_spec", file.denormalizerSpec.map(normalizer) ?? "none"),
            ("byte_fallback", "\(spec.byteFallback)"),
            ("treat_whitespace_as_suffix", "\(spec.treatWhitespaceAsSuffix)"),
            ("split_digits", "\(spec.splitDigits)"),
            ("split_by_whitespace", "\(spec.splitByWhitespace)"),
            ("special_pieces", "unk=\(spec.unkPiece) bos=\(spec.bosPiece) eos=\(spec.eosPiece) pad=\(spec.padPiece) unk_surface=\(spec.unkSurface)"),
        ]
    }

    /// A tokenizer.json's model options and component objects as canonical JSON, and its merges
    /// summarised.
    static func settings(ofJSON root: [String: Any], model: [String: Any], modelType: String, merges: [String]) -> [(name: String, value: String)] {
        var options = model
        options["vocab"] = nil
        options["merges"] = nil
        var settings: [(name: String, value: String)] = [("model_type", modelType), ("model_options", canonicalJSON(options))]
        for key in ["normalizer", "pre_tokenizer", "post_processor", "decoder"] {
            settings.append((key, canonicalJSON(root[key] ?? NSNull())))
        }
        settings.append(("merges", merges.isEmpty ? "none" : "\(merges.count), fnv1a \(fnv1a(Array(merges.joined(separator: "\n").utf8)))"))
        return settings
    }

    /// JSON text with sorted keys and no whitespace, for comparing parsed settings.
    static func canonicalJSON(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let bool as Bool: return bool ? "true" : "false"
        case let int as Int: return String(int)
        case let double as Double: return "\(double)"
        case let string as String: return TextFormat.jsonString(string)
        case let array as [Any]: return "[" + array.map(canonicalJSON).joined(separator: ",") + "]"
        case let object as [String: Any]:
            // Keys compared as UTF-8 bytes, not as `String` (canonical equivalence).
            let keys = object.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            return "{" + keys.map { canonicalJSON($0) + ":" + canonicalJSON(object[$0]!) }.joined(separator: ",") + "}"
        case is JSONDocumentParser.StringNumberPairs: return "\"<vocab>\""
        default: return "\"\(value)\""
        }
    }

    /// FNV-1a of bytes, as hex (for summarising large settings such as a charsmap).
    static func fnv1a(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }
}
