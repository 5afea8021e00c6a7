// Differential testing against Foundation's `JSONSerialization` on this platform
// (swift-corelibs-foundation). Investigated first (see `FoundationBaselineTests`): Foundation is
// as strict as StrictJSON about unpaired surrogates in `\u` escapes, invalid UTF-8 (overlongs,
// encoded surrogates, > U+10FFFF, truncated sequences), control characters, leading zeros,
// `NaN`/`Infinity` and depth (512). It differs in exactly these ways; in each, StrictJSON is
// the one that follows RFC 8259 and RFC 3629:
//
// 1. Foundation accepts a trailing comma before `]` or `}` (`[1,]`). RFC 8259's grammar has no
//    such comma; StrictJSON rejects it at the closing bracket.
// 2. Foundation skips a UTF-8 byte order mark at the start of 4+ bytes. RFC 8259 §8.1: a
//    parser MAY ignore one; StrictJSON reads events written by S3 and rejects it.
// 3. Foundation guesses UTF-16 or UTF-32 from a UTF-16/32 BOM or from NUL bytes among the first
//    four bytes, and transcodes (`[0x31, 0x00]` is "1" in UTF-16LE). RFC 8259 §8.1: JSON
//    exchanged between systems MUST be UTF-8; StrictJSON parses bytes as UTF-8 only.
// 4. Foundation drops a raw U+FEFF (bytes EF BB BF) at the start of a string or member name, or
//    right after an escape: `"\u{FEFF}a"` and `"\n\u{FEFF}a"` lose it, `{"\u{FEFF}":1,"":2}` has
//    one member. It decodes each run of unescaped bytes with `String(bytes:encoding: .utf8)`,
//    which takes a leading U+FEFF for a byte order mark. The escaped spelling `\uFEFF` is kept.
//    RFC 8259 §7 makes both spellings the same string: StrictJSON keeps U+FEFF, Foundation loses
//    data. Repaired by escaping every raw U+FEFF.
// 5. Foundation rejects a number whose magnitude is beyond `Double` ("not representable in
//    Swift", e.g. `1e400`). RFC 8259 §6 allows any magnitude in the text; StrictJSON accepts it
//    and `double(_:)` gives ±infinity, as `strtod` does.
//
// Classes 1, 2 and 4 are repaired (comma or BOM removed, U+FEFF escaped) and the repaired input
// is checked again, so they cannot hide another disagreement. Anything else is a StrictJSON bug.

import Foundation
import StrictJSON

/// The outcome of parsing one input with both parsers.
public struct Verdict: Sendable {
    public enum Kind: Equatable, Sendable { case agreement, knownDifference, bug }
    public var kind: Kind
    public var label: String
    public var detail = ""

    public init(kind: Kind, label: String, detail: String = "") {
        self.kind = kind
        self.label = label
        self.detail = detail
    }
}

