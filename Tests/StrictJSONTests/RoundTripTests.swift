import Foundation
import JSONDifferential
import LocalLambda
import StrictJSON
import Testing

/// Random values written by Foundation's writers must read back as the same values.
@Suite struct RoundTripTests {
    static func check(_ tree: JSONTree, written data: Data, by writer: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let input = Array(data)
        do {
            let document = try JSONDocument(parsing: input)
            let parsed = JSONTree(document, sourceLocation: sourceLocation)
            #expect(parsed == tree, "\(writer) wrote \(show(input))", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(error) reading what \(writer) wrote: \(show(input))", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: 0..<4)
    func jsonSerialization(seed: Int) throws {
        var random = SplitMix64(seed: 0x7A1E_0000 + UInt64(seed))
        for _ in 0..<150 {
            let tree = random.tree()
            var options: JSONSerialization.WritingOptions = [.fragmentsAllowed, .sortedKeys]
            if random.chance(30) { options.insert(.prettyPrinted) }
            if random.chance(50) { options.insert(.withoutEscapingSlashes) }
            let data = try JSONSerialization.data(withJSONObject: tree.foundationObject, options: options)
            Self.check(tree, written: data, by: "JSONSerialization")
        }
    }

    @Test(arguments: 0..<4)
    func jsonEncoder(seed: Int) throws {
        var random = SplitMix64(seed: 0xE7C0_0000 + UInt64(seed))
        for _ in 0..<150 {
            let tree = random.tree()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if random.chance(30) { encoder.outputFormatting.insert(.prettyPrinted) }
            if random.chance(50) { encoder.outputFormatting.insert(.withoutEscapingSlashes) }
            Self.check(tree, written: try encoder.encode(tree), by: "JSONEncoder")
        }
    }

    /// Every scalar class in strings and names, one value each, so a failure names the class.
    @Test(arguments: [
        "", "plain", "\u{0}", "\u{1}\u{1F}", "\u{7F}", "\"\\/", "\u{8}\u{C}\n\r\t", "é", "\u{7FF}", "\u{800}",
        "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{FFFF}", "\u{10000}", "🎵", "\u{10FFFF}", "e\u{301}", "\u{2028}\u{2029}",
    ])
    func strings(text: String) throws {
        let tree = JSONTree.object([Array(text.utf8): .array([.string(text)])])
        Self.check(tree, written: try JSONSerialization.data(withJSONObject: tree.foundationObject), by: "JSONSerialization")
        Self.check(tree, written: try JSONEncoder().encode(tree), by: "JSONEncoder")
        let document = try JSONDocument(parsing: Array(try JSONSerialization.data(withJSONObject: [text: text])))
        let value = try #require(document.member(text, of: document.root))
        #expect(document.string(value).map { Array($0.unicodeScalars) } == Array(text.unicodeScalars))
    }

    @Test(arguments: [0, 1, -1, 42, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1, 1 << 53, (1 << 53) + 1, -(1 << 53) - 1] as [Int64])
    func integers(value: Int64) throws {
        for data in [try JSONSerialization.data(withJSONObject: [value]), try JSONEncoder().encode([value])] {
            let document = try JSONDocument(parsing: Array(data))
            let element = try #require(document.elements(of: document.root)?.first)
            #expect(document.int64(element) == value)
            #expect(document.numberText(element) == String(value))
            #expect(document.double(element) == Double(value))
        }
    }

    @Test func doubles() throws {
        var random = SplitMix64(seed: 0xD0B1E)
        var values: [Double] = [0.1, -0.0, 1e-7, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.leastNormalMagnitude, 1.0 / 3, 1e21, 123456.789]
        while values.count < 500 {
            let value = Double(bitPattern: random.next())
            if value.isFinite { values.append(value) }
        }
        let document = try JSONDocument(parsing: Array(try JSONEncoder().encode(values)))
        let elements = try #require(document.elements(of: document.root))
        #expect(elements.count == values.count)
        for (element, value) in zip(elements, values) {
            #expect(document.double(element) == value, "\(document.numberText(element) ?? "?")")
        }
    }
}
