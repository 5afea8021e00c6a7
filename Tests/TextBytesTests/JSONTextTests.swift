import Foundation
import Testing

@testable import TextBytes

@Suite struct JSONTextTests {
    func quoted(_ value: String) -> String {
        var out: [UInt8] = []
        JSONText.appendString(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func escapesExactlyWhatItMust() {
        #expect(quoted("plain/text é 🎵") == #""plain/text é 🎵""#)
        #expect(quoted("\"\\\n\r\t") == #""\"\\\n\r\t""#)
        #expect(quoted("\u{0}\u{1F}\u{7F}") == #""\u0000\u001f\u007f""#)
        #expect(quoted("\u{2028}\u{2029}") == #""\u2028\u2029""#)
        #expect(quoted("ⅰ\u{2027}\u{202A}") == "\"ⅰ\u{2027}\u{202A}\"")  // E2 lead bytes that are not U+2028/9
        #expect(quoted("") == #""""#)
    }

    /// The fast check reads eight bytes at a time: put each character that needs escaping (and
    /// some that share its bytes but do not) at every position of strings of every length.
    @Test(arguments: ["\"", "\\", "\u{1}", "\n", "\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}", "ⅰ", "é", " ", "~"])
    func everyPositionOfEveryLength(special: String) throws {
        for length in 1...24 {
            for position in 0..<length {
                let value = String(repeating: "a", count: position) + special + String(repeating: "b", count: length - position - 1)
                let text = quoted(value)
                let decoded = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? String
                #expect(decoded == value, "\(text)")
                let mustEscape = special.unicodeScalars.allSatisfy { $0.value < 0x20 || $0 == "\"" || $0 == "\\" || $0 == "\u{7F}" || $0 == "\u{2028}" || $0 == "\u{2029}" }
                #expect(text.contains("\\") == mustEscape, "\(text)")
            }
        }
    }
}
