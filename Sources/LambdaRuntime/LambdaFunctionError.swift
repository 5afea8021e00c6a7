/// An error that names its own Lambda `errorType` and operator-facing message.
public protocol LambdaFunctionError: Error {
    var errorType: String { get }
    var errorMessage: String { get }
}

/// The body Lambda expects on `/invocation/{id}/error` and `/init/error`.
public struct ErrorReport: Equatable, Sendable {
    public var errorType: String
    public var errorMessage: String

    public init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
    }

    public init(_ error: any Error) {
        if let error = error as? any LambdaFunctionError {
            self.init(errorType: error.errorType, errorMessage: error.errorMessage)
        } else {
            self.init(errorType: "\(type(of: error))", errorMessage: "\(error)")
        }
    }

    /// `{"errorMessage": …, "errorType": …, "stackTrace": []}`: Swift errors carry no stack trace.
    public var json: [UInt8] {
        var out = #"{"errorMessage":"#
        JSONText.appendString(errorMessage, to: &out)
        out += #","errorType":"#
        JSONText.appendString(errorType, to: &out)
        out += #","stackTrace":[]}"#
        return Array(out.utf8)
    }
}

/// Writing small JSON documents of a fixed shape (error reports, log lines, the notifier's webhook
/// body) by appending to a string: several times cheaper than JSONEncoder on the per-invocation path.
public enum JSONText {
    /// Appends `value` as a JSON string literal (RFC 8259 §7), quotes included.
    public static func appendString(_ value: String, to out: inout String) {
        out.append("\"")
        // Almost every string needs no escaping: append it whole rather than scalar by scalar.
        if !needsEscaping(value) {
            out.append(value)
            out.append("\"")
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{2028}": out.append("\\u2028")
            case "\u{2029}": out.append("\\u2029")
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }

    private static func needsEscaping(_ value: String) -> Bool {
        value.utf8.contains { byte in
            // Quote, backslash, C0 controls, DEL, and the lead byte of U+2028/U+2029 (E2 80 A8/A9).
            byte == 0x22 || byte == 0x5C || byte < 0x20 || byte == 0x7F || byte == 0xE2
        }
    }

    /// Appends `"name":` and the value: a string, or `null`.
    public static func appendMember(_ name: String, _ value: String?, to out: inout String, first: Bool = false) {
        appendName(name, to: &out, first: first)
        if let value { appendString(value, to: &out) } else { out.append("null") }
    }

    /// Appends `"name":` and the value: an integer, or `null`.
    public static func appendMember(_ name: String, _ value: Int64?, to out: inout String, first: Bool = false) {
        appendName(name, to: &out, first: first)
        out.append(value.map { String($0) } ?? "null")
    }

    private static func appendName(_ name: String, to out: inout String, first: Bool) {
        if !first { out.append(",") }
        appendString(name, to: &out)
        out.append(":")
    }
}
