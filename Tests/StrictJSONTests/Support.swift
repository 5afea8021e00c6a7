import Foundation
import JSONDifferential
import LocalLambda
import StrictJSON
import Testing

// Shared helpers for the StrictJSON tests: parsing shortcuts, test-side conveniences on the value tree
// of JSONDifferential (which both `JSONDocument` and Foundation's `JSONSerialization` convert to), and
// generators over LocalLambda's seeded SplitMix64.

// MARK: Parsing shortcuts

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func parse(_ text: String, maximumDepth: Int = JSONDocument.defaultMaximumDepth) throws(JSONSyntaxError) -> JSONDocument {
    try JSONDocument(parsing: bytes(text), maximumDepth: maximumDepth)
}

/// The error parsing `input` throws, or `nil` when it parses.
func syntaxError(_ input: [UInt8], maximumDepth: Int = JSONDocument.defaultMaximumDepth) -> JSONSyntaxError? {
    do {
        _ = try JSONDocument(parsing: input, maximumDepth: maximumDepth)
        return nil
    } catch {
        return error
    }
}

/// Bytes as `22 80 22`, for messages about inputs that are not text.
func hex(_ input: [UInt8]) -> String {
    input.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
}

/// An input as a Swift literal when it is printable ASCII, else as hex: minimal inputs in reports.
func show(_ input: [UInt8]) -> String {
    if input.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
        return "\"" + String(decoding: input, as: UTF8.self) + "\" [\(hex(input))]"
    }
    return "[\(hex(input))]"
}

// MARK: Fixtures

/// The package's events/ folder: three levels up from this file is the package root.
let eventsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // StrictJSONTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // package root
    .appendingPathComponent("events")

/// Every `events/*.json`, sorted by name so that fuzzing is reproducible.
func eventFixtures() throws -> [(name: String, bytes: [UInt8])] {
    let names = try FileManager.default.contentsOfDirectory(atPath: eventsDirectory.path)
        .filter { $0.hasSuffix(".json") }
        .sorted()
    return try names.map { name in
        (name, Array(try Data(contentsOf: eventsDirectory.appendingPathComponent(name))))
    }
}

extension JSONTree {
    /// The whole document as a tree; accessor disagreements are recorded as issues.
    init(_ document: JSONDocument, sourceLocation: SourceLocation = #_sourceLocation) {
        var problems: [String] = []
        self.init(document, document.root, problems: &problems)
        for problem in problems { Issue.record(Comment(rawValue: problem), sourceLocation: sourceLocation) }
    }
}

extension JSONTree: Encodable {
    struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let members):
            var container = encoder.container(keyedBy: Name.self)
            for (name, value) in members {
                try container.encode(value, forKey: Name(stringValue: String(decoding: name, as: UTF8.self)))
            }
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .string(let scalars):
            var container = encoder.singleValueContainer()
            try container.encode(String(String.UnicodeScalarView(scalars)))
        case .number(let value, let exact):
            var container = encoder.singleValueContainer()
            if let exact { try container.encode(exact) } else { try container.encode(value) }
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        }
    }
}

// MARK: Seeded randomness

// MARK: Generators

extension SplitMix64 {
    /// A scalar from a mix of classes: ASCII, JSON's specials, controls, 2-, 3- and 4-byte UTF-8,
    /// and the edges of each range. Never a surrogate (they are not scalars).
    mutating func scalar() -> Unicode.Scalar {
        let value: UInt32
        switch below(10) {
        case 0: value = UInt32(below(0x20))                                     // controls
        case 1: value = UInt32(pick([0x22, 0x5C, 0x2F, 0x7F, 0x20]))            // " \ / DEL space
        case 2, 3: value = UInt32(0x21 + below(0x7F - 0x21))                    // printable ASCII
        case 4: value = UInt32(0x80 + below(0x800 - 0x80))                      // 2-byte
        case 5: value = UInt32(0x800 + below(0xD800 - 0x800))                   // 3-byte below surrogates
        case 6: value = UInt32(0xE000 + below(0x10000 - 0xE000))                // 3-byte above surrogates
        case 7: value = UInt32(0x10000 + below(0x110000 - 0x10000))             // astral
        case 8: value = UInt32(0x1F300 + below(0x200))                          // emoji
        default: value = pick([0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF])
        }
        return Unicode.Scalar(value)!
    }

