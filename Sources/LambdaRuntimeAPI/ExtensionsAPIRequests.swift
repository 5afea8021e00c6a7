import HTTP

/// The two calls of the Lambda Extensions API `2020-01-01` that an internal extension subscribing to
/// no event makes, as `HTTPRequest` values.
///
/// Lambda sends SIGTERM to the runtime at shutdown only when an extension is registered (AWS docs,
/// "Lambda Extensions API", shutdown phase: the runtime then has 500 ms with an internal extension).
/// An internal extension may subscribe to `INVOKE` only, never `SHUTDOWN`, so it subscribes to
/// nothing; its `event/next` is never answered, but it must be called: Lambda ends init only once
/// the runtime and every registered extension have asked for their next event.
public struct ExtensionsAPIRequests: Sendable {
    /// The name this runtime registers; internal extensions may use any name.
    public static let extensionName = "AudioUploadNotifier-SIGTERM"

    private let base: String

    /// - Parameter endpoint: `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    public init(endpoint: String) {
        self.base = "http://\(endpoint)/2020-01-01/extension"
    }

    /// `POST /register` for no event; the answer's `Lambda-Extension-Identifier` names us afterwards.
    public func register() -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: base + "/register",
            headers: [HTTPHeader("Lambda-Extension-Name", Self.extensionName), HTTPHeader("Content-Type", "application/json")],
            body: Array(#"{"events":[]}"#.utf8), timeout: RuntimeAPIRequests.postTimeout)
    }

    /// `GET /event/next`, without a time limit: with no event subscribed, Lambda never answers it.
    public func next(extensionID: String) -> HTTPRequest {
        HTTPRequest(
            method: "GET", url: base + "/event/next",
            headers: [HTTPHeader("Lambda-Extension-Identifier", extensionID)], timeout: nil)
    }

    /// The identifier from a register answer; the error says what was wrong with it.
    public static func extensionID(from response: HTTPResponse) throws(RuntimeAPIError) -> String {
        guard response.status == 200 else {
            throw response.status >= 500
                ? .serverError(status: response.status)
                : .rejected(status: response.status, body: String(decoding: response.body.prefix(512), as: UTF8.self))
        }
        guard let id = response.headers.value(for: "Lambda-Extension-Identifier"), !id.isEmpty else {
            throw .protocolViolation("extension/register answered without Lambda-Extension-Identifier")
        }
        return id
    }
}
