// The S3 event decode (`S3Notification.decode`) over StrictJSON, and StrictJSON against Foundation's
// `JSONSerialization` for every input: the same rules as Tests/StrictJSONTests/DifferentialTests.swift,
// whose documented differences are the only ones tolerated. A disagreement is a crash.
import Foundation
import FuzzSupport
import S3Events
import StrictJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = inputBytes(data, size)
    checkS3Decode(input)
    if case .bug(let label, let detail) = Differential.verdict(input) {
        fatalError("StrictJSON and JSONSerialization disagree: \(label): \(detail) on \(show(input))")
    }
    return 0
}

/// The decode throws only its typed errors, `notJSON` exactly when StrictJSON rejects the bytes,
/// and what it returns honours the model's promises.
func checkS3Decode(_ input: [UInt8]) {
    let parsed: JSONDocument?
    do { parsed = try JSONDocument(parsing: input) } catch { parsed = nil }
    do {
        switch try S3Notification.decode(input) {
        case .records(let records):
            invariant(parsed != nil, "decoded records from bytes StrictJSON rejects")
            invariant(!records.isEmpty, "decoded an empty Records array")
            for record in records {
                invariant(record.eventSource == "aws:s3", "decoded a record with eventSource \(String(describing: record.eventSource))")
                // The key decode may fail with its typed error, never trap.
                _ = try? record.s3.object.decodedKey()
            }
        case .test(let event):
            invariant(parsed != nil, "decoded a test event from bytes StrictJSON rejects")
            invariant(event.event == "s3:TestEvent", "decoded a test event with Event \(event.event)")
        }
    } catch {
        if case .notJSON = error {
            invariant(parsed == nil, "notJSON for bytes StrictJSON parses: \(error)")
        } else {
            invariant(parsed != nil, "\(error) for bytes StrictJSON rejects")
        }
        invariant(!error.description.isEmpty, "an S3EventError without a description")
    }
}

// MARK: - Differential against JSONSerialization

// StrictJSON and Foundation differ, on this platform, in exactly these documented ways (see
// DifferentialTests.swift), in each of which StrictJSON is the one that follows RFC 8259:
// 1. a trailing comma before `]` or `}`, which Foundation accepts: repaired and checked again;
// 2. a UTF-8 byte order mark at the start (4+ bytes), which Foundation skips: repaired, checked again;
// 3. UTF-16/UTF-32, which Foundation guesses from a BOM or NUL bytes among the first four bytes;
// 4. a raw U+FEFF starting a string, which Foundation drops: repaired (escaped) and checked again;
// 5. numbers beyond `Double`, which Foundation rejects and StrictJSON reads as ±infinity.
// Depth (512 both), lone surrogates, invalid UTF-8, control characters and duplicate names (last
// wins in both) need no exclusion: there the two must agree.

enum Verdict {
    case agreement
    case knownDifference(String)
    case bug(String, String)
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
            guard problems.isEmpty else { return .bug("StrictJSON accessors disagree", problems.joined(separator: "; ")) }
            let expected = JSONTree(foundation: theirs)
            guard tree == expected else {
                if let escaped = escapingRawByteOrderMarks(input) {
                    return repaired(escaped, as: "Foundation drops a raw U+FEFF")
                }
                return .bug("values differ", "StrictJSON \(tree), Foundation \(expected)")
            }
            return .agreement

        case (.failure(let error), nil):
            guard (0...input.count).contains(error.offset), error.description.hasSuffix("at offset \(error.offset)") else {
                return .bug("bad error", "\(error.problem) at \(error.offset) of \(input.count)")
            }
            return .agreement

        case (.failure(let error), _?):
            if let encoding = foundationEncoding(input) {
                if encoding == "UTF-8 with BOM" {
                    guard error == JSONSyntaxError(.unexpectedByte(0xEF), at: 0) else {
                        return .bug("BOM not rejected at 0", "\(error)")
                    }
                    return repaired(Array(input.dropFirst(3)), as: "Foundation skips a UTF-8 BOM")
                }
                return .knownDifference("Foundation reads \(encoding)")
            }
            if let comma = trailingComma(input, error) {
                var withoutComma = input
                withoutComma.remove(at: comma)
                return repaired(withoutComma, as: "Foundation accepts a trailing comma")
            }
            return .bug("Foundation accepts, StrictJSON rejects", "\(error)")

