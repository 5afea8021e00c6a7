import TextBytes

/// Why a text is not JSON, and the byte offset where that became clear.
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        case empty
        case unexpectedEnd
        /// A byte that cannot start or continue a value here.
        case unexpectedByte(UInt8)
        /// Content after the top-level value.
        case trailingContent
        case invalidNumber
        /// A byte below 0x20 inside a string: JSON requires it escaped.
        case unescapedControlCharacter(UInt8)
        case invalidEscape
        /// A `\u` escape of a UTF-16 surrogate that is not half of a pair.
        case unpairedSurrogate
        case invalidUTF8
        case tooDeep(maximum: Int)
        case tooLarge
    }

    public var problem: Problem
    public var offset: Int

    public init(_ problem: Problem, at offset: Int) {
        self.problem = problem
        self.offset = offset
    }

    public var description: String {
        let what = switch problem {
        case .empty: "no value"
        case .unexpectedEnd: "unexpected end of text"
        case .unexpectedByte(let byte): "unexpected \(Self.describe(byte))"
        case .trailingContent: "unexpected content after the value"
        case .invalidNumber: "malformed number"
        case .unescapedControlCharacter(let byte): "unescaped control character \(Self.describe(byte)) in a string"
        case .invalidEscape: "invalid escape sequence in a string"
        case .unpairedSurrogate: "unpaired UTF-16 surrogate in a \\u escape"
        case .invalidUTF8: "invalid UTF-8"
        case .tooDeep(let maximum): "nested deeper than \(maximum) levels"
        case .tooLarge: "text too large"
        }
        return "\(what) at offset \(offset)"
    }

    private static func describe(_ byte: UInt8) -> String {
        let hex = "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        guard byte >= 0x21, byte < 0x7F else { return "byte \(hex)" }
        return "'\(Character(Unicode.Scalar(byte)))'"
    }
}

/// One pass over the bytes, appending a node per value. Recursive descent, with the depth
/// bounded so hostile input cannot exhaust the stack.
struct Parser {
    let input: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var position = 0
    var nodes: [Node] = []

    init(input: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.input = input
        self.maximumDepth = maximumDepth
        // A typical event has a value per 20–30 bytes.
        nodes.reserveCapacity(input.count / 16 + 4)
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> [Node] {
        skipWhitespace()
        guard position < input.count else { throw JSONSyntaxError(.empty, at: position) }
        try parseValue(depth: 0)
        skipWhitespace()
        guard position == input.count else { throw JSONSyntaxError(.trailingContent, at: position) }
        return nodes
    }

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func fail(_ problem: JSONSyntaxError.Problem) -> JSONSyntaxError {
        JSONSyntaxError(problem, at: position)
    }

    private func unexpected() -> JSONSyntaxError {
        position < input.count ? fail(.unexpectedByte(input[position])) : fail(.unexpectedEnd)
    }

    private mutating func append(_ kind: JSONDocument.Kind, start: Int = 0, end: Int = 0, escapes: Bool = false) {
        nodes.append(Node(kind: kind, hasEscapes: escapes, start: UInt32(start), end: UInt32(end),
                          next: UInt32(nodes.count + 1), count: 0))
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) {
        guard position < input.count else { throw fail(.unexpectedEnd) }
        switch input[position] {
        case UInt8(ascii: "{"): try parseContainer(.object, depth: depth + 1)
        case UInt8(ascii: "["): try parseContainer(.array, depth: depth + 1)
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "t"): try parseLiteral("true", .true)
        case UInt8(ascii: "f"): try parseLiteral("false", .false)
        case UInt8(ascii: "n"): try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw unexpected()
        }
    }

    private mutating func parseLiteral(_ literal: StaticString, _ kind: JSONDocument.Kind) throws(JSONSyntaxError) {
        let text = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in text {
            guard position < input.count, input[position] == byte else { throw unexpected() }
            position += 1
        }
        append(kind)
    }