public enum Differential {
    public static func verdict(_ input: [UInt8]) -> Verdict {
        let ours: Result<JSONDocument, JSONSyntaxError>
        do { ours = .success(try JSONDocument(parsing: input)) } catch { ours = .failure(error) }
        let theirs = try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])

        switch (ours, theirs) {
        case (.success(let document), let theirs?):
            var problems: [String] = []
            let tree = JSONTree(document, document.root, problems: &problems)
            guard problems.isEmpty else {
                return Verdict(kind: .bug, label: "StrictJSON accessors disagree", detail: problems.joined(separator: "; "))
            }
            let expected = JSONTree(foundation: theirs)
            guard tree == expected else {
                if let escaped = escapingRawByteOrderMarks(input) {
                    return repaired(escaped, as: "Foundation drops a raw U+FEFF")
                }
                return Verdict(kind: .bug, label: "values differ", detail: "StrictJSON \(tree), Foundation \(expected)")
            }
            return Verdict(kind: .agreement, label: "both accept, same value")

        case (.failure(let error), nil):
            guard (0...input.count).contains(error.offset), error.description.hasSuffix("at offset \(error.offset)") else {
                return Verdict(kind: .bug, label: "bad error", detail: "\(error.problem) at \(error.offset) of \(input.count)")
            }
            return Verdict(kind: .agreement, label: "both reject")

        case (.failure(let error), _?):
            if let encoding = foundationEncoding(input) {
                if encoding == "UTF-8 with BOM" {
                    guard error == JSONSyntaxError(.unexpectedByte(0xEF), at: 0) else {
                        return Verdict(kind: .bug, label: "BOM not rejected at 0", detail: "\(error)")
                    }
                    return repaired(Array(input.dropFirst(3)), as: "Foundation skips a UTF-8 BOM")
                }
                // Only reached with a NUL, 0xFE or 0xFF byte, none of which UTF-8 JSON can hold.
                return Verdict(kind: .knownDifference, label: "Foundation reads \(encoding)")
            }
            if let comma = trailingComma(input, error) {
                var withoutComma = input
                withoutComma.remove(at: comma)
                return repaired(withoutComma, as: "Foundation accepts a trailing comma")
            }
            return Verdict(kind: .bug, label: "Foundation accepts, StrictJSON rejects", detail: "\(error)")

        case (.success(let document), nil):
            var problems: [String] = []
            if JSONTree(document, document.root, problems: &problems).containsInfiniteNumber, problems.isEmpty {
                return Verdict(kind: .knownDifference, label: "number beyond Double: Foundation rejects")
            }
            return Verdict(kind: .bug, label: "StrictJSON accepts, Foundation rejects", detail: problems.joined(separator: "; "))
        }
    }

    /// A known leniency was removed from the input: the rest must not disagree.
    private static func repaired(_ input: [UInt8], as label: String) -> Verdict {
        let rest = verdict(input)
        if rest.kind == .bug { return rest }
        return Verdict(kind: .knownDifference, label: label)
    }

    /// What swift-corelibs-foundation's `JSONSerialization.detectEncoding` decides when it is not
    /// plain UTF-8: a byte order mark, or NUL bytes placed as in UTF-16/UTF-32 text.
    public static func foundationEncoding(_ input: [UInt8]) -> String? {
        if input.count >= 4 {
            if input.starts(with: [0xEF, 0xBB, 0xBF]) { return "UTF-8 with BOM" }
            if input.starts(with: [0x00, 0x00, 0xFE, 0xFF]) || input.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return "UTF-32 with BOM" }
            if input.starts(with: [0xFE, 0xFF]) || input.starts(with: [0xFF, 0xFE]) { return "UTF-16 with BOM" }
            switch (input[0], input[1], input[2], input[3]) {
            case (0, 0, 0, _), (_, 0, 0, 0): return "UTF-32"
            case (0, _, 0, _), (_, 0, _, 0): return "UTF-16"
            default: return nil
            }
        }
        if input.count >= 2, input[0] == 0 || input[1] == 0 { return "UTF-16" }
        return nil
    }

    /// The input with every raw U+FEFF (EF BB BF) written as `\uFEFF` instead, if it has one. In
    /// a string the two spellings are the same text; outside one both are errors.
    public static func escapingRawByteOrderMarks(_ input: [UInt8]) -> [UInt8]? {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        guard input.indices.contains(where: { input[$0...].starts(with: bom) }) else { return nil }
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            if input[index...].starts(with: bom) {
                output += Array("\\uFEFF".utf8)
                index += 3
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }

    /// The offset of the comma StrictJSON rejected a closing bracket after, if that is the error.
    public static func trailingComma(_ input: [UInt8], _ error: JSONSyntaxError) -> Int? {
        guard error.problem == .unexpectedByte(UInt8(ascii: "]")) || error.problem == .unexpectedByte(UInt8(ascii: "}")) else {
            return nil
        }
        var index = error.offset - 1
        while index >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(input[index]) { index -= 1 }
        return index >= 0 && input[index] == UInt8(ascii: ",") ? index : nil
    }

    /// Deletes ranges while the same bug remains: a small input for the report.
    public static func minimize(_ input: [UInt8], label: String) -> [UInt8] {
        var input = input
        var chunk = max(1, input.count / 2)
        while true {
            var start = 0
            var changed = false
            while start < input.count {
                var candidate = input
                candidate.removeSubrange(start..<min(input.count, start + chunk))
                let verdict = verdict(candidate)
                if verdict.kind == .bug, verdict.label == label {
                    input = candidate
                    changed = true
                } else {
                    start += chunk
                }
            }
            if chunk == 1 && !changed { return input }
            if !changed { chunk = max(1, chunk / 2) }
        }
    }
}