        case (.success(let document), nil):
            var problems: [String] = []
            if JSONTree(document, document.root, problems: &problems).containsInfiniteNumber, problems.isEmpty {
                return .knownDifference("number beyond Double: Foundation rejects")
            }
            return .bug("StrictJSON accepts, Foundation rejects", problems.joined(separator: "; "))
        }
    }

    /// A known leniency was removed from the input: the rest must not disagree.
    private static func repaired(_ input: [UInt8], as label: String) -> Verdict {
        let rest = verdict(input)
        if case .bug = rest { return rest }
        return .knownDifference(label)
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

    /// The input with every raw U+FEFF (EF BB BF) written as `\uFEFF`, if it has one.
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
}

/// An input as text when it is printable ASCII, else as hex, for the crash message.
func show(_ input: [UInt8]) -> String {
    let hex = input.prefix(512).map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
    if input.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return "\"\(text(input.prefix(512)))\" [\(hex)]" }
    return "[\(hex)]"
}

// MARK: - A comparable value tree (as in Tests/StrictJSONTests/Support.swift)

/// Strings compare by Unicode scalars, object names by UTF-8 bytes with the last duplicate winning,
/// numbers by `Double` and, when both sides know it, by exact `Int64`.
indirect enum JSONTree: Equatable, CustomStringConvertible {
    case object([[UInt8]: JSONTree])
    case array([JSONTree])
    case string([Unicode.Scalar])
    case number(Double, exact: Int64?)
    case bool(Bool)
    case null

    static func string(_ text: String) -> JSONTree { .string(Array(text.unicodeScalars)) }

    static func == (lhs: JSONTree, rhs: JSONTree) -> Bool {
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

    var description: String {
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

    var containsInfiniteNumber: Bool {
        switch self {
        case .object(let members): members.values.contains { $0.containsInfiniteNumber }
        case .array(let elements): elements.contains { $0.containsInfiniteNumber }
        case .number(let value, _): value.isInfinite
        default: false
        }
    }

    /// Through the public API only, checking that the accessors agree with each other.
    init(_ document: JSONDocument, _ value: JSONDocument.Value, problems: inout [String]) {
        let kind = document.kind(of: value)
        func check(_ condition: Bool, _ what: @autoclosure () -> String) {
            if !condition { problems.append("\(kind) value: \(what())") }
        }
        if kind != .object {
            check(document.members(of: value) == nil, "members(of:) is not nil")
            check(document.member("", of: value) == nil, "member(_:of:) is not nil")
        }
        if kind != .array { check(document.elements(of: value) == nil, "elements(of:) is not nil") }
        if kind != .object && kind != .array { check(document.count(of: value) == nil, "count(of:) is not nil") }
        if kind != .string { check(document.string(value) == nil, "string(_:) is not nil") }
        if kind != .number {
            check(document.numberText(value) == nil, "numberText(_:) is not nil")
            check(document.int64(value) == nil, "int64(_:) is not nil")
            check(document.double(value) == nil, "double(_:) is not nil")
        }
        if kind != .true && kind != .false { check(document.bool(value) == nil, "bool(_:) is not nil") }
        check(document.isNull(value) == (kind == .null), "isNull(_:) is wrong")

        switch kind {
        case .object:
            let members = document.members(of: value) ?? []
            check(document.count(of: value) == members.count, "count(of:) != members(of:).count")
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
            check(document.count(of: value) == elements.count, "count(of:) != elements(of:).count")
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

    private static let booleanType = ObjectIdentifier(type(of: NSNumber(value: true)))

    /// Converts what `JSONSerialization.jsonObject` returns.
    init(foundation value: Any) {
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
            fatalError("unexpected Foundation value \(type(of: value))")
        }
    }
}
