#if canImport(Glibc)
import TextBytes

import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A parsed JSON text (RFC 8259), strictly validated, that decodes values only when asked.
///
/// Parsing records one 16-byte node per value in a flat array (a "tape") and nothing else: no
/// dictionary per object, no `String` per member name or string value, no `Any`. Reading a field
/// scans its object's members and decodes just that string. For a Lambda event of which a handler
/// reads a dozen fields this is cheaper than `JSONDecoder` (Benchmarks/FINDINGS.md), and it keeps
/// Foundation out of the deployed binary (its size, start-up relocations, conformance records).
///
/// Validation is complete at parse time: grammar, string escapes, paired UTF-16 surrogates in
/// `\u` escapes, UTF-8 well-formedness, no raw control characters, nesting depth. Accessors
/// therefore cannot fail on a parsed document; they return `nil` for "absent or another kind".
/// A name that occurs twice in one object resolves to its last occurrence, as in `JSONDecoder`
/// and Python's `json`.
public struct JSONDocument: Sendable {
    /// What a value is.
    public enum Kind: UInt8, Sendable {
        case object, array, string, number, `true`, `false`, null
    }

    /// A value in this document; only meaningful with the document that produced it.
    public struct Value: Hashable, Sendable {
        @usableFromInline let node: Int
        @usableFromInline init(node: Int) { self.node = node }
    }

    /// The nesting `JSONDecoder` allows; deep enough for any event, shallow enough for any stack.
    public static let defaultMaximumDepth = 512

    public let bytes: [UInt8]
    @usableFromInline let nodes: [Node]

    public init(parsing bytes: [UInt8], maximumDepth: Int = JSONDocument.defaultMaximumDepth) throws(JSONSyntaxError) {
        guard bytes.count < Int(UInt32.max) else { throw JSONSyntaxError(.tooLarge, at: 0) }
        self.bytes = bytes
        self.nodes = try bytes.withUnsafeBufferPointer { (input) throws(JSONSyntaxError) -> [Node] in
            var parser = Parser(input: input, maximumDepth: maximumDepth)
            return try parser.parseDocument()
        }
    }

    public var root: Value { Value(node: 0) }

    public func kind(of value: Value) -> Kind { nodes[value.node].kind }

    // MARK: Objects and arrays

    /// The value of the member called `name`, if `object` is an object that has one.
    public func member(_ name: String, of object: Value) -> Value? {
        guard nodes[object.node].kind == .object else { return nil }
        var name = name
        return name.withUTF8 { name in
            var found: Value?
            var child = object.node + 1
            let end = Int(nodes[object.node].next)
            while child < end {
                let value = child + 1
                if nameMatches(node: child, name) { found = Value(node: value) }
                child = Int(nodes[value].next)
            }
            return found
        }
    }

    /// The members of an object in document order, or `nil` for anything else.
    public func members(of object: Value) -> [(name: String, value: Value)]? {
        guard nodes[object.node].kind == .object else { return nil }
        var result: [(name: String, value: Value)] = []
        var child = object.node + 1
        let end = Int(nodes[object.node].next)
        while child < end {
            result.append((decodeString(node: child), Value(node: child + 1)))
            child = Int(nodes[child + 1].next)
        }
        return result
    }

    /// The elements of an array in order, or `nil` for anything else.
    public func elements(of array: Value) -> [Value]? {
        guard nodes[array.node].kind == .array else { return nil }
        var result: [Value] = []
        result.reserveCapacity(Int(nodes[array.node].count))
        var child = array.node + 1
        let end = Int(nodes[array.node].next)
        while child < end {
            result.append(Value(node: child))
            child = Int(nodes[child].next)
        }
        return result
    }

    // MARK: Scalars

    public func string(_ value: Value) -> String? {
        guard nodes[value.node].kind == .string else { return nil }
        return decodeString(node: value.node)
    }

    public func isNull(_ value: Value) -> Bool { nodes[value.node].kind == .null }

    /// The number's exact text, e.g. `-1.5e3`.
    public func numberText(_ value: Value) -> String? {
        let node = nodes[value.node]
        guard node.kind == .number else { return nil }
        return String(decoding: bytes[Int(node.start)..<Int(node.end)], as: UTF8.self)
    }

    /// The number as an `Int64` when it is written as an integer that fits (no fraction, no
    /// exponent: `1e3` and `1.0` are not integers here), else `nil`.
    public func int64(_ value: Value) -> Int64? {
        let node = nodes[value.node]
        guard node.kind == .number else { return nil }
        var index = Int(node.start)
        let end = Int(node.end)
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var magnitude: UInt64 = 0
        while index < end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    // MARK: Strings

    private func nameMatches(node index: Int, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let node = nodes[index]
        if node.hasEscapes { return decodeString(node: index).utf8.elementsEqual(name) }
        let start = Int(node.start)
        guard Int(node.end) - start == name.count else { return false }
        return bytes.withUnsafeBufferPointer { bytes in
            name.isEmpty || memcmp(bytes.baseAddress! + start, name.baseAddress!, name.count) == 0
        }
    }

    private func decodeString(node index: Int) -> String {
        let node = nodes[index]
        let range = Int(node.start)..<Int(node.end)
        guard node.hasEscapes else {
            // Validated as UTF-8 when parsed: nothing to repair.
            return String(decoding: bytes[range], as: UTF8.self)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                decoded.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(hex4(at: index))
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // The parser guaranteed a `\u` low surrogate follows.
                    let low = UInt32(hex4(at: index + 2))
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                appendUTF8(Unicode.Scalar(scalar)!, to: &decoded)
            default: decoded.append(escape)  // \" \\ \/
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private func hex4(at index: Int) -> UInt16 {
        var value: UInt16 = 0
        for offset in 0..<4 { value = value << 4 | UInt16(ASCII.hexDigitValue(bytes[index + offset])!) }
        return value
    }

    private func appendUTF8(_ scalar: Unicode.Scalar, to output: inout [UInt8]) {
        UTF8.encode(scalar) { output.append($0) }
    }
}

@usableFromInline
struct Node: Sendable {
    @usableFromInline var kind: JSONDocument.Kind
    /// Strings: at least one backslash escape, so the raw bytes are not the value.
    @usableFromInline var hasEscapes: Bool
    /// Strings: the bytes between the quotes; numbers: the number's text.
    @usableFromInline var start: UInt32
    @usableFromInline var end: UInt32
    /// The index of the node after this value and everything inside it.
    @usableFromInline var next: UInt32
    /// Containers: the number of members or elements.
    @usableFromInline var count: UInt32
}
