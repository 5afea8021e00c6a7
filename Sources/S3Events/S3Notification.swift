import StrictJSON

/// What an S3 notification invocation carries: records, or the one-off test event.
public enum S3Notification: Sendable, Equatable {
    case records([S3EventRecord])
    case test(S3TestEvent)

    /// Decodes an invocation's bytes, explaining precisely what is wrong with anything that is not
    /// an S3 notification.
    public static func decode(_ bytes: [UInt8]) throws(S3EventError) -> S3Notification {
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: bytes)
        } catch {
            throw .notJSON(error.description)
        }
        return try decode(document)
    }

    /// Decodes an already parsed event: the route detection (`S3EventRoutes`) parses once.
    public static func decode(_ document: JSONDocument) throws(S3EventError) -> S3Notification {
        let reader = EventReader(document: document)
        let root = document.root
        guard document.kind(of: root) == .object else { throw .notAnObject }
        if let records = document.member("Records", of: root), !document.isNull(records) {
            guard let elements = document.elements(of: records) else {
                throw .invalidRecord(path: "Records", problem: "expected an array")
            }
            guard !elements.isEmpty else { throw .noRecords }
            var decoded: [S3EventRecord] = []
            decoded.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                decoded.append(try reader.record(element, index: index))
            }
            return .records(decoded)
        }
        if let event = document.member("Event", of: root), document.string(event) == "s3:TestEvent" {
            return .test(try reader.testEvent(root))
        }
        throw .missingRecords
    }
}

/// Maps the parsed JSON onto the model, naming the path of anything missing or mistyped.
/// Paths are built only when something is wrong (`@autoclosure`), so a valid event costs nothing.
private struct EventReader {
    let document: JSONDocument

    func record(_ value: JSONDocument.Value, index: Int) throws(S3EventError) -> S3EventRecord {
        let path = "Records[\(index)]"
        let record = try object(value, path)
        // Checked first: a record from another service is reported as such, not as a bad S3 record.
        let source = try optionalString("eventSource", in: record, path)
        guard source == "aws:s3" else { throw .notS3(index: index, eventSource: source) }
        let s3 = try object(try required("s3", in: record, path), path + ".s3")
        let bucket = try object(try required("bucket", in: s3, path + ".s3"), path + ".s3.bucket")
        let object = try object(try required("object", in: s3, path + ".s3"), path + ".s3.object")
        return S3EventRecord(
            eventVersion: try optionalString("eventVersion", in: record, path),
            eventSource: source,
            awsRegion: try optionalString("awsRegion", in: record, path),
            eventTime: try optionalString("eventTime", in: record, path),
            eventName: try optionalString("eventName", in: record, path),
            userIdentity: try principal("userIdentity", in: record, path),
            requestParameters: try optionalObject("requestParameters", in: record, path).map { (parameters) throws(S3EventError) in
                S3EventRecord.RequestParameters(
                    sourceIPAddress: try optionalString("sourceIPAddress", in: parameters, path + ".requestParameters"))
            },
            responseElements: try optionalObject("responseElements", in: record, path).map { (elements) throws(S3EventError) in
                S3EventRecord.ResponseElements(
                    requestID: try optionalString("x-amz-request-id", in: elements, path + ".responseElements"),
                    hostID: try optionalString("x-amz-id-2", in: elements, path + ".responseElements"))
            },
            s3: S3Entity(
                s3SchemaVersion: try optionalString("s3SchemaVersion", in: s3, path + ".s3"),
                configurationId: try optionalString("configurationId", in: s3, path + ".s3"),
                bucket: S3Bucket(
                    name: try requiredString("name", in: bucket, path + ".s3.bucket"),
                    arn: try optionalString("arn", in: bucket, path + ".s3.bucket"),
                    ownerIdentity: try principal("ownerIdentity", in: bucket, path + ".s3.bucket")),
                object: S3Object(
                    key: try requiredString("key", in: object, path + ".s3.object"),
                    size: try optionalInt64("size", in: object, path + ".s3.object"),
                    eTag: try optionalString("eTag", in: object, path + ".s3.object"),
                    versionId: try optionalString("versionId", in: object, path + ".s3.object"),
                    sequencer: try optionalString("sequencer", in: object, path + ".s3.object"))))
    }

