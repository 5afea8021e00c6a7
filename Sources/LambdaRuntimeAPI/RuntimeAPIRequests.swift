import HTTP

/// Each Runtime API call as an `HTTPRequest` value: what goes on the wire is tested without a network.
public struct RuntimeAPIRequests: Sendable {
    /// Posts are small and local: a Runtime API that takes longer than this is broken.
    public static let postTimeout: Duration = .seconds(10)

    private let base: String
    private let nextURL: String

    /// - Parameter endpoint: `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    public init(endpoint: String) {
        self.base = "http://\(endpoint)/2018-06-01/runtime"
        self.nextURL = base + "/invocation/next"
    }

    /// `GET /invocation/next`, without a time limit: Lambda holds it while the environment is idle.
    public func next() -> HTTPRequest {
        HTTPRequest(method: "GET", url: nextURL, timeout: nil)
    }

    public func response(requestID: String, body: [UInt8]) -> HTTPRequest {
        post(base + "/invocation/" + requestID + "/response", body: body, headers: [])
    }

    public func error(requestID: String, report: ErrorReport) -> HTTPRequest {
        post(base + "/invocation/" + requestID + "/error", body: report.json, headers: errorHeaders(report))
    }

    public func initError(report: ErrorReport) -> HTTPRequest {
        post(base + "/init/error", body: report.json, headers: errorHeaders(report))
    }

    private func errorHeaders(_ report: ErrorReport) -> [HTTPHeader] {
        [HTTPHeader("Lambda-Runtime-Function-Error-Type", report.errorType)]
    }

    private func post(_ url: String, body: [UInt8], headers: [HTTPHeader]) -> HTTPRequest {
        HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: Self.postTimeout)
    }
}