    /// An object or an array: the same walk, objects reading a name and a colon before each value.
    private mutating func parseContainer(_ kind: JSONDocument.Kind, depth: Int) throws(JSONSyntaxError) {
        guard depth <= maximumDepth else { throw fail(.tooDeep(maximum: maximumDepth)) }
        let closing = kind == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let index = nodes.count
        append(kind)
        position += 1  // { or [
        skipWhitespace()
        var count: UInt32 = 0
        if position < input.count, input[position] == closing {
            position += 1
        } else {
            while true {
                if kind == .object { try parseMemberName() }
                try parseValue(depth: depth)
                count += 1
                skipWhitespace()
                guard position < input.count else { throw fail(.unexpectedEnd) }
                if input[position] == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                } else if input[position] == closing {
                    position += 1
                    break
                } else {
                    throw unexpected()
                }
            }
        }
        nodes[index].next = UInt32(nodes.count)
        nodes[index].count = count
    }

    /// `"name"` and the colon after it, leaving the position at the value.
    private mutating func parseMemberName() throws(JSONSyntaxError) {
        guard position < input.count, input[position] == UInt8(ascii: "\"") else { throw unexpected() }
        try parseString()
        skipWhitespace()
        guard position < input.count, input[position] == UInt8(ascii: ":") else { throw unexpected() }
        position += 1
        skipWhitespace()
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func parseNumber() throws(JSONSyntaxError) {
        let start = position
        if input[position] == UInt8(ascii: "-") { position += 1 }
        guard position < input.count, isDigit(input[position]) else { throw fail(.invalidNumber) }
        if input[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            skipDigits()
        }
        if position < input.count, input[position] == UInt8(ascii: ".") {
            position += 1
            guard position < input.count, isDigit(input[position]) else { throw fail(.invalidNumber) }
            skipDigits()
        }
        if position < input.count, input[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < input.count, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < input.count, isDigit(input[position]) else { throw fail(.invalidNumber) }
            skipDigits()
        }
        // "01": a leading zero stands alone.
        if position < input.count, isDigit(input[position]) { throw fail(.invalidNumber) }
        append(.number, start: start, end: position)
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private mutating func skipDigits() {
        while position < input.count, isDigit(input[position]) { position += 1 }
    }

    private mutating func parseString() throws(JSONSyntaxError) {
        position += 1  // opening quote
        let start = position
        var escapes = false
        while position < input.count {
            skipPlainASCII()
            guard position < input.count else { break }
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                append(.string, start: start, end: position, escapes: escapes)
                position += 1
                return
            } else if byte == UInt8(ascii: "\\") {
                escapes = true
                try validateEscape()
            } else if byte < 0x20 {
                throw fail(.unescapedControlCharacter(byte))
            } else if byte < 0x80 {
                position += 1
            } else {
                try validateUTF8Sequence()
            }
        }
        throw fail(.unexpectedEnd)
    }

    /// Skips string bytes that need no attention (printable ASCII other than `"` and `\`), eight
    /// at a time: strings are most of an event's bytes.
    @inline(__always)
    private mutating func skipPlainASCII() {
        let base = UnsafeRawPointer(input.baseAddress!)
        while position + 8 <= input.count {
            let word = ByteWords.load(base, at: position)
            let special = ByteWords.equal(word, 0x22) | ByteWords.equal(word, 0x5C)
                | ByteWords.below(word, 0x20) | ByteWords.nonASCII(word)
            guard special & ByteWords.highBits == 0 else { break }
            position += 8
        }
        while position < input.count {
            let byte = input[position]
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { return }
            position += 1
        }
    }

    private mutating func validateEscape() throws(JSONSyntaxError) {
        let escapeStart = position
        position += 1
        guard position < input.count else { throw fail(.unexpectedEnd) }
        switch input[position] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            position += 1
            let unit = try hex4()
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed at once by `\u` and a low one.
                guard position + 1 < input.count, input[position] == UInt8(ascii: "\\"),
                      input[position + 1] == UInt8(ascii: "u") else {
                    throw JSONSyntaxError(.unpairedSurrogate, at: escapeStart)
                }
                position += 2
                guard (0xDC00...0xDFFF).contains(try hex4()) else {
                    throw JSONSyntaxError(.unpairedSurrogate, at: escapeStart)
                }
            case 0xDC00...0xDFFF:
                throw JSONSyntaxError(.unpairedSurrogate, at: escapeStart)
            default:
                break
            }
        default:
            throw JSONSyntaxError(.invalidEscape, at: escapeStart)
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard position < input.count else { throw fail(.unexpectedEnd) }
            guard let digit = ASCII.hexDigitValue(input[position]) else { throw fail(.invalidEscape) }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// One well-formed multi-byte UTF-8 sequence (Unicode 15, table 3-7): no overlongs, no
    /// surrogates, nothing above U+10FFFF.
    private mutating func validateUTF8Sequence() throws(JSONSyntaxError) {
        let lead = input[position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw fail(.invalidUTF8)
        }
        guard position + length <= input.count else { throw fail(.invalidUTF8) }
        guard secondRange.contains(input[position + 1]) else { throw fail(.invalidUTF8) }
        for offset in 2..<max(length, 2) where !(0x80...0xBF).contains(input[position + offset]) {
            throw fail(.invalidUTF8)
        }
        position += length
    }
}
