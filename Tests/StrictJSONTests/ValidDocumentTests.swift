import JSONDifferential
import LocalLambda
import StrictJSON
import Testing

@Suite struct ValidDocumentTests {
    @Test(arguments: [
        ("{}", JSONDocument.Kind.object), ("[]", .array), (#""s""#, .string), ("1", .number),
        ("true", .true), ("false", .false), ("null", .null),
    ])
    func everyKindAtTheRoot(text: String, kind: JSONDocument.Kind) throws {
        let document = try parse(text)
        #expect(document.kind(of: document.root) == kind)
        #expect(document.bytes == bytes(text))
        #expect(document.bool(document.root) == (kind == .true ? true : kind == .false ? false : nil))
        #expect(document.isNull(document.root) == (kind == .null))
        #expect((document.string(document.root) != nil) == (kind == .string))
        #expect((document.numberText(document.root) != nil) == (kind == .number))
        #expect((document.count(of: document.root) == 0) == (kind == .object || kind == .array))
        #expect((document.members(of: document.root) != nil) == (kind == .object))
        #expect((document.elements(of: document.root) != nil) == (kind == .array))
        #expect(document.member("s", of: document.root) == nil)
    }

    @Test func emptyContainers() throws {
        let document = try parse(#"{"o":{},"a":[],"s":[{},[]]}"#)
        let object = try #require(document.member("o", of: document.root))
        let array = try #require(document.member("a", of: document.root))
        #expect(document.count(of: object) == 0)
        #expect(document.members(of: object)?.isEmpty == true)
        #expect(document.count(of: array) == 0)
        #expect(document.elements(of: array) == [])
        let both = try #require(document.member("s", of: document.root).flatMap { document.elements(of: $0) })
        #expect(both.map { document.kind(of: $0) } == [.object, .array])
        #expect(both.map { document.count(of: $0) } == [0, 0])
    }

    @Test func nesting() throws {
        let document = try parse(#"{"a":[1,{"b":[[],{"c":[true]}]},"x"],"d":{"e":{"f":null}},"g":2}"#)
        let root = document.root
        #expect(document.count(of: root) == 3)
        let a = try #require(document.member("a", of: root).flatMap { document.elements(of: $0) })
        #expect(a.count == 3)
        #expect(document.int64(a[0]) == 1)
        #expect(document.string(a[2]) == "x")
        let b = try #require(document.member("b", of: a[1]).flatMap { document.elements(of: $0) })
        #expect(document.count(of: b[0]) == 0)
        let c = try #require(document.member("c", of: b[1]).flatMap { document.elements(of: $0) })
        #expect(c.map { document.bool($0) } == [true])
        let e = try #require(document.member("d", of: root).flatMap { document.member("e", of: $0) })
        #expect(document.member("f", of: e).map { document.isNull($0) } == true)
        // Skipping a nested container lands on the right sibling.
        #expect(document.member("g", of: root).flatMap { document.int64($0) } == 2)
        #expect(document.members(of: root)?.map(\.name) == ["a", "d", "g"])
    }

    @Test func whitespaceIsSpaceTabLineFeedAndCarriageReturn() throws {
        let ws = " \t\n\r"
        let text = ws + "{" + ws + #""a""# + ws + ":" + ws + "[" + ws + "1" + ws + "," + ws + "2" + ws + "]" + ws + ","
            + ws + #""b""# + ws + ":" + ws + "true" + ws + "}" + ws
        let document = try parse(text)
        let a = try #require(document.member("a", of: document.root))
        #expect(document.elements(of: a)?.map { document.int64($0) } == [1, 2])
        #expect(document.member("b", of: document.root).flatMap { document.bool($0) } == true)
        #expect(JSONTree(try parse(" \t\r\n\"x\" \n")) == .string("x"))
    }

    @Test(arguments: [
        (#""\"""#, "\""), (#""\\""#, "\\"), (#""\/""#, "/"), (#""\b""#, "\u{8}"), (#""\f""#, "\u{C}"),
        (#""\n""#, "\n"), (#""\r""#, "\r"), (#""\t""#, "\t"),
        (#""\u0041""#, "A"), (#""\u00e9\u00E9""#, "éé"), (#""\u20AC""#, "€"), (#""\u0000""#, "\u{0}"),
        (#""\u001f\u007F""#, "\u{1F}\u{7F}"), (#""\uFFFF""#, "\u{FFFF}"), (#""\uD83C\uDFB5""#, "🎵"),
        (#""\ud83c\udfb5""#, "🎵"), (#""\uD800\uDC00""#, "\u{10000}"), (#""\uDBFF\uDFFF""#, "\u{10FFFF}"),
        (#""a\"b\\c\/d\be\ff\ng\rh\ti\u0041j""#, "a\"b\\c/d\u{8}e\u{C}f\ng\rh\ti" + "Aj"),
        (#""\\u0041""#, "\\u0041"), (#""x\uD83C\uDFB5y\u00e9""#, "x🎵yé"),
    ])
    func escapes(text: String, expected: String) throws {
        let document = try parse(text)
        let decoded = try #require(document.string(document.root))
        #expect(Array(decoded.unicodeScalars) == Array(expected.unicodeScalars))
    }

    @Test(arguments: [
        "é", "€", "🎵", "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{FFFF}",
        "\u{10000}", "\u{10FFFF}", "\u{7F}", "aé€🎵z", "e\u{301}",
    ])
    func rawUTF8(text: String) throws {
        let document = try parse("\"" + text + "\"")
        #expect(document.string(document.root).map { Array($0.unicodeScalars) } == Array(text.unicodeScalars))
        let keyed = try parse("{\"" + text + "\":1}")
        #expect(keyed.member(text, of: keyed.root).flatMap { keyed.int64($0) } == 1)
    }

    @Test(arguments: [
        ("0", 0.0), ("-0", -0.0), ("1.5", 1.5), ("1e3", 1000), ("1E+3", 1000), ("1e-3", 0.001), ("2E-0", 2),
        ("-1.25e-7", -1.25e-7), ("0.0", 0), ("10", 10), ("123.456e2", 12345.6),
        ("123456789012345678901234567890", 1.2345678901234568e29), ("1.7976931348623157e308", .greatestFiniteMagnitude),
        ("5e-324", .leastNonzeroMagnitude), ("1e400", .infinity), ("-1e400", -.infinity), ("1e-400", 0),
    ])
    func numbers(text: String, expected: Double) throws {
        let document = try parse(text)
        #expect(document.kind(of: document.root) == .number)
        #expect(document.numberText(document.root) == text)
        let value = try #require(document.double(document.root))
        #expect(value == expected)
        #expect(value.sign == expected.sign)
        // Inside containers too, where the number ends at a delimiter rather than the input.
        let wrapped = try parse("[" + text + ",{\"n\":" + text + "}]")
        let elements = try #require(wrapped.elements(of: wrapped.root))
        #expect(wrapped.numberText(elements[0]) == text)
        #expect(wrapped.member("n", of: elements[1]).flatMap { wrapped.numberText($0) } == text)
    }

    @Test(arguments: [
        ("0", 0 as Int64?), ("-0", 0), ("7", 7), ("-42", -42),
        ("9223372036854775807", .max), ("-9223372036854775808", .min),
        ("9223372036854775806", .max - 1), ("-9223372036854775807", .min + 1),
        ("9223372036854775808", nil), ("-9223372036854775809", nil), ("18446744073709551615", nil),
        ("18446744073709551616", nil), ("-18446744073709551616", nil), ("99999999999999999999999", nil),
        ("1.0", nil), ("1e3", nil), ("1E0", nil), ("-0.0", nil), ("0e0", nil), ("1.5", nil),
    ])
    func int64(text: String, expected: Int64?) throws {
        let document = try parse(text)
        #expect(document.int64(document.root) == expected)
        let wrapped = try parse("[" + text + "]")
        #expect(wrapped.elements(of: wrapped.root).flatMap { wrapped.int64($0[0]) } == expected)
    }

    @Test func scalarAccessorsRejectOtherKinds() throws {
        let document = try parse(#"["s", 1, true, false, null, {}, []]"#)
        let e = try #require(document.elements(of: document.root))
        #expect(document.string(e[1]) == nil)
        #expect(document.int64(e[0]) == nil)
        #expect(document.double(e[0]) == nil)
        #expect(document.numberText(e[2]) == nil)
        #expect(document.bool(e[4]) == nil)
        #expect(document.bool(e[1]) == nil)
        #expect(document.bool(e[2]) == true)
        #expect(document.bool(e[3]) == false)
        #expect(!document.isNull(e[3]))
        #expect(document.isNull(e[4]))
        #expect(document.count(of: e[0]) == nil)
        #expect(document.members(of: e[6]) == nil)
        #expect(document.elements(of: e[5]) == nil)
        #expect(document.member("s", of: e[6]) == nil)
        #expect(document.string(e[0]) == "s")
    }

    @Test func memberLookupDecodesEscapedNames() throws {
        let document = try parse(#"{"k\u0065y":1,"a\/b":2,"\uD83C\uDFB5":3,"":4,"tab\there":5,"\u00e9":6,"ab":7,"q\"":8}"#)
        let root = document.root
        func value(_ name: String) -> Int64? { document.member(name, of: root).flatMap { document.int64($0) } }
        #expect(value("key") == 1)
        #expect(value("k\\u0065y") == nil)
        #expect(value("a/b") == 2)
        #expect(value("🎵") == 3)
        #expect(value("") == 4)
        #expect(value("tab\there") == 5)
        #expect(value("é") == 6)
        #expect(value("ab") == 7)
        #expect(value("q\"") == 8)
        // Neither a prefix nor an extension of a name matches.
        #expect(value("a") == nil)
        #expect(value("abc") == nil)
        #expect(value("ke") == nil)
        #expect(value("keys") == nil)
        #expect(value("missing") == nil)
        #expect(document.members(of: root)?.map(\.name) == ["key", "a/b", "🎵", "", "tab\there", "é", "ab", "q\""])
    }

    @Test func memberLookupComparesBytesNotCanonicalEquivalence() throws {
        // "é" precomposed and decomposed are equal as Swift strings but are different names.
        let document = try parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        #expect(document.member("\u{E9}", of: document.root).flatMap { document.int64($0) } == 1)
        #expect(document.member("e\u{301}", of: document.root).flatMap { document.int64($0) } == 2)
    }

    @Test(arguments: [
        (#"{"a":1,"b":2,"a":3}"#, 3 as Int64),
        (#"{"a":1,"\u0061":2}"#, 2),
        (#"{"\u0061":1,"a":2}"#, 2),
        (#"{"a":1,"a":2,"a":3,"a":4}"#, 4),
        (#"{"a":{"a":9},"a":5}"#, 5),
    ])
    func duplicateNamesResolveToTheLast(text: String, expected: Int64) throws {
        let document = try parse(text)
        #expect(document.member("a", of: document.root).flatMap { document.int64($0) } == expected)
        let members = try #require(document.members(of: document.root))
        #expect(document.count(of: document.root) == members.count)
        #expect(members.last { $0.name == "a" }.flatMap { document.int64($0.value) } == expected)
    }

    @Test func membersKeepDocumentOrderAndDuplicates() throws {
        let document = try parse(#"{"z":1,"a":[2],"m":{"x":3},"a":"4","0":null}"#)
        let members = try #require(document.members(of: document.root))
        #expect(members.map(\.name) == ["z", "a", "m", "a", "0"])
        #expect(members.map { document.kind(of: $0.value) } == [.number, .array, .object, .string, .null])
        #expect(document.count(of: document.root) == 5)
        #expect(document.string(members[3].value) == "4")
        #expect(document.member("a", of: document.root) == members[3].value)
        #expect(document.member("x", of: members[2].value).flatMap { document.int64($0) } == 3)
    }

    @Test func elementsAndCount() throws {
        let document = try parse(#"[1,"two",[3,[4]],{"five":5,"six":[6]},null,true,false,-8.5]"#)
        let elements = try #require(document.elements(of: document.root))
        #expect(document.count(of: document.root) == 8)
        #expect(elements.map { document.kind(of: $0) } == [.number, .string, .array, .object, .null, .true, .false, .number])
        #expect(document.count(of: elements[2]) == 2)
        #expect(document.count(of: elements[3]) == 2)
        #expect(document.double(elements[7]) == -8.5)
        #expect(Set(elements).count == 8)
        let tree = JSONTree(document)
        #expect(tree == .array([
            .integer(1), .string("two"), .array([.integer(3), .array([.integer(4)])]),
            .object([Array("five".utf8): .integer(5), Array("six".utf8): .array([.integer(6)])]),
            .null, .bool(true), .bool(false), .number(-8.5, exact: nil),
        ]))
    }

    @Test func largeFlatArray() throws {
        let count = 10_000
        let text = "[" + (0..<count).map { String($0) }.joined(separator: ",") + "]"
        let document = try parse(text)
        let elements = try #require(document.elements(of: document.root))
        #expect(document.count(of: document.root) == count)
        #expect(elements.count == count)
        #expect(document.int64(elements[count - 1]) == Int64(count - 1))
    }

    @Test func everyEventFixtureThatIsJSONParses() throws {
        let fixtures = try eventFixtures()
        #expect(fixtures.count >= 10)
        for (name, input) in fixtures {
            let error = syntaxError(input)
            if name == "invalid-not-json.json" {
                // `{"Records": [ this is not JSON`: "this" is a misspelt `true`.
                #expect(error == JSONSyntaxError(.unexpectedByte(UInt8(ascii: "h")), at: 15), "\(name)")
            } else {
                #expect(error == nil, "\(name): \(error.map(String.init(describing:)) ?? "")")
            }
        }
        let upload = try JSONDocument(parsing: try #require(fixtures.first { $0.name == "upload-single.json" }).bytes)
        let record = try #require(upload.member("Records", of: upload.root).flatMap { upload.elements(of: $0) }?.first)
        let object = try #require(upload.member("s3", of: record).flatMap { upload.member("object", of: $0) })
        #expect(upload.member("key", of: object).flatMap { upload.string($0) }?.isEmpty == false)
        #expect(upload.member("size", of: object).flatMap { upload.int64($0) } != nil)
    }

    @Test(arguments: 0..<4)
    func generatedDocumentsParseToTheirValues(seed: Int) throws {
        var random = SplitMix64(seed: 0x5EED_0000 + UInt64(seed))
        for _ in 0..<150 {
            let (text, expected) = random.document()
            do {
                let document = try JSONDocument(parsing: text)
                let tree = JSONTree(document)
                #expect(tree == expected, "\(show(text))")
            } catch {
                Issue.record("\(error) for \(show(text))")
            }
        }
    }
}

/// Strings of every length up to a few machine words, with one byte that needs attention at
/// every position: whatever the scanner does in bulk, it must stop at exactly that byte.
@Suite struct StringScanningTests {
    static let filler = UInt8(ascii: "a")

    /// Plain bytes at the edges of the ranges a bulk scan tests: all must pass through.
    @Test(arguments: [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7E, 0x7F, 0x2F, 0x30, 0x41] as [UInt8])
    func plainASCIIPassesThrough(byte: UInt8) throws {
        for length in 1...40 {
            for position in 0..<length {
                var content = Array(repeating: Self.filler, count: length)
                content[position] = byte
                let document = try JSONDocument(parsing: [0x22] + content + [0x22])
                #expect(document.string(document.root).map { Array($0.utf8) } == content, "length \(length) at \(position)")
            }
        }
    }

    @Test func specialBytesAreFoundAtEveryPosition() throws {
        for length in 1...40 {
            for position in 0..<length {
                func text(_ special: [UInt8]) -> [UInt8] {
                    var content = Array(repeating: Self.filler, count: length)
                    content.replaceSubrange(position..<position + 1, with: special)
                    return [0x22] + content + [0x22]
                }
                let at = "length \(length) at \(position)"
                // A control character is reported where it is.
                for control: UInt8 in [0x00, 0x01, 0x09, 0x0A, 0x1F] {
                    #expect(syntaxError(text([control])) == JSONSyntaxError(.unescapedControlCharacter(control), at: 1 + position), "\(at)")
                }
                // A quote ends the string there.
                #expect(syntaxError(text([0x22])) == JSONSyntaxError(.trailingContent, at: 2 + position), "\(at)")
                let ended = try JSONDocument(parsing: Array(text([0x22]).prefix(position + 2)))
                #expect(ended.string(ended.root)?.utf8.count == position, "\(at)")
                // Escapes and multi-byte UTF-8 are decoded, invalid UTF-8 is found where it is.
                let escaped = try JSONDocument(parsing: text(Array(#"\n"#.utf8)))
                #expect(escaped.string(escaped.root).map { Array($0.utf8) }
                    == Array(repeating: Self.filler, count: position) + [0x0A] + Array(repeating: Self.filler, count: length - position - 1), "\(at)")
                let accented = try JSONDocument(parsing: text([0xC3, 0xA9]))
                #expect(accented.string(accented.root)?.unicodeScalars.filter { $0 == "é" }.count == 1, "\(at)")
                for invalid: [UInt8] in [[0x80], [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80]] {
                    #expect(syntaxError(text(invalid)) == JSONSyntaxError(.invalidUTF8, at: 1 + position), "\(at) \(hex(invalid))")
                }
                // Unterminated: the end of the input is found whatever the length.
                #expect(syntaxError(Array(text([Self.filler]).dropLast())) == JSONSyntaxError(.unexpectedEnd, at: 1 + length), "\(at)")
            }
        }
    }
}