    mutating func text(maximumLength: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<below(maximumLength + 1) { scalars.append(scalar()) }
        return String(scalars)
    }

    mutating func integer() -> Int64 {
        switch below(6) {
        case 0: pick([0, -1, 1, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1, 1 << 53, (1 << 53) + 1])
        case 1: Int64(bitPattern: next())
        case 2: Int64(below(2001)) - 1000
        default: Int64(bitPattern: next()) >> Int64(below(63))
        }
    }

    /// A random value tree. Object names are distinct as `String`s, because both Swift and
    /// Foundation dictionaries treat canonically equivalent names as one.
    mutating func tree(depth: Int = 0, integersOnly: Bool = false) -> JSONTree {
        let containers = depth < 4
        switch below(containers ? 9 : 6) {
        case 0: return .null
        case 1: return .bool(chance(50))
        case 2: return .integer(integer())
        case 3:
            if integersOnly { return .integer(integer()) }
            let value = Double(bitPattern: next())
            return .number(value.isFinite ? value : Double(integer()) / 8, exact: nil)
        case 4, 5: return .string(text(maximumLength: 12))
        case 6, 7:
            var members: [[UInt8]: JSONTree] = [:]
            var names = Set<String>()
            for _ in 0..<below(6) {
                let name = text(maximumLength: 6)
                guard names.insert(name).inserted else { continue }
                members[Array(name.utf8)] = tree(depth: depth + 1, integersOnly: integersOnly)
            }
            return .object(members)
        default:
            return .array((0..<below(6)).map { _ in tree(depth: depth + 1, integersOnly: integersOnly) })
        }
    }

    /// JSON text written by hand, with everything RFC 8259 allows a writer to vary: whitespace,
    /// every escape, upper and lower hex, `\u` for any scalar (pairs for astral ones), raw
    /// UTF-8, and number spellings (`1E+3`, `-0.5e-2`). Returns the text and its value.
    mutating func document(depth: Int = 0) -> (text: [UInt8], value: JSONTree) {
        var output: [UInt8] = []
        let value = writeValue(depth: depth, into: &output)
        return (whitespace() + output + whitespace(), value)
    }

    private mutating func whitespace() -> [UInt8] {
        guard chance(30) else { return [] }
        return (0..<1 + below(3)).map { _ in pick([0x20, 0x09, 0x0A, 0x0D]) }
    }

    private mutating func writeValue(depth: Int, into output: inout [UInt8]) -> JSONTree {
        switch below(depth < 4 ? 9 : 6) {
        case 0:
            output += Array("null".utf8)
            return .null
        case 1:
            let value = chance(50)
            output += Array((value ? "true" : "false").utf8)
            return .bool(value)
        case 2, 3:
            return writeNumber(into: &output)
        case 4, 5:
            let text = self.text(maximumLength: 10)
            writeString(text, into: &output)
            return .string(text)
        case 6, 7:
            output.append(UInt8(ascii: "{"))
            output += whitespace()
            var members: [[UInt8]: JSONTree] = [:]
            var names: [String] = []  // not `members.keys`: its order changes from run to run
            let count = below(5)
            for index in 0..<count {
                // Sometimes repeat a name (last wins), maybe spelt differently.
                let name = chance(15) && !names.isEmpty ? pick(names) : self.text(maximumLength: 5)
                names.append(name)
                writeString(name, into: &output)
                output += whitespace() + [UInt8(ascii: ":")] + whitespace()
                members[Array(name.utf8)] = writeValue(depth: depth + 1, into: &output)
                output += whitespace()
                if index < count - 1 { output += [UInt8(ascii: ",")] + whitespace() }
            }
            output.append(UInt8(ascii: "}"))
            return .object(members)
        default:
            output.append(UInt8(ascii: "["))
            output += whitespace()
            var elements: [JSONTree] = []
            let count = below(5)
            for index in 0..<count {
                elements.append(writeValue(depth: depth + 1, into: &output))
                output += whitespace()
                if index < count - 1 { output += [UInt8(ascii: ",")] + whitespace() }
            }
            output.append(UInt8(ascii: "]"))
            return .array(elements)
        }
    }

