// The oracle StrictJSON is checked against: Foundation's JSONSerialization, compared value by value,
// with the differences between the two that are documented and tolerated. Shared by the differential
// tests (Tests/StrictJSONTests) and the fuzzer (Fuzz/Sources/FuzzS3Event); never part of bootstrap.
import Foundation
import StrictJSON


/// A JSON value in a form both parsers convert to. Strings compare by Unicode scalars (not by
/// `String`'s canonical equivalence), object names by their UTF-8 bytes with the last duplicate
/// winning, numbers by `Double` and, when both sides know it, by exact `Int64`.
public indirect enum JSONTree: Equatable, CustomStringConvertible, Sendable {
    case object([[UInt8]: JSONTree])
    case array([JSONTree])
    case string([Unicode.Scalar])
    case number(Double, exact: Int64?)
    case bool(Bool)
    case null

    public static func string(_ text: String) -> JSONTree { .string(Array(text.unicodeScalars)) }
    public static func integer(_ value: Int64) -> JSONTree { .number(Double(value), exact: value) }

    public static func == (lhs: JSONTree, rhs: JSONTree) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.number(let a, let x), .number(let b, let y)): a == b && (x == nil || y == nil || x == y)
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .object(let members):
            let inner = members.sorted { $0.key.lexicographicallyPrecedes($1.key) }
                .map { "\(JSONTree.string(String(decoding: $0.key, as: UTF8.self))): \($0.value)" }
            return "{" + inner.joined(separator: ", ") + "}"
        case .array(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .string(let scalars):
            return "\"" + scalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\"
                ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined() + "\""
        case .number(let value, let exact): return exact.map { "\($0)" } ?? "\(value)"
        case .bool(let value): return "\(value)"
        case .null: return "null"
        }
    }

    public var containsInfiniteNumber: Bool {
        switch self {
        case .object(let members): members.values.contains { $0.containsInfiniteNumber }
        case .array(let elements): elements.contains { $0.containsInfiniteNumber }
        case .number(let value, _): value.isInfinite
        default: false
        }
    }
}

extension JSONTree {
    /// Converts through the public API only, checking on the way that the accessors agree with
    /// each other: `member(_:of:)` with the last occurrence in
    /// `members`, and every accessor returning `nil` for the other kinds. Disagreements go to
    /// `problems` (plain checks, not `#expect`: this runs for every value of every fuzzed input).
    public init(_ document: JSONDocument, _ value: JSONDocument.Value, problems: inout [String]) {
        let kind = document.kind(of: value)
        func check(_ condition: Bool, _ what: @autoclosure () -> String) {
            if !condition { problems.append("\(kind) value: \(what())") }
        }
        if kind != .object {
            check(document.members(of: value) == nil, "members(of:) is not nil")
            check(document.member("", of: value) == nil, "member(_:of:) is not nil")
        }
        if kind != .array { check(document.elements(of: value) == nil, "elements(of:) is not nil") }
        if kind != .string { check(document.string(value) == nil, "string(_:) is not nil") }
        if kind != .number {
            check(document.numberText(value) == nil, "numberText(_:) is not nil")
            check(document.int64(value) == nil, "int64(_:) is not nil")
        }
        check(document.isNull(value) == (kind == .null), "isNull(_:) is wrong")

        switch kind {
        case .object:
            let members = document.members(of: value) ?? []
            var tree: [[UInt8]: JSONTree] = [:]
            var last: [[UInt8]: JSONDocument.Value] = [:]
            for member in members {
                let name = Array(member.name.utf8)
                tree[name] = JSONTree(document, member.value, problems: &problems)
                last[name] = member.value
            }
            for (name, expected) in last {
                let text = String(decoding: name, as: UTF8.self)
                check(document.member(text, of: value) == expected, "member(\(JSONTree.string(text))) is not the last one")
            }
            self = .object(tree)
        case .array:
            let elements = document.elements(of: value) ?? []
            self = .array(elements.map { JSONTree(document, $0, problems: &problems) })
        case .string:
            let string = document.string(value)
            check(string != nil, "string(_:) is nil")
            self = .string(Array((string ?? "").unicodeScalars))
        case .number:
            let text = document.numberText(value) ?? "?"
            let double = document.double(value)
            check(double != nil, "double(_:) is nil for \(text)")
            if let exact = document.int64(value) {
                check(String(exact) == text || (text == "-0" && exact == 0), "int64(_:) = \(exact) for \(text)")
            }
            self = .number(double ?? .nan, exact: document.int64(value))
        case .true: self = .bool(true)
        case .false: self = .bool(false)
        case .null: self = .null
        }
    }
}

extension JSONTree {
    private static let booleanType = ObjectIdentifier(type(of: NSNumber(value: true)))

    /// Converts what `JSONSerialization.jsonObject` returns.
    public init(foundation value: Any) {
        switch value {
        case let members as [String: Any]:
            self = .object(Dictionary(uniqueKeysWithValues: members.map { (Array($0.key.utf8), JSONTree(foundation: $0.value)) }))
        case let elements as [Any]:
            self = .array(elements.map { JSONTree(foundation: $0) })
        case let text as String:
            self = .string(text)
        case let number as NSNumber:
            if ObjectIdentifier(type(of: number)) == Self.booleanType {
                self = .bool(number.boolValue)
            } else if number is NSDecimalNumber {
                // `doubleValue` of a decimal is not correctly rounded; its text is (≤ 38 digits).
                self = .number(Double(number.description) ?? .nan, exact: nil)
            } else {
                switch String(cString: number.objCType) {
                case "d", "f": self = .number(number.doubleValue, exact: nil)
                case "Q": self = .number(Double(number.uint64Value), exact: Int64(exactly: number.uint64Value))
                default: self = .number(Double(number.int64Value), exact: number.int64Value)
                }
            }
        case is NSNull:
            self = .null
        default:
            // JSONSerialization returns none other; a new kind would show as a value difference.
            self = .string("unexpected Foundation value \(type(of: value))")
        }
    }

    /// The value as `JSONSerialization.data(withJSONObject:)` takes it.
    public var foundationObject: Any {
        switch self {
        case .object(let members):
            Dictionary(uniqueKeysWithValues: members.map { (String(decoding: $0.key, as: UTF8.self), $0.value.foundationObject) })
        case .array(let elements): elements.map(\.foundationObject)
        case .string(let scalars): String(String.UnicodeScalarView(scalars))
        case .number(let value, let exact): exact.map { NSNumber(value: $0) } ?? NSNumber(value: value)
        case .bool(let value): NSNumber(value: value)
        case .null: NSNull()
        }
    }
}

