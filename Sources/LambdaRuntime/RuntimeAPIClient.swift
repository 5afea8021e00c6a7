import HTTP

/// One invocation as `GET /runtime/invocation/next` hands it over.
public struct Invocation: Sendable {
    public var requestID: String
    public var deadlineMilliseconds: Int64
    public var invokedFunctionARN: String?
    public var traceID: String?
    public var clientContext: String?
    public var cognitoIdentity: String?
    public var event: [UInt8]

    /// Reads the `Lambda-Runtime-*` headers of a `next` response.
    public init(headers: some HTTPHeaderLookup, event: [UInt8]) throws(RuntimeAPIError) {
        guard let requestID = headers.value(for: "Lambda-Runtime-Aws-Request-Id"), !requestID.isEmpty else {
            throw .protocolViolation("next answered without Lambda-Runtime-Aws-Request-Id")
        }
        guard let deadline = headers.value(for: "Lambda-Runtime-Deadline-Ms").flatMap({ Int64($0) }) else {
            throw .protocolViolation("next answered without a numeric Lambda-Runtime-Deadline-Ms")
        }
        self.requestID = requestID
        self.deadlineMilliseconds = deadline
        self.invokedFunctionARN = headers.value(for: "Lambda-Runtime-Invoked-Function-Arn")
        self.traceID = headers.value(for: "Lambda-Runtime-Trace-Id")
        self.clientContext = headers.value(for: "Lambda-Runtime-Client-Context")
        self.cognitoIdentity = headers.value(for: "Lambda-Runtime-Cognito-Identity")
        self.event = event
    }
}

public enum RuntimeAPIError: Error, Equatable, CustomStringConvertible {
    /// The Runtime API could not be reached or broke the connection.
    case unreachable(HTTPError)
    /// The Runtime API answered with a server error.
    case serverError(status: Int)
    /// The Runtime API refused what we posted (4xx), e.g. a response over the payload limit.
    case rejected(status: Int, body: String)
    /// The Runtime API answered something the 2018-06-01 protocol does not allow.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .unreachable(let error): "Runtime API unreachable: \(error)"
        case .serverError(let status): "Runtime API answered HTTP \(status)"
        case .rejected(let status, let body): "Runtime API rejected the post with HTTP \(status): \(body)"
        case .protocolViolation(let detail): "Runtime API protocol violation: \(detail)"
        }
    }
}

/// Speaks the Lambda Runtime API `2018-06-01` and nothing else.
public final class RuntimeAPIClient {
    private let base: String
    private let nextURL: String
    private let http: any HTTPTransport
    /// Posts are small and local: a Runtime API that takes longer than this is broken.
    private let postTimeout: Duration = .seconds(10)

    /// - Parameters:
    ///   - endpoint: `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    ///   - transport: a connection of its own: the Runtime API and the handler's peers never share one.
    public init(endpoint: String, transport: any HTTPTransport) {
        self.base = "http://\(endpoint)/2018-06-01/runtime"
        self.nextURL = base + "/invocation/next"
        self.http = transport
    }

    /// Long-polls for the next invocation; waits as long as Lambda keeps the environment idle.
    public func next() throws(RuntimeAPIError) -> Invocation {
        let response = try send(HTTPRequest(method: "GET", url: nextURL, timeout: nil))
        guard response.status == 200 else {
            throw response.status >= 500
                ? .serverError(status: response.status)
                : .protocolViolation("next answered HTTP \(response.status)")
        }
        return try Invocation(headers: response.headers, event: response.body)
    }

    public func sendResponse(requestID: String, body: [UInt8]) throws(RuntimeAPIError) {
        try post(base + "/invocation/" + requestID + "/response", body: body, headers: [])
    }

    public func sendError(requestID: String, report: ErrorReport) throws(RuntimeAPIError) {
        try post("\(base)/invocation/\(requestID)/error", body: report.json, headers: errorHeaders(report))
    }

    public func sendInitError(report: ErrorReport) throws(RuntimeAPIError) {
        try post("\(base)/init/error", body: report.json, headers: errorHeaders(report))
    }

    private func errorHeaders(_ report: ErrorReport) -> [HTTPHeader] {
        [HTTPHeader("Lambda-Runtime-Function-Error-Type", report.errorType)]
    }

    private func post(_ url: String, body: [UInt8], headers: [HTTPHeader]) throws(RuntimeAPIError) {
        let response = try send(HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: postTimeout))
        switch response.status {
        case 200..<300: return
        case 500...: throw .serverError(status: response.status)
        default:
            throw .rejected(status: response.status, body: String(decoding: response.body.prefix(512), as: UTF8.self))
        }
    }

    private func send(_ request: HTTPRequest) throws(RuntimeAPIError) -> HTTPResponse {
        do {
            return try http.send(request)
        } catch {
            throw .unreachable(error)
        }
    }
}
