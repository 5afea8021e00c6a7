import TextBytes

/// AWS's UriEncode (SigV4 "Create a canonical request"): every byte of the UTF-8 text except the
/// unreserved A–Z a–z 0–9 - . _ ~ becomes %XX with upper-case hex; "/" is kept in an S3 key's path
/// and encoded everywhere else. A space is %20, never "+".
///
/// libcurl 7.88.1 signs the path and query exactly as they appear in the URL (http_aws_sigv4.c takes
/// `state.up.path` and `state.up.query` and encodes nothing), so the URL must already be in the
/// canonical form S3 computes: keys encoded once, by these rules. (botocore does the same:
/// `percent_encode(key, safe='/~')`.)
enum URIEncoding {
    static func encode(_ text: String, keepingSlashes: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepingSlashes:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                ASCII.appendHex(byte, uppercase: true, to: &out)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
