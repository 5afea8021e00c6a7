import StrictJSON
import Testing

/// An input that must be rejected, with the problem and offset the parser must report.
struct Rejection: Sendable, CustomTestStringConvertible {
    let input: [UInt8]
    let problem: JSONSyntaxError.Problem
    let offset: Int

    init(_ text: String, _ problem: JSONSyntaxError.Problem, at offset: Int) {
        self.init(Array(text.utf8), problem, at: offset)
    }

    init(_ input: [UInt8], _ problem: JSONSyntaxError.Problem, at offset: Int) {
        self.input = input
        self.problem = problem
        self.offset = offset
    }

    var testDescription: String { show(input) }

    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        let error = syntaxError(input)
        #expect(error == JSONSyntaxError(problem, at: offset), "\(show(input))", sourceLocation: sourceLocation)
    }
}

private let quote = UInt8(ascii: "\"")
private func unexpected(_ character: Character) -> JSONSyntaxError.Problem { .unexpectedByte(character.asciiValue!) }

@Suite struct InvalidDocumentTests {
    @Test(arguments: [
        Rejection("", .empty, at: 0),
        Rejection(" ", .empty, at: 1),
        Rejection(" \t\r\n", .empty, at: 4),
        Rejection("{} x", .trailingContent, at: 3),
        Rejection("1 2", .trailingContent, at: 2),
        Rejection("[] []", .trailingContent, at: 3),
        Rejection(#""a""b""#, .trailingContent, at: 3),
        Rejection("truex", .trailingContent, at: 4),
        Rejection("nulll", .trailingContent, at: 4),
        Rejection("{},", .trailingContent, at: 2),
        Rejection("0x10", .trailingContent, at: 1),
        Rejection("1.5.2", .trailingContent, at: 3),
        Rejection("1e5e", .trailingContent, at: 3),
        Rejection([0x31, 0x00], .trailingContent, at: 1),
    ])
    func emptyOrTrailing(_ rejection: Rejection) { rejection.check() }

    @Test(arguments: [
        Rejection("[1,]", unexpected("]"), at: 3),
        Rejection("[1, ]", unexpected("]"), at: 4),
        Rejection(#"{"a":1,}"#, unexpected("}"), at: 7),
        Rejection(#"{"a":1 , }"#, unexpected("}"), at: 9),
        Rejection("[[1,],]", unexpected("]"), at: 4),
        Rejection("[,]", unexpected(","), at: 1),
        Rejection("[,1]", unexpected(","), at: 1),
        Rejection("[1,,2]", unexpected(","), at: 3),
        Rejection("{,}", unexpected(","), at: 1),
        Rejection(#"{"a" 1}"#, unexpected("1"), at: 5),
        Rejection(#"{"a"}"#, unexpected("}"), at: 4),
        Rejection(#"{"a"=1}"#, unexpected("="), at: 4),
        Rejection(#"{"a"::1}"#, unexpected(":"), at: 5),
        Rejection("{'a':1}", unexpected("'"), at: 1),
        Rejection("'a'", unexpected("'"), at: 0),
        Rejection(#"["a",'b']"#, unexpected("'"), at: 5),
        Rejection("{a:1}", unexpected("a"), at: 1),
        Rejection("{1:1}", unexpected("1"), at: 1),
        Rejection("{null:1}", unexpected("n"), at: 1),
        Rejection("[1 2]", unexpected("2"), at: 3),
        Rejection(#"{"a":1 "b":2}"#, unexpected("\""), at: 7),
        Rejection("[1}", unexpected("}"), at: 2),
        Rejection(#"{"a":1]"#, unexpected("]"), at: 6),
        Rejection("]", unexpected("]"), at: 0),
        Rejection("}", unexpected("}"), at: 0),
        Rejection(":", unexpected(":"), at: 0),
        Rejection("[1 /* c */]", unexpected("/"), at: 3),
        Rejection("// c\n1", unexpected("/"), at: 0),
    ])
    func structure(_ rejection: Rejection) { rejection.check() }

    @Test(arguments: [
        Rejection("01", .invalidNumber, at: 1),
        Rejection("-01", .invalidNumber, at: 2),
        Rejection("00", .invalidNumber, at: 1),
        Rejection("[01]", .invalidNumber, at: 2),
        Rejection("-", .invalidNumber, at: 1),
        Rejection("[-]", .invalidNumber, at: 2),
        Rejection("-a", .invalidNumber, at: 1),
        Rejection("- 1", .invalidNumber, at: 1),
        Rejection("1.", .invalidNumber, at: 2),
        Rejection("[1.]", .invalidNumber, at: 3),
        Rejection("1.e3", .invalidNumber, at: 2),
        Rejection("1e", .invalidNumber, at: 2),
        Rejection("1e+", .invalidNumber, at: 3),
        Rejection("1E-x", .invalidNumber, at: 3),
        Rejection("1e+-1", .invalidNumber, at: 3),
        Rejection("-Infinity", .invalidNumber, at: 1),
        Rejection("-.5", .invalidNumber, at: 1),
        Rejection(".5", unexpected("."), at: 0),
        Rejection("+1", unexpected("+"), at: 0),
        Rejection("NaN", unexpected("N"), at: 0),
        Rejection("Infinity", unexpected("I"), at: 0),
        Rejection("[NaN]", unexpected("N"), at: 1),
    ])
    func numbers(_ rejection: Rejection) { rejection.check() }

    @Test(arguments: [
        Rejection("tru", .unexpectedEnd, at: 3),
        Rejection("nul", .unexpectedEnd, at: 3),
        Rejection("fals", .unexpectedEnd, at: 4),
        Rejection("t", .unexpectedEnd, at: 1),
        Rejection("trve", unexpected("v"), at: 2),
        Rejection("nulL", unexpected("L"), at: 3),
        Rejection("True", unexpected("T"), at: 0),
        Rejection("[tru]", unexpected("]"), at: 4),
        Rejection("{\"a\":nul}", unexpected("}"), at: 8),
        Rejection("undefined", unexpected("u"), at: 0),
    ])
    func literals(_ rejection: Rejection) { rejection.check() }

    @Test(arguments: [
        Rejection([quote, 0x00, quote], .unescapedControlCharacter(0x00), at: 1),
        Rejection([quote, 0x1F, quote], .unescapedControlCharacter(0x1F), at: 1),
        Rejection("\"a\tb\"", .unescapedControlCharacter(0x09), at: 2),
        Rejection("\"a\nb\"", .unescapedControlCharacter(0x0A), at: 2),
        Rejection("\"\r\"", .unescapedControlCharacter(0x0D), at: 1),
        Rejection("{\"k\u{1}\":1}", .unescapedControlCharacter(0x01), at: 3),
        Rejection(#""\x""#, .invalidEscape, at: 1),
        Rejection(#""ab\x""#, .invalidEscape, at: 3),
        Rejection(#""\U0041""#, .invalidEscape, at: 1),
        Rejection(#""\'""#, .invalidEscape, at: 1),
        Rejection(#""\a""#, .invalidEscape, at: 1),
        Rejection(#""\0""#, .invalidEscape, at: 1),
        Rejection("\"\\\u{E9}\"", .invalidEscape, at: 1),
        // A bad hex digit is reported where it is.
        Rejection(#""\u12""#, .invalidEscape, at: 5),
        Rejection(#""\uZZZZ""#, .invalidEscape, at: 3),
        Rejection(#""\u00G0""#, .invalidEscape, at: 5),
        Rejection(#""\u-123""#, .invalidEscape, at: 3),
        Rejection(#""\uD800\uDC0G""#, .invalidEscape, at: 12),
        // Input ending inside an escape.
        Rejection(#""\u12"#, .unexpectedEnd, at: 5),
        Rejection(#""\"#, .unexpectedEnd, at: 2),
        Rejection(#""\uD800\u"#, .unexpectedEnd, at: 9),
    ])
    func controlCharactersAndEscapes(_ rejection: Rejection) { rejection.check() }

    @Test(arguments: [
        Rejection(#""\uD800""#, .unpairedSurrogate, at: 1),
        Rejection(#""\uD800\u0041""#, .unpairedSurrogate, at: 1),
        Rejection(#""\uDC00""#, .unpairedSurrogate, at: 1),
        Rejection(#""ab\uDFFF""#, .unpairedSurrogate, at: 3),
        Rejection(#""\uD800\uD800""#, .unpairedSurrogate, at: 1),
        Rejection(#""\uDBFF\n""#, .unpairedSurrogate, at: 1),
        Rejection(#""\uD83Cx\uDFB5""#, .unpairedSurrogate, at: 1),
        Rejection(#""\uDFB5\uD83C""#, .unpairedSurrogate, at: 1),
        Rejection(#"{"\uD800":1}"#, .unpairedSurrogate, at: 2),
        // At the end of the input the missing low half is reported as unpaired, not as the end.
        Rejection(#""\uD800"#, .unpairedSurrogate, at: 1),
    ])
    func unpairedSurrogates(_ rejection: Rejection) { rejection.check() }

    @Test(arguments: [
        Rejection([quote, 0x80, quote], .invalidUTF8, at: 1),                      // lone continuation
        Rejection([quote, 0xBF, quote], .invalidUTF8, at: 1),
        Rejection([quote, 0xC0, 0x80, quote], .invalidUTF8, at: 1),                // overlong NUL
        Rejection([quote, 0xC1, 0xBF, quote], .invalidUTF8, at: 1),                // overlong DEL
        Rejection([quote, 0xE0, 0x80, 0x80, quote], .invalidUTF8, at: 1),          // overlong 3-byte
        Rejection([quote, 0xE0, 0x9F, 0xBF, quote], .invalidUTF8, at: 1),          // overlong U+07FF
        Rejection([quote, 0xED, 0xA0, 0x80, quote], .invalidUTF8, at: 1),          // U+D800 encoded
        Rejection([quote, 0xED, 0xBF, 0xBF, quote], .invalidUTF8, at: 1),          // U+DFFF encoded
        Rejection([quote, 0xF0, 0x80, 0x80, 0x80, quote], .invalidUTF8, at: 1),    // overlong 4-byte
        Rejection([quote, 0xF0, 0x8F, 0xBF, 0xBF, quote], .invalidUTF8, at: 1),    // overlong U+FFFF
        Rejection([quote, 0xF4, 0x90, 0x80, 0x80, quote], .invalidUTF8, at: 1),    // U+110000
        Rejection([quote, 0xF5, 0x80, 0x80, 0x80, quote], .invalidUTF8, at: 1),
        Rejection([quote, 0xF8, 0x88, 0x80, 0x80, 0x80, quote], .invalidUTF8, at: 1),
        Rejection([quote, 0xFE, quote], .invalidUTF8, at: 1),
        Rejection([quote, 0xFF, quote], .invalidUTF8, at: 1),
        Rejection([quote, 0xC3, quote], .invalidUTF8, at: 1),                      // missing continuation
        Rejection([quote, 0xC3, 0x41, quote], .invalidUTF8, at: 1),
        Rejection([quote, 0xE2, 0x82, quote], .invalidUTF8, at: 1),
        Rejection([quote, 0xE2, 0x82, 0x41, quote], .invalidUTF8, at: 1),
        Rejection([quote, 0xF0, 0x9F, 0x8E, quote], .invalidUTF8, at: 1),
        Rejection([quote, 0xF0, 0x9F, 0x41, 0x80, quote], .invalidUTF8, at: 1),
        Rejection([quote, 0xC3, 0xA9, 0xA9, quote], .invalidUTF8, at: 3),          // extra continuation
        Rejection([quote, 0x61, 0x62, 0x80, quote], .invalidUTF8, at: 3),
        Rejection([0x7B, quote, 0xC0, 0xAF, quote, 0x3A, 0x31, 0x7D], .invalidUTF8, at: 2),  // in a name
        // Truncated at the end of the input.
        Rejection([quote, 0xC3], .invalidUTF8, at: 1),
        Rejection([quote, 0xE2, 0x82], .invalidUTF8, at: 1),
        Rejection([quote, 0xF0, 0x9F, 0x8E], .invalidUTF8, at: 1),
        Rejection([quote, 0xF0], .invalidUTF8, at: 1),
    ])
    func invalidUTF8InStrings(_ rejection: Rejection) { rejection.check() }

    @Test(arguments: [
        Rejection([0x80], .unexpectedByte(0x80), at: 0),
        Rejection([0xC3, 0xA9], .unexpectedByte(0xC3), at: 0),
        Rejection([0x5B, 0xC3, 0xA9, 0x5D], .unexpectedByte(0xC3), at: 1),
        Rejection([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], .unexpectedByte(0xEF), at: 0),  // no BOM
        Rejection([0xFF, 0xFE, 0x31, 0x00], .unexpectedByte(0xFF), at: 0),
        Rejection([0x7B, 0x7D, 0xC2, 0xA0], .trailingContent, at: 2),
        Rejection([0x5B, 0x31, 0xC2, 0xA0, 0x5D], .unexpectedByte(0xC2), at: 2),   // NBSP is not whitespace
        Rejection([0xC2, 0xA0, 0x31], .unexpectedByte(0xC2), at: 0),
        Rejection("\u{C}1", .unexpectedByte(0x0C), at: 0),                            // form feed
        Rejection("[1,\u{B}2]", .unexpectedByte(0x0B), at: 3),                         // vertical tab
        Rejection([0x00], .unexpectedByte(0x00), at: 0),
        Rejection([0x00, 0x31], .unexpectedByte(0x00), at: 0),
        Rejection([0x31, 0x00, 0x00, 0x00], .trailingContent, at: 1),
        Rejection([0x7B, 0x80, 0x7D], .unexpectedByte(0x80), at: 1),
    ])
    func bytesOutsideStrings(_ rejection: Rejection) { rejection.check() }

    @Test(arguments: [
        Rejection("\"abc", .unexpectedEnd, at: 4),
        Rejection("\"", .unexpectedEnd, at: 1),
        Rejection("{", .unexpectedEnd, at: 1),
        Rejection("{ ", .unexpectedEnd, at: 2),
        Rejection(#"{"a"#, .unexpectedEnd, at: 3),
        Rejection(#"{"a""#, .unexpectedEnd, at: 4),
        Rejection(#"{"a":"#, .unexpectedEnd, at: 5),
        Rejection(#"{"a":1"#, .unexpectedEnd, at: 6),
        Rejection(#"{"a":1,"#, .unexpectedEnd, at: 7),
        Rejection(#"{"a":1, "#, .unexpectedEnd, at: 8),
        Rejection("[", .unexpectedEnd, at: 1),
        Rejection("[1", .unexpectedEnd, at: 2),
        Rejection("[1,", .unexpectedEnd, at: 3),
        Rejection("[[]", .unexpectedEnd, at: 3),
        Rejection(#"{"a":[1,2]"#, .unexpectedEnd, at: 10),
        Rejection(#"["a"#, .unexpectedEnd, at: 3),
    ])
    func unterminated(_ rejection: Rejection) { rejection.check() }

    @Test func errorDescriptionsNameTheProblemAndOffset() {
        #expect(JSONSyntaxError(.unexpectedByte(0x7D), at: 3).description == "unexpected '}' at offset 3")
        #expect(JSONSyntaxError(.unexpectedByte(0x20), at: 0).description == "unexpected byte 0x20 at offset 0")
        #expect(JSONSyntaxError(.unexpectedByte(0x80), at: 9).description == "unexpected byte 0x80 at offset 9")
        #expect(JSONSyntaxError(.unescapedControlCharacter(0x09), at: 2).description
            == "unescaped control character byte 0x09 in a string at offset 2")
        #expect(JSONSyntaxError(.tooDeep(maximum: 512), at: 512).description == "nested deeper than 512 levels at offset 512")
        let all: [JSONSyntaxError.Problem] = [
            .empty, .unexpectedEnd, .unexpectedByte(0x41), .trailingContent, .invalidNumber,
            .unescapedControlCharacter(0), .invalidEscape, .unpairedSurrogate, .invalidUTF8, .tooDeep(maximum: 1), .tooLarge,
        ]
        let descriptions = all.map { JSONSyntaxError($0, at: 17).description }
        #expect(descriptions.allSatisfy { $0.hasSuffix(" at offset 17") })
        #expect(Set(descriptions).count == all.count)
        #expect(syntaxError(bytes("[1,]"))?.description == "unexpected ']' at offset 3")
    }
}

@Suite struct DepthTests {
    static func nestedArrays(_ depth: Int) -> [UInt8] {
        Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
    }

    static func nestedObjects(_ depth: Int) -> [UInt8] {
        Array(String(repeating: #"{"a":"#, count: depth).utf8) + [UInt8(ascii: "1")]
            + Array(repeating: UInt8(ascii: "}"), count: depth)
    }

    @Test func defaultLimitIs512() throws {
        #expect(JSONDocument.defaultMaximumDepth == 512)
        let document = try JSONDocument(parsing: Self.nestedArrays(512))
        var value = document.root
        var depth = 0
        while let inner = document.elements(of: value)?.first {
            value = inner
            depth += 1
        }
        #expect(depth == 511)
        #expect(document.count(of: value) == 0)
        #expect(syntaxError(Self.nestedArrays(513)) == JSONSyntaxError(.tooDeep(maximum: 512), at: 512))
    }

    @Test func objectsCountTowardsTheSameLimit() throws {
        _ = try JSONDocument(parsing: Self.nestedObjects(512))
        #expect(syntaxError(Self.nestedObjects(513)) == JSONSyntaxError(.tooDeep(maximum: 512), at: 512 * 5))
        // Mixed: 256 objects around 257 arrays.
        let mixed = Array(String(repeating: #"{"a":"#, count: 256).utf8) + Self.nestedArrays(257) + Array(repeating: UInt8(ascii: "}"), count: 256)
        #expect(syntaxError(mixed) == JSONSyntaxError(.tooDeep(maximum: 512), at: 256 * 5 + 256))
    }

    @Test(arguments: [0, 1, 3, 20, 1000])
    func customLimit(maximum: Int) throws {
        if maximum > 0 { _ = try JSONDocument(parsing: Self.nestedArrays(maximum), maximumDepth: maximum) }
        _ = try JSONDocument(parsing: Self.nestedObjects(maximum), maximumDepth: maximum)
        #expect(syntaxError(Self.nestedArrays(maximum + 1), maximumDepth: maximum) == JSONSyntaxError(.tooDeep(maximum: maximum), at: maximum))
        #expect(syntaxError(Self.nestedObjects(maximum + 1), maximumDepth: maximum) == JSONSyntaxError(.tooDeep(maximum: maximum), at: maximum * 5))
        // Scalars have no depth.
        _ = try JSONDocument(parsing: bytes(#""x""#), maximumDepth: maximum)
        // Depth is nesting, not the number of containers.
        let siblings = "[" + Array(repeating: "[]", count: 50).joined(separator: ",") + "]"
        #expect((syntaxError(bytes(siblings), maximumDepth: maximum) == nil) == (maximum >= 2))
    }

    @Test func hostileNestingFailsCleanly() {
        let opening = Array(repeating: UInt8(ascii: "["), count: 100_000)
        #expect(syntaxError(opening) == JSONSyntaxError(.tooDeep(maximum: 512), at: 512))
        let objects = Array(String(repeating: #"{"":"#, count: 100_000).utf8)
        #expect(syntaxError(objects) == JSONSyntaxError(.tooDeep(maximum: 512), at: 512 * 4))
        let balanced = Self.nestedArrays(100_000)
        #expect(syntaxError(balanced) == JSONSyntaxError(.tooDeep(maximum: 512), at: 512))
    }
}
