import HTTP

/// Speaks the Lambda Runtime API `2018-06-01` over HTTP, and nothing else.
public final class RuntimeAPIClient: RuntimeAPI {
    private let requests: RuntimeAPIRequests
    private let http: any HTTPTransport

    /// - Parameters:
    ///   - endpoint: `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    ///   - transport: a connection of its own: the Runtime API and the handler's peers never share one.
    public init(endpoint: String, transport: any HTTPTransport) {
        self.requests = RuntimeAPIRequests(endpoint: endpoint)
        self.http = transport
    }

    public func next() throws(RuntimeAPIError) -> Invocation {
        let response = try send(requests.next())
        guard response.status == 200 else {
            throw response.status >= 500
                ? .serverError(status: response.status)
                : .protocolViolation("next answered HTTP \(response.status)")
        }
        return try Invocation(headers: response.headers, event: response.body)
    }

    public func sendResponse(requestID: String, body: [UInt8]) throws(RuntimeAPIError) {
        try post(requests.response(requestID: requestID, body: body))
    }

    public func sendError(requestID: String, report: ErrorReport) throws(RuntimeAPIError) {
        try post(requests.error(requestID: requestID, report: report))
    }

    public func sendInitError(report: ErrorReport) throws(RuntimeAPIError) {
        try post(requests.initError(report: report))
    }

    private func post(_ request: HTTPRequest) throws(RuntimeAPIError) {
        let response = try send(request)
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