    func testEvent(_ root: JSONDocument.Value) throws(S3EventError) -> S3TestEvent {
        S3TestEvent(
            service: try optionalString("Service", in: root, ""),
            event: try requiredString("Event", in: root, ""),
            time: try optionalString("Time", in: root, ""),
            bucket: try optionalString("Bucket", in: root, ""),
            requestID: try optionalString("RequestId", in: root, ""),
            hostID: try optionalString("HostId", in: root, ""))
    }

    // MARK: Fields

    private func principal(_ name: String, in parent: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3EventError) -> S3Principal? {
        guard let principal = try optionalObject(name, in: parent, path()) else { return nil }
        return S3Principal(principalId: try optionalString("principalId", in: principal, join(path(), name)))
    }

    private func object(_ value: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3EventError) -> JSONDocument.Value {
        switch document.kind(of: value) {
        case .object: return value
        case .null: throw .invalidRecord(path: path(), problem: "is null, expected an object")
        default: throw .invalidRecord(path: path(), problem: "expected an object")
        }
    }

    private func required(_ name: String, in parent: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3EventError) -> JSONDocument.Value {
        guard let value = document.member(name, of: parent) else {
            throw .invalidRecord(path: join(path(), name), problem: "is missing")
        }
        return value
    }

    /// Absent and `null` both mean "not there", as with `decodeIfPresent`.
    private func present(_ name: String, in parent: JSONDocument.Value) -> JSONDocument.Value? {
        guard let value = document.member(name, of: parent), !document.isNull(value) else { return nil }
        return value
    }

    private func optionalObject(_ name: String, in parent: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3EventError) -> JSONDocument.Value? {
        guard let value = present(name, in: parent) else { return nil }
        return try object(value, join(path(), name))
    }

    private func requiredString(_ name: String, in parent: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3EventError) -> String {
        let value = try required(name, in: parent, path())
        if let string = document.string(value) { return string }
        let problem = document.isNull(value) ? "is null, expected String" : "expected String"
        throw .invalidRecord(path: join(path(), name), problem: problem)
    }

    private func optionalString(_ name: String, in parent: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3EventError) -> String? {
        guard let value = present(name, in: parent) else { return nil }
        guard let string = document.string(value) else {
            throw .invalidRecord(path: join(path(), name), problem: "expected String")
        }
        return string
    }

    private func optionalInt64(_ name: String, in parent: JSONDocument.Value, _ path: @autoclosure () -> String) throws(S3EventError) -> Int64? {
        guard let value = present(name, in: parent) else { return nil }
        guard let number = document.int64(value) else {
            throw .invalidRecord(path: join(path(), name), problem: "expected Int64")
        }
        return number
    }

    private func join(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : path + "." + name
    }
}

/// Why an invocation's event is not an S3 notification. Reported as errorType `InvalidEvent`.
public enum S3EventError: Error, Equatable, CustomStringConvertible {
    case notJSON(String)
    case notAnObject
    case missingRecords
    case noRecords
    case invalidRecord(path: String, problem: String)
    case notS3(index: Int, eventSource: String?)

    public var description: String {
        switch self {
        case .notJSON(let detail): "the event is not valid JSON (\(detail))"
        case .notAnObject: "the event is not a JSON object"
        case .missingRecords: "the event has no \"Records\" array and is not an s3:TestEvent"
        case .noRecords: "the event's \"Records\" array is empty"
        case .invalidRecord(let path, let problem): "the event is not an S3 notification: \(path) \(problem)"
        case .notS3(let index, let source):
            "Records[\(index)] has eventSource \(source.map { "\"\($0)\"" } ?? "missing"), expected \"aws:s3\""
        }
    }
}
