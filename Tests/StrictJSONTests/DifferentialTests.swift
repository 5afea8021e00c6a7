// Differential tests of StrictJSON against Foundation's JSONSerialization; the oracle and the
// differences it tolerates are in Sources/JSONDifferential/Differential.swift.
import Foundation
import JSONDifferential
import LocalLambda
import StrictJSON
import Testing

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
