import Foundation
import StrictJSON
import Testing

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

/// The outcome of parsing one input with both parsers.
struct Verdict {
    enum Kind: Equatable { case agreement, knownDifference, bug }
    var kind: Kind
    var label: String
    var detail = ""
}

enum Differential {
    static func verdict(_ input: [UInt8]) -> Verdict {
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
    static func foundationEncoding(_ input: [UInt8]) -> String? {
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
    static func escapingRawByteOrderMarks(_ input: [UInt8]) -> [UInt8]? {
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
    static func trailingComma(_ input: [UInt8], _ error: JSONSyntaxError) -> Int? {
        guard error.problem == .unexpectedByte(UInt8(ascii: "]")) || error.problem == .unexpectedByte(UInt8(ascii: "}")) else {
            return nil
        }
        var index = error.offset - 1
        while index >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(input[index]) { index -= 1 }
        return index >= 0 && input[index] == UInt8(ascii: ",") ? index : nil
    }

    /// Deletes ranges while the same bug remains: a small input for the report.
    static func minimize(_ input: [UInt8], label: String) -> [UInt8] {
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

/// Tallies verdicts and records each bug as an issue, with a minimised input.
struct DifferentialRun {
    var counts: [String: Int] = [:]
    var inputs = 0
    private var bugLabels = Set<String>()

    mutating func check(_ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        inputs += 1
        let verdict = Differential.verdict(input)
        counts[verdict.label, default: 0] += 1
        guard verdict.kind == .bug else { return }
        // One report per kind of bug and run, minimised; the tally still counts them all.
        guard bugLabels.insert(verdict.label).inserted else { return }
        let minimal = Differential.minimize(input, label: verdict.label)
        let detail = Differential.verdict(minimal).detail
        Issue.record("\(verdict.label): \(show(minimal)) \(detail)", sourceLocation: sourceLocation)
    }

    var summary: String {
        "\(inputs) inputs: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

@Suite struct DifferentialTests {
    static let fixtureNames = (try? eventFixtures().map(\.name)) ?? []

    /// Each fixture as is, then with 1 to 4 stacked random edits.
    @Test(arguments: fixtureNames)
    func mutatedFixtures(name: String) throws {
        let input = try #require(try eventFixtures().first { $0.name == name }).bytes
        var random = SplitMix64(seed: UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { ($0 << 5) &+ $0 &+ Int($1) }))
        var run = DifferentialRun()
        run.check(input)
        for _ in 0..<300 {
            var mutant = input
            // Mostly one edit, so that a fair share of mutants is still JSON.
            for _ in 0..<(random.chance(60) ? 1 : 2 + random.below(3)) { mutant = random.mutate(mutant) }
            run.check(mutant)
        }
        print("differential \(name): \(run.summary)")
        #expect(run.counts["both accept, same value", default: 0] + run.counts["both reject", default: 0] > 0)
    }

    /// Small generated documents, dense in escapes, raw UTF-8 and number spellings, mutated.
    @Test(arguments: 0..<4)
    func mutatedGeneratedDocuments(seed: Int) {
        var random = SplitMix64(seed: 0xD1FF_0000 + UInt64(seed))
        var run = DifferentialRun()
        for _ in 0..<150 {
            let (text, _) = random.document()
            run.check(text)
            for _ in 0..<8 {
                var mutant = text
                for _ in 0..<1 + random.below(3) { mutant = random.mutate(mutant) }
                run.check(mutant)
            }
        }
        print("differential generated #\(seed): \(run.summary)")
        #expect(run.counts["both accept, same value", default: 0] > 50)
        #expect(run.counts["both reject", default: 0] > 50)
    }

    /// Short inputs over a JSON-heavy alphabet: exhaustive-ish coverage of small grammars.
    @Test func shortRandomInputs() {
        var random = SplitMix64(seed: 0x5407)
        let alphabet = Array("{}[]\":,\\/-+.0123456789eEtrufalsn ".utf8) + [0x09, 0x0A, 0x00, 0x1F, 0x80, 0xC3, 0xA9, 0xED, 0xA0, 0xEF]
        var run = DifferentialRun()
        for _ in 0..<5000 {
            run.check((0..<1 + random.below(8)).map { _ in random.pick(alphabet) })
        }
        print("differential short: \(run.summary)")
    }
}

/// What Foundation does here with the edge cases, pinned down so a change in either parser is
/// noticed, and StrictJSON's strict answer for each class where they differ.
@Suite struct FoundationBaselineTests {
    static func foundationAccepts(_ input: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])) != nil
    }

    /// Foundation is as strict as StrictJSON here: no exclusion is needed for these.
    @Test(arguments: [
        bytes(#""\uD800""#), bytes(#""\uD800\u0041""#), bytes(#""\uDC00""#), bytes(#""\uD800\uD800""#),
        [0x22, 0x80, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xC1, 0xBF, 0x22], [0x22, 0xE0, 0x80, 0x80, 0x22],
        [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],
        [0x22, 0xE2, 0x82, 0x22], [0x22, 0xE2], [0x5B, 0x80, 0x5D], [0x22, 0x1F, 0x22], bytes("\"a\tb\""),
        bytes("01"), bytes("-01"), bytes("-"), bytes("1."), bytes(".5"), bytes("1e"), bytes("+1"), bytes("NaN"),
        bytes("Infinity"), bytes("-Infinity"), bytes("{} x"), bytes("1 2"), bytes("'a'"), bytes("{a:1}"),
        bytes("tru"), bytes("nul"), bytes(""), bytes("  "), bytes(#""\x""#), bytes(#""\u12""#), bytes("[,]"),
        bytes("[1,,2]"), bytes("\u{C}1"), bytes("[1]") + [0], DepthTests.nestedArrays(513),
    ] as [[UInt8]])
    func bothReject(input: [UInt8]) {
        #expect(!Self.foundationAccepts(input))
        #expect(syntaxError(input) != nil)
        #expect(Differential.verdict(input).kind == .agreement)
    }

    @Test(arguments: [
        bytes(#""\uD83C\uDFB5""#), bytes(#""a\u0000b""#), [0x22, 0x7F, 0x22], bytes(#"{"a":1,"a":2}"#),
        bytes("-0"), bytes("1e-400"), bytes("123456789012345678901234567890"), bytes("0.12345678901234567"),
        bytes("9223372036854775808"), bytes("1E+3"), bytes("[1.5,-0.0,5e-324]"), DepthTests.nestedArrays(512),
    ] as [[UInt8]])
    func bothAcceptTheSameValue(input: [UInt8]) {
        let verdict = Differential.verdict(input)
        #expect(verdict.kind == .agreement && verdict.label == "both accept, same value", "\(verdict.label) \(verdict.detail)")
    }

    @Test(arguments: ["[1,]", "[1 , ]", #"{"a":1,}"#, "[[1,],]", "[{},\n]"])
    func trailingCommaFoundationIsLenient(text: String) {
        #expect(Self.foundationAccepts(bytes(text)))
        let error = syntaxError(bytes(text))
        #expect(error.map { Differential.trailingComma(bytes(text), $0) != nil } == true, "\(String(describing: error))")
        #expect(Differential.verdict(bytes(text)).label == "Foundation accepts a trailing comma")
    }

    @Test func byteOrderMarksAndOtherEncodings() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(Self.foundationAccepts(bom + bytes("{}")))
        #expect(syntaxError(bom + bytes("{}")) == JSONSyntaxError(.unexpectedByte(0xEF), at: 0))
        #expect(Differential.verdict(bom + bytes("{}")).label == "Foundation skips a UTF-8 BOM")
        // The rest after the BOM is still checked: here Foundation and StrictJSON agree it is bad.
        #expect(Differential.verdict(bom + bytes(" [1,,]")).kind == .agreement)

        let utf16: [[UInt8]] = [[0x7B, 0x00, 0x7D, 0x00], [0x00, 0x7B, 0x00, 0x7D], [0xFF, 0xFE, 0x31, 0x00], [0x31, 0x00], [0x00, 0x31], [0x31, 0, 0, 0]]
        for input in utf16 {
            #expect(Self.foundationAccepts(input), "\(hex(input))")
            #expect(syntaxError(input) != nil, "\(hex(input))")
            #expect(Differential.verdict(input).kind == .knownDifference, "\(hex(input))")
        }
    }

    @Test func rawByteOrderMarkStartingAStringFoundationDropsIt() throws {
        let text = "[\"\u{FEFF}a\", {\"\u{FEFF}\": 1, \"\": 2}, \"\\n\u{FEFF}b\"]"
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any]
        #expect((foundation?.first as? String).map { Array($0.unicodeScalars) } == ["a"])
        #expect((foundation?[1] as? [String: Any])?.count == 1)
        #expect((foundation?.last as? String).map { Array($0.unicodeScalars) } == ["\n", "b"])
        let document = try parse(text)
        #expect(JSONTree(document) == .array([
            .string("\u{FEFF}a"), .object([[0xEF, 0xBB, 0xBF]: .integer(1), []: .integer(2)]), .string("\n\u{FEFF}b"),
        ]))
        #expect(Differential.verdict(bytes(text)).label == "Foundation drops a raw U+FEFF")
        // Escaped, Foundation keeps it, and the two agree.
        #expect(Differential.verdict(bytes(#"["\uFEFFa"]"#)).label == "both accept, same value")
    }

    @Test(arguments: ["1e400", "-1e400", "[1.8e308]", #"{"a":1e99999}"#, "1" + String(repeating: "0", count: 400)])
    func numbersBeyondDoubleFoundationIsStricter(text: String) throws {
        #expect(!Self.foundationAccepts(bytes(text)))
        let document = try parse(text)
        #expect(JSONTree(document).containsInfiniteNumber)
        #expect(Differential.verdict(bytes(text)).kind == .knownDifference)
    }

    /// The harness itself must be able to fail.
    @Test func theHarnessReportsDisagreements() {
        #expect(Differential.trailingComma(bytes("[1,]"), JSONSyntaxError(.unexpectedByte(0x5D), at: 3)) == 2)
        #expect(Differential.trailingComma(bytes("[1]"), JSONSyntaxError(.unexpectedByte(0x5D), at: 2)) == nil)
        #expect(JSONTree.string("a") != .string("b"))
        #expect(JSONTree.integer(1) != .integer(2))
        #expect(JSONTree.number(1, exact: 1) == .number(1, exact: nil))
        #expect(JSONTree.object([[0x61]: .null]) != .object([[0x62]: .null]))
        #expect(JSONTree.string("\u{E9}") != .string("e\u{301}"))
        #expect(JSONTree(foundation: NSNumber(value: true)) == .bool(true))
        #expect(JSONTree(foundation: NSNumber(value: 1)) == .integer(1))
        #expect(Differential.minimize(bytes("[1,2,3]"), label: "no such bug") == bytes("[1,2,3]"))
    }
}
