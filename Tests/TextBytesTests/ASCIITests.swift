import Testing
import TextBytes

@Suite struct HexDigitTests {
    @Test func everyByteInBothCases() {
        var upper: [UInt8] = []
        var lower: [UInt8] = []
        for byte in [0x00, 0x09, 0x0A, 0x7F, 0xAB, 0xFF] as [UInt8] {
            ASCII.appendHex(byte, uppercase: true, to: &upper)
            ASCII.appendHex(byte, uppercase: false, to: &lower)
        }
        #expect(String(decoding: upper, as: UTF8.self) == "00090A7FABFF")
        #expect(String(decoding: lower, as: UTF8.self) == "00090a7fabff")
        for value in 0..<16 as Range<UInt8> {
            #expect(ASCII.hexDigitValue(ASCII.hexDigit(value, uppercase: true)) == value)
            #expect(ASCII.hexDigitValue(ASCII.hexDigit(value, uppercase: false)) == value)
        }
    }
}
