import StrictJSON

/// Reads the fields of SNS, SQS and EventBridge envelopes, naming the path of anything missing or
/// mistyped. Absent and `null` both mean "not there", as in `S3Events`.
struct EnvelopeReader {
    let document: JSONDocument

    func object(_ name: String, in parent: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3RouteError) -> JSONDocument.Value {
        guard let value = present(name, in: parent) else { throw .invalidEnvelope(path: path(), problem: "is missing") }
        guard document.kind(of: value) == .object else { throw .invalidEnvelope(path: path(), problem: "is not an object") }
        return value
    }

    func requiredString(_ name: String, in parent: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3RouteError) -> String {
        guard let string = try optionalString(name, in: parent, path()) else { throw .invalidEnvelope(path: path(), problem: "is missing") }
        return string
    }

    func optionalString(_ name: String, in parent: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3RouteError) -> String? {
        guard let value = present(name, in: parent) else { return nil }
        guard let string = document.string(value) else { throw .invalidEnvelope(path: path(), problem: "is not a string") }
        return string
    }

    func optionalInt64(_ name: String, in parent: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3RouteError) -> Int64? {
        guard let value = present(name, in: parent) else { return nil }
        guard let number = document.int64(value) else { throw .invalidEnvelope(path: path(), problem: "is not an integer") }
        return number
    }

    /// A member's string value, or nil for anything else (used to recognise a shape, not to read it).
    func stringIfAny(_ name: String, in parent: JSONDocument.Value) -> String? {
        document.member(name, of: parent).flatMap(document.string)
    }

    private func present(_ name: String, in parent: JSONDocument.Value) -> JSONDocument.Value? {
        guard let value = document.member(name, of: parent), !document.isNull(value) else { return nil }
        return value
    }
}