    private mutating func writeNumber(into output: inout [UInt8]) -> JSONTree {
        if chance(50) {
            let value = integer()
            output += Array(String(value).utf8)
            return .integer(value)
        }
        var text = chance(30) ? "-" : ""
        text += chance(20) ? "0" : String(1 + below(9)) + (0..<below(8)).map { _ in String(below(10)) }.joined()
        if chance(60) { text += "." + (0..<1 + below(6)).map { _ in String(below(10)) }.joined() }
        if chance(50) {
            text += pick(["e", "E"]) + pick(["", "+", "-"]) + String(below(40))
        }
        output += Array(text.utf8)
        let exact: Int64? = text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? nil : Int64(text)
        return .number(Double(text)!, exact: exact)
    }

    private static let shortEscapes: [Unicode.Scalar: String] = [
        "\"": "\\\"", "\\": "\\\\", "/": "\\/", "\u{8}": "\\b", "\u{C}": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
    ]

    private mutating func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            if let escape = Self.shortEscapes[scalar], scalar != "/" || chance(50) {
                output += Array(escape.utf8)
            } else if scalar.value < 0x20 || chance(15) {
                for unit in String(scalar).utf16 {
                    let digits = String(unit, radix: 16, uppercase: chance(50))
                    output += Array(("\\u" + String(repeating: "0", count: 4 - digits.count) + digits).utf8)
                }
            } else {
                output += Array(String(scalar).utf8)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// One random edit: flip bits, overwrite, insert, delete, duplicate a range, truncate, add a
    /// trailing comma, or splice in a sequence that tests escapes or UTF-8.
    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var input = input
        let interesting: [UInt8] = Array("{}[]\",:\\/-+.0123456789eEutfnal \t\r\n".utf8)
            + [0x00, 0x01, 0x0B, 0x0C, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF,
               0xF0, 0xF4, 0xF5, 0xFE, 0xFF]
        let position = input.isEmpty ? 0 : below(input.count)
        switch below(input.isEmpty ? 1 : 8) {
        case 0:
            input.insert(chance(70) ? pick(interesting) : UInt8(truncatingIfNeeded: next()), at: below(input.count + 1))
        case 1:
            input[position] ^= 1 << UInt8(below(8))
        case 2:
            input[position] = chance(70) ? pick(interesting) : UInt8(truncatingIfNeeded: next())
        case 3:
            input.removeSubrange(position..<min(input.count, position + 1 + below(4)))
        case 4:
            let range = position..<min(input.count, position + 1 + below(16))
            input.insert(contentsOf: input[range], at: below(input.count + 1))
        case 5:
            input.removeSubrange(position...)
        case 6:
            // A comma before a closing bracket: the trailing comma some parsers allow.
            let closings = input.indices.filter { input[$0] == UInt8(ascii: "]") || input[$0] == UInt8(ascii: "}") }
            if !closings.isEmpty { input.insert(UInt8(ascii: ","), at: pick(closings)) }
        default:
            // Splice in a sequence that is interesting to UTF-8 or escape validation.
            let pieces: [[UInt8]] = [
                Array("\\uD83C\\uDFB5".utf8), Array("\\uD800".utf8), Array("\\uDC00".utf8), Array("\\u00".utf8),
                [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x8E, 0xB5], [0xED, 0xA0, 0x80], [0xC0, 0x80],
                [0xF4, 0x90, 0x80, 0x80], [0xEF, 0xBB, 0xBF], Array("1e999".utf8), Array("-0.0e-0".utf8),
                Array(",]".utf8), Array(",}".utf8), Array("[[[[".utf8), Array("\"\":".utf8),
            ]
            input.insert(contentsOf: pick(pieces), at: below(input.count + 1))
        }
        return input
    }
}
