import Foundation
import Testing

@testable import StandardWebhooks

@Suite struct Base64Tests {
    /// RFC 4648 §10 test vectors.
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func encodesAndDecodesTheRFCVectors(plain: String, encoded: String) {
        #expect(Base64.encodedString(Array(plain.utf8)) == encoded)
        #expect(Base64.decodeCanonical(encoded) == Array(plain.utf8))
    }

    @Test func agreesWithFoundationOnEveryLengthAndByte() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString()
            #expect(Base64.encodedString(bytes) == expected)
            #expect(Base64.decodeCanonical(expected) == bytes)
        }
    }

    @Test func appendsInPlaceAndSpeaksBase64URL() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var out = Array("pre_".utf8)
            Base64.append(bytes, to: &out, urlSafe: true)
            let expected = "pre_" + Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(String(decoding: out, as: UTF8.self) == expected)
        }
        var padded: [UInt8] = [0x41]
        Base64.append([0xFB, 0xFF], to: &padded)
        #expect(padded == Array("A+/8=".utf8))
    }

    @Test(arguments: [
        "Zg", "Zg=", "Zg===", "Zh==", "Zm9=", "Z g==", " Zg==", "Zg==\n", "Zg==Zg==", "=Zg=", "Zm-v", "Zm_v", "Zm9v\0", "é===",
    ])
    func refusesAnythingNotCanonical(text: String) {
        #expect(Base64.decodeCanonical(text) == nil)
    }
}
